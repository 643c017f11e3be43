"""Shared fixtures: the tests' own site built once, the clinic's content built once for
property checks, and small fixture sites built on demand."""

from __future__ import annotations

import functools
import gc
import hashlib
import io
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
# The tests' own site: a frozen copy of the sample content that behaviour tests
# build, break and pin. content/ belongs to the clinic and is checked only by
# properties that hold for any valid content (the `shipped` fixture).
CONTENT = ROOT / "tests" / "fixture_content"
SHIPPED = ROOT / "content"
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tools"))

import build  # noqa: E402
from serve import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402,F401 (the tests import them from here)


@functools.lru_cache(maxsize=1024)  # about 0.25 MiB a page
def _parsed(path: str, mtime_ns: int, size: int) -> BeautifulSoup:
    return BeautifulSoup(Path(path).read_text(encoding="utf-8"), "html.parser")


@functools.lru_cache(maxsize=256)
def _markup(path: str, mtime_ns: int, size: int) -> str:
    return str(_parsed(path, mtime_ns, size))


def read_yaml(path: Path):
    """A YAML file, read with libyaml's loader, as the build reads the content's
    (the pure-Python loader took a third of each check of the content properties)."""
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


class Site:
    """A built site: its output folder, its exit status and what the build printed."""

    def __init__(self, output: Path, status: int, log: str):
        self.output, self.status, self.log = output, status, log

    def soup(self, rel: str) -> BeautifulSoup:
        """The page, parsed; shared by every test that asks for the same file as it is
        now (the property checks read each page many times): never change it."""
        path = self.output / rel
        st = path.stat()
        return _parsed(str(path), st.st_mtime_ns, st.st_size)

    def markup(self, rel: str) -> str:
        """The parsed page written out again, as its text is searched for leftovers;
        shared like soup()."""
        path = self.output / rel
        st = path.stat()
        return _markup(str(path), st.st_mtime_ns, st.st_size)

    def html_files(self) -> list[str]:
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.rglob("*.html"))

    @property
    def lines(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.strip()]


# Compiled templates and reading levels are memos of exactly what they depend on:
# every build of the suite shares them, as the process-wide caches of a long
# dev-server session would (a new Session per build compiles every template again).
MEMOS = build.clinic.Session()


ARTICLE_FOLDERS = ("conditions", "procedures", "treatments", "guides")


def pages_in(folder: Path, lang: str = "") -> list[Path]:
    """The Markdown files of one folder in one language: bunions.md is the
    page, bunions.es.md its Spanish translation ("" = the site's language)."""
    from clinic.model.rules import language_of
    return sorted(p for p in Path(folder).glob("*.md") if language_of(p.name) == lang)


def published(folder: str, content: Path = CONTENT, lang: str = "") -> list[str]:
    """The slugs of the published pages in <content>/<folder>/, whatever it holds:
    checks of the shipped content work from what it holds, never from counts."""
    import re
    return sorted(p.stem.partition(".")[0] for p in pages_in(content / folder, lang)
                  if not re.search(r"^Status:\s*(draft|hidden)\s*$", p.read_text(encoding="utf-8"), re.M | re.I))


def published_articles(content: Path = CONTENT) -> int:
    return sum(len(published(f, content)) for f in ARTICLE_FOLDERS)


def run_build(mode: str, content: Path, output: Path, siteurl: str = "https://clinic.test",
              settings_override: dict | None = None, session=None) -> Site:
    """Build content into output as `make html` or `make publish` does; `session`:
    what a process that builds again keeps between builds (the dev server's)."""
    session = session or build.clinic.Session(memos=MEMOS)
    settings = ROOT / ("publishconf.py" if mode == "publish" else "pelicanconf.py")
    extra = {"PATH": str(content), "THEME": str(ROOT / "theme"), "PLUGIN_PATHS": [str(ROOT / "plugins")],
             "CACHE_PATH": str(Path(output).parent / "cache"),
             **(build.address_settings(siteurl) if mode == "publish" else {"SITEURL": ""})}
    extra.update(settings_override or {})
    stream = io.StringIO()
    status = build.build(mode, output, settings, stream=stream, extra=extra, session=session)
    return Site(output, status, stream.getvalue())


def published_cleanly(site: Site) -> None:
    """A publish that succeeded and said nothing but that it did."""
    assert site.status == 0, site.log
    assert site.lines == [f"Published to {site.output}/ (no problems)."], site.log


def record_calls(monkeypatch, cls, method: str, noted) -> list:
    """Each call of cls.method for the rest of the test, as noted(self, argument,
    answer) names it (None: not kept); the list fills as builds run."""
    seen: list = []
    original = getattr(cls, method)

    def spy(self, argument):
        answer = original(self, argument)
        name = noted(self, argument, answer)
        if name is not None:
            seen.append(name)
        return answer
    monkeypatch.setattr(cls, method, spy)
    return seen


def live_site(fs) -> str:
    """A stand-in for the live site in fs.output (any files at all); its tree_hash,
    to show after a failed publish that nothing was lost."""
    (fs.output / "conditions").mkdir(parents=True, exist_ok=True)
    (fs.output / "index.html").write_text("<p>live site</p>")
    (fs.output / "conditions" / "page.html").write_text("<p>live page</p>")
    return tree_hash(fs.output)


def same_as_fresh(fs: "FixtureSite", tmp_path: Path) -> Site:
    """The live site is what a publish of the same files from an empty cache
    writes (into a new folder under tmp_path); that publish, for more checks."""
    site = fs.publish_fresh(tmp_path)
    published_cleanly(site)
    want, got = files_of(site.output), files_of(fs.output)
    assert sorted(got) == sorted(want)
    stale = [name for name in want if got[name] != want[name]]
    assert not stale, f"not what a fresh publish writes: {stale[:10]}"
    return site


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative, with /) and its bytes: what two builds are compared by."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def tree_hash(folder: Path) -> str:
    """One hash of every file's path and bytes, to prove a folder did not change."""
    h = hashlib.sha256()
    if not folder.exists():
        return "missing"
    for p in sorted(folder.rglob("*")):
        h.update(p.relative_to(folder).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The tests' own site, built for production into a temporary folder."""
    out = tmp_path_factory.mktemp("real") / "output"
    built = run_build("publish", CONTENT, out)
    assert built.status == 0, built.log
    return built


@pytest.fixture(scope="session")
def shipped(tmp_path_factory) -> Site:
    """The clinic's own content/, built for production: only checked by properties
    that hold for any valid content, so a correct new page keeps make test green."""
    out = tmp_path_factory.mktemp("shipped") / "output"
    built = run_build("publish", SHIPPED, out)
    assert built.status == 0, built.log
    return built


def _translation_files(folder: str, names: list[str]) -> set[str]:
    from clinic.model.rules import language_of
    return {n for n in names if n.endswith(".md") and language_of(n)}


class FixtureSite:
    """A copy of the tests' own content in a temporary folder, to break on purpose.
    translations=False: without its translations (bunions.es.md ...), published
    in English only, as a clinic that has switched its languages off publishes
    (its `es:` words stay, unused): for a test whose behaviour does not depend on
    them, since every build of it takes about 40 % less."""

    def __init__(self, base: Path, source: Path = CONTENT, translations: bool = True):
        self.base = base
        self.content = base / "content"
        shutil.copytree(source, self.content, ignore=None if translations else _translation_files)
        self.settings = {} if translations else {"CLINIC_TRANSLATION_LANGUAGES": []}
        self.output = base / "output"
        self.session = build.clinic.Session(memos=MEMOS)  # its builds follow each other, as the dev server's do

    def write(self, rel: str, text: str | bytes) -> Path:
        p = self.content / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        before = p.stat().st_mtime_ns if p.exists() else None
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        if before is not None and p.stat().st_mtime_ns <= before:
            # the kernel's file clock ticks every few milliseconds: an edit must
            # show as one to Pelican's content cache (mtime) without sleeping
            os.utime(p, ns=(before + 10_000_000, before + 10_000_000))
        return p

    def read(self, rel: str) -> str:
        return (self.content / rel).read_text(encoding="utf-8")

    def line_of(self, rel: str, holds) -> int:
        """The number of the first line of a source file that holds a text (or
        for which a function says True): where a problem's message must point."""
        test = holds if callable(holds) else (lambda text: holds in text)
        return next(i for i, text in enumerate(self.read(rel).splitlines(), 1) if test(text))

    def edit(self, rel: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, count))

    def publish(self, **settings) -> Site:
        return run_build("publish", self.content, self.output, settings_override={**self.settings, **settings},
                         session=self.session)

    def publish_fresh(self, tmp_path: Path) -> Site:
        """The same files and settings published from an empty cache, into a new
        folder under tmp_path (what a publish that kept its cache must equal)."""
        base = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
        base.mkdir()
        return run_build("publish", self.content, base / "output", settings_override=self.settings)

    def html(self, **settings) -> Site:
        return run_build("html", self.content, self.output, settings_override={**self.settings, **settings},
                         session=self.session)


@pytest.fixture
def fixture_site(request, tmp_path) -> FixtureSite:
    """A module marked english_only gets its copy without translations, unless
    the test is marked with_translations."""
    english = request.node.get_closest_marker("english_only") is not None and \
        request.node.get_closest_marker("with_translations") is None
    return FixtureSite(tmp_path, translations=not english)


@pytest.fixture(scope="session")
def english_site(tmp_path_factory) -> Site:
    """The tests' own site without its translations, published in English only
    (FixtureSite(translations=False)): for tests of what becomes of a built site
    (an upload, say), which does not depend on its languages."""
    fs = FixtureSite(tmp_path_factory.mktemp("english"), translations=False)
    built = fs.publish()
    assert built.status == 0, built.log
    return built


# --- Browser tests -------------------------------------------------------------
# Headless Chromium from Debian's packages, driven by Playwright. Playwright's
# own browser download cannot work here, so it is pointed at /usr/bin/chromium.
# With CI=true a missing browser fails the run; elsewhere browser tests skip.


ARTIFACTS = ROOT / "test-artifacts"


def _no_browser(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """What earlier tests left alive (parsed pages, compiled templates, the browser's
    driver) is frozen out of the garbage collector's sight. A full collection walks
    every live object, and each build makes one: with a worker's million objects
    walked again at every build, collections were a fifth of the suite's CPU.
    The garbage of the test before is collected first, so nothing it left is kept."""
    gc.collect()
    gc.freeze()


def pytest_collection_modifyitems(items):
    """Every test that drives the browser is marked `browser`, whether or not it
    says so: `pytest -m "not browser"` runs the rest in a fraction of the time."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _no_browser(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def browser_contexts(browser):
    """The worker's browser contexts, one per set of context options, kept for its
    whole run (see `tab`)."""
    contexts: dict = {}
    yield contexts
    for context in contexts.values():
        context.close()


class Tabs:
    """Opens pages as a new visitor would see them: open(viewport=..., color_scheme=...,
    reduced_motion=..., **context options). The pages share one browser context
    per set of context options for the worker's whole run, because a new context
    costs a new renderer that compiles axe-core and the site's scripts again.
    The cache is off,
    so every page loads everything it needs; close_all() closes the pages and
    clears their sites' cookies and storage."""

    def __init__(self, contexts: dict, browser):
        self.contexts, self.browser = contexts, browser
        self.opened: list = []  # each page, its CDP session and the sites it visited

    def open(self, viewport=None, color_scheme=None, reduced_motion=None, **options):
        key = tuple(sorted(options.items()))
        if key not in self.contexts:
            self.contexts[key] = self.browser.new_context(**options)
        page = self.contexts[key].new_page()
        cdp, sites = page.context.new_cdp_session(page), set()
        self.opened.append((page, cdp, sites))
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        page.on("framenavigated", lambda frame: sites.add(_origin(frame.url)))
        if viewport:
            page.set_viewport_size(viewport)
        if color_scheme or reduced_motion:
            page.emulate_media(color_scheme=color_scheme, reduced_motion=reduced_motion)
        return page

    def close_all(self) -> None:
        for page, cdp, sites in self.opened:
            if page.is_closed():  # the test closed it: another page of its context clears its sites
                page = page.context.new_page()
                cdp = page.context.new_cdp_session(page)
            for site in sites - {None}:
                cdp.send("Storage.clearDataForOrigin", {"origin": site, "storageTypes": "all"})
            page.context.clear_cookies()
            page.close()
        self.opened = []


@pytest.fixture
def tab(browser_contexts, browser):
    """Tabs(...).open: a page of its own for the test, closed and cleared after it."""
    tabs = Tabs(browser_contexts, browser)
    yield tabs.open
    tabs.close_all()


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") else None


from serve import Server as StaticServer  # noqa: E402  (make serve's server: 404.html for missing paths)


@pytest.fixture(scope="session")
def browser_site(tmp_path_factory):
    """The tests' own site served on 127.0.0.1, with its search index. Built as `make html`
    builds it: the same pages as `make publish`, with root-relative addresses
    (no SITEURL) so that they work from any local port, and without the feed."""
    out = tmp_path_factory.mktemp("served") / "output"
    built = run_build("html", CONTENT, out)
    assert built.status == 0, built.log
    server = StaticServer(out)
    yield server
    server.close()


@pytest.fixture(scope="session")
def parted_site(tmp_path_factory):
    """The tests' own site built as a large site is: its search index in parts of at
    most 8 pages (CLINIC_SEARCH_PAGES_PER_INDEX), served on 127.0.0.1."""
    out = tmp_path_factory.mktemp("parted") / "output"
    built = run_build("html", CONTENT, out, settings_override={"CLINIC_SEARCH_PAGES_PER_INDEX": 8})
    assert built.status == 0, built.log
    server = StaticServer(out)
    server.output = out
    yield server
    server.close()
