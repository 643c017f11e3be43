"""`make devserver`: rebuild on every change and serve output/ on http://127.0.0.1:8000/.

Written by hand instead of `pelican -lr` because Pelican's autoreload loop
re-runs at once after an exception, so one bad file keeps a CPU core busy.
Here every build, good or bad, is followed by a wait for the next change
(watchfiles blocks without polling), and problems are shown as warnings.
Rebuilds use Pelican's content cache: only changed files are read again.
Only the pages an edit can have changed are rendered again (an edit to an
article's text: its own page; any other edit: every page), so template and
topic changes still show at once (plugins/clinic/incremental.py).
"""

from __future__ import annotations

import argparse
import fnmatch
import gc
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tools"))

import build  # noqa: E402
from clinic.model import settings as settings_model  # noqa: E402


def changed_since(started_ns: int, settings_file: Path, settings) -> list[str]:
    """Files Pelican watches that were saved while the last build ran. The
    watcher only starts after a build, so without this an edit saved during
    a build would not show until the next edit."""
    found = []
    ignored = settings.get("IGNORE_FILES", [])  # as Pelican's watcher ignores them
    paths = watched_paths(settings_file, settings)
    # STATIC_PATHS lie inside the content folder: walk each file once
    for top in [p for p in paths if not any(p.startswith(q + os.sep) for q in paths)]:
        if os.path.isfile(top):
            found += [top] if os.stat(top).st_mtime_ns > started_ns else []
            continue
        for folder, _, names in os.walk(top):
            for name in names:
                if any(fnmatch.fnmatch(name, pattern) for pattern in ignored):
                    continue
                path = os.path.join(folder, name)
                try:
                    if os.stat(path).st_mtime_ns > started_ns:
                        found.append(path)
                except OSError:
                    pass
    return found


def watched_paths(settings_file: Path, settings) -> list[str]:
    """The files and folders Pelican's own watcher (pelican.utils.wait_for_changes)
    watches, those that exist (content/images/ need not: a site without images
    is fine, and a new folder under content/ is seen through content/ itself)."""
    content = settings.get("PATH", "")
    candidates = [str(settings_file), settings.get("THEME", ""), content]
    candidates += [os.path.join(content, path) for path in settings.get("STATIC_PATHS", [])]
    paths = []
    for path in filter(None, candidates):
        path = os.path.abspath(path)
        if os.path.exists(path):
            paths.append(path)
    return paths


# After a change, how long the watcher waits for no further change before it
# reports (watchfiles' default is 50 ms): an editor's save is one write, or a
# write and a rename, well within this.
WATCH_STEP_MS = 20


def next_changes(started_ns: int, settings_file: Path, settings, first_wait_ms: int = 20,
                 idle=lambda: None) -> list[str]:
    """Block until a watched file changes, and return what changed since the
    last build started. Pelican's wait_for_changes cannot be used: an edit
    saved after a walk for changes but before its watcher is in place was
    lost (a clean CI run missed a template edit that way). Here the walk
    (changed_since) runs once the watcher is in place, at its first report
    or timeout, so every edit is seen by one or the other, an edit saved
    during the build within first_wait_ms of it. Later timeouts only call
    idle() (the search index of the last build, ending in the background):
    waiting costs no CPU beyond one short wake-up per first_wait_ms."""
    import watchfiles
    from pelican.utils import FileChangeFilter

    watch_filter = FileChangeFilter(ignore_file_patterns=set(settings.get("IGNORE_FILES", [])))
    walked = False
    for changes in watchfiles.watch(*watched_paths(settings_file, settings), watch_filter=watch_filter,
                                    rust_timeout=first_wait_ms, yield_on_timeout=True,
                                    step=WATCH_STEP_MS):
        found = {path for _, path in changes}
        if not walked:
            found.update(changed_since(started_ns, settings_file, settings))
            walked = True
        if found:
            return sorted(found)
        idle()
    return []


class Tee:
    """The build's report, printed as it comes and kept, for the open pages."""

    def __init__(self, stream):
        self.stream, self.lines = stream, []

    def write(self, text: str) -> int:
        self.lines.append(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()

    def problems(self) -> list[str]:
        lines = "".join(self.lines).splitlines()
        return [line for line in lines if line.strip() and not line.startswith(("Built ", "Done:", "pages and"))]


def serve(output: str, port: int, messages=None) -> None:
    import signal

    from serve import Server
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent's handler (stop_on_terminate) is not for the child
    try:
        Server(Path(output), port, messages=messages).thread.join()
    except KeyboardInterrupt:  # Ctrl-C reaches the whole process group; the parent says "Stopped."
        pass


def show_first(session, changed: list[str], output: Path) -> bool:
    """An edit to one article's text: its page written from the last build
    before the site is rebuilt (plugins/clinic/speed/quick.py), so the open
    page shows it at once. Whether it was."""
    from clinic.speed import quick

    if session.quick is None:
        return False
    try:
        with build.FolderLock(output, lambda line: print(line, flush=True)):
            page = quick.show_edit(session.quick, changed)
    except Exception:  # noqa: BLE001 - the rebuild that follows reports whatever is wrong
        if os.environ.get("DEBUG"):
            import traceback
            traceback.print_exc()
        return False
    if page:
        print(f"Shown {page}; checking the whole site...", flush=True)
    return page is not None


def port_is_free(port: int) -> bool:
    """Whether 127.0.0.1:port can be listened on (checked before the server child
    starts, so that a busy port is one line and an exit, not a warning and a
    dev server that goes on rebuilding with nothing serving it)."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def stop_on_terminate() -> None:
    """SIGTERM (a process manager, `kill`) ends the dev server the way Ctrl-C
    does, so the finally below stops the serving child: it must not be left
    holding the port."""
    import signal

    def stop(signum, frame):
        raise KeyboardInterrupt
    signal.signal(signal.SIGTERM, stop)


def main(argv=None) -> int:
    from pelican.settings import read_settings

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-serve", action="store_true", help="rebuild on changes without serving (make regenerate)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--content", type=Path, default=None, help="content folder (default: content/)")
    parser.add_argument("--theme", type=Path, default=None, help="theme folder (default: theme/)")
    parser.add_argument("--output", type=Path, default=ROOT / "output")
    args = parser.parse_args(argv)

    build.collect_garbage_less_often()
    stop_on_terminate()
    settings_file = ROOT / "pelicanconf.py"
    os.chdir(ROOT)
    output = args.output.resolve()
    output.mkdir(parents=True, exist_ok=True)
    extra = dict(build.DEV_CACHE)
    # cache/plain/: a gzipped cache left in cache/ by an earlier version would make
    # Pelican warn once that it cannot read it (DEV_CACHE's GZIP_CACHE)
    extra["CACHE_PATH"] = str(ROOT / "cache" / "plain")
    if args.content:
        extra["PATH"] = str(args.content.resolve())
        extra["CACHE_PATH"] = str(args.content.resolve().parent / "cache" / "plain")
    if args.theme:
        extra["THEME"] = str(args.theme.resolve())
    server = messages = None
    if not args.no_serve:
        if not port_is_free(args.port):
            print(f"Port {args.port}: another program is using it (is another `make devserver` running?); "
                  f"stop it, or run: make devserver PORT={args.port + 1}", flush=True)
            return 2
        messages = multiprocessing.Queue()  # to the open pages: a message after each rebuild (live reload)
        extra.update(settings_model.overrides(live_reload=True))
        server = multiprocessing.Process(target=serve, args=(str(output), args.port, messages), daemon=True)
        server.start()
        print(f"Serving {output}/ at http://127.0.0.1:{args.port}/ (Ctrl-C to stop)", flush=True)
    session = build.clinic.Session()  # what each rebuild keeps for the next
    problems: list[str] = []  # the last rebuild's, shown again with an edit shown before its rebuild
    try:
        while True:
            started = time.time_ns()
            report = Tee(sys.stdout)
            build.build("html", output, settings_file, stream=report, extra=extra, background_search=True,
                        collect_later=True, session=session)
            sys.stdout.flush()
            problems = report.problems()
            if messages is not None:  # the open pages reload if they changed, and show the problems
                messages.put(json.dumps({"problems": problems}))
            gc.collect()  # the last build's objects (0.08 s at 300 articles), once its pages are shown
            settings = read_settings(str(settings_file), override=extra)
            # the pages are served already, and reloaded while the search index (and
            # the host files that name it) are made in the background, as changes are watched for
            changed = next_changes(started, settings_file, settings, idle=session.search.poll)
            names = ", ".join(sorted(os.path.relpath(c, ROOT) for c in changed))
            print(f"\nChanged: {names}. Rebuilding...", flush=True)
            if messages is not None and show_first(session, changed, output):
                messages.put(json.dumps({"problems": problems}))  # the page reloads; the rebuild follows
            session.search.wait()  # the last index is whole before the rebuild
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
        return 0
    finally:
        if server is not None:
            server.terminate()
            server.join(5)


if __name__ == "__main__":
    sys.exit(main())
