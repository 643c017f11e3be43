"""Build the site: `make html` (development) and `make publish` (production).

    python tools/build.py html      # build into output/, show problems as warnings
    python tools/build.py publish   # strict: build into a staging folder, check,
                                    # then swap it into output/ in one rename

A production build either succeeds completely or leaves output/ exactly as it
was. Every problem is printed once, as `file:line: field: problem (hint)`,
followed by a count. Pelican's own warnings and errors count as problems too.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import gc
import logging
import os
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

import clinic  # noqa: E402
from clinic.model import settings as settings_model  # noqa: E402
from clinic.model.paths import files_under  # noqa: E402
from clinic.model.problems import STOPS_WRITING, Problem, StopBuild, summarise  # noqa: E402
from clinic.checks import gone, links  # noqa: E402
from clinic.outputs import headers  # noqa: E402
from clinic.speed.memory import give_back  # noqa: E402
from clinic.outputs.swap import FolderLock, clear_leftovers, retire, staging_prefix, swap_into_place  # noqa: E402


# Pelican's content cache, as the dev server uses it: unchanged files are not re-read.
# Not gzipped (Pelican's default): Pelican writes the whole cache after every
# build, and at 5,000 articles compressing it took 0.4 s of each rebuild (0.05 s
# without), for a file of 30 MB instead of 2.5 MB in the (git-ignored) cache/.
DEV_CACHE = {"CACHE_CONTENT": True, "LOAD_CONTENT_CACHE": True, "CHECK_MODIFIED_METHOD": "mtime",
             "GZIP_CACHE": False}

# What `--without` leaves out, to measure what a feature costs (tools/bench.py
# --features, --serial): the settings that turn each one off.
WITHOUT = {
    "precompress": settings_model.overrides(precompress=False),
    "minify": settings_model.overrides(minify=False),
    "readability": settings_model.overrides(readability_target=None),
    "parallel": settings_model.overrides(parallel_read=False, parallel_write=False),
}


DUPLICATE_SLUG = re.compile(r'^There are \d+ .*items .*slug "(?:with slug ")?([^"]+)"')
UNRESOLVED = re.compile(r"Unable to find '([^']+)'")
NO_STAMP = "Cannot get modification stamp for "
STATIC_LINK = re.compile(r"'\{static\}([^'\s]+)'")  # a {static} link our check names
BROKEN_OUTPUT = re.compile(r"^'(.+)' leads to no file in the site")
NOT_AN_IMAGE = re.compile(r"^'([^']+)' is not a file in content/images/")


class Collector(logging.Handler):
    """Keeps every warning and error logged during the build, from Pelican or from our plugins."""

    def __init__(self, base: Path = ROOT):
        super().__init__(logging.WARNING)
        self.base = base  # paths in messages are shown relative to this folder
        self.problems: list[Problem] = []  # from our checks
        self.pelican: list[Problem] = []  # from Pelican's own messages

    def emit(self, record):
        problem = getattr(record, "clinic_problem", None)
        found = self.problems
        if problem is None:
            problem, found = from_pelican(record, self.base), self.pelican
        if problem is not None and problem not in found:
            found.append(problem)

    def merged(self) -> list[Problem]:
        """Our own checks name the file and the fix more precisely than Pelican's
        message about the same file, so drop Pelican's when ours covers it."""
        ours = {p.path for p in self.problems if p.severity == "error"}
        shared = {Path(p.path).stem.lower() for p in self.problems if p.message.startswith(STOPS_WRITING[0])}
        our_links = "\n".join(p.message for p in self.problems if p.field == "link")
        return self.problems + [p for p in self.pelican if p.path not in ours
                                and not self.follows_from(p, ours) and not self.same_slug(p, shared)
                                and not self.link_reported(p, our_links) and not self.stamp_reported(p, our_links)]

    @staticmethod
    def stamp_reported(problem: Problem, our_links: str) -> bool:
        """Pelican's content cache could not stamp a {static} file a page links to,
        because it does not exist: our link check names that link at its source line."""
        if not problem.message.startswith(NO_STAMP):
            return False
        path = problem.message[len(NO_STAMP):].strip().replace(os.sep, "/")
        return any(path.endswith("/" + found.group(1).lstrip("/")) for found in STATIC_LINK.finditer(our_links))

    @staticmethod
    def link_reported(problem: Problem, our_links: str) -> bool:
        """Pelican's 'Unable to find' for a {filename} link our link check already
        names at its source line (checks/links.py)."""
        found = UNRESOLVED.match(problem.message) if problem.field == "link" else None
        return bool(found) and f"{{filename}}{found.group(1)}'" in our_links

    @staticmethod
    def follows_from(problem: Problem, ours: set[str]) -> bool:
        """A {filename} link Pelican could not resolve because the page it points
        to was rejected, for a reason one of our lines already gives."""
        found = UNRESOLVED.match(problem.message) if problem.field == "link" else None
        return bool(found) and any(path.endswith(found.group(1)) for path in ours)

    @staticmethod
    def same_slug(problem: Problem, shared: set[str]) -> bool:
        """Pelican's 'There are 2 items with slug ...' about two files our line
        already names (validate_site: 'has the same address as')."""
        found = DUPLICATE_SLUG.search(problem.message)
        return bool(found) and found.group(1).lower() in shared


def from_pelican(record: logging.LogRecord, base: Path = ROOT) -> Problem | None:
    """Pelican's own log message as a Problem (it names the file where it can)."""
    try:
        msg = record.getMessage()
    except Exception:  # a malformed log call must not hide the others
        msg = str(record.msg)
    first, _, rest = msg.partition("\n")
    if first.startswith("Could not process "):
        path = first[len("Could not process "):].strip()
        return Problem(rel(path, base), None, "file", f"Pelican could not read it: {rest.strip() or 'unknown error'}",
                       "check the metadata block at the top of the file")
    if first.startswith("Skipping ") and ": could not find information about " in first:
        path, _, field = first[len("Skipping "):].partition(": could not find information about ")
        return Problem(rel(path, base), None, field.strip("'\" ."), "is missing, so Pelican skipped the file",
                       "add the missing line to the metadata at the top of the file")
    if first.startswith("Empty alt attribute for image ") and " in " in first:
        path = first.rsplit(" in ", 1)[1].strip()  # our check names the same image at its line: this goes
        return Problem(rel(path, base), None, "image", "has an image with no alt text", "describe the picture")
    if first.startswith("Skipping ") and " would be written outside output path" in first:
        path = first[len("Skipping "):].partition(": file ")[0]
        return Problem(rel(path, base), None, "file", "would be written outside the output folder, so Pelican skipped it",
                       "remove the metadata line that sets where it is written")
    if first.startswith("Feeds generated without SITEURL"):
        return Problem("publishconf.py", None, settings_model.name_of("address"), "is empty, so feed and page addresses would be wrong",
                       f"set {settings_model.name_of('address')} in publishconf.py, or run: SITEURL=https://www.your-clinic.com make publish")
    if first.startswith("Unable to find ") and "skipping url replacement" in first:
        return Problem("content", None, "link", first.replace(", skipping url replacement.", " (a {filename} link)"),
                       "see the link problems listed for the file that contains it", "error")
    return Problem(f"pelican ({record.name})", None, record.levelname.lower(), first.strip(),
                   "Pelican reported this; fix what it names")


def rel(path: str, base: Path = ROOT) -> str:
    """A path from a Pelican message, shown from the project folder. Pelican names
    content files either absolutely or relative to content/."""
    p = Path(path)
    if not p.is_absolute():
        p = base / "content" / p
    try:
        return str(p.resolve().relative_to(base.resolve()))
    except ValueError:
        return path


@contextlib.contextmanager
def every_message_once():
    """Pelican's loggers drop a warning they logged before in this process
    (pelican.log.LimitFilter keeps what it saw in class attributes), and our
    plugin's logger is one of them. The dev server builds many times in one
    process, so a warning showed on the first build and then vanished from
    every later one although the problem was still there. Each build starts
    with a clean slate; afterwards the old state is put back, so messages
    from outside the build (Pelican's file watcher) still show only once."""
    from pelican.log import LimitFilter
    seen, groups = set(LimitFilter._raised_messages), dict(LimitFilter._group_count)
    LimitFilter._raised_messages.clear()
    LimitFilter._group_count.clear()
    try:
        yield
    finally:
        LimitFilter._raised_messages.update(seen)
        LimitFilter._group_count.clear()
        LimitFilter._group_count.update(groups)


def run_pelican(settings_file: Path, output: Path, extra: dict | None = None,
                session: clinic.Session | None = None) -> tuple[clinic.Build | None, bool, list[Problem]]:
    """One Pelican run of the site: its Build (None if it never started), whether
    it ran to the end, and every problem logged during it."""
    from pelican.settings import read_settings

    override = {"OUTPUT_PATH": str(output)}
    override.update(extra or {})
    collector = Collector(Path(override.get("PATH") or settings_file.parent / "content").resolve().parent)
    root_logger = logging.getLogger()
    root_logger.addHandler(collector)
    level = root_logger.level
    root_logger.setLevel(min(level, logging.WARNING) if level else logging.WARNING)
    built, complete = None, False
    try:
        settings = read_settings(str(settings_file), override=override)
        with every_message_once():
            built = clinic.run(settings, session)
        complete = True
    except StopBuild as exc:  # its problems are reported already; nothing was written
        built = getattr(exc, "clinic_build", None)
    except OSError as exc:
        built = getattr(exc, "clinic_build", None)
        if not (disk := disk_problem(exc, output)):
            raise
        collector.problems.append(disk)
    except Exception as exc:  # a crash is one more problem, not a traceback for the webmaster
        built = getattr(exc, "clinic_build", None)
        where = traceback.extract_tb(exc.__traceback__)[-1]
        collector.problems.append(Problem(
            "build", None, type(exc).__name__, str(exc).splitlines()[0] if str(exc) else repr(exc),
            f"the build stopped in {Path(where.filename).name}:{where.lineno}; run with DEBUG=1 for details"))
        if os.environ.get("DEBUG"):
            traceback.print_exc()
    finally:
        root_logger.removeHandler(collector)
        root_logger.setLevel(level)
    return built, complete, collector.merged()


def check_output(output: Path, address: str, shown_as: str = "output", counts: dict | None = None,
                 table: links.LinkTable | None = None, remembered: links.Remembered | None = None) -> list[Problem]:
    """Every internal link in the built site. A broken link that many pages share
    (one in the header, say) is reported once, with the number of pages.
    table: the links of the pages as they were written (written_links.py); the
    other pages are read from output/ (through `remembered`, if given: the dev server's).
    counts, if given, gets "searchable": the pages marked for the search index."""
    existing = files_under(output)
    table = table if table is not None else links.LinkTable()
    if remembered is not None:
        remembered.begin()
    for page in sorted(existing):
        if page.endswith(".html") and not page.startswith("pagefind/") and page not in table.pages:
            if remembered is not None:
                table.add_links(page, *remembered.links_at(page, output / page, address))
            else:
                table.add(page, (output / page).read_text(encoding="utf-8"), address)
    if counts is not None:
        counts["searchable"] = table.searchable
    return table.problems(existing, shown_as)


def named_at_source(found: list[Problem], before: list[Problem], siteurl: str) -> list[Problem]:
    """The built pages' broken links, less those our checks of the sources already
    named at their line: a {static} link to no file, or one cut short by a space
    in the file's name, is written into the page as that file's address, and so
    is a logo or a photo that is not in content/images/. One mistake, one line."""
    at_source = {m.group(1) for p in before if p.field == "link" for m in STATIC_LINK.finditer(p.message)}
    for p in before:  # the clinic's logo and the providers' photos, named in clinic.yaml and providers.yaml
        image = NOT_AN_IMAGE.match(p.message)
        if image and p.field == "logo":
            at_source.add("/" + image.group(1))
        elif image and p.field.endswith(".photo"):
            at_source.add("/images/" + image.group(1))
    prefix = urlsplit(siteurl).path.rstrip("/")

    def named(problem: Problem) -> bool:
        broken = BROKEN_OUTPUT.match(problem.message) if problem.field == "link" else None
        if not broken:
            return False
        target = broken.group(1)
        static = target[len(prefix):] if prefix and target.startswith(prefix + "/") else target
        return static in at_source
    return [p for p in found if not named(p)]


def precompress(output: Path, built: clinic.Build) -> list[Problem]:
    """Write .gz and .br copies of text files: the pages were done while Pelican
    wrote them; the rest here, after Pagefind, so that the search index is too."""
    from clinic.outputs.compress import precompress as write_copies
    try:
        done = built.finisher.finish() | built.search.linked  # the kept search bundles came with their copies
        if built.settings.precompress:
            write_copies(output, built.settings.precompress_text_extensions, built.settings.precompress_min_size,
                         done=done)
    except OSError as exc:
        return [disk_problem(exc, output) or
                Problem("build", None, "precompress", str(exc), "check the free disk space and try again")]
    return []


def build(mode: str, output: Path, settings_file: Path, stream=sys.stdout, extra: dict | None = None,
          background_search: bool = False, collect_later: bool = False,
          session: clinic.Session | None = None) -> int:
    """Build the site; 0 if it has no errors. background_search: the dev server's
    search index, brought up to date after the pages. collect_later: the caller
    frees the build's garbage itself once the result is shown (gc.collect(); the
    dev server does, while the webmaster looks at the page). session: what the
    caller keeps between builds (the dev server's clinic.Session).
    One build of an output folder at a time: another waits for it (FolderLock)."""
    def say(line: str) -> None:
        print(line, file=stream, flush=True)
    try:
        with FolderLock(output, say):
            return _build(mode, output, settings_file, stream, extra, background_search, collect_later, session, say)
    except OSError as exc:  # the lock or the staging folder, beside output/
        problem = disk_problem(exc, output)
        if problem is None:
            raise
        say(problem.format())
        say(f"\n{'Publish' if mode == 'publish' else 'Build'} failed: 1 error. output/ was not changed.")
        return 1


def _build(mode, output, settings_file, stream, extra, background_search, collect_later, session, say) -> int:
    strict = mode == "publish"
    if strict:
        output.parent.mkdir(parents=True, exist_ok=True)
        left = clear_leftovers(output)
        if left:
            say(f"Removed what an earlier publish that was stopped left beside {output.name}/: {', '.join(left)}.")
        target = Path(tempfile.mkdtemp(prefix=staging_prefix(output), dir=output.parent))
        target.chmod(0o755)  # mkdtemp makes it private; a web server must be able to read the site
    else:
        target = output
    problems: list[Problem] = []
    session = session or clinic.Session()
    session.quick = None  # the last build's site: this one replaces it
    # A production build starts indexing inside the Pelican run once the searchable
    # pages are written (outputs/search_index.py). A build into output/ indexes
    # after it has removed the pages of an earlier build that this one did not
    # write, which the index would otherwise count.
    extra = dict(extra or {}, **settings_model.overrides(search_index_early=strict and not background_search,
                                                          host_files_after_search=True))
    built = None
    try:
        built, complete, found = run_pelican(settings_file, target, extra, session)
        problems += found
        # Pelican's articles and pages refer to each other in cycles, which the
        # collector's thresholds (collect_garbage_less_often) would keep to the end:
        # let them go now, so the link check and compression reuse their memory.
        if not collect_later:
            give_back()  # and hand the memory back to the system (clinic/speed/memory.py)
        # a run that stopped or crashed wrote part of the site at most: checking its
        # links or indexing it would only add lines about pages it never wrote
        if target.is_dir() and built is not None and complete:
            if not strict:  # into the live folder: nothing left over from an earlier build may disagree
                built.remove_stale_files()
            counts: dict = {}
            links_table = built.finisher.links if built.finisher.active else None
            problems += named_at_source(check_output(target, built.address, output.name, counts, links_table,
                                                     built.links_read), problems, built.pelican_settings["SITEURL"])
            if built.search.started:
                problems += built.search.finish(counts["searchable"])
            elif not any(p.severity == "error" for p in problems) or not strict:
                problems += built.search.run(background=background_search and not strict)
            # _headers names every fingerprinted file, the search index's too: written
            # now, and again once an index still being written (the dev server's) is done
            write_host_files = functools.partial(headers.write_host_files_to, target, built.settings,
                                                 built.pelican_settings["THEME_STATIC_DIR"], built.assets_hashed())
            write_host_files()
            if session.search.background:
                session.search.then.append(write_host_files)
            problems += precompress(target, built)
            # pages the live site has and this build has not (a build that failed
            # may have written part of the site: it is not compared)
            if strict and (output / "index.html").is_file() and not any(p.severity == "error" for p in problems):
                problems += gone.gone_pages(files_under(output), files_under(target), output.name)
        errors = [p for p in problems if p.severity == "error" or (strict and p.path.startswith("pelican"))]
        for p in sorted(problems, key=lambda p: (p.severity != "error", p.path, p.line or 0)):
            print(p.format(), file=stream)
        if strict and errors:
            print(f"\nPublish failed: {summarise(problems)}. output/ was not changed.", file=stream)
            return 1
        if strict:
            swap_into_place(target, output)
            built.remember_published(output)  # for the next publish (plugins/clinic/speed/reuse.py)
            retire(target, output)  # the previous site, deleted in the background
            print(f"Published to {output}/ ({summarise(problems)}).", file=stream)
        else:
            # the dev server shows the next edit to an article's text from it (speed/quick.py)
            session.quick = built.last_site() if built is not None and complete else None
            print(f"Built {output}/ ({summarise(problems)}).", file=stream)
        return 0
    finally:
        if built is not None:
            built.close()  # a Pagefind run, a second process or a thread the build left
        if strict and target.exists():
            shutil.rmtree(target, ignore_errors=True)


DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
NOT_ALLOWED = (errno.EACCES, errno.EPERM, errno.EROFS)


def disk_problem(exc: OSError, output: Path) -> Problem | None:
    """A full disk, or a folder the build may not write to, as one line naming
    the folder: the commonest ways a publish fails that no content fixes."""
    folder = Path(output).resolve().parent
    if exc.errno in DISK_FULL:
        return Problem(str(folder), None, "disk", f"is full ({exc.strerror})",
                       f"free some space on the disk that holds {folder}, then publish again")
    if exc.errno in NOT_ALLOWED:
        return Problem(str(folder), None, "folder", f"cannot be written to ({exc.strerror})",
                       f"let this user write to {folder}, or build elsewhere with --output")
    return None


def address_settings(address: str) -> dict:
    """The settings for a live address, as publishconf.py sets them: pages link
    from the address's path (SITEURL); canonical links and feeds name it whole."""
    address = address.rstrip("/")
    return {**settings_model.overrides(address=address), "SITEURL": urlsplit(address).path.rstrip("/"),
            "FEED_DOMAIN": address}


def collect_garbage_less_often() -> None:
    """For a process that builds the site: a build makes millions of short-lived
    objects beside thousands of long-lived ones (every article), and Python's
    cycle collector walks the long-lived ones again and again; these thresholds
    let it run a few times per build instead of thousands. What is alive when
    it is called (the modules imported, Pelican and the plugin among them)
    lives as long as the process: frozen, the collector never walks it again
    (about 50,000 objects, 12 ms a full collection)."""
    gc.set_threshold(50_000, 20, 100)
    gc.freeze()


def main(argv=None) -> int:
    collect_garbage_less_often()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["html", "publish"])
    parser.add_argument("--output", default=None, help="output folder (default: output/ in the project folder)")
    parser.add_argument("--settings", default=None, help="settings file (default: pelicanconf.py or publishconf.py)")
    parser.add_argument("--content", default=None, help="content folder (default: the settings' PATH)")
    parser.add_argument("--siteurl", default=None,
                        help="the live site's address (default: the settings' CLINIC_ADDRESS)")
    parser.add_argument("--cache", action="store_true", help="use Pelican's content cache, as the dev server does")
    parser.add_argument("--cache-path", default=None,
                        help="the build's cache folder: compiled templates, reading levels (default: cache/)")
    parser.add_argument("--without", action="append", default=[], choices=sorted(WITHOUT),
                        help="leave out one feature, to measure what it costs (tools/bench.py --features)")
    args = parser.parse_args(argv)
    settings_file = Path(args.settings or (ROOT / ("publishconf.py" if args.mode == "publish" else "pelicanconf.py")))
    logging.getLogger().setLevel(logging.WARNING)  # the collector prints problems; nothing else writes to the console
    output = Path(args.output) if args.output else ROOT / "output"
    extra = {}
    if args.content:
        extra["PATH"] = str(Path(args.content).resolve())
    if args.siteurl is not None:
        extra.update(address_settings(args.siteurl))
    if args.cache:
        extra.update(DEV_CACHE)
    if args.cache_path:
        extra["CACHE_PATH"] = str(Path(args.cache_path).resolve())
    for feature in args.without:
        extra.update(WITHOUT[feature])
    os.chdir(settings_file.resolve().parent)
    return build(args.mode, output.resolve(), settings_file.resolve(), extra=extra)


if __name__ == "__main__":
    sys.exit(main())
