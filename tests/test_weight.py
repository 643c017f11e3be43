"""Page weight budgets on the production build (sizes, never times) and
images in content (issue 7)."""

from __future__ import annotations

import gzip
import re

import brotli
from PIL import Image

KB = 1000


def page_assets(site, rel):
    """The page and the CSS and JavaScript it loads at once (images and the search index aside)."""
    soup = site.soup(rel)
    files = [site.output / rel]
    for tag in soup.find_all(["link", "script"]):
        url = tag.get("href") if tag.name == "link" and "stylesheet" in tag.get("rel", []) else tag.get("src")
        if url:
            files.append(site.output / url.replace("https://clinic.test/", ""))
    return files, soup


def test_condition_page_with_its_css_and_js_is_at_most_35_kb(site):
    for slug in ("bunions", "plantar-fasciitis", "achilles-tendinopathy"):
        files, _ = page_assets(site, f"conditions/{slug}/index.html")
        total = sum(f.stat().st_size for f in files)
        assert total <= 35 * KB, (slug, total, [f.name for f in files])


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
            if "search." in script["src"]:
                assert rel == "search/index.html", rel
        assert not soup.find("script", src=re.compile("pagefind")), "Pagefind loads only when a search runs"


def test_html_is_minified_and_text_files_are_precompressed(site):
    page = site.output / "conditions/bunions/index.html"
    html = page.read_text()
    assert "\n  " not in html and "<!doctype html>" in html.lower()
    for rel in ("conditions/bunions/index.html", "index.html", "sitemap.xml"):
        original = (site.output / rel).read_bytes()
        assert gzip.decompress((site.output / (rel + ".gz")).read_bytes()) == original
        assert brotli.decompress((site.output / (rel + ".br")).read_bytes()) == original
    css = next((site.output / "theme/css").glob("site.*.css"))
    assert css.with_name(css.name + ".br").exists()
    assert next((site.output / "pagefind").glob("pagefind.js.gz"), None), "the search script is compressed too"


def test_assets_are_fingerprinted(site):
    soup = site.soup("index.html")
    css = soup.find("link", rel="stylesheet")["href"]
    assert re.search(r"/theme/css/site\.[0-9a-f]{10}\.css$", css)
    assert not (site.output / "theme/css/site.css").exists()


def test_content_images_get_size_lazy_loading_and_resizing(fixture_site):
    images = fixture_site.content / "images"
    images.mkdir(exist_ok=True)
    Image.new("RGB", (2400, 1600), "white").save(images / "big.png")
    Image.new("RGB", (300, 200), "white").save(images / "small.png")
    fixture_site.edit("conditions/bunions.md", "## Causes\n",
                      "## Causes\n\n![A foot with a bunion]({static}/images/big.png)\n\n"
                      "![A small diagram]({static}/images/small.png)\n")
    built = fixture_site.publish()
    assert built.status == 0, built.log
    imgs = {i["alt"]: i for i in built.soup("conditions/bunions/index.html").find_all("img")}
    big, small = imgs["A foot with a bunion"], imgs["A small diagram"]
    assert (big["width"], big["height"], big["loading"]) == ("1200", "800", "lazy")
    assert big["src"] == "https://clinic.test/images/big-1200w.png"
    with Image.open(built.output / "images/big-1200w.png") as im:
        assert im.size == (1200, 800)
    assert (small["width"], small["height"], small["src"]) == ("300", "200", "https://clinic.test/images/small.png")
