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

import pytest

from conftest import ROOT, free_port


class DevServer:
    def __init__(self, base: Path, port: int | None = None):
        self.theme = base / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.output = base / "output"
        serving = ["--port", str(port)] if port else ["--no-serve"]
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tools/devserver.py"), *serving, "--content", str(base / "content"),
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
        time.sleep(0.5)
        before = server.cpu_seconds()
        time.sleep(1.5)
        assert server.cpu_seconds() - before < 0.15, "the dev server must wait quietly for the next change"
        assert server.builds() == 7, "no rebuild without a change"
    finally:
        server.stop()


@pytest.mark.english_only
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


# --- Rendering only what an edit can change (plugins/clinic/incremental.py) ----

from build import DEV_CACHE as DEV  # noqa: E402 - the dev server's own cache settings


def _pages(folder: Path) -> dict[str, bytes]:
    """Every file a browser or a host would get, the search index aside: Pagefind
    makes it from these pages, and names its files differently on each run."""
    found = {}
    for p in sorted(folder.rglob("*")):
        name = p.relative_to(folder).as_posix()
        if p.is_file() and not name.startswith("pagefind/"):
            data = p.read_bytes()
            if name == "_headers":  # one block per path, a blank line between blocks
                data = b"\n\n".join(block for block in data.split(b"\n\n") if not block.startswith(b"/pagefind/"))
            found[name] = data
    return found


def _times(folder: Path) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.rglob("*.html")}


class Rebuilds:
    """The dev server's way of building (content cache on, one process), each
    result compared with a build from scratch of the same files."""

    def __init__(self, base: Path, site):
        from conftest import run_build
        self.site, self.run_build = site, run_build
        self.theme = base / "theme"
        shutil.copytree(ROOT / "theme", self.theme)
        self.settings = dict(site.settings, **DEV, CACHE_PATH=str(base / "cache"), THEME=str(self.theme))
        self.base, self.fresh_count = base, 0
        self.session = site.session  # the dev server's, kept between its rebuilds

    def touch(self, path: Path) -> None:
        # a modification time Pelican's content cache cannot mistake for the old one
        later = time.time_ns() + 2_000_000_000 * (self.fresh_count + 1)
        os.utime(path, ns=(later, later))

    def rebuild(self, **settings) -> dict[str, bytes]:
        built = self.run_build("html", self.site.content, self.site.output,
                               settings_override=dict(self.settings, **settings), session=self.session)
        assert built.status == 0, built.log
        return _pages(self.site.output)

    def fresh(self, **settings) -> dict[str, bytes]:
        self.fresh_count += 1
        out = self.base / f"fresh-{self.fresh_count}"
        built = self.run_build("html", self.site.content, out, settings_override=dict(
            self.settings, CACHE_PATH=str(self.base / f"fresh-cache-{self.fresh_count}"), **settings))
        assert built.status == 0, built.log
        return _pages(out)

    def same_as_fresh(self, **settings) -> dict[str, bytes]:
        got, want = self.rebuild(**settings), self.fresh(**settings)
        assert sorted(got) == sorted(want)
        stale = [name for name in want if got[name] != want[name]]
        assert not stale, f"stale after the rebuild: {stale[:10]}"
        return got


def test_a_rebuild_renders_only_what_an_edit_changes_and_matches_a_build_from_scratch(fixture_site, tmp_path):
    r = Rebuilds(tmp_path, fixture_site)
    r.same_as_fresh()
    bunions = fixture_site.content / "conditions/bunions.md"
    page = "conditions/bunions/index.html"

    # 1. the text of one article: only its own page is rendered again
    before = _times(fixture_site.output)
    fixture_site.edit("conditions/bunions.md", "\n## Overview\n", "\n## Overview\n\nAn edited sentence.\n")
    r.touch(bunions)
    pages = r.same_as_fresh()
    assert b"An edited sentence." in pages[page]
    after = _times(fixture_site.output)
    rendered = sorted(name for name in after if after[name] != before.get(name))
    assert rendered == [page], rendered

    # nothing changed: nothing is rendered
    before = after
    r.same_as_fresh()
    assert _times(fixture_site.output) == before

    # 1b. the text of a translation (bunions.es.md): only its own page, under /es/, is rendered again
    fixture_site.edit("conditions/bunions.es.md", "\n## Información general\n",
                      "\n## Información general\n\nUna frase editada.\n")
    r.touch(fixture_site.content / "conditions/bunions.es.md")
    pages = r.same_as_fresh()
    assert "Una frase editada.".encode() in pages["es/" + page]
    after = _times(fixture_site.output)
    rendered = sorted(name for name in after if after[name] != before.get(name))
    assert rendered == ["es/" + page], rendered

    # 2. its title (the metadata): every page that lists it shows the new one
    fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes")
    r.touch(bunions)
    pages = r.same_as_fresh()
    assert b"Bunions and bunionettes" in pages["browse/region/forefoot/index.html"]

    # 3. the taxonomy, 4. the clinic's data, 5. a template, 6. a setting
    fixture_site.edit("taxonomy.yaml", "label: Front of the foot", "label: Ball of the foot")
    r.touch(fixture_site.content / "taxonomy.yaml")
    assert b"Ball of the foot" in r.same_as_fresh()[page]
    fixture_site.edit("clinic/clinic.yaml", "name: Sample Foot and Ankle Clinic", "name: Sample Foot Clinic")
    r.touch(fixture_site.content / "clinic/clinic.yaml")
    assert b"Sample Foot Clinic" in r.same_as_fresh()["a-z/index.html"]
    stamp = r.theme / "templates/_review_stamp.html"
    stamp.write_text(stamp.read_text().replace("Medically reviewed by", "Checked by"))
    r.touch(stamp)
    pages = r.same_as_fresh()
    assert b"Checked by" in pages[page]
    assert r.same_as_fresh(CLINIC_RELATED_LIMIT=1)[page] != pages[page], "the setting shows on the page"

    # 7. an article without a Summary: Pelican makes its summary from the text,
    # which other pages show, so an edit to its text renders them again
    orthotics = fixture_site.content / "treatments/custom-orthotics.md"
    text = orthotics.read_text()
    summary = next(line for line in text.splitlines() if line.startswith("Summary:"))
    orthotics.write_text(text.replace(summary + "\n", ""))
    r.touch(orthotics)
    r.same_as_fresh()
    fixture_site.edit("treatments/custom-orthotics.md", "\n## ", "\nInserts help many people at first.\n\n## ")
    r.touch(orthotics)
    r.same_as_fresh()

    # 8. a new article, and a page deleted from output/ by hand
    new = fixture_site.content / "conditions/heel-bursitis.md"
    new.write_text(bunions.read_text().replace("Title: Bunions and bunionettes", "Title: Heel bursitis"))
    r.touch(new)
    r.same_as_fresh()
    (fixture_site.output / "a-z/index.html").unlink()
    assert "a-z/index.html" in r.same_as_fresh()


@pytest.mark.english_only  # the languages are rebuilt in the test above
def test_a_rebuild_renders_again_a_page_replaced_in_output(fixture_site, tmp_path):
    """`make publish` swaps a new output/ into place: every page there is a new
    file, and the dev server's next rebuild must not keep any of them."""
    r = Rebuilds(tmp_path, fixture_site)
    r.rebuild()
    page = fixture_site.output / "conditions/hammertoes/index.html"
    good = page.read_bytes()
    page.unlink()
    page.write_bytes(b"<p>a page from somewhere else</p>")
    assert r.rebuild()["conditions/hammertoes/index.html"] == good


@pytest.mark.english_only  # the languages are rebuilt in the test above
def test_a_rebuild_with_the_pages_shared_between_two_processes_matches_a_build_from_scratch(fixture_site, tmp_path):
    """The second page writer (parallel_write.py) on a site this small: its pages
    count as written only once it has ended well."""
    r = Rebuilds(tmp_path, fixture_site)
    r.settings.update(CLINIC_PARALLEL_WRITE_MIN=1)
    r.same_as_fresh()
    before = _times(fixture_site.output)
    fixture_site.edit("conditions/hammertoes.md", "\n## ", "\nAn edited sentence.\n\n## ")
    r.touch(fixture_site.content / "conditions/hammertoes.md")
    assert b"An edited sentence." in r.same_as_fresh()["conditions/hammertoes/index.html"]
    after = _times(fixture_site.output)
    assert sorted(n for n in after if after[n] != before[n]) == ["conditions/hammertoes/index.html"]
    fixture_site.edit("conditions/hammertoes.md", "Title: Hammertoes", "Title: Hammer toes")
    r.touch(fixture_site.content / "conditions/hammertoes.md")
    r.same_as_fresh()


def test_a_rebuild_indexes_again_only_the_search_bundle_that_holds_the_edited_page(fixture_site, tmp_path):
    """The dev server's search index, in bundles of 8 pages (search_index.stale):
    after an edit to one article's text only its bundle is made again, and
    the new words are in it; the index still holds every searchable page."""
    import gzip
    import io

    import build
    from clinic.outputs import search_index

    r = Rebuilds(tmp_path, fixture_site)
    extra = dict(r.settings, PATH=str(fixture_site.content), PLUGIN_PATHS=[str(ROOT / "plugins")], SITEURL="",
                 CLINIC_SEARCH_PAGES_PER_INDEX=8)
    out = fixture_site.output

    session = r.session

    def rebuild() -> dict[str, int]:
        stream = io.StringIO()
        assert build.build("html", out, ROOT / "pelicanconf.py", stream=stream, extra=extra,
                           background_search=True, session=session) == 0, stream.getvalue()
        session.search.wait()  # the dev server shows the page first, search a moment later
        return {b.relative_to(out).as_posix(): (b / search_index.ENTRY).stat().st_mtime_ns
                for b in search_index.bundles_in(out)}

    def words_in(bundle: str) -> str:
        return "".join(gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
                       for f in (out / bundle / "fragment").glob("*.pf_fragment"))

    first = rebuild()
    searchable = sum("data-pagefind-body" in p.read_text(encoding="utf-8") for p in out.rglob("*.html")
                     if not p.relative_to(out).as_posix().startswith("pagefind/"))
    assert len(first) >= 3 and search_index.indexed_pages(out) == searchable
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                   if not p.relative_to(out).as_posix().startswith("pagefind/")
                   and "data-pagefind-body" in p.read_text(encoding="utf-8"))
    parts = search_index.plan(pages, per_index=8)  # the build's own plan, worked out again
    holds = search_index.bundles(len(parts))[
        next(i for i, part in enumerate(parts) if "conditions/bunions/index.html" in part)]

    fixture_site.edit("conditions/bunions.md", "\n## Overview\n", "\n## Overview\n\nZebras rarely get bunions.\n")
    r.touch(fixture_site.content / "conditions/bunions.md")
    after = rebuild()
    assert [b for b in after if after[b] != first[b]] == [holds]
    assert "Zebras rarely get bunions" in words_in(holds)
    assert search_index.indexed_pages(out) == searchable


def test_the_stamp_covers_every_metadata_line_and_the_text_only_without_a_summary():
    from clinic.speed import incremental

    text = "Title: Bunions\nSummary: A lump.\nSources: One | x\n    Two | y\n   \n## Overview\n\nText.\n"
    assert incremental.header(text) == "Title: Bunions\nSummary: A lump.\nSources: One | x\n    Two | y"

    def stamp(*sources, settings=None, files=(("theme\0t.html", 10, 1),), today="2026-12-02"):
        return incremental.site_stamp(list(sources), list(files), settings or {"SITENAME": "x"}, today)

    base = stamp(("a.md", text))
    assert stamp(("a.md", text.replace("Text.", "Other text."))) == base, "the text is the page's own"
    assert stamp(("a.md", text.replace("Two | y", "Two | z"))) != base, "a continuation line is metadata"
    assert stamp(("a.md", text), ("b.md", text)) != base, "a new file"
    assert stamp(("a.md", text), files=(("theme\0t.html", 11, 1),)) != base
    assert stamp(("a.md", text), settings={"SITENAME": "y"}) != base
    assert stamp(("a.md", text), settings={"SITENAME": "x", "SOME_HELPER": object()}) == base, \
        "objects in the settings (the build's own helpers) are left out"
    assert stamp(("a.md", text), today="2026-12-03") != base
    no_summary = text.replace("Summary: A lump.\n", "")
    assert stamp(("a.md", no_summary)) != stamp(("a.md", no_summary.replace("Text.", "Other text."))), \
        "without a Summary, Pelican makes one from the text, which other pages show"
    assert incremental.has_summary(incremental.header(text))
    assert not incremental.has_summary(incremental.header(no_summary) + "\n    Summary: part of the Sources value")



def port_is_free(port: int) -> bool:
    import socket
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def test_sigterm_stops_the_dev_server_and_frees_its_port(fixture_site):
    """Issue 19, item 8: a process manager's SIGTERM ends it like Ctrl-C, with
    no serving child left holding the port; no warning about content/images/."""
    import signal
    import urllib.request

    shutil.rmtree(fixture_site.content / "images", ignore_errors=True)
    port = free_port()
    server = DevServer(fixture_site.base, port)
    try:
        server.wait_for_build(1)
        for _ in range(50):  # the serving child starts beside the first build
            try:
                assert urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).status == 200
                break
            except OSError:
                time.sleep(0.1)
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(15) == 0, "\n".join(server.lines)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
    for _ in range(50):
        if port_is_free(port):
            break
        time.sleep(0.1)
    assert port_is_free(port), "the serving child still holds the port"
    assert not any("Unable to watch" in line for line in server.lines), server.lines


def test_a_busy_port_is_one_line_and_an_exit(fixture_site):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = DevServer(fixture_site.base, port)
        assert server.proc.wait(30) == 2
        time.sleep(0.2)  # the reader thread takes the last line
    assert [line for line in server.lines if line.strip()] == [
        f"Port {port}: another program is using it (is another `make devserver` running?); "
        f"stop it, or run: make devserver PORT={port + 1}"]
