"""`make publish` copies from the last publish the pages no edit can have changed
(plugins/clinic/speed/reuse.py), and must write exactly what a publish from an
empty cache writes, after every kind of edit, after a failed publish and when
a page of the live site was changed by hand."""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

import pytest

from clinic.speed import incremental, reuse
from conftest import ROOT, files_of, published_cleanly, record_calls, run_build, same_as_fresh

pytestmark = pytest.mark.english_only

PAGE = "conditions/hammertoes/index.html"


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The pages each publish renders (not copied from the last one); Pelican
    asks for "" too, and writes nothing."""
    return record_calls(monkeypatch, incremental.Pages, "unchanged",
                        lambda pages, name, unchanged: name if name and not unchanged else None)


@pytest.fixture
def fs(fixture_site, tmp_path):
    """The fixture site with a theme of its own, to edit."""
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    fixture_site.settings["THEME"] = str(theme)
    fixture_site.theme = theme
    return fixture_site


def test_a_publish_after_a_text_edit_renders_only_that_page(fs, rendered, tmp_path):
    published_cleanly(fs.publish())  # an empty cache: every page rendered, and recorded
    everything = sorted(rendered)
    assert PAGE in everything
    rendered.clear()
    published_cleanly(fs.publish())
    assert rendered == [], "nothing changed: every page is copied"

    fs.edit("conditions/hammertoes.md", "\n## Overview\n", "\n## Overview\n\nAn edited sentence.\n")
    published_cleanly(fs.publish())
    assert set(rendered) == {PAGE}
    assert "An edited sentence." in (fs.output / PAGE).read_text(encoding="utf-8")
    same_as_fresh(fs, tmp_path)


def test_every_other_kind_of_edit_renders_every_page_again(fs, rendered, tmp_path):
    published_cleanly(fs.publish())
    everything = sorted(set(rendered))
    edits = [
        lambda: fs.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes"),
        lambda: fs.edit("taxonomy.yaml", "label: Front of the foot", "label: Ball of the foot"),
        lambda: fs.edit("clinic/clinic.yaml", "name: Sample Foot and Ankle Clinic", "name: Sample Foot Clinic"),
        lambda: fs.edit("blocks/fasting-before-surgery.md", "\n\n", "\n\nAsk us if you are not sure.\n\n"),
        lambda: (fs.theme / "templates/_review_stamp.html").write_text(
            (fs.theme / "templates/_review_stamp.html").read_text().replace("Medically reviewed by", "Checked by")),
    ]
    for number, edit in enumerate(edits):
        edit()
        rendered.clear()
        published_cleanly(fs.publish())
        assert sorted(set(rendered)) == everything, f"edit {number}: every page is rendered again"
        same_as_fresh(fs, tmp_path)
    assert "Checked by" in (fs.output / PAGE).read_text(encoding="utf-8")


def test_a_live_page_changed_by_hand_is_rendered_again(fs, rendered, tmp_path):
    published_cleanly(fs.publish())
    live = fs.output / PAGE
    live.write_text(live.read_text(encoding="utf-8").replace("Hammertoes", "Hammertoez"), encoding="utf-8")
    rendered.clear()
    published_cleanly(fs.publish())
    assert set(rendered) == {PAGE}
    same_as_fresh(fs, tmp_path)


def test_a_failed_publish_leaves_the_record_of_the_live_site(fs, rendered, tmp_path):
    published_cleanly(fs.publish())
    good = fs.read("conditions/hammertoes.md")
    fs.edit("conditions/hammertoes.md", "Reviewed-by: ", "Reviewed-by: nobody-", count=1)
    failed = fs.publish()
    assert failed.status == 1 and "output/ was not changed" in failed.log
    fs.write("conditions/hammertoes.md", good.replace("\n## Overview\n", "\n## Overview\n\nFixed.\n"))
    rendered.clear()
    published_cleanly(fs.publish())
    assert set(rendered) == {PAGE}
    same_as_fresh(fs, tmp_path)


@pytest.mark.with_translations
def test_a_translation_text_edit_renders_only_its_page(fs, rendered, tmp_path):
    """The site in Spanish too: an edit to bunions.es.md renders only its page, under /es/."""
    published_cleanly(fs.publish())
    fs.edit("conditions/bunions.es.md", "\n## Información general\n", "\n## Información general\n\nUna frase editada.\n")
    rendered.clear()
    published_cleanly(fs.publish())
    assert set(rendered) == {"es/conditions/bunions/index.html"}
    same_as_fresh(fs, tmp_path)


def test_a_copied_page_written_again_never_writes_through_to_the_live_site(fs, monkeypatch, tmp_path):
    """Copied pages are hard links to the live site's files: a page the writer
    renders after all (here: forced) is a new file, and the live one, which
    stays in place if the publish fails, keeps its bytes."""
    published_cleanly(fs.publish())
    published_cleanly(fs.publish())  # its pages are copies of the first's
    live = fs.output / PAGE
    snapshots = {}
    for suffix in ("", ".gz", ".br"):  # the page, and its compressed copies, which come with it
        snapshots[suffix] = tmp_path / f"snapshot.html{suffix}"
        os.link(live.with_name(live.name + suffix), snapshots[suffix])  # another name for the live file
    before = {suffix: snapshot.read_bytes() for suffix, snapshot in snapshots.items()}
    original = incremental.Pages.unchanged
    monkeypatch.setattr(incremental.Pages, "unchanged", lambda self, name: name != PAGE and original(self, name))
    fs.edit("conditions/hammertoes.md", "\n## Overview\n", "\n## Overview\n\nAn edited sentence.\n")
    monkeypatch.setattr(reuse, "copy_unchanged", _copy_also(reuse.copy_unchanged))
    published_cleanly(fs.publish())
    assert {suffix: snapshot.read_bytes() for suffix, snapshot in snapshots.items()} == before, \
        "a live file was written through"
    assert "An edited sentence." in (fs.output / PAGE).read_text(encoding="utf-8")
    assert "An edited sentence.".encode() in gzip.decompress((fs.output / f"{PAGE}.gz").read_bytes())
    same_as_fresh(fs, tmp_path)


def _copy_also(copy):
    """copy_unchanged that also copies PAGE (its key changed), as a page the
    writer then renders: the case of a page copied and written again."""
    def copy_unchanged(pages, record, also, compressed=()):
        copied = copy(pages, record, also, compressed)
        if not record.get("output"):  # the fresh publish same_as_fresh() compares with
            return copied
        source = Path(record["output"]) / PAGE
        target = Path(pages.output) / PAGE
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in ("", *compressed):
                reuse.link_or_copy(f"{source}{suffix}", f"{target}{suffix}")
            assert target.stat().st_ino == source.stat().st_ino
            copied.append(str(target))
        return copied
    return copy_unchanged


def test_a_record_that_is_not_whole_renders_every_page(fs, rendered, tmp_path):
    """A record in another shape (never written by this code: its folder is named
    for the code) is not trusted: every page is rendered, nothing else changes."""
    published_cleanly(fs.publish())
    everything = sorted(set(rendered))
    (record,) = (fs.base / "cache").glob(f"content/*/{reuse.RECORD}")
    data = json.loads(record.read_text(encoding="utf-8"))
    data["pages"] = {name: "not an entry" for name in data["pages"]}
    record.write_text(json.dumps(data), encoding="utf-8")
    rendered.clear()
    published_cleanly(fs.publish())
    assert sorted(set(rendered)) == everything
    same_as_fresh(fs, tmp_path)


def test_a_publish_hands_the_memory_it_let_go_back_to_the_system(tmp_path):
    """speed/memory.py: what the build frees in the middle of the heap (the source
    texts, once the articles are decorated) stops counting in its peak memory."""
    import subprocess
    import sys
    script = tmp_path / "trim.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'plugins')!r})\n"
        "from clinic.speed.memory import give_back\n"
        "def rss():\n"
        "    return next(int(l.split()[1]) // 1024 for l in open('/proc/self/status') if l.startswith('VmRSS'))\n"
        "blocks = [bytes(10_000) + str(i).encode() for i in range(20_000)]  # 200 MB\n"
        "kept = blocks[::50]  # one in fifty stays: the rest is freed between them\n"
        "del blocks\n"
        "before = rss()\n"
        "give_back()\n"
        "print(before, rss())\n")
    before, after = map(int, subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                                            check=True).stdout.split())
    assert before > 150 and before - after > 100, (before, after)


def test_a_publish_hands_memory_back_as_it_writes_its_pages(fixture_site, monkeypatch):
    """Every TRIM_EVERY pages written, a publish hands back what they let go (speed/memory.py)."""
    from clinic.speed import memory
    trims = []
    monkeypatch.setattr(memory, "give_back", lambda collect=True: trims.append(collect))
    monkeypatch.setattr(memory, "TRIM_EVERY", 10)
    site = fixture_site.publish()
    published_cleanly(site)
    pages = sum(1 for rel in files_of(site.output) if rel.endswith(".html") and not rel.startswith("pagefind/"))
    assert trims.count(False) >= pages // 10 > 0


def test_a_publish_keeps_each_pages_text_checks_and_still_reports_their_problems(fs, monkeypatch, tmp_path):
    """The safety and call-us checks of a page whose HTML and source did not change
    are not run again by the next publish (kept in the content cache's folder);
    what they found is reported all the same. Each publish in a session of its
    own, as `make publish` is a process of its own."""
    def publish():
        return run_build("publish", fs.content, fs.output, settings_override=fs.settings)

    from clinic.checks import safety
    calls = []
    original = safety.unsafe

    def spy(path, *args, **kwargs):
        calls.append(path)
        return original(path, *args, **kwargs)
    monkeypatch.setattr(safety, "unsafe", spy)
    fs.edit("conditions/hammertoes.md", "\n## Overview\n", "\n## Overview\n\nIf it gets worse, call your surgeon.\n")
    warning = "says 'call your surgeon' with no number to call"
    first = publish()
    assert first.status == 0 and warning in first.log, first.log
    assert any(p.endswith("conditions/hammertoes.md") for p in calls)
    calls.clear()
    second = publish()
    assert second.status == 0 and calls == [], calls
    assert [line for line in second.lines if warning in line] == [line for line in first.lines if warning in line]
    fs.edit("conditions/hammertoes.md", "call your surgeon.", "call your surgeon on {clinic_phone}.")
    third = publish()
    assert [p for p in calls if p.endswith(".md")] == [c for c in calls if c.endswith("conditions/hammertoes.md")]
    assert len(calls) == 1 and warning not in third.log, third.log
    same_as_fresh(fs, tmp_path)
