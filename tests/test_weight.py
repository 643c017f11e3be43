"""Page weight budgets on the production build (sizes, never times) and
images in content (issue 7)."""

from __future__ import annotations

import gzip
import re

import brotli
from pelican.settings import read_settings
import pytest
from PIL import Image

from conftest import ROOT, published_cleanly

# the translations are tested in test_translated_site.py; these builds do without them
pytestmark = pytest.mark.english_only

KB = 1000


def page_assets(site, rel):
    """The page and the CSS and JavaScript it loads at once (images and the search index aside)."""
    soup = site.soup(rel)
    files = [site.output / rel]
    for tag in soup.find_all(["link", "script"]):
        url = tag.get("href") if tag.name == "link" and "stylesheet" in tag.get("rel", []) else tag.get("src")
        if url:
            files.append(site.output / url.removeprefix("/"))
    return files, soup


def sent(path) -> int:
    """The bytes a browser downloads for a file: its .br copy where the host has one."""
    br = path.with_name(path.name + ".br")
    return (br if br.exists() else path).stat().st_size


def test_every_condition_page_with_its_css_and_js_downloads_in_at_most_35_kb(site):
    """What a phone downloads to show a condition page: the page, its CSS and its
    JavaScript, as the host sends them (brotli; images and the search index
    aside). Every condition page the clinic writes, whatever its length: the
    medical text and its sources are most of a page, and a webmaster adding a
    long, well-sourced page must not turn `make test` red."""
    pages = [rel for rel in site.html_files() if rel.startswith("conditions/") and rel.count("/") == 2]
    assert pages
    for rel in pages:
        files, _ = page_assets(site, rel)
        assert len(files) == 3, (rel, files)  # the page, one stylesheet, one script
        total = sum(sent(f) for f in files)
        assert total <= 35 * KB, (rel, total, [f.name for f in files])


def test_all_css_is_at_most_15_kb(site):
    css = list((site.output / "theme").rglob("*.css"))
    assert css and sum(f.stat().st_size for f in css) <= 15 * KB


def test_no_render_blocking_javascript_and_search_script_only_on_the_search_page(site):
    for rel in site.html_files():
        if rel.startswith("pagefind/"):
            continue
        soup = site.soup(rel)
        for script in soup.find_all("script", src=True):
            assert script.has_attr("defer") or script.get("type") == "module", (rel, script)
            if "search." in script["src"]:  # the search page of each language: /search/, /es/search/
                assert re.fullmatch(r"(es/)?search/index\.html", rel), rel
        assert not soup.find("script", src=re.compile("pagefind")), "Pagefind loads only when a search runs"
    for rel in ("search/index.html", "es/search/index.html"):
        assert any("search." in s["src"] for s in site.soup(rel).find_all("script", src=True)), rel


def test_html_is_minified_and_text_files_are_precompressed(site):
    page = site.output / "conditions/bunions/index.html"
    html = page.read_text()
    assert "\n  " not in html and "<!doctype html>" in html.lower()
    # Pages are compressed while Pelican writes them, the rest at the end: every
    # copy must hold the file's final bytes (a page changed after it was handed
    # over would show up here as a stale copy).
    settings = read_settings(str(ROOT / "publishconf.py"))
    checked = 0
    for path in sorted(site.output.rglob("*")):
        if path.suffix in settings["PRECOMPRESS_TEXT_EXTENSIONS"] and path.stat().st_size >= settings["PRECOMPRESS_MIN_SIZE"]:
            original = path.read_bytes()
            gz, br = path.with_name(path.name + ".gz"), path.with_name(path.name + ".br")
            assert gz.exists() and br.exists(), path
            assert gzip.decompress(gz.read_bytes()) == original, path
            assert brotli.decompress(br.read_bytes()) == original, path
            checked += 1
    assert checked > 80  # every page, the CSS, JS, sitemap, feed and search index files
    css = next((site.output / "theme/css").glob("site.*.css"))
    assert css.with_name(css.name + ".br").exists()
    assert next((site.output / "pagefind").glob("pagefind.js.gz"), None), "the search script is compressed too"


def test_assets_are_fingerprinted(site):
    soup = site.soup("index.html")
    css = soup.find("link", rel="stylesheet")["href"]
    assert re.search(r"/theme/css/site\.[0-9a-f]{10}\.css$", css)
    assert not (site.output / "theme/css/site.css").exists()


def publish_with_pictures(fixture_site, pictures: dict[str, tuple[int, int]], markdown: str):
    """White PNGs of the given sizes in content/images/, the Markdown under the bunions
    page's Causes heading, and a publish that must succeed."""
    images = fixture_site.content / "images"
    images.mkdir(exist_ok=True)
    for name, size in pictures.items():
        Image.new("RGB", size, "white").save(images / name)
    fixture_site.edit("conditions/bunions.md", "## Causes\n", "## Causes\n\n" + markdown)
    built = fixture_site.publish()
    assert built.status == 0, built.log
    return built


def test_content_images_get_size_lazy_loading_and_resizing(fixture_site):
    built = publish_with_pictures(fixture_site, {"big.png": (2400, 1600), "small.png": (300, 200)},
                                  "![A foot with a bunion]({static}/images/big.png)\n\n"
                                  "![A small diagram]({static}/images/small.png)\n")
    imgs = {i["alt"]: i for i in built.soup("conditions/bunions/index.html").find_all("img")}
    big, small = imgs["A foot with a bunion"], imgs["A small diagram"]
    assert (big["width"], big["height"], big["loading"]) == ("1200", "800", "lazy")
    assert big["src"] == "/images/big-1200w.png"
    with Image.open(built.output / "images/big-1200w.png") as im:
        assert im.size == (1200, 800)
    assert (small["width"], small["height"], small["src"]) == ("300", "200", "/images/small.png")
    # photos also as AVIF and WebP, at the width shown and half of it, for the browser to choose
    picture = big.parent
    assert picture.name == "picture"
    sources = {s["type"]: s["srcset"] for s in picture.find_all("source")}
    assert sources == {"image/avif": "/images/big-1200w.avif 1200w, /images/big-600w.avif 600w",
                       "image/webp": "/images/big-1200w.webp 1200w, /images/big-600w.webp 600w"}
    for name, size in (("big-1200w.avif", (1200, 800)), ("big-600w.webp", (600, 400))):
        with Image.open(built.output / "images" / name) as im:
            assert im.size == size and im.format in ("AVIF", "WEBP")
    assert (built.output / "images/big-1200w.avif").stat().st_size < (built.output / "images/big-1200w.png").stat().st_size


def test_an_image_with_a_title_is_a_figure_with_that_caption_and_one_without_alt_text_is_refused(fixture_site):
    built = publish_with_pictures(fixture_site, {"foot.png": (640, 480)},
                                  '![A foot seen from above]({static}/images/foot.png "The big toe leans in. '
                                  'Drawing: the clinic.")\n\n')
    figure = next(f for f in built.soup("conditions/bunions/index.html").select("figure.clinic-figure")
                  if "foot.png" in f.img["src"])
    assert figure.figcaption.get_text() == "The big toe leans in. Drawing: the clinic."
    assert figure.img["alt"] == "A foot seen from above" and not figure.img.get("title")
    assert figure.parent.name != "p"
    fixture_site.edit("conditions/bunions.md", "![A foot seen from above]", "![]")
    result = fixture_site.publish()
    line = fixture_site.line_of("conditions/bunions.md", "![]")
    assert result.lines == [
        f"content/conditions/bunions.md:{line}: image: '{{static}}/images/foot.png' has no alt text, so a screen reader "
        "cannot say what it shows (write what the picture shows between the brackets: ![A bunion at the base of "
        "the big toe](...))", "Publish failed: 1 error. output/ was not changed."]


def test_a_page_too_long_to_minify_is_written_as_rendered(fixture_site, monkeypatch):
    """minify-html needs many times a page's size in memory; a page longer than
    outputs/minify.py's LARGEST is written as rendered (its .br and .gz copies
    do what minifying would), every other page minified."""
    from clinic.outputs import minify
    monkeypatch.setattr(minify, "LARGEST", 25_000)
    site = fixture_site.publish()
    published_cleanly(site)
    as_rendered, minified = [], []
    for rel in site.html_files():
        if rel.startswith("pagefind/"):
            continue
        html = (site.output / rel).read_text(encoding="utf-8")
        (as_rendered if "\n  " in html else minified).append((rel, len(html)))
    assert as_rendered and minified, (as_rendered, minified)
    assert all(n > 25_000 for _, n in as_rendered), as_rendered
    assert all(n <= 25_000 for _, n in minified), minified
    page = next(rel for rel, _ in as_rendered)
    original = (site.output / page).read_bytes()
    assert brotli.decompress((site.output / (page + ".br")).read_bytes()) == original
