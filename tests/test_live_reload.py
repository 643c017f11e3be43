"""make devserver reloads the open page when a rebuild changed it, keeping its
place, and shows the rebuild's problems in the page until they are fixed
(issue 22). The script is in dev-server pages only, never in make publish."""

from __future__ import annotations

import re

from conftest import free_port
from test_devserver import DevServer



def test_an_edit_shows_in_the_open_page_without_touching_the_browser(browser, fixture_site):
    server = DevServer(fixture_site.base, free_port())
    page = None
    try:
        server.wait_for_build(1)
        url = server.lines and re.search(r"http://127\.0\.0\.1:\d+/", "\n".join(server.lines)).group(0)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "conditions/bunions/")
        page.wait_for_timeout(500)  # the page has opened its connection to the dev server
        page.evaluate("window.scrollTo(0, 900)")
        builds = 1

        def after(edit, check: str) -> None:
            nonlocal builds
            edit()
            builds += 1
            server.wait_for_build(builds)
            page.wait_for_function(check, timeout=20_000)

        # the page's text: it reloads, at the same place
        after(lambda: fixture_site.edit("conditions/bunions.md", "\n## Overview\n", "\n## Overview\n\nA sentence added just now.\n"),
              "document.body.innerText.includes('A sentence added just now.')")
        page.wait_for_function("Math.abs(window.scrollY - 900) < 5")
        # shown from the last build before the rebuild (plugins/clinic/speed/quick.py)
        assert "Shown conditions/bunions/index.html; checking the whole site..." in server.lines
        # its title, the taxonomy, a template, the stylesheet
        after(lambda: fixture_site.edit("conditions/bunions.md", "Title: Bunions", "Title: Bunions and bunionettes"),
              "document.querySelector('h1').textContent === 'Bunions and bunionettes'")
        after(lambda: fixture_site.edit("taxonomy.yaml", "label: Front of the foot", "label: Ball of the foot"),
              "document.body.innerText.includes('Ball of the foot')")
        stamp = server.theme / "templates/_review_stamp.html"
        after(lambda: stamp.write_text(stamp.read_text().replace("Medically reviewed by", "Checked by")),
              "document.body.innerText.includes('Checked by')")
        css = server.theme / "static/css/site.css"
        after(lambda: css.write_text(css.read_text() + "\nbody { letter-spacing: 0.01em; }\n"),
              "getComputedStyle(document.body).letterSpacing !== 'normal'")
        # a mistake: its line over the page, until it is fixed
        after(lambda: fixture_site.edit("conditions/hammertoes.md", "Date: 2026-11-20", "Date: 2026-11"),
              "document.querySelector('.clinic-live-problems') !== null")
        assert "content/conditions/hammertoes.md:3: Date: '2026-11' is not a full date" in \
            page.locator(".clinic-live-problems").inner_text()
        after(lambda: fixture_site.edit("conditions/hammertoes.md", "Date: 2026-11\n", "Date: 2026-11-20\n"),
              "document.querySelector('.clinic-live-problems') === null")
    finally:
        if page is not None:
            page.close()
        server.stop()


def test_the_live_reload_script_is_never_in_a_published_site(site):
    for rel in site.html_files():
        text = (site.output / rel).read_text(encoding="utf-8")
        assert "/js/live." not in text and "__live" not in text, rel
    assert not list(site.output.rglob("live*.js"))


def test_the_dev_server_names_each_pages_version_and_make_serve_does_not(tmp_path):
    """live.js compares the version of the page it shows (read from its own
    navigation timing) with the page on disk: a rebuild that ends while the
    page loads cannot be missed."""
    import hashlib
    import multiprocessing
    import urllib.request

    from serve import Server

    (tmp_path / "bunions").mkdir()
    (tmp_path / "bunions" / "index.html").write_bytes(b"<!doctype html><title>x</title><p>first")
    (tmp_path / "404.html").write_bytes(b"<!doctype html><title>gone</title>")
    live, plain = Server(tmp_path, messages=multiprocessing.Queue()), Server(tmp_path)
    try:
        def version(server, path):
            with urllib.request.urlopen(server.url + path) as response:
                return response.headers.get("Server-Timing"), response.read()
        for path in ("/bunions/", "/bunions/index.html"):
            header, body = version(live, path)
            assert header == f'page;desc="{hashlib.sha256(body).hexdigest()[:16]}"'
            assert version(plain, path)[0] is None
        (tmp_path / "bunions" / "index.html").write_bytes(b"<!doctype html><title>x</title><p>second")
        assert version(live, "/bunions/")[0] != header
    finally:
        live.close()
        plain.close()
