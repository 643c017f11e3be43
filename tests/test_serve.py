"""`make serve` shows exactly what will go live (issue 19): after `make html`
or `make publish`, for a site at a host's root or in a folder, the pages are
styled, their links stay on the local server and search works, while the
canonical links, the sitemap, the feed and the social tags keep the live
address."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import pytest

from conftest import CONTENT, ROOT, StaticServer, free_port, run_build


def served_pages(tab, server, start: str, expected_links: int = 3):
    """Open start on the local server and follow a few of its links there,
    checking each page is styled and no request leaves the server."""
    page = tab()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(server.url + start)
    styled = page.evaluate("getComputedStyle(document.querySelector('.clinic-header')).display !== 'inline'"
                           " && [...document.styleSheets].some(s => s.cssRules.length > 10)")
    assert styled, f"{start} is not styled"
    hrefs = page.eval_on_selector_all("main a[href^='/'], header a[href^='/']", "els => els.map(e => e.href)")
    assert len(hrefs) >= expected_links, hrefs
    for href in hrefs[:expected_links]:
        assert href.startswith(server.url + start), href  # a link that stays in the site's own folder
        response = page.goto(href)
        assert response.status == 200, href
    page.goto(server.url + start + "search/?q=bunion")
    page.wait_for_selector(".clinic-search__results a")
    first = page.eval_on_selector(".clinic-search__results a", "e => e.href")
    assert first.startswith(server.url + start), first
    assert page.goto(first).status == 200
    return requests


@pytest.mark.parametrize("address", ["https://www.clinic.test", "https://example.github.io/clinic"])
def test_make_serve_after_publish_shows_the_live_site(tab, tmp_path, address):
    out = tmp_path / "output"
    built = run_build("publish", CONTENT, out, siteurl=address)
    assert built.status == 0, built.log
    folder = address.removeprefix("https://").partition("/")[2]
    start = f"/{folder}/" if folder else "/"
    server = StaticServer(out, prefix=start.rstrip("/"))
    try:
        requests = served_pages(tab, server, start)
    finally:
        server.close()
    assert [u for u in requests if not u.startswith(server.url)] == []
    # what the web sees keeps the live address
    soup = built.soup("conditions/bunions/index.html")
    assert soup.find("link", rel="canonical")["href"] == f"{address}/conditions/bunions/"
    assert soup.find("meta", property="og:url")["content"] == f"{address}/conditions/bunions/"
    assert soup.find("meta", property="og:image")["content"].startswith(address + "/")
    assert soup.select_one(".clinic-print-url").get_text().endswith(f"{address}/conditions/bunions/")
    locs = [e.text for e in ET.parse(out / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert locs and all(loc.startswith(address + "/") for loc in locs)
    feed = ET.parse(out / "feeds/all.atom.xml").getroot()
    links = [e.get("href") for e in feed.iter("{http://www.w3.org/2005/Atom}link")]
    assert links and all(h.startswith(address + "/") for h in links), links
    assert f"Sitemap: {address}/sitemap.xml" in (out / "robots.txt").read_text()


def test_make_serve_after_make_html_shows_the_site(tab, browser_site):
    requests = served_pages(tab, browser_site, "/")
    assert [u for u in requests if not u.startswith(browser_site.url)] == []


def test_make_serve_serves_output_with_its_404_page_and_says_when_there_is_none(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "tools/serve.py"), "--output", str(empty), "--port", "0"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stdout.strip() == f"{empty}: there is no site to serve yet: run `make html` or `make publish` first"
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("home")
    (site / "404.html").write_text("not here")
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tools/serve.py"), "--output", str(site), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        assert line.startswith(f"Serving {site}/ at http://127.0.0.1:{port}/"), line
        assert _get(f"http://127.0.0.1:{port}/") == (200, b"home")
        assert _get(f"http://127.0.0.1:{port}/no/such/page/") == (404, b"not here")
        busy = subprocess.run([sys.executable, str(ROOT / "tools/serve.py"), "--output", str(site),
                               "--port", str(port)], capture_output=True, text=True, timeout=60)
        assert busy.returncode == 2
        assert busy.stdout.strip() == (f"Port {port}: another program is using it (is `make devserver` running?); "
                                       f"stop it, or run: make serve PORT={port + 1}")
    finally:
        proc.terminate()
        proc.wait(10)



def _get(url: str) -> tuple[int, bytes]:
    for _ in range(50):
        try:
            with urllib.request.urlopen(url, timeout=5) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except urllib.error.URLError:
            time.sleep(0.1)
    raise AssertionError(f"{url} never answered")
