"""Put output/ on the web host: `make rsync_upload`, `make s3_upload`, `make github`.

    python tools/upload.py rsync        copy output/ to the server over SSH, as a new release
    python tools/upload.py rollback     make the release before the live one live again
    python tools/upload.py s3           upload output/ to an S3 bucket
    python tools/upload.py github       push output/ to the GitHub Pages branch
    python tools/upload.py nginx-conf   print the nginx server block (deploy/nginx.conf)

Each prints what it is going to do first. With DRY_RUN=1 it only prints.
Each refuses to run unless output/ holds a built site (run `make publish`).

Settings come from publishconf.py (and so pelicanconf.py). An environment
variable of the same name overrides each one for a single run:
SSH_HOST, SSH_PORT, SSH_USER, SSH_TARGET_DIR, S3_BUCKET, GITHUB_PAGES_BRANCH,
GITHUB_PAGES_CNAME; and GITHUB_PAGES_REMOTE (default: origin).

- rsync: into a new folder DIR/releases/<time>/ on USER@HOST (over SSH, or a
  folder on this computer with SSH_HOST empty), unchanged files hard-linked to
  the last release; then DIR/current, the web server's document root, is
  pointed at it in one rename. The last five releases stay.
- rollback: DIR/current back to the release before it.
- s3: every file with its Content-Type and Cache-Control (pages short,
  fingerprinted files a year and immutable, the rest CLINIC_CACHE_OTHER).
  Where output/ has a gzip copy next to a text file (site.css.gz), the
  compressed bytes are uploaded under the plain name (site.css) with
  Content-Encoding: gzip, since S3 cannot choose between copies per browser;
  every browser accepts gzip. The .gz and .br copies themselves, _headers and
  .htaccess (other hosts' settings) are not uploaded. Keys no longer in
  output/ are deleted, after the upload. Pages are uploaded last, so no page
  ever names a file that is not there yet. Credentials and region come from
  the usual AWS places (AWS_ACCESS_KEY_ID..., AWS_PROFILE, ~/.aws); another
  S3-compatible service is reached with AWS_ENDPOINT_URL_S3.
- github: ghp-import commits output/ (with .nojekyll, and CNAME when
  GITHUB_PAGES_CNAME is set) as the only content of the branch, in the git
  repository that holds output/, and pushes it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from clinic.model import settings as settings_model  # noqa: E402
from clinic.outputs import headers  # noqa: E402

OVERRIDABLE = ("SSH_HOST", "SSH_PORT", "SSH_USER", "SSH_TARGET_DIR", "S3_BUCKET", "GITHUB_PAGES_BRANCH",
               "GITHUB_PAGES_CNAME")
# Files in output/ that configure other hosts; they are not part of the site on S3.
HOST_FILES = ("_headers", ".htaccess")


class UploadError(Exception):
    """One line for the webmaster: what is wrong and how to fix it."""


# --- Settings -------------------------------------------------------------------

def load_settings(settings_file: Path = ROOT / "publishconf.py", env=os.environ) -> dict:
    from pelican.settings import read_settings

    sys.path.insert(0, str(settings_file.parent))  # publishconf.py imports pelicanconf
    settings = dict(read_settings(str(settings_file)))
    for name in OVERRIDABLE:
        if name in env:
            settings[name] = env[name]
    settings["GITHUB_PAGES_REMOTE"] = env.get("GITHUB_PAGES_REMOTE") or "origin"
    return settings


def dry_run(env=os.environ) -> bool:
    return env.get("DRY_RUN", "").strip().lower() not in ("", "0", "no", "false")


def check_output(output: Path) -> None:
    if not (output / "index.html").is_file():
        what = "is missing" if not output.exists() else "has no index.html"
        raise UploadError(f"{shown(output)}/ {what}, so there is nothing to upload: run `make publish` first")


def shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path)


def site_files(output: Path) -> list[str]:
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())


# --- rsync: releases and a `current` link ----------------------------------------------
# Each upload goes into a new folder, SSH_TARGET_DIR/releases/<time>/, unchanged
# files hard-linked to the release before it (rsync --link-dest), and only when
# it is complete does `current` (the web server's document root) point to it:
# one rename, so a visitor sees the old site or the new one, never half of each.
# The last KEEP releases stay, for `make rollback`. The same shell commands run
# over SSH, or in a local folder when SSH_HOST is empty (how the tests run them).

RELEASES, CURRENT, KEEP = "releases", "current", 5
HISTORY = "releases.txt"  # every release that went live, oldest first: an upload that was stopped is not one


class Server:
    """SSH_TARGET_DIR on the server (or on this computer), and the commands run there."""

    def __init__(self, settings: dict):
        self.host = str(settings["SSH_HOST"] or "")
        self.port = int(settings["SSH_PORT"] or 22)
        self.user = settings.get("SSH_USER")
        self.dir = str(settings["SSH_TARGET_DIR"]).rstrip("/")

    @property
    def login(self) -> str:
        return f"{self.user}@{self.host}" if self.user else self.host

    @property
    def where(self) -> str:
        return f"{self.login}:{self.dir}" if self.host else self.dir

    def shell(self, script: str) -> list[str]:
        return ["ssh", "-p", str(self.port), self.login, script] if self.host else ["sh", "-c", script]

    def run(self, script: str) -> str:
        done = subprocess.run(self.shell(script), capture_output=True, text=True)
        if done.returncode != 0:
            message = ((done.stderr or done.stdout).strip().splitlines() or ["no message"])[-1]
            raise UploadError(f"the command on {'the server' if self.host else 'this computer'} failed ({message}): "
                              "check SSH_HOST, SSH_USER, SSH_PORT and SSH_TARGET_DIR")
        return done.stdout

    def releases(self) -> tuple[list[str], str | None, list[str], bool]:
        """The release folders (oldest first), the one `current` points to, those
        that went live, in order (an upload stopped midway left the others), and
        whether `current` went live without being written down (an upload stopped
        between the two)."""
        d = shlex.quote(self.dir)
        out = self.run(f"mkdir -p {d}/{RELEASES} && ls -1 {d}/{RELEASES} && echo '--' && "
                       f"(readlink {d}/{CURRENT} || true) && echo '--' && (cat {d}/{HISTORY} 2>/dev/null || true)")
        names, current, history = (out.split("--\n") + ["", ""])[:3]
        names = sorted(n for n in names.split() if n)
        current = current.strip().rsplit("/", 1)[-1] or None
        live = [r for r in history.split() if r in names]
        unrecorded = current in names and current not in live
        if unrecorded:
            live.append(current)
        return names, current, live, unrecorded

    def went_live(self, release: str) -> None:
        self.run(f"echo {shlex.quote(release)} >> {shlex.quote(self.dir)}/{HISTORY}")

    def point_current_to(self, release: str) -> None:
        """One rename: the web server follows `current` to the old release or the new one."""
        d, tmp = shlex.quote(self.dir), f"{CURRENT}.new-{os.getpid()}"
        self.run(f"cd {d} && ln -s {RELEASES}/{shlex.quote(release)} {tmp} && mv -T {tmp} {CURRENT}")

    def remove(self, releases: list[str]) -> None:
        if releases:
            d = shlex.quote(self.dir)
            self.run(" && ".join(f"rm -rf {d}/{RELEASES}/{shlex.quote(r)}" for r in releases))


def release_name(existing: list[str]) -> str:
    import datetime as dt
    name = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    n, found = 1, name
    while found in existing:
        n += 1
        found = f"{name}-{n}"
    return found


def rsync_command(settings: dict, output: Path, release: str = "<time>", previous: str | None = None) -> list[str]:
    server = Server(settings)
    # --chmod: make publish builds in a private temporary folder (mode 700);
    # without it rsync -a would give the server's folder that mode too and the
    # web server could not read the site.
    cmd = ["rsync", "-ac", "--delete", "--chmod=D755,F644"]
    if previous:
        cmd.append(f"--link-dest=../{previous}")  # an unchanged file: a hard link, not a copy
    if server.host:
        cmd[1:1] = ["-e", f"ssh -p {server.port}"]
    return cmd + [f"{output}/", f"{server.where}/{RELEASES}/{release}/"]


def to_remove(live: list[str], current: str | None, new: str) -> list[str]:
    """The releases that went live before the last KEEP; never the new one nor the one live before it."""
    keep = set((live + [new])[-KEEP:]) | {new, current}
    return [r for r in live if r not in keep]


def rsync(settings: dict, output: Path, dry: bool) -> None:
    server = Server(settings)
    how = f"over SSH (port {server.port})" if server.host else "on this computer (SSH_HOST is empty)"
    print(f"rsync: copy {shown(output)}/ ({len(site_files(output))} files) into a new folder in "
          f"{server.where}/{RELEASES}/ {how}, then point {server.where}/{CURRENT} at it; the last {KEEP} "
          "releases stay, for `make rollback`.")
    if dry:
        print("  $ " + shlex.join(rsync_command(settings, output)))
        print("DRY_RUN=1: nothing was copied.")
        return
    if shutil.which("rsync") is None:
        raise UploadError("rsync is not installed: install it (apt-get install rsync, or brew install rsync)")
    if server.host and shutil.which("ssh") is None:
        raise UploadError("ssh is not installed: install it (apt-get install openssh-client)")
    releases, current, live, unrecorded = server.releases()
    if unrecorded:
        # written down now: once `current` moves on, `make rollback` must still find it,
        # and the next upload must not take it for one that was stopped
        server.went_live(current)
    unfinished = [r for r in releases if r not in live]
    if unfinished:
        server.remove(unfinished)
        print(f"Removed what an upload that was stopped left in {RELEASES}/: {', '.join(unfinished)}.")
    release = release_name(releases)
    cmd = rsync_command(settings, output, release, current if current in live else None)
    print("  $ " + shlex.join(cmd))
    done = subprocess.run(cmd)
    if done.returncode != 0:
        raise UploadError(f"rsync stopped with exit status {done.returncode} (its message is above); the live "
                          "site was not changed: check SSH_HOST, SSH_USER, SSH_PORT and SSH_TARGET_DIR")
    server.point_current_to(release)
    server.went_live(release)
    server.remove(to_remove(live, current, release))
    print(f"Uploaded: {CURRENT} is now {RELEASES}/{release}"
          + (f" (before: {RELEASES}/{current}; `make rollback` goes back to it)." if current else "."))


def rollback(settings: dict, dry: bool) -> None:
    server = Server(settings)
    _, current, live, _ = server.releases()
    if current not in live or live.index(current) == 0:
        raise UploadError(f"there is no release before {current or 'the current one'} in "
                          f"{server.where}/{RELEASES}/ to go back to")
    before = live[live.index(current) - 1]
    print(f"rollback: point {CURRENT} at {RELEASES}/{before} instead of {RELEASES}/{current}.")
    if dry:
        print("DRY_RUN=1: nothing was changed.")
        return
    server.point_current_to(before)
    print(f"Rolled back: {CURRENT} is now {RELEASES}/{before}. The next `make rsync_upload` makes a new release.")


# --- S3 --------------------------------------------------------------------------------

@dataclass(frozen=True)
class S3Object:
    key: str
    source: Path  # the file whose bytes are uploaded (site.css.gz for site.css)
    content_type: str
    cache_control: str
    content_encoding: str | None


def s3_objects(output: Path, settings: dict) -> list[S3Object]:
    """What the bucket should hold: one object per file of the site, pages last."""
    clinic = settings_model.of(settings)
    files = site_files(output)
    present = set(files)
    objects = []
    for rel in files:
        plain, encoding = headers.uncompressed(rel)
        if rel in HOST_FILES or (encoding and plain in present):
            continue  # another host's settings, or a copy uploaded under its plain name
        if encoding:  # a copy without its original: a download, sent as it is
            kind = headers.CONTENT_TYPES.get(Path(rel).suffix.lstrip("."), headers.DEFAULT_TYPE)
            objects.append(S3Object(rel, output / rel, kind, clinic.cache_other, None))
            continue
        gz = rel + ".gz"
        if headers.content_encoding(gz) and gz in present:
            source, encoding = output / gz, "gzip"
        else:
            source, encoding = output / rel, None
        objects.append(S3Object(rel, source, headers.content_type(rel), headers.cache_control(rel, clinic), encoding))
    return sorted(objects, key=lambda o: (headers.is_html(o.key), o.key))  # s3() puts new pages first


def s3_client():
    import boto3
    from botocore.config import Config

    # boto3 finds credentials, region and AWS_ENDPOINT_URL_S3 itself.
    return boto3.client("s3", config=Config(retries={"max_attempts": 3, "mode": "standard"}))


def bucket_keys(client, bucket: str) -> set[str]:
    keys = set()
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        keys.update(obj["Key"] for obj in page.get("Contents", []))
    return keys


def s3_error(exc: Exception, bucket: str) -> UploadError:
    from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, NoRegionError

    if isinstance(exc, NoCredentialsError):
        return UploadError("no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
                           "or AWS_PROFILE (see `aws configure`)")
    if isinstance(exc, NoRegionError):
        return UploadError("no AWS region set: set AWS_DEFAULT_REGION, for example us-east-1")
    if isinstance(exc, EndpointConnectionError):
        return UploadError(f"cannot reach S3 ({exc}): check the network, or AWS_ENDPOINT_URL_S3")
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            return UploadError(f"the bucket {bucket!r} does not exist: create it, or set S3_BUCKET in pelicanconf.py")
        if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken"):
            return UploadError(f"S3 refused the request ({code}): check the AWS credentials and that they may "
                               f"write to the bucket {bucket!r}")
        return UploadError(f"S3 answered {code or 'an error'}: {exc}")
    return UploadError(f"S3 upload failed: {type(exc).__name__}: {exc}")


def s3(settings: dict, output: Path, dry: bool) -> None:
    from boto3.exceptions import S3UploadFailedError
    from botocore.exceptions import BotoCoreError, ClientError

    bucket = settings["S3_BUCKET"]
    objects = s3_objects(output, settings)
    print(f"s3: upload {shown(output)}/ ({len(objects)} files) to s3://{bucket}/, pages last; "
          f"then delete the keys that are not in {shown(output)}/.")
    for o in objects:
        print(f"  upload {o.key}  [{o.content_type}; {o.cache_control}"
              + (f"; Content-Encoding: {o.content_encoding}" if o.content_encoding else "") + "]")
    wanted = {o.key for o in objects}
    try:
        client = s3_client()
        present = bucket_keys(client, bucket)
        stale = sorted(present - wanted)
    except (BotoCoreError, ClientError) as exc:
        if not dry:
            raise s3_error(exc, bucket) from None
        print(f"  (cannot list the bucket to show what would be deleted: {s3_error(exc, bucket)})")
        present, stale = set(), []
    # Stopped at any point, the bucket still works: every other file first, then
    # the pages the bucket does not have yet (nothing links to them until the
    # pages it has are replaced), then those; what is gone is deleted last.
    objects = sorted(objects, key=lambda o: (headers.is_html(o.key), o.key in present, o.key))
    for key in stale:
        print(f"  delete {key}")
    if dry:
        print("DRY_RUN=1: nothing was uploaded or deleted.")
        return
    try:
        for o in objects:
            extra = {"ContentType": o.content_type, "CacheControl": o.cache_control}
            if o.content_encoding:
                extra["ContentEncoding"] = o.content_encoding
            client.upload_file(str(o.source), bucket, o.key, ExtraArgs=extra)
        for i in range(0, len(stale), 1000):  # DeleteObjects takes at most 1000 keys
            done = client.delete_objects(Bucket=bucket, Delete={
                "Objects": [{"Key": k} for k in stale[i:i + 1000]], "Quiet": True})
            if done.get("Errors"):
                first = done["Errors"][0]
                raise UploadError(f"S3 could not delete {first.get('Key')}: {first.get('Message')}")
    except (BotoCoreError, ClientError) as exc:
        raise s3_error(exc, bucket) from None
    except S3UploadFailedError as exc:  # boto3 wraps the ClientError of a failed upload in its own type
        cause = exc.__cause__ or exc.__context__
        raise (s3_error(cause, bucket) if isinstance(cause, ClientError) else UploadError(str(exc))) from None
    print(f"Uploaded {len(objects)} files, deleted {len(stale)}.")


# --- GitHub Pages ---------------------------------------------------------------------

def git(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True)


def is_remote_name(remote: str) -> bool:
    return not any(c in remote for c in "/:\\")


def github(settings: dict, output: Path, dry: bool) -> None:
    branch, remote = settings["GITHUB_PAGES_BRANCH"], settings["GITHUB_PAGES_REMOTE"]
    cname = str(settings.get("GITHUB_PAGES_CNAME") or "").strip()
    repo = output.resolve().parent
    extras = ".nojekyll" + (f" and CNAME ({cname})" if cname else "")
    print(f"github: commit {shown(output)}/ ({len(site_files(output))} files, plus {extras}) as the {branch} "
          f"branch of the repository in {shown(repo)}, then push it to {remote}, replacing what is there.")
    if dry:
        print("DRY_RUN=1: nothing was committed or pushed.")
        return
    if shutil.which("git") is None:
        raise UploadError("git is not installed: install it (apt-get install git)")
    if git(repo, "rev-parse", "--git-dir").returncode != 0:
        raise UploadError(f"{shown(repo)} is not a git repository: clone the site's repository, or run `git init` "
                          "and `git remote add origin URL`")
    if is_remote_name(remote) and git(repo, "remote", "get-url", remote).returncode != 0:
        raise UploadError(f"the git repository has no remote named {remote!r}: add one with "
                          f"`git remote add {remote} git@github.com:OWNER/REPO.git`, or set GITHUB_PAGES_REMOTE")
    import ghp_import

    before = git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout.strip()
    cwd = os.getcwd()
    os.chdir(repo)  # ghp-import works on the repository of the current folder
    try:
        ghp_import.ghp_import(str(output.resolve()), mesg="Publish the site", remote=remote, branch=branch,
                              push=True, force=True,  # the branch is generated: each publish replaces it
                              nojekyll=True, cname=cname or None)
    except ghp_import.GhpError as exc:
        raise UploadError(f"ghp-import could not commit {shown(output)}/: {exc}") from None
    except subprocess.CalledProcessError:
        raise UploadError(f"git push to {remote} failed (git's message is above): check the remote's address "
                          "and that you may push to it") from None
    finally:
        os.chdir(cwd)
    after = git(repo, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}").stdout.strip()
    if not after or after == before:
        # ghp-import only prints "Failed to process commit." and pushes the old branch
        raise UploadError(f"git could not record the commit on {branch}: check `git config user.name` "
                          "and `git config user.email`")
    print(f"Pushed {branch} to {remote}.")


# --- nginx ------------------------------------------------------------------------------

def nginx_conf_text(settings: dict) -> str:
    host = urlsplit(settings_model.of(settings).address).hostname or str(settings["SSH_HOST"] or "_")
    root = f"{str(settings['SSH_TARGET_DIR']).rstrip('/')}/{CURRENT}"  # the live release (make rsync_upload)
    return headers.nginx_conf(settings_model.of(settings), root=root, server_name=host)


# --- Command line -----------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("target", choices=["rsync", "rollback", "s3", "github", "nginx-conf"])
    parser.add_argument("--output", default=None, help="the built site (default: the settings' OUTPUT_PATH)")
    parser.add_argument("--settings", default=str(ROOT / "publishconf.py"), help="settings file")
    args = parser.parse_args(argv)
    try:
        settings = load_settings(Path(args.settings).resolve())
        if args.target == "nginx-conf":
            sys.stdout.write(nginx_conf_text(settings))
            return 0
        if args.target == "rollback":
            rollback(settings, dry_run())
            return 0
        output = Path(args.output or settings["OUTPUT_PATH"])
        check_output(output)
        {"rsync": rsync, "s3": s3, "github": github}[args.target](settings, output, dry_run())
        return 0
    except UploadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: stopped", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
