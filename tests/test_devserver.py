"""The dev server: edits, topic changes and template changes all show up on
the next rebuild (the content cache is never stale), and a bad file leaves
it waiting quietly instead of spinning (issues 3 and 7)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import ROOT


class DevServer:
    def __init__(self, base: Path):
        self.theme = base / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.output = base / "output"
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tools/devserver.py"), "--no-serve", "--content", str(base / "content"),
             "--theme", str(self.theme), "--output", str(self.output)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def builds(self) -> int:
        return sum(1 for line in self.lines if line.startswith("Built "))

    def wait_for_build(self, count: int, timeout: float = 60) -> str:
        end = time.time() + timeout
        while time.time() < end:
            if self.builds() >= count:
                return [line for line in self.lines if line.startswith("Built ")][-1]
            assert self.proc.poll() is None, "\n".join(self.lines)
            time.sleep(0.1)
        raise AssertionError("no rebuild:\n" + "\n".join(self.lines))

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)


def test_changes_show_up_and_a_bad_file_does_not_spin(fixture_site):
    server = DevServer(fixture_site.base)
    try:
        server.wait_for_build(1)
        page = fixture_site.output / "conditions/bunions/index.html"
        assert "<h1" in page.read_text()
        time.sleep(1.1)  # a new modification time for the cache to see

        fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes")
        server.wait_for_build(2)
        assert "Bunions and bunionettes</h1>" in page.read_text()
        term = fixture_site.output / "browse/region/forefoot/index.html"
        assert "Bunions and bunionettes" in term.read_text(), "other pages see the edit too"

        fixture_site.edit("taxonomy.yaml", "label: Front of the foot", "label: Ball of the foot")
        server.wait_for_build(3)
        assert "Ball of the foot" in page.read_text()
        assert "Ball of the foot" in term.read_text()

        (server.theme / "templates/_review_stamp.html").write_text(
            (server.theme / "templates/_review_stamp.html").read_text().replace("Medically reviewed by",
                                                                                "Checked by"))
        server.wait_for_build(4)
        assert "Checked by" in page.read_text()

        # the link check remembers unchanged pages' links between builds (links.Remembered):
        # a link broken by an edit shows up, and so does its fix
        seen = len(server.lines)
        fixture_site.edit("conditions/bunions.md", "\n## ", "\nSee [this page](/conditions/nowhere/).\n\n## ")
        server.wait_for_build(5)
        assert any("output/conditions/bunions/index.html: link: '/conditions/nowhere/' leads to no file" in line
                   for line in server.lines[seen:]), "\n".join(server.lines[seen:])
        seen = len(server.lines)
        fixture_site.edit("conditions/bunions.md", "See [this page](/conditions/nowhere/).", "")
        server.wait_for_build(6)
        assert not any("nowhere" in line for line in server.lines[seen:])

        fixture_site.edit("conditions/hammertoes.md", "Date: 2026-11-20", "Date: 2026-11")
        last = server.wait_for_build(7)
        assert "error" in last
        assert any("content/conditions/hammertoes.md:3: Date: '2026-11' is not a full date" in line
                   for line in server.lines)
        assert page.exists(), "the dev server keeps building what it can"
        time.sleep(1)
        before = server.cpu_seconds()
        time.sleep(3)
        assert server.cpu_seconds() - before < 0.3, "the dev server must wait quietly for the next change"
        assert server.builds() == 7, "no rebuild without a change"
    finally:
        server.stop()


def test_a_warning_is_reported_by_every_build_in_one_process(fixture_site):
    # Pelican's loggers drop a message they logged before in the same process;
    # the dev server builds many times in one process (tools/build.py resets that).
    first = fixture_site.html(CLINIC_TODAY="2030-01-01")
    second = fixture_site.html(CLINIC_TODAY="2030-01-01")
    assert "Next-review: the medical review was due on" in first.log
    assert first.log.splitlines()[-1] == second.log.splitlines()[-1]
    assert first.log.splitlines()[-1].endswith("warnings).")


def test_an_edit_saved_during_a_build_is_not_lost(fixture_site):
    # The watcher starts only after each build; an edit saved while a build
    # runs must still start the next one.
    import devserver
    from pelican.settings import read_settings

    settings = read_settings(str(ROOT / "pelicanconf.py"), override={"PATH": str(fixture_site.base / "content")})
    started = time.time_ns()
    assert devserver.changed_since(started, ROOT / "pelicanconf.py", settings) == []
    time.sleep(0.01)
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes")
    (fixture_site.base / "content" / "conditions" / ".#bunions.md").write_text("an editor's lock file")
    assert devserver.changed_since(started, ROOT / "pelicanconf.py", settings) == [
        str(fixture_site.base / "content" / "conditions" / "bunions.md")]


def test_an_edit_saved_as_the_watcher_starts_is_not_lost(fixture_site, tmp_path, monkeypatch):
    # A clean CI run once lost a template edit saved after the walk for
    # changes but before the watcher was in place: the dev server then waited
    # for a change that had already happened.
    import watchfiles

    import devserver
    from pelican.settings import read_settings

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    stamp = theme / "templates/_review_stamp.html"
    settings = read_settings(str(ROOT / "pelicanconf.py"),
                             override={"PATH": str(fixture_site.base / "content"), "THEME": str(theme)})
    real_watch = watchfiles.watch

    def edit_then_watch(*args, **kwargs):
        stamp.write_text(stamp.read_text().replace("Medically reviewed by", "Checked by"))
        return real_watch(*args, **kwargs)

    monkeypatch.setattr(watchfiles, "watch", edit_then_watch)
    found: list[list[str]] = []
    waiter = threading.Thread(target=lambda: found.append(
        devserver.next_changes(time.time_ns(), ROOT / "pelicanconf.py", settings, first_wait_ms=200)), daemon=True)
    waiter.start()
    waiter.join(10)
    assert found == [[str(stamp)]], "the edit must start a rebuild"

    # and an edit saved while it waits is reported as it happens
    monkeypatch.setattr(watchfiles, "watch", real_watch)
    found.clear()
    waiter = threading.Thread(target=lambda: found.append(
        devserver.next_changes(time.time_ns(), ROOT / "pelicanconf.py", settings, first_wait_ms=200)), daemon=True)
    waiter.start()
    time.sleep(0.5)
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes")
    waiter.join(10)
    assert found == [[str(fixture_site.base / "content" / "conditions" / "bunions.md")]]
