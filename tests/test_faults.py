"""Faults a real clinic's publish meets (issue 21): killed at any moment, two
runs at once. output/ is always the old site or the new one, byte for byte,
and the next publish cleans up after a run that was stopped and says so."""

from __future__ import annotations

import ctypes
import errno
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clinic.outputs import swap
from clinic.outputs.swap import FolderLock
from conftest import ROOT, FixtureSite, files_of, run_build

SITE = "https://clinic.test"
CRASH_SEED = int(os.environ.get("CLINIC_CRASH_SEED", random.randrange(1 << 30)))
CRASH_COUNT = int(os.environ.get("CLINIC_CRASH_COUNT", "20"))



def publish_command(fs: FixtureSite) -> list[str]:
    return [sys.executable, str(ROOT / "tools" / "build.py"), "publish", "--content", str(fs.content),
            "--output", str(fs.output), "--siteurl", SITE]


def start(fs: FixtureSite) -> subprocess.Popen:
    # its own process group: a kill reaches the Pagefind it starts too, as a power cut would
    return subprocess.Popen(publish_command(fs), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def leftovers(fs: FixtureSite) -> list[str]:
    return sorted(p.name for p in fs.base.iterdir() if ".staging-" in p.name or ".retired-" in p.name
                  and not p.name.endswith(".pid"))


def test_two_publishes_at_once_wait_for_each_other_and_make_one_site(fixture_site, tmp_path):
    clean = run_build("publish", fixture_site.content, tmp_path / "clean", siteurl=SITE)
    assert clean.status == 0, clean.log
    first, second = start(fixture_site), start(fixture_site)
    logs = [p.communicate(timeout=120)[0] for p in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], logs
    waited = [line for log in logs for line in log.splitlines() if line.startswith("Waiting for")]
    assert len(waited) == 1 and waited[0].startswith("Waiting for another build of output/ to finish (process "), logs
    assert files_of(fixture_site.output) == files_of(clean.output)


def test_a_build_that_waits_names_the_holder_even_in_the_moment_it_takes_the_lock(tmp_path):
    """The holder writes its process number just after it takes the lock; a build
    that asks in that moment still names it (once, a full test run showed the line
    without it)."""
    import fcntl
    import threading

    output = tmp_path / "output"
    lock = FolderLock(output, print)
    lock.path.parent.mkdir(parents=True, exist_ok=True)
    holder = os.open(lock.path, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(holder, fcntl.LOCK_EX)  # taken, its number not written yet

    def write_number_then_let_go():
        time.sleep(0.05)
        os.pwrite(holder, b"4242\n", 0)
        time.sleep(0.2)
        os.close(holder)
    threading.Thread(target=write_number_then_let_go).start()
    lines = []
    with FolderLock(output, lines.append):
        pass
    assert lines == ["Waiting for another build of output/ to finish (process 4242)..."]


def test_a_publish_waits_for_a_build_in_progress_and_takes_over_a_lock_whose_run_was_killed(fixture_site):
    lines = []
    with FolderLock(fixture_site.output, lines.append):  # the dev server, rebuilding
        proc = start(fixture_site)
        time.sleep(1.5)
        assert proc.poll() is None, "it waits"
    out = proc.communicate(timeout=120)[0]
    assert proc.returncode == 0 and out.splitlines()[0] == f"Waiting for another build of output/ to finish (process {os.getpid()})..."
    # a run killed while it held the lock: the kernel released it, its process number stayed
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (fixture_site.base / ".output.lock").write_text(f"{dead.pid}\n")
    result = fixture_site.publish()
    assert result.status == 0, result.log
    assert result.lines[0] == f"An earlier build (process {dead.pid}) stopped before it finished; continuing without it."


def test_a_publish_killed_at_any_moment_leaves_the_old_site_or_the_new_one(fixture_site, tmp_path):
    """SIGKILL at CLINIC_CRASH_COUNT random moments (CLINIC_CRASH_SEED repeats a
    run) over the whole publish: reading, writing, indexing, compressing and the
    swap. Two versions of the content take turns, so each kill can land between
    a site and the next one."""
    rng = random.Random(CRASH_SEED)
    fs = fixture_site
    versions = []
    for n, title in enumerate(("Bunions", "Bunions (version two)")):
        if n:
            fs.edit("conditions/bunions.md", "Title: Bunions\n", f"Title: {title}\n")
        built = run_build("publish", fs.content, tmp_path / f"version-{n}", siteurl=SITE)
        assert built.status == 0, built.log
        versions.append(files_of(built.output))
    fs.edit("conditions/bunions.md", "Title: Bunions (version two)\n", "Title: Bunions\n")
    started = time.perf_counter()
    proc = start(fs)  # version 0, whole: the live site to begin with, and how long a publish takes
    assert proc.wait(timeout=120) == 0
    took = time.perf_counter() - started
    assert files_of(fs.output) == versions[0]
    live, cleaned = 0, []
    for i in range(CRASH_COUNT):
        new = 1 - live
        text = fs.read("conditions/bunions.md")
        fs.write("conditions/bunions.md", text.replace("Title: Bunions (version two)\n", "Title: Bunions\n")
                 if new == 0 else text.replace("Title: Bunions\n", "Title: Bunions (version two)\n"))
        moment = rng.uniform(0.0, took * 1.1)
        proc = start(fs)
        time.sleep(moment)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        out = proc.communicate()[0]
        cleaned += [line for line in out.splitlines() if line.startswith("Removed what an earlier publish")]
        now = files_of(fs.output)
        assert now in (versions[live], versions[new]), \
            f"seed {CRASH_SEED}, kill {i} at {moment:.2f}s: output/ is neither site"
        live = versions.index(now)
    # the next publish, left to finish: it removes what the killed runs left and says so
    before = leftovers(fs)
    result = fs.publish()
    assert result.status == 0, result.log
    staged = [name for name in before if ".staging-" in name]
    if staged:
        assert any(line.startswith("Removed what an earlier publish that was stopped left beside output/: ")
                   and all(name in line for name in staged) for line in result.lines), result.log
    assert not [name for name in leftovers(fs) if ".staging-" in name]
    assert cleaned or staged or CRASH_COUNT < 5, f"seed {CRASH_SEED}: no kill ever left a build behind"


# --- a full disk and a folder that cannot be written to --------------------------------------

def _no_fault(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"cannot make the fault here: {reason}")
    pytest.skip(reason)


def assert_disk_full(result, folder: Path, output: Path, live: dict) -> None:
    """The publish stopped with the one line a full disk gets, and output/ is the live site."""
    assert result.status == 1
    assert result.lines == [
        f"{folder}: disk: is full (No space left on device) (free some space on the disk that holds {folder}, "
        "then publish again)",
        "Publish failed: 1 error. output/ was not changed."], result.log
    assert files_of(output) == live


def test_a_full_disk_is_one_line_naming_the_folder_and_keeps_the_live_site(fixture_site, tmp_path):
    probe = run_build("publish", fixture_site.content, tmp_path / "probe" / "output", siteurl=SITE)
    assert probe.status == 0, probe.log
    size = sum(len(data) for data in files_of(probe.output).values())
    disk = tmp_path / "disk"
    disk.mkdir()
    # room for one site and a half: the second publish runs out of space in its staging folder
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={int(size * 1.5) // 4096 * 4096 + 65536}",
                              "tmpfs", str(disk)], capture_output=True, text=True)
    if mounted.returncode != 0:
        _no_fault(f"mount tmpfs: {mounted.stderr.strip()}")
    try:
        output = disk / "output"
        assert run_build("publish", fixture_site.content, output, siteurl=SITE).status == 0
        live = files_of(output)
        fixture_site.edit("conditions/bunions.md", "Title: Bunions\n", "Title: Bunions, again\n")
        assert_disk_full(run_build("publish", fixture_site.content, output, siteurl=SITE), disk, output, live)
        assert [p.name for p in disk.iterdir() if ".staging-" in p.name] == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_a_folder_that_cannot_be_written_to_is_one_line_and_keeps_the_live_site(fixture_site):
    assert fixture_site.publish().status == 0
    live = files_of(fixture_site.output)
    folder = fixture_site.base
    (folder / ".output.lock").unlink()
    locked = subprocess.run(["chattr", "+i", str(folder)], capture_output=True, text=True)
    if locked.returncode != 0:  # immutable: not even root may add a file to it
        _no_fault(f"chattr +i: {locked.stderr.strip()}")
    try:
        fixture_site.edit("conditions/bunions.md", "Title: Bunions\n", "Title: Bunions, again\n")
        result = fixture_site.publish()
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=False)
    assert result.status == 1
    assert result.lines == [
        f"{folder}: folder: cannot be written to (Operation not permitted) (let this user write to {folder}, "
        "or build elsewhere with --output)",
        "Publish failed: 1 error. output/ was not changed."], result.log
    assert files_of(fixture_site.output) == live


# --- the new site on disk before it goes live ------------------------------------------------

def _small_site(tmp_path: Path) -> tuple[Path, list[str]]:
    """A folder of three pages; every file and folder in it."""
    folder = tmp_path / "staging"
    for rel in ("index.html", "conditions/index.html", "conditions/bunions/index.html"):
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text("<p>page</p>")
    return folder, sorted(str(p) for p in [folder, *folder.rglob("*")])


@pytest.mark.skipif(sys.platform != "linux", reason="syncfs is Linux's")
def test_the_new_site_goes_to_disk_in_one_syncfs(tmp_path, monkeypatch):
    folder, _ = _small_site(tmp_path)
    answers, real = [], swap._syncfs
    monkeypatch.setattr(swap, "_syncfs", lambda f: answers.append(real(f)) or answers[-1])
    monkeypatch.setattr(os, "fsync", lambda fd: pytest.fail("an fsync of each file, where one syncfs does"))
    swap.durable(folder)
    assert answers == [True]


def test_without_syncfs_every_file_and_folder_is_fsynced(tmp_path, monkeypatch):
    folder, every = _small_site(tmp_path)
    synced, real = [], os.fsync
    monkeypatch.setattr(swap, "_syncfs", lambda f: False)
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(os.readlink(f"/proc/self/fd/{fd}")) or real(fd))
    swap.durable(folder)
    assert sorted(synced) == every


@pytest.mark.skipif(sys.platform != "linux", reason="syncfs is Linux's")
def test_a_full_disk_found_at_the_sync_is_one_line_and_keeps_the_live_site(tmp_path, monkeypatch):
    """The file system may find the disk full only when the pages are written out
    to it (delayed allocation), which syncfs reports: the publish stops there."""
    fs = FixtureSite(tmp_path, translations=False)
    assert fs.publish().status == 0
    live = files_of(fs.output)
    fs.edit("conditions/bunions.md", "Title: Bunions\n", "Title: Bunions, again\n")
    real = ctypes.CDLL

    class FullDisk:
        def __init__(self, name, use_errno=False):
            self.libc = real(name, use_errno=use_errno)

        def __getattr__(self, name):
            return getattr(self.libc, name)

        def syncfs(self, fd):
            ctypes.set_errno(errno.ENOSPC)
            return -1
    monkeypatch.setattr(ctypes, "CDLL", FullDisk)
    assert_disk_full(fs.publish(), fs.base, fs.output, live)
    assert leftovers(fs) == []
