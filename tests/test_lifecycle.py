"""The clinic's living site (issue 19): a webmaster's everyday changes keep
every page true, and whatever order builds and edits come in, output/ is what
a build from scratch of the same content would be."""

from __future__ import annotations

import io
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

import new_article
import yaml
from hypothesis import HealthCheck, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from build import DEV_CACHE
from conftest import MEMOS, ROOT, SHIPPED, FixtureSite, build, files_of, run_build, tree_hash
from test_site import check_content_properties

NEW_CONDITION, NEW_PROCEDURE, RENAMED = "lifecycle-test-bursitis", "lifecycle-test-bursectomy", "lifecycle-test-bursa-removal"
NEW_REGION, NEW_SYMPTOM = "lifecycle-test-midfoot", "lifecycle-test-clicking"


def later(path: Path, step: int) -> None:
    """An edit made seconds after the last, as a webmaster's is (Pelican's content
    cache compares modification times)."""
    when = time.time_ns() + 2_000_000_000 * step
    os.utime(path, ns=(when, when))


def fill(text: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        assert placeholder in text, placeholder
        text = text.replace(placeholder, value)
    # every section's text, and any callout's list left
    text = text.replace("FILL IN: the text for this section.", "This part is short and plain. It says what to do next.")
    text = re.sub(r"- FILL IN: [^\n]*", "- the pain gets worse", text)
    assert "FILL IN" not in text, text
    return text


def new_term(content: Path, facet: str, slug: str, label: str, description: str) -> None:
    assert new_article.add_term(content / "taxonomy.yaml", facet, slug, label)
    taxonomy = content / "taxonomy.yaml"
    text = taxonomy.read_text(encoding="utf-8")
    at = text.index(f"- slug: {slug}")
    taxonomy.write_text(text[:at] + text[at:].replace('"FILL IN: one plain sentence"', description, 1),
                        encoding="utf-8")


def lines_about(result, fragment: str) -> list[str]:
    return [line for line in result.lines if fragment in line]


def test_a_webmasters_year_keeps_every_page_true(tmp_path, capsys):
    """From the clinic's own content: a new condition with new terms and a
    procedure for it, a new title, a renamed page, a page deleted while others
    still link to it, a term removed while pages use it. The content checks of
    make test hold at each valid step; each mistake is a clear line naming
    every file to fix, and leaves the live site as it was."""
    fs = FixtureSite(tmp_path, source=SHIPPED)
    content = fs.content
    reviewer = yaml.safe_load((content / "clinic/providers.yaml").read_text())["providers"][0]["slug"]
    number = str(yaml.safe_load((content / "clinic/clinic.yaml").read_text())["emergency_number"])
    source = "Bursitis | MedlinePlus | n.d. | https://medlineplus.gov/bursitis.html"

    # 1. a new condition, with a new region and symptom, and a procedure that treats it
    new_term(content, "region", NEW_REGION, "Middle of the foot test", "The middle part of the foot.")
    new_term(content, "symptom", NEW_SYMPTOM, "Clicking test", "A click felt in the foot when you walk.")
    assert new_article.main(["--content", str(content), "condition", NEW_CONDITION, "Heel bursitis test"]) == 0
    assert new_article.main(["--content", str(content), "procedure", NEW_PROCEDURE, "Bursa removal test"]) == 0
    capsys.readouterr()
    condition = content / "conditions" / f"{NEW_CONDITION}.md"
    condition.write_text(fill(condition.read_text(), {
        "FILL IN: one or two plain sentences: what it is and what helps": "A small sac near the heel swells. Rest helps.",
        "FILL IN: body regions, e.g. heel, ankle": NEW_REGION,
        "FILL IN: symptoms, e.g. heel-pain, swelling": NEW_SYMPTOM,
        "FILL IN: the reviewer's slug from content/clinic/providers.yaml": reviewer,
        "FILL IN: Title | Publisher | Year | https://link": source}))
    procedure = content / "procedures" / f"{NEW_PROCEDURE}.md"
    text = fill(procedure.read_text(), {
        "FILL IN: one or two plain sentences: what it is and what helps": "An operation to take out a swollen sac.",
        "FILL IN: body regions, e.g. heel, ankle": NEW_REGION,
        "FILL IN: the conditions it treats, e.g. plantar-fasciitis": NEW_CONDITION,
        "FILL IN: the reviewer's slug from content/clinic/providers.yaml": reviewer,
        "FILL IN: Title | Publisher | Year | https://link": source})
    procedure.write_text(text.replace("## Who it helps\n\n", f"## Who it helps\n\nPeople with [heel bursitis]"
                                      f"({{filename}}/conditions/{NEW_CONDITION}.md).\n", 1))
    for _ in ("condition", "procedure"):
        fs.edit("taxonomy.yaml", '"FILL IN: one plain sentence"', "A plain sentence about it.")
    fs.edit("clinic/providers.yaml", "specialties: [", f"specialties: [{NEW_PROCEDURE}, ")
    built = fs.publish()
    assert built.status == 0, built.log
    assert built.lines[-1] == "Published to " + f"{fs.output}/ (no problems).", built.log
    check_content_properties(built, content)
    page = built.soup(f"procedures/{NEW_PROCEDURE}/index.html")
    assert f"Call {number} " in page.get_text(" ") and "{emergency_number}" not in str(page)
    assert f"/conditions/{NEW_CONDITION}/" in {a["href"] for a in page.select("main a")}

    # 2. a new title
    fs.edit(f"conditions/{NEW_CONDITION}.md", "Title: Heel bursitis test", "Title: Heel bursitis test, updated")
    later(condition, 1)
    built = fs.publish()
    assert built.status == 0, built.log
    check_content_properties(built, content)
    assert built.soup(f"conditions/{NEW_CONDITION}/index.html").h1.get_text() == "Heel bursitis test, updated"

    # 3. a renamed file: the old address is reported, then kept working with Moved-from
    procedure = procedure.rename(procedure.with_name(f"{RENAMED}.md"))
    fs.edit("taxonomy.yaml", f"- slug: {NEW_PROCEDURE}\n", f"- slug: {RENAMED}\n")
    fs.edit("clinic/providers.yaml", f"[{NEW_PROCEDURE}, ", f"[{RENAMED}, ")
    built = fs.publish()
    assert built.status == 0, built.log
    assert lines_about(built, "is on the live site") == [
        f"warning: output/procedures/{NEW_PROCEDURE}/: page: is on the live site, and this build has no page "
        f"there (if the page moved, add 'Moved-from: /procedures/{NEW_PROCEDURE}/' to its new file so that "
        "bookmarks and search results still reach it; if it was removed on purpose, there is nothing to do)"]
    check_content_properties(built, content)
    fs.edit(f"procedures/{RENAMED}.md", "Title:", f"Moved-from: /procedures/{NEW_PROCEDURE}/\nTitle:")
    built = fs.publish()
    assert built.status == 0, built.log
    assert lines_about(built, "is on the live site") == []
    check_content_properties(built, content)
    moved = built.soup(f"procedures/{NEW_PROCEDURE}/index.html")
    assert moved.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url=/procedures/{RENAMED}/"
    assert moved.find("link", rel="canonical")["href"] == f"https://clinic.test/procedures/{RENAMED}/"
    assert moved.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    assert f"/procedures/{NEW_PROCEDURE}/" not in (built.output / "sitemap.xml").read_text()
    assert "data-pagefind-body" not in str(moved)
    topic = built.soup(f"browse/procedure/{NEW_PROCEDURE}/index.html")  # the term's topic page moved with it
    assert topic.find("meta", attrs={"http-equiv": "refresh"})["content"] == f"0; url=/browse/procedure/{RENAMED}/"

    # 4. a page deleted while another still links to it: every link named, nothing published
    live = tree_hash(fs.output)
    kept = condition.read_text()
    condition.unlink()
    failed = fs.publish()
    assert failed.status == 1
    renamed = f"content/procedures/{RENAMED}.md"
    lines = (content / "procedures" / f"{RENAMED}.md").read_text().splitlines()
    treats = next(i for i, line in enumerate(lines, 1) if line.startswith("Treats:"))
    link = next(i for i, line in enumerate(lines, 1) if f"{{filename}}/conditions/{NEW_CONDITION}.md" in line)
    errors = [line for line in failed.lines if line.startswith("content/")]
    assert len(errors) == 2, failed.log
    assert errors[0].startswith(f"{renamed}:{treats}: Treats: '{NEW_CONDITION}' has no page in content/conditions/ (")
    assert errors[1].startswith(f"{renamed}:{link}: link: '{{filename}}/conditions/{NEW_CONDITION}.md' does not exist")
    assert failed.lines[-1] == "Publish failed: 2 errors. output/ was not changed.", failed.log
    assert tree_hash(fs.output) == live
    condition.write_text(kept)

    # 5. a term removed while pages still use it: each page named, nothing published
    taxonomy = (content / "taxonomy.yaml").read_text()
    lines = taxonomy.split("\n")
    at = lines.index(f"      - slug: {NEW_REGION}")
    end = next(i for i in range(at + 1, len(lines)) if not lines[i].startswith("        "))
    (content / "taxonomy.yaml").write_text("\n".join(lines[:at] + lines[end:]))
    failed = fs.publish()
    assert failed.status == 1
    errors = [line for line in failed.lines if line.startswith("content/")]
    assert sorted(line.split(":", 1)[0] for line in errors) == [f"content/conditions/{NEW_CONDITION}.md", renamed]
    assert all(f"Regions: '{NEW_REGION}' is not a known body region" in line for line in errors), failed.log
    assert failed.lines[-1] == "Publish failed: 2 errors. output/ was not changed.", failed.log
    assert tree_hash(fs.output) == live
    (content / "taxonomy.yaml").write_text(taxonomy)
    built = fs.publish()
    assert built.status == 0, built.log
    check_content_properties(built, content)


# --- any order of builds and edits --------------------------------------------------------


class BuildsInAnyOrder(RuleBasedStateMachine):
    """Edits and `make html`, `make publish` and dev-server rebuilds, in any order,
    into one output/. After each build, output/ is byte for byte what a build
    from scratch of the same content, by the same command, makes: no page,
    compressed copy, search index, sitemap, feed or host file left from before."""

    def __init__(self):
        super().__init__()
        self.base = Path(tempfile.mkdtemp(prefix="clinic-any-order-"))
        self.fs = FixtureSite(self.base)
        self.session = build.clinic.Session(memos=MEMOS)  # the dev server's, kept between its rebuilds
        self.step, self.added, self.fresh = 0, [], 0
        self.articles = sorted(p.relative_to(self.fs.content).as_posix()
                               for p in self.fs.content.glob("[cgpt]*/*.md") if "Title:" in p.read_text())

    def teardown(self):
        self.session.search.wait()
        shutil.rmtree(self.base, ignore_errors=True)

    def edited(self, rel: str) -> None:
        self.step += 1
        later(self.fs.content / rel, self.step)

    def edit_a_title(self, which: int) -> None:
        rel = self.articles[which % len(self.articles)]
        text = self.fs.read(rel)
        self.fs.write(rel, re.sub(r"^Title: (.*)$", lambda m: f"Title: {m.group(1)} {self.step}", text, count=1, flags=re.M))
        self.edited(rel)

    def edit_a_sentence(self, which: int) -> None:
        rel = self.articles[which % len(self.articles)]  # an English page, or a translation (bunions.es.md)
        sentence = f"Una frase más, la número {self.step}." if rel.endswith(".es.md") else \
            f"One more plain sentence, number {self.step}."
        self.fs.write(rel, self.fs.read(rel).rstrip("\n") + f"\n\n{sentence}\n")
        self.edited(rel)

    def add_a_page(self, which: int) -> None:
        rel = f"pages/added-{self.step}.md"
        self.fs.write(rel, f"Title: Added page {self.step}\nSummary: A page added by the webmaster.\n\n"
                           "It says where to park. The car park is next to the door.\n")
        self.added.append(rel)
        self.edited(rel)

    def remove_an_added_page(self, which: int) -> None:
        if self.added:
            (self.fs.content / self.added.pop(which % len(self.added))).unlink()
        self.step += 1

    def nothing(self, which: int) -> None:
        pass

    EDITS = ("edit_a_title", "edit_a_sentence", "add_a_page", "remove_an_added_page", "nothing")

    @rule(edit=st.sampled_from(EDITS), which=st.integers(min_value=0),
          command=st.sampled_from(["make html", "make publish", "dev server"]))
    def edit_then_build(self, edit, which, command):
        getattr(self, edit)(which)
        self.build_the_site(command)

    def build_the_site(self, command: str) -> None:
        mode = "publish" if command == "make publish" else "html"
        settings = dict(DEV_CACHE, CACHE_PATH=str(self.base / "cache")) if command == "dev server" else {}
        if command == "dev server":
            stream = io.StringIO()
            status = build.build("html", self.fs.output, ROOT / "pelicanconf.py", stream=stream,
                                 extra={"PATH": str(self.fs.content), "THEME": str(ROOT / "theme"),
                                        "PLUGIN_PATHS": [str(ROOT / "plugins")], "SITEURL": "", **settings},
                                 background_search=True, session=self.session)
            self.session.search.wait()
            assert status == 0, stream.getvalue()
        else:
            built = run_build(mode, self.fs.content, self.fs.output)
            assert built.status == 0, built.log
        self.fresh += 1
        clean = run_build(mode, self.fs.content, self.base / f"clean-{self.fresh}")
        assert clean.status == 0, clean.log
        got, want = files_of(self.fs.output), files_of(clean.output)
        assert sorted(set(got) ^ set(want)) == [], command
        assert [rel for rel in want if got[rel] != want[rel]] == [], command
        shutil.rmtree(clean.output)


BuildsInAnyOrder.TestCase.settings = settings(max_examples=2, stateful_step_count=6, deadline=None,
                                              suppress_health_check=list(HealthCheck))
test_builds_and_edits_in_any_order_leave_what_a_clean_build_makes = BuildsInAnyOrder.TestCase
