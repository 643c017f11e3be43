"""The benchmark harness (tools/bench.py) and its generated content (tools/benchgen.py).

The harness runs on a tiny N here; what it measures is never asserted, only
that it ran, wrote its files and that the generated site is valid.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import bench_hugo
import benchgen
from clinic.model.rules import KINDS
from conftest import ROOT, files_of

PY = sys.executable
CONDITION_SECTIONS = list(KINDS["condition"].sections)
PROCEDURE_SECTIONS = list(KINDS["procedure"].sections)



def test_generated_articles_follow_the_site_rules_and_build_without_problems(tmp_path):
    gen = benchgen.generate(tmp_path / "site", 9, seed=3)
    assert len(gen.conditions) == 5 and len(gen.procedures) == 4
    facets = yaml.safe_load((gen.content / "taxonomy.yaml").read_text())["facets"]
    conditions = {t["slug"]: t for t in facets["condition"]["terms"]}
    procedures = {t["slug"]: t for t in facets["procedure"]["terms"]}
    for slug in gen.conditions:
        term = conditions[slug]
        assert term["label"] and term["description"] and term["synonyms"], slug
        text = (gen.content / "conditions" / f"{slug}.md").read_text()
        assert re.findall(r"^## (.+)$", text, re.M) == CONDITION_SECTIONS
        assert "\n- " in text and "\n| --- |" in text and "Sources: " in text
        help_section = text.split("## When to get help", 1)[1]
        assert '!!! urgent "' in help_section
    for slug in gen.procedures:
        assert procedures[slug]["type"] == "surgical" and procedures[slug]["synonyms"]
        text = (gen.content / "procedures" / f"{slug}.md").read_text()
        assert re.findall(r"^## (.+)$", text, re.M) == PROCEDURE_SECTIONS
        treats = re.search(r"^Treats: (.+)$", text, re.M).group(1).split(", ")
        assert treats and set(treats) <= set(gen.conditions), slug
    assert all(600 <= words <= 900 for words in gen.words.values()), gen.words
    # the real content comes along: its pages, clinic data and articles
    assert (gen.content / "clinic" / "providers.yaml").is_file() and (gen.content / "pages" / "about.md").is_file()
    assert gen.articles == 9 + gen.real_articles

    done = subprocess.run([PY, str(ROOT / "tools" / "build.py"), "html", "--content", str(gen.content),
                           "--output", str(tmp_path / "out")], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "(no problems)" in done.stdout, done.stdout
    for slug in gen.conditions:
        assert (tmp_path / "out" / "conditions" / slug / "index.html").is_file()
    for slug in gen.procedures:
        assert (tmp_path / "out" / "procedures" / slug / "index.html").is_file()


def test_generated_content_depends_on_the_seed_only(tmp_path):
    one = benchgen.generate(tmp_path / "one", 6, seed=7)
    two = benchgen.generate(tmp_path / "two", 6, seed=7)
    other = benchgen.generate(tmp_path / "other", 6, seed=8)
    assert files_of(one.content) == files_of(two.content)
    assert files_of(one.content) != files_of(other.content)


def _hugo():
    """The Hugo binary of the test tools (requirements-test.txt): with CI=true a missing one fails."""
    hugo = bench_hugo.hugo_executable()
    if hugo is None:
        if os.environ.get("CI") == "true":
            pytest.fail("hugo is not installed (requirements-test.txt pins it)")
        pytest.skip("hugo is not installed (requirements-test.txt pins it)")
    return hugo


def test_the_generated_articles_as_a_hugo_site_build_without_a_warning(tmp_path):
    """tools/bench_hugo.py's conversion, the yardstick of run (h): one page per
    article and plain page at its address, with its title; Pelican's syntax all gone."""
    from bs4 import BeautifulSoup

    hugo = _hugo()
    gen = benchgen.generate(tmp_path / "gen", 6, seed=2)
    site = bench_hugo.convert(gen.content, tmp_path / "hugo")
    assert site.articles == gen.articles and site.root == tmp_path / "hugo"
    done = subprocess.run([str(hugo), "--minify", "--source", str(site.root), "--destination", str(tmp_path / "out"),
                           "--cacheDir", str(tmp_path / "cache")], capture_output=True, text=True)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert "WARN" not in log and "ERROR" not in log, log
    expected = {f"conditions/{slug}/index.html" for slug in gen.conditions} | \
               {f"procedures/{slug}/index.html" for slug in gen.procedures} | \
               {"conditions/bunions/index.html", "procedures/bunionectomy/index.html", "about/index.html"}
    plain = len([p for p in (gen.content / "pages").glob("*.md") if "." not in p.stem])  # translations aside
    assert expected <= set(site.pages) and len(site.pages) == gen.articles + plain
    for path, title in site.pages.items():
        html = (tmp_path / "out" / path).read_text(encoding="utf-8")
        page = BeautifulSoup(html, "html.parser")
        assert page.h1.get_text() == title, path
        assert page.find(attrs={"data-pagefind-body": True}), path
        for pelican in ("{filename}", "{static}", "{block}", "{emergency_number}", "{clinic_phone}", "!!! "):
            assert pelican not in html, (path, pelican)
    slug = gen.conditions[0]
    meta, _ = bench_hugo.read_pelican((gen.content / "conditions" / f"{slug}.md").read_text())
    condition = BeautifulSoup((tmp_path / "out" / f"conditions/{slug}/index.html").read_text(), "html.parser")
    assert condition.select("aside.callout--urgent h3") and condition.find("table")
    topics = {a["href"] for a in condition.select("section.topics a[data-pagefind-filter]")}
    assert {f"/region/{r}/" for r in meta["regions"].split(", ")} | {f"/condition/{slug}/"} <= topics
    assert len(condition.select("section.related li")) == 5
    for link in condition.select("article a[href^='/conditions/'], article a[href^='/procedures/']"):
        assert (tmp_path / "out" / link["href"].strip("/") / "index.html").is_file(), link["href"]
    # the shared blocks are rendered into the pages that name them, and are not pages of their own
    assert "Do not drive while you wear a cast" in (tmp_path / "out" / "procedures/bunionectomy/index.html").read_text()
    assert not (tmp_path / "out" / "blocks").exists()
    for listing in ("conditions", "procedures", "region/heel", "condition", "providers"):
        assert (tmp_path / "out" / listing / "index.html").is_file(), listing


@pytest.mark.browser  # (s) opens the page in Chromium
def test_bench_features_leaves_each_feature_out_and_runs_search_and_links_alone(tmp_path):
    _hugo()  # run (h) needs it
    results, work = tmp_path / "results", tmp_path / "work"
    work.mkdir()
    done = subprocess.run([PY, str(ROOT / "tools" / "bench.py"), "--n", "4", "--repeat", "1", "--warmup", "0",
                           "--real-repeat", "1", "--features", "--keep", "--results", str(results), "--workdir", str(work)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((results / "bench-n4.json").read_text())
    md = (results / "bench-n4.md").read_text()
    # the table of the seven runs: (a) production, and again with an empty cache folder, (b)
    # Pelican alone, (c) and (d) the dev server, (h) Hugo then Pagefind, and each of (h)'s two
    # on its own, (s) save to screen in the browser
    assert data["n"] == 4 and data["repeat"] == 1
    for key in ("a", "a-cold", "a-edit", "b", "c", "d", "h", "h-hugo", "h-pagefind", "s"):
        for measure in ("wall", "cpu", "peak_mib"):
            s = data["stats"][key][measure]
            assert s["min"] <= s["median"] <= s["max"] and s["min"] > 0, (key, measure)
        assert data["stats"][key]["pages_per_s"] > 0
    for ratio in ("a/b", "a/h", "a-cold/b", "a-cold/h", "a-edit/b", "a-edit/h", "c/a", "d/a"):
        assert set(data["ratios"][ratio]) == {"wall", "cpu", "peak_mib"}
    header = next(line for line in md.splitlines() if line.startswith("| Run |"))
    rows = [line for line in md.splitlines() if line.startswith("| (") and line.count("|") == header.count("|")]
    # the seven runs, (h)'s two children, then (a) with each feature left out
    assert [r.split("|")[1].strip()[:3] for r in rows] == ["(a)", "(a)", "(a)", "(b)", "(c)", "(d)", "(h)", "(s)"] + \
        ["(h)"] * 2 + ["(r)", "(r)", "(rb"] + ["(a)"] * 4
    assert all(len(r.split("|")) == len(header.split("|")) == 10 for r in rows)
    assert "(a)/(b) wall" in md and "(c)/(a) wall" in md and "(d)/(a) wall" in md
    assert "(a)/(Hugo + Pagefind) wall" in md and "Pagefind is" in md and data["hugo"].startswith("v")
    # (a) finds the cache folder an earlier build left; its cold twin a new, empty one of its own
    cold = data["commands"]["a-cold"]
    assert "--cache-path <tmp>/cache-a-cold-<run>" in cold and "(a) the same, empty cache folder" in md
    assert (work / next(p.name for p in work.iterdir()) / "cache-a-cold-1" / "content").is_dir()
    # (a), (b) and (h) publish the same articles every round: (c), (d) and (a) after an edit
    # each edit a copy of their own
    site_dir = work / next(p.name for p in work.iterdir())
    assert not any("Edited for run" in p.read_text() for p in (site_dir / "content").rglob("*.md"))
    for edited_copy in ("content-c", "content-d", "content-e"):
        assert any("Edited for run" in p.read_text() for p in (site_dir / edited_copy).rglob("*.md")), edited_copy
    # (a) after a text edit: its own copy of the content, edited, and its page shows the edit
    edited = work / next(p.name for p in work.iterdir()) / "out-a-edit-1" / "conditions"
    assert "(a) the same, after a text edit to one article |" in md
    assert any("Edited for run 0" in p.read_text() for p in edited.glob("*/index.html"))
    h = data["runs"]["h"][0]
    assert h["wall"] == h["parts"]["hugo"]["wall"] + h["parts"]["pagefind"]["wall"]
    assert data["ratios"]["a/h"]["wall"] == data["stats"]["a"]["wall"]["median"] / data["stats"]["h"]["wall"]["median"]
    assert header in done.stdout  # the table is printed too
    # (s): from the save to the reloaded page, in its three steps, which add up to no more than the whole
    saved = data["runs"]["s"][0]
    assert set(saved["parts"]) == {"seen", "written", "shown"} and all(v > 0 for v in saved["parts"].values())
    assert saved["checked"] >= saved["parts"]["seen"] + saved["parts"]["written"]
    assert abs(sum(saved["parts"].values()) - saved["wall"]) < 1e-6
    assert "(s): the watcher saw the save after" in md
    # the clinic's own site, beside bare Pelican on it
    for key in ("r-warm", "r-cold", "rb"):
        assert len(data["runs"][key]) == 1 and data["stats"][key]["wall"]["median"] > 0, key
    assert data["ratios"]["r-warm/rb"]["wall"] == \
        data["stats"]["r-warm"]["wall"]["median"] / data["stats"]["rb"]["wall"]["median"]
    assert "(r) warm / (rb) wall" in md and "| (rb) bare Pelican 4.12 on content/ |" in md
    # and what each feature costs
    variants = ["a-no-precompress", "a-no-minify", "a-no-readability", "a-no-all", "links", "search"]
    for key in ["a", "b", "c", "d", "h", "s"] + variants:
        assert len(data["runs"][key]) == 1 and all(r["ok"] for r in data["runs"][key]), key
        assert data["stats"][key]["wall"]["median"] > 0, key
    costs = {row["feature"]: row for row in data["features"]}
    assert list(costs) == [".gz and .br copies", "minified HTML", "reading-level check", "the three above at once",
                           "link check", "search index", "over the target"]
    a, b = data["stats"]["a"]["wall"]["median"], data["stats"]["b"]["wall"]["median"]
    assert costs["minified HTML"]["wall"] == a - data["stats"]["a-no-minify"]["wall"]["median"]
    assert costs["search index"]["wall"] == data["stats"]["search"]["wall"]["median"]
    assert costs["the three above at once"]["cpu"] == \
        data["stats"]["a"]["cpu"]["median"] - data["stats"]["a-no-all"]["cpu"]["median"]
    assert data["ratios"]["a-no-all/b"]["wall"] == data["stats"]["a-no-all"]["wall"]["median"] / b
    assert costs["over the target"]["wall"] == a - 2 * data["stats"]["h"]["wall"]["median"]
    assert "| Feature | Measured as | Wall (s) | CPU (s) |" in md and "| reading-level check |" in md
    assert "(a) without all three / (b): wall" in md
    # each variant really left its feature out, and the runs alone really ran
    (site,) = work.iterdir()
    full, bare = site / "out-a-1", site / "out-a-no-precompress-1"
    assert list(full.rglob("*.html.gz")) and not list(bare.rglob("*.html.gz"))
    page = "conditions/bunions/index.html"
    assert len((site / "out-a-no-minify-1" / page).read_bytes()) > len((full / page).read_bytes())
    none = site / "out-a-no-all-1"  # none of the three: not minified, not compressed, no reading levels
    assert not list(none.rglob("*.gz")) and not list(none.rglob("*.br"))
    assert (none / page).read_bytes() == (site / "out-a-no-minify-1" / page).read_bytes()
    assert (full / "bench-search-1" / "pagefind" / "pagefind-entry.json").is_file()
    assert '"ok": true' in (site / "log-links-0.txt").read_text()
    assert (site / "out-h-1" / "conditions" / "bunions" / "index.html").is_file()
    assert (site / "out-h-1" / "pagefind" / "pagefind-entry.json").is_file()


def test_related_articles_fast_ranking_matches_the_pairwise_one(tmp_path):
    """relations.build_index ranks related articles with bitsets; on generated content
    and on small random sites with tied titles it must pick exactly what the plain
    pairwise scoring picks."""
    sys.path.insert(0, str(ROOT / "plugins"))
    from clinic.checks.sources import load_site_data, name_of, source_files
    from clinic.model.paths import files_under  # noqa: F401
    from clinic.model import relations
    from clinic.checks import validate
    from clinic.model.rules import KINDS
    from clinic.pages.i18n import Catalogs

    gen = benchgen.generate(tmp_path / "site", 60, seed=5)
    settings = {"PATH": str(gen.content), "ARTICLE_PATHS": ["conditions", "procedures", "treatments", "guides"],
                "PAGE_PATHS": ["pages"]}
    content = Path(settings["PATH"])
    languages = {"es": Catalogs(ROOT / "theme").of("es").gettext}
    vocab, data, _ = load_site_data(content, "taxonomy.yaml", "clinic", str, tuple(languages))
    # one index per language, as the build makes them: the English pages, and the translations (bunions.es.md)
    by_lang: dict[str, list] = {}
    for p, kind in source_files(content, settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"]):
        slug, lang, _ = name_of(p, languages, str(p))
        by_lang.setdefault(lang, []).append(validate.validate_article(
            str(p), p.read_text(), KINDS[kind].translated(languages[lang]) if lang else KINDS[kind], slug, vocab,
            data.providers, lang=lang)[0])
    metas = by_lang.pop("")

    def both(metas, limit):
        metas = sorted((m for m in metas if m.status == "published" and m.kind != "page"),
                       key=lambda m: m.title.lower())
        terms_of = relations.effective_terms(metas, vocab)
        terms = {}
        for m in metas:
            for facet, slugs in terms_of[m.path].items():
                for s in slugs:
                    terms.setdefault((facet, s), []).append(m)
        assert relations._fast_path_applies(metas, terms_of, limit)
        fast = relations._related_bitsets(metas, terms_of, terms, limit)
        slow = relations._related_pairwise(metas, terms_of, terms, limit)
        return ({k: [m.path for m in v] for k, v in fast.items()},
                {k: [m.path for m in v] for k, v in slow.items()})

    for limit in (1, 5, 20):
        fast, slow = both(metas, limit)
        assert fast == slow
        for translated in by_lang.values():
            fast, slow = both(translated, limit)
            assert fast == slow
    rng = random.Random(11)
    for _ in range(300):
        small = []
        for i in range(rng.randint(1, 30)):
            kind = rng.choice(["condition", "procedure", "treatment", "guide"])
            terms = {f: rng.sample(["a", "b", "c", "d"], rng.randint(0, 3))
                     for f in rng.sample(["region", "symptom", "condition", "procedure", "treatment-type", "other"],
                                         rng.randint(0, 5))}
            small.append(validate.ArticleMeta(
                path=f"p{i}.md", kind=kind, slug=rng.choice(["a", "b", "c", "bunionectomy"]),
                title=rng.choice(["Alpha", "alpha", "Beta", "beta", "Gamma"]), terms=terms,
                treats=rng.sample(["a", "b", "c"], rng.randint(0, 2)) if kind in ("procedure", "treatment") else []))
        fast, slow = both(small, rng.choice([1, 2, 3, 5]))
        assert fast == slow


def test_every_run_writes_into_a_new_folder_and_nothing_is_deleted_between_runs(tmp_path, monkeypatch):
    """A build made just after thousands of files were deleted pays for them on
    some file systems (see tools/bench.py), so no run may start from another's
    folder, nor after one was deleted."""
    import bench

    seen, kept = [], []

    def fake_child(cmd, log, cwd=ROOT):
        if "--site" in cmd:  # (h)'s Pagefind, on the folder its Hugo just made
            site = Path(cmd[cmd.index("--site") + 1])
            assert site in seen and not (site / "pagefind").exists()
            (site / "pagefind").mkdir()
            (site / "pagefind" / "pagefind-entry.json").write_text('{"languages": {"en": {"page_count": 0}}}')
            return {"wall": 1.0, "cpu": 1.0, "user": 1.0, "sys": 0.0, "peak_mib": 50.0, "status": 0, "log": ""}
        folders = [Path(cmd[i + 1]) for i, arg in enumerate(cmd)
                   if arg in ("--output", "-o", "--cache-path", "--destination", "--cacheDir")]
        assert folders, cmd
        for folder in folders:
            if folder.name in ("cache-warm", "cache-a-edit"):  # warm publishes share their cache, by design
                continue
            assert not folder.exists(), f"{folder} was used before"
            folder.mkdir(parents=True)
            seen.append(folder)
        if "--content" in cmd and cmd[cmd.index("--content") + 1].endswith("content-e"):  # (a) after an edit
            page = Path(cmd[cmd.index("--output") + 1]) / "conditions" / "bunions" / "index.html"
            page.parent.mkdir(parents=True)
            page.write_text((Path(cmd[cmd.index("--content") + 1]) / "conditions" / "bunions.md").read_text())
        kept.append(all(f.exists() for f in seen))
        log_text = "(no problems)\nBENCH-JSON " + json.dumps({"wall": 1.0, "cpu": 1.0, "warmup_wall": 1.0, "ok": True})
        return {"wall": 1.0, "cpu": 1.0, "user": 1.0, "sys": 0.0, "peak_mib": 50.0, "status": 0, "log": log_text}

    monkeypatch.setattr(bench, "run_child", fake_child)
    monkeypatch.setattr(bench.benchgen, "generate", lambda work, n, seed: _fake_generated(work))
    import types
    monkeypatch.setattr(bench.bench_hugo, "convert",  # a site of no pages: the fake Pagefind indexes none
                        lambda content, dest: types.SimpleNamespace(root=dest, pages=[], searchable=[]))
    monkeypatch.setattr(bench, "bare_settings", lambda work: None)
    monkeypatch.setattr(bench, "hugo_executable", lambda: Path("hugo"))
    monkeypatch.setattr(bench, "hugo_version", lambda hugo: "v0")
    screens = []

    class FakeScreen:  # (s): one dev server, started at its first round, stopped at the end
        def __init__(self, work, article):
            screens.append(self)
            self.rounds, self.stopped = [], False

        def measure(self, i):
            self.rounds.append(i)
            return {"wall": 0.3, "cpu": 0.2, "peak_mib": 90.0, "status": 0, "ok": True,
                    "parts": {"seen": 0.1, "written": 0.1, "shown": 0.1}, "checked": 0.5}

        def stop(self):
            self.stopped = True
    monkeypatch.setattr(bench.bench_screen, "SaveToScreen", FakeScreen)
    syncs = []
    monkeypatch.setattr(bench.os, "sync", lambda: syncs.append(len(seen)))
    bench.bench(2, 2, 1, 1, tmp_path / "results", tmp_path, stream=open(os.devnull, "w"))
    # what the runs before wrote is on disk before each run starts (a publish's syncfs would wait for it)
    assert len(syncs) == 3 * 8 + 6 * 3
    # 3 rounds (1 warm-up, 2 measured) of (a), (a) cold, (a) edit, (b), (c), (d) and (h); (a) cold, (c),
    # (d) and (h) have an output and a cache; then 6 rounds (1 warm-up, 5 measured) of the real site:
    # (r) warm, (r) cold with its cache, (rb)
    assert len(seen) == 3 * 11 + 6 * 4 and len(set(seen)) == len(seen)
    assert all(kept)
    [screen] = screens
    assert screen.rounds == [-1, 0, 1] and screen.stopped
    assert not any(tmp_path.glob("clinic-bench-*"))  # all deleted at the end


def _fake_generated(work):
    import types

    (work / "content" / "conditions").mkdir(parents=True, exist_ok=True)
    (work / "content" / "conditions" / "bunions.md").write_text("Title: Bunions\n\n## Overview\n\nA bunion.\n")
    return types.SimpleNamespace(articles=2, conditions=["bunions"], procedures=[], words={"x": 700},
                                 real_articles=0, content=work / "content")


def test_bench_leaves_all_three_features_out_at_once_when_asked(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "tools"))
    import bench

    seen = []
    monkeypatch.setattr(bench, "run_child", lambda cmd, log, **_: seen.append(cmd) or {"status": 0, "log": ""})
    bench.run_a(tmp_path, 0, without=bench.ALL)
    bench.run_a(tmp_path, 0, without="minify")
    bench.run_a(tmp_path, 0)
    assert seen[0][-6:] == ["--without", "precompress", "--without", "minify", "--without", "readability"]
    assert seen[0][seen[0].index("--output") + 1].endswith("out-a-no-all-1")
    assert seen[1][-2:] == ["--without", "minify"] and "--without" not in seen[2]


def test_the_targets_hold_a_first_publish_to_the_same_bars(tmp_path):
    """The memory target counts the peak of a first publish (an empty cache folder)
    as well as a next one, and the bar against Hugo is shown for both."""
    import bench

    def run(wall, peak):
        return {"wall": {"median": wall}, "peak_mib": {"max": peak}}
    stats = {"a": run(5.0, 131.0), bench.A_COLD: run(10.0, 160.0), bench.A_EDIT: run(6.0, 170.0),
             "s": run(0.1, 130.0), "r-warm": run(0.45, 60.0), "rb": run(0.62, 60.0), "h": run(3.5, 290.0)}
    ratios = {"r-warm/rb": {"wall": 1.3}, "a/h": {"wall": 5.0 / 3.5}, f"{bench.A_COLD}/h": {"wall": 10.0 / 3.5},
              f"{bench.A_EDIT}/h": {"wall": 6.0 / 3.5}}
    found = {t["target"]: t for t in bench.targets(1000, stats, ratios, tmp_path)}
    memory = next(t for name, t in found.items() if "peak memory" in name)
    assert memory["value"] == 170.0 and not memory["ok"]
    hugo = {name: t["ok"] for name, t in found.items() if "Hugo" in name}
    assert sorted(hugo.values()) == [False, True, True]
    assert not next(ok for name, ok in hugo.items() if "empty cache" in name)
    assert next(ok for name, ok in hugo.items() if "after a text edit" in name)
    # the half-second bar is shown with bare Pelican's time on the same files in the same run
    real = next(t for name, t in found.items() if name.startswith("(r) make publish"))
    assert "bare Pelican on the same files in this run: 0.62 s" in real["target"] and real["ok"]
