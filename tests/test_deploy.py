"""The upload targets (issue 8), run for real by tools/upload.py against local
stand-ins: S3 against moto's S3 server on 127.0.0.1, rsync into a local folder,
github into a local bare repository. DRY_RUN=1 changes nothing."""

from __future__ import annotations

import gzip
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import tarfile
import time
import uuid
from pathlib import Path

import pytest

from hosting import EXPECTED_TYPES, FINGERPRINT, need
from conftest import ROOT, tree_hash

import upload
from clinic.model import settings as settings_model

SETTINGS = upload.load_settings(ROOT / "pelicanconf.py", env={})
UPLOAD = ROOT / "tools" / "upload.py"



def files_of(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def project(english_site, tmp_path) -> Path:
    """A copy of the built site in a project folder of its own, with gzip copies
    of a stylesheet and of the home page, as a compressing build step would leave.
    What an upload does depends on the files, not on their language: the site in
    English only has half as many to send."""
    root = tmp_path / "project"
    shutil.copytree(english_site.output, root / "output")
    out = root / "output"
    css = next(p for p in (out / "theme" / "css").iterdir() if p.suffix == ".css")
    for p in (css, out / "index.html"):
        p.with_name(p.name + ".gz").write_bytes(gzip.compress(p.read_bytes(), mtime=0))
    return root


def run(target: str, output: Path, cwd: Path | None = None, **env) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("AWS_", "SSH_", "S3_", "GITHUB_PAGES_")) and k != "DRY_RUN"}
    clean.update(env)
    return subprocess.run([sys.executable, str(UPLOAD), target, "--output", str(output)], cwd=cwd or output.parent,
                          env=clean, capture_output=True, text=True, timeout=300)


def one_line_error(done: subprocess.CompletedProcess, *words: str) -> None:
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    for w in words:
        assert w in lines[0], lines[0]


# --- Every target refuses to upload a site that is not there -----------------------------

@pytest.mark.parametrize("target", ["rsync", "s3", "github"])
def test_refuses_without_a_built_site(target, tmp_path):
    one_line_error(run(target, tmp_path / "output"), "is missing", "make publish")
    (tmp_path / "output").mkdir()
    (tmp_path / "output" / "about.html").write_text("half a site")
    one_line_error(run(target, tmp_path / "output"), "has no index.html", "make publish")


# --- S3 against moto's server --------------------------------------------------------------

@pytest.fixture(scope="module")
def s3_server():
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def aws_env(endpoint: str, tmp_path: Path, bucket: str) -> dict:
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ENDPOINT_URL_S3": endpoint, "S3_BUCKET": bucket, "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": str(tmp_path / "no-aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-aws-credentials")}


@pytest.fixture
def bucket(s3_server, tmp_path):
    import boto3

    name = f"clinic-{uuid.uuid4().hex[:12]}"
    env = aws_env(s3_server, tmp_path, name)
    client = boto3.client("s3", endpoint_url=s3_server, region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket=name)
    client.put_object(Bucket=name, Key="old-page/index.html", Body=b"<p>removed</p>")
    return client, name, env


def objects_in(client, name: str) -> dict[str, dict]:
    keys = [o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=name)
            for o in page.get("Contents", [])]
    out = {}
    for key in keys:
        obj = client.get_object(Bucket=name, Key=key)
        out[key] = {"type": obj.get("ContentType"), "cache": obj.get("CacheControl"),
                    "encoding": obj.get("ContentEncoding"), "body": obj["Body"].read()}
    return out


def test_s3_upload_holds_every_file_with_its_type_cache_and_encoding(project, bucket):
    client, name, env = bucket
    out = project / "output"
    done = run("s3", out, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    got = objects_in(client, name)

    files = files_of(out)
    copies = {f for f in files if f.endswith((".gz", ".br")) and f[:-3] in files}
    expected_keys = files - copies - {"_headers", ".htaccess"}
    assert set(got) == expected_keys  # the old page is gone, the host files and copies are not keys
    for key, obj in got.items():
        ext = key.rsplit(".", 1)[-1]
        assert ext in EXPECTED_TYPES, f"{key}: a new kind of file; add its type to EXPECTED_TYPES"
        assert obj["type"] == EXPECTED_TYPES[ext], key
        clinic = settings_model.of(SETTINGS)
        cache = (clinic.cache_assets if FINGERPRINT.search(key)
                 else clinic.cache_html if key.endswith(".html") else clinic.cache_other)
        assert obj["cache"] == cache, key
        if key + ".gz" in copies:
            assert obj["encoding"] == "gzip", key
            assert obj["body"] == (out / (key + ".gz")).read_bytes(), key
            assert gzip.decompress(obj["body"]) == (out / key).read_bytes(), key
        else:
            assert obj["encoding"] is None, key
            assert obj["body"] == (out / key).read_bytes(), key
    assert any(FINGERPRINT.search(k) and k.endswith(".css") for k in got)
    assert got["index.html"]["encoding"] == "gzip"
    assert any(k.endswith(".br") for k in copies)  # brotli copies exist, and are not uploaded

    # What it printed: the plan, pages last, and the deletion.
    uploads = [line.split()[1] for line in done.stdout.splitlines() if line.startswith("  upload ")]
    assert set(uploads) == expected_keys
    first_page = next(i for i, k in enumerate(uploads) if k.endswith(".html"))
    assert all(k.endswith(".html") for k in uploads[first_page:])
    assert "  delete old-page/index.html" in done.stdout.splitlines()

    # A second upload of the same site leaves the same bucket.
    again = run("s3", out, **env)
    assert again.returncode == 0, again.stderr
    assert objects_in(client, name) == got


def test_s3_dry_run_changes_nothing(project, bucket):
    client, name, env = bucket
    before = objects_in(client, name)
    done = run("s3", project / "output", DRY_RUN="1", **env)
    assert done.returncode == 0, done.stderr
    assert objects_in(client, name) == before
    assert "  upload index.html" in done.stdout
    assert "  delete old-page/index.html" in done.stdout.splitlines()
    assert "DRY_RUN=1: nothing was uploaded or deleted." in done.stdout


def test_s3_without_credentials_is_one_clear_line(project, s3_server, tmp_path):
    env = aws_env(s3_server, tmp_path, "clinic-nowhere")
    del env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]
    one_line_error(run("s3", project / "output", **env), "no AWS credentials", "AWS_ACCESS_KEY_ID")


def test_s3_with_a_missing_bucket_is_one_clear_line(project, s3_server, tmp_path):
    env = aws_env(s3_server, tmp_path, f"clinic-missing-{uuid.uuid4().hex[:8]}")
    one_line_error(run("s3", project / "output", **env), "does not exist", "S3_BUCKET")


# --- rsync into a local folder: releases and a `current` link ------------------------------

def releases_of(www: Path) -> list[str]:
    return sorted(p.name for p in (www / "releases").iterdir())


def test_rsync_uploads_a_new_release_switches_current_and_keeps_five(project, tmp_path):
    need("rsync")
    out, www = project / "output", tmp_path / "www"
    done = run("rsync", out, SSH_HOST="", SSH_TARGET_DIR=str(www))
    assert done.returncode == 0, done.stdout + done.stderr
    (first,) = releases_of(www)
    assert os.readlink(www / "current") == f"releases/{first}"
    assert tree_hash(www / "current") == tree_hash(out)
    # readable by the web server, whatever the mode of the build folder
    live = (www / "current").resolve()
    assert oct(live.stat().st_mode & 0o777) == "0o755"
    assert all(p.stat().st_mode & 0o777 == (0o755 if p.is_dir() else 0o644) for p in live.rglob("*"))
    assert done.stdout.strip().splitlines()[-1] == f"Uploaded: current is now releases/{first}."
    # the next release: what changed is copied, the rest linked to the last release
    (out / "about" / "index.html").unlink()
    second = run("rsync", out, SSH_HOST="", SSH_TARGET_DIR=str(www))
    assert second.returncode == 0, second.stderr
    first_, new = releases_of(www)
    assert first_ == first and os.readlink(www / "current") == f"releases/{new}"
    assert tree_hash(www / "current") == tree_hash(out)
    assert (www / "releases" / first / "about" / "index.html").exists(), "the last release is kept whole"
    same = (www / "releases" / first / "index.html").stat(), (www / "releases" / new / "index.html").stat()
    assert same[0].st_ino == same[1].st_ino, "an unchanged file is a link to the last release's, not a copy"
    assert second.stdout.strip().splitlines()[-1] == (
        f"Uploaded: current is now releases/{new} (before: releases/{first}; `make rollback` goes back to it).")
    # rollback, and back to the newest with the next upload
    back = run("rollback", out, SSH_HOST="", SSH_TARGET_DIR=str(www))
    assert back.returncode == 0, back.stderr
    assert os.readlink(www / "current") == f"releases/{first}"
    assert back.stdout.strip().splitlines()[-1] == (
        f"Rolled back: current is now releases/{first}. The next `make rsync_upload` makes a new release.")
    one_line_error(run("rollback", out, SSH_HOST="", SSH_TARGET_DIR=str(www)),
                   f"there is no release before {first}")
    for _ in range(5):
        assert run("rsync", out, SSH_HOST="", SSH_TARGET_DIR=str(www)).returncode == 0
    kept = releases_of(www)
    assert len(kept) == 5 and first not in kept and os.readlink(www / "current") == f"releases/{kept[-1]}"


def test_rsync_dry_run_changes_nothing_and_shows_the_ssh_command(project, tmp_path):
    www = tmp_path / "www"
    www.mkdir()
    done = run("rsync", project / "output", DRY_RUN="1", SSH_HOST="", SSH_TARGET_DIR=str(www))
    assert done.returncode == 0 and list(www.iterdir()) == []
    remote = run("rsync", project / "output", DRY_RUN="1", SSH_HOST="web.example", SSH_PORT="2222",
                 SSH_USER="deploy", SSH_TARGET_DIR="/srv/site")
    assert remote.returncode == 0, remote.stderr
    assert (f"rsync -e 'ssh -p 2222' -ac --delete --chmod=D755,F644 {project / 'output'}/ "
            "'deploy@web.example:/srv/site/releases/<time>/'") in remote.stdout


def test_rsync_missing_is_one_clear_line(project, tmp_path):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    one_line_error(run("rsync", project / "output", PATH=str(empty), SSH_HOST="", SSH_TARGET_DIR=str(tmp_path / "w")),
                   "rsync is not installed")


# --- github into a local bare repository -------------------------------------------------------

def git(*args, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repos(project, tmp_path):
    """The project as a git repository whose `origin` is a local bare repository."""
    need("git")
    remote = tmp_path / "pages.git"
    git("init", "-q", "--bare", str(remote))
    git("init", "-q", cwd=project)
    git("config", "user.name", "Clinic Webmaster", cwd=project)
    git("config", "user.email", "web@clinic.test", cwd=project)
    git("remote", "add", "origin", str(remote), cwd=project)
    return project, remote


def branch_files(remote: Path, branch: str) -> dict[str, bytes]:
    tar = subprocess.run(["git", "--git-dir", str(remote), "archive", "--format=tar", branch],
                         check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(tar)) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def test_github_pushes_the_site_with_nojekyll_and_cname(repos):
    project, remote = repos
    out = project / "output"
    done = run("github", out, GITHUB_PAGES_CNAME="www.example-clinic.test")
    assert done.returncode == 0, done.stdout + done.stderr
    files = branch_files(remote, "gh-pages")
    assert set(files) == files_of(out) | {".nojekyll", "CNAME"}
    for rel in files_of(out):
        assert files[rel] == (out / rel).read_bytes(), rel
    assert files[".nojekyll"] == b""
    assert files["CNAME"].decode().strip() == "www.example-clinic.test"

    # Publishing again replaces the branch's content: a removed page is gone, no CNAME when unset.
    shutil.rmtree(out / "about")
    again = run("github", out)
    assert again.returncode == 0, again.stdout + again.stderr
    files = branch_files(remote, "gh-pages")
    assert set(files) == files_of(out) | {".nojekyll"}


def test_github_branch_and_remote_can_be_set(repos, tmp_path):
    project, _ = repos
    other = tmp_path / "other.git"
    git("init", "-q", "--bare", str(other))
    done = run("github", project / "output", GITHUB_PAGES_BRANCH="site", GITHUB_PAGES_REMOTE=str(other))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "index.html" in branch_files(other, "site")


def test_github_dry_run_changes_nothing(repos):
    project, remote = repos
    done = run("github", project / "output", DRY_RUN="1")
    assert done.returncode == 0, done.stderr
    assert "DRY_RUN=1: nothing was committed or pushed." in done.stdout
    assert git("--git-dir", str(remote), "for-each-ref") == ""
    assert git("for-each-ref", "refs/heads", cwd=project) == ""


def test_github_without_a_remote_is_one_clear_line(project):
    need("git")
    git("init", "-q", cwd=project)
    one_line_error(run("github", project / "output"), "no remote named 'origin'", "git remote add")


def test_github_outside_a_repository_is_one_clear_line(project):
    need("git")
    one_line_error(run("github", project / "output", GIT_CEILING_DIRECTORIES=str(project.parent)),
                   "is not a git repository")


def test_a_release_that_went_live_without_being_written_down_stays_for_rollback(project, tmp_path):
    """An upload stopped after `current` moved to its release but before the
    release was written in releases.txt: the next upload writes it down, so
    `make rollback` goes back to it and a later upload does not take it for
    one that was stopped (and delete it)."""
    need("rsync")
    out, www = project / "output", tmp_path / "www"
    upload = lambda: run("rsync", out, SSH_HOST="", SSH_TARGET_DIR=str(www))  # noqa: E731
    assert upload().returncode == 0 and upload().returncode == 0
    history = www / "releases.txt"
    first, second = history.read_text().split()
    history.write_text(first + "\n")  # stopped between the two steps
    third = upload()
    assert third.returncode == 0 and "Removed" not in third.stdout, third.stdout
    assert history.read_text().split()[:2] == [first, second]
    back = run("rollback", out, SSH_HOST="", SSH_TARGET_DIR=str(www))
    assert back.returncode == 0 and os.readlink(www / "current") == f"releases/{second}", back.stdout
    later = upload()
    assert later.returncode == 0 and "Removed" not in later.stdout and second in releases_of(www), later.stdout


# --- an upload cut off midway: the served site still works, old or new ---------------------

def second_version(tmp_path) -> Path:
    """The site a webmaster's next publish makes: a page added, one removed, a
    title changed (in English only, as english_site is)."""
    from conftest import CONTENT, FixtureSite
    fs = FixtureSite(tmp_path / "next", CONTENT, translations=False)
    fs.write("pages/parking.md", "Title: Parking\nSummary: Where to park.\n\nThe car park is next to the door.\n")
    fs.edit("pages/about.md", "\n\n", "\n\nWe have a car park: see [parking]({filename}/pages/parking.md).\n\n")
    (fs.content / "guides" / "foot-surgery-for-chronic-pain.md").unlink()
    fs.edit("guides/recovery-after-foot-surgery.md", "({filename}/guides/foot-surgery-for-chronic-pain.md)",
            "(/guides/)")
    fs.edit("conditions/bunions.md", "Title: Bunions\n", "Title: Bunions (hallux valgus)\n")
    built = fs.publish()
    assert built.status == 0, built.log
    return built.output


def links_of(html: str) -> list[str]:
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(html, "html.parser")
    found = [t.get("href") for t in soup.find_all(["a", "link"])] + [t.get("src") for t in soup.find_all(["script", "img"])]
    return [u.split("#")[0] for u in found if u and u.startswith("/") and not u.startswith("//")]


def cut_off(target: str, versions: tuple[Path, Path], env: dict, took: float, times: int):
    """Start the upload of each version in turn and kill it at a random moment
    within `took` (CLINIC_CRASH_SEED repeats a run); yields the kill's number
    once the upload process is gone."""
    rng = random.Random(os.environ.get("CLINIC_CRASH_SEED", "7"))
    for i in range(times):
        proc = subprocess.Popen([sys.executable, str(UPLOAD), target, "--output", str(versions[i % 2])],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0, took))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        yield i


def crawl(get) -> dict[str, int]:
    """Every page reachable from the home page, and every file each uses: their status.
    get(path) -> (status, body)."""
    seen, todo, status = set(), ["/"], {}
    while todo:
        path = todo.pop()
        if path in seen or not path:
            continue
        seen.add(path)
        code, body = get(path)
        status[path] = code
        if code == 200 and (path.endswith("/") or path.endswith(".html")):
            todo += links_of(body.decode("utf-8", "replace"))
    return status


def test_an_rsync_upload_cut_off_midway_leaves_a_working_site(project, tmp_path):
    """An upload killed at random moments: nginx, serving `current`, serves the old
    release or the new one, every page reachable and every file it uses there."""
    import urllib.error
    import urllib.request

    from conftest import free_port
    from test_headers_nginx import Nginx
    need("rsync")
    old, new = project / "output", second_version(tmp_path)
    www = tmp_path / "www"
    assert run("rsync", old, SSH_HOST="", SSH_TARGET_DIR=str(www)).returncode == 0
    server = Nginx(tmp_path / "nginx", www / "current", free_port())

    def get(path):
        try:
            with urllib.request.urlopen(server.url + path, timeout=10) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, b""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SSH_", "DRY_RUN"))}
    env.update(SSH_HOST="", SSH_TARGET_DIR=str(www))
    try:
        started = time.perf_counter()
        assert run("rsync", new, SSH_HOST="", SSH_TARGET_DIR=str(www)).returncode == 0
        took = time.perf_counter() - started
        for i in cut_off("rsync", (new, old), env, took, 6):
            live = tree_hash((www / "current").resolve())
            assert live in (tree_hash(old), tree_hash(new)), f"kill {i}: current is neither site"
            broken = {path: code for path, code in crawl(get).items() if code != 200}
            assert broken == {}, f"kill {i}"
    finally:
        server.stop()
    # the next upload removes what the stopped ones left, and says so: every release but
    # those that went live (one stopped after `current` moved to it is live, written down or not)
    live = set((www / "releases.txt").read_text().split()) | {(www / "current").resolve().name}
    unfinished = sorted(set(releases_of(www)) - live)
    done = run("rsync", new, SSH_HOST="", SSH_TARGET_DIR=str(www))
    assert done.returncode == 0, done.stderr
    if unfinished:
        assert f"Removed what an upload that was stopped left in releases/: {', '.join(unfinished)}." in done.stdout
    history = (www / "releases.txt").read_text().split()
    assert set(releases_of(www)) <= set(history)


def test_an_s3_upload_cut_off_midway_leaves_a_working_bucket(project, bucket, tmp_path):
    """Killed at random moments: the bucket serves every page reachable from the
    home page, and every file each uses, old or new; nothing is deleted until
    everything else is there."""

    client, name, env = bucket
    old, new = project / "output", second_version(tmp_path)
    assert run("s3", old, **env).returncode == 0
    keys = lambda: {o["Key"] for page in client.get_paginator("list_objects_v2").paginate(Bucket=name)  # noqa: E731
                    for o in page.get("Contents", [])}

    def get(path):
        key = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        if key not in present:
            return 404, b""
        if not key.endswith(".html"):
            return 200, b""  # present: only pages are read, for their links
        body = client.get_object(Bucket=name, Key=key)["Body"].read()
        return 200, gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    full = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3_", "DRY_RUN"))}
    full.update(env)
    started = time.perf_counter()
    assert run("s3", new, **env).returncode == 0
    took = time.perf_counter() - started
    for i in cut_off("s3", (new, old), full, took, 4):
        present = keys()
        broken = {path: code for path, code in crawl(get).items() if code != 200}
        assert broken == {}, f"kill {i}"
