"""Security headers and cache rules from one settings table (issue 8): the
generated _headers, .htaccess and deploy/nginx.conf, a real nginx serving the
built site with them, and headless Chromium loading it under the policy."""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from hosting import FINGERPRINT, expected_type, need
from conftest import CONTENT, ROOT, free_port, run_build

from clinic.model import settings as settings_model
from clinic.outputs import headers
import upload

SETTINGS = upload.load_settings(ROOT / "pelicanconf.py", env={})
CLINIC = settings_model.of(SETTINGS)
TABLE = CLINIC.security_headers
HTML_CACHE, ASSET_CACHE, OTHER_CACHE = CLINIC.cache_html, CLINIC.cache_assets, CLINIC.cache_other
# One of each kind of page the site has.
PAGE_TYPES = {
    "home": "/",
    "condition": "/conditions/bunions/",
    "procedure": "/procedures/bunionectomy/",
    "treatment": "/treatments/custom-orthotics/",
    "guide": "/guides/recovery-after-foot-surgery/",
    "facet index": "/browse/region/",
    "term": "/browse/region/heel/",
    "a to z": "/a-z/",
    "search": "/search/",
    "contact": "/contact/",
    "providers": "/providers/",
}





def nginx_main_conf(prefix: Path, server_block: str) -> str:
    """A whole nginx.conf around one server block, with every file nginx writes inside `prefix`."""
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the test's private folders
    temps = "".join(f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi",
                                                                         "uwsgi", "scgi"))
    return (f"{user}worker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log {prefix / 'error.log'};\n"
            f"events {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n{temps}{server_block}}}\n")


class Nginx:
    def __init__(self, prefix: Path, root: Path, port: int):
        self.binary = need("nginx", "/usr/sbin/nginx")
        self.prefix, self.url = prefix, f"http://127.0.0.1:{port}"
        prefix.mkdir(parents=True, exist_ok=True)
        block = headers.nginx_server(CLINIC, root=str(root), server_name="127.0.0.1", listen=[f"127.0.0.1:{port}"])
        self.conf = prefix / "nginx.conf"
        self.conf.write_text(nginx_main_conf(prefix, block))
        self.proc = subprocess.Popen([self.binary, "-p", str(prefix), "-e", str(prefix / "error.log"),
                                      "-c", str(self.conf), "-g", "daemon off;"],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"nginx did not start: {self.proc.stdout.read().decode()} "
                                     f"{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise AssertionError(f"nginx did not answer on port {port}: {self.log()}")
                time.sleep(0.05)

    def log(self) -> str:
        p = self.prefix / "error.log"
        return p.read_text() if p.exists() else ""

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The production build, addressed as http://127.0.0.1:PORT/, served there by a real nginx
    with the generated server block."""
    need("nginx", "/usr/sbin/nginx")
    port = free_port()
    base = tmp_path_factory.mktemp("nginx")
    built = run_build("publish", CONTENT, base / "output", siteurl=f"http://127.0.0.1:{port}")
    assert built.status == 0, built.log
    server = Nginx(base / "nginx", built.output, port)
    server.output = built.output
    yield server
    server.stop()


def get(url: str, **request_headers) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, headers=request_headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def assert_table(got: dict, where: str):
    for name, value in TABLE.items():
        assert got.get(name.lower()) == value, f"{where}: {name} is {got.get(name.lower())!r}"


# --- nginx ----------------------------------------------------------------------

def test_every_page_type_answers_200_with_every_header_and_the_short_cache(served):
    for kind, path in PAGE_TYPES.items():
        status, got, body = get(served.url + path)
        assert status == 200, f"{kind} {path}: {status}"
        assert_table(got, f"{kind} {path}")
        assert got["cache-control"] == HTML_CACHE, f"{kind} {path}"
        assert got["content-type"] == "text/html; charset=utf-8", f"{kind} {path}"
        assert body == (served.output / path.lstrip("/") / "index.html").read_bytes(), path


def test_a_missing_path_answers_404_with_the_sites_404_page(served):
    page = (served.output / "404.html").read_bytes()
    for path in ("/no-such-page/", "/conditions/no-such-condition/", "/theme/css/missing.css", "/.htaccess"):
        status, got, body = get(served.url + path)
        assert status == 404, path
        assert body == page, path
        assert_table(got, path)


def test_every_file_is_served_with_its_type_and_cache_rule(served):
    """Fingerprinted files a year and immutable, pages the short cache, the rest the default."""
    files = [p.relative_to(served.output).as_posix() for p in served.output.rglob("*") if p.is_file()]
    assert any(FINGERPRINT.search(f) and f.endswith(".css") for f in files)
    assert any(f.startswith("pagefind/fragment/") for f in files)
    for rel in files:
        if rel in upload.HOST_FILES or is_copy(rel, files):
            continue  # copies are served in place of their file: see the next test
        status, got, body = get(f"{served.url}/{rel}")
        assert status == 200, rel
        assert body == (served.output / rel).read_bytes(), rel
        expected = ASSET_CACHE if FINGERPRINT.search(rel) else HTML_CACHE if rel.endswith(".html") else OTHER_CACHE
        assert got["cache-control"] == expected, rel
        assert got["content-type"] == expected_type(rel), rel
        assert_table(got, rel)


def test_the_pages_name_fingerprinted_css_and_javascript(served):
    soup = BeautifulSoup((served.output / "search" / "index.html").read_text(), "html.parser")
    urls = [t["href"] for t in soup.find_all("link", rel="stylesheet")]
    urls += [t["src"] for t in soup.find_all("script", src=True)]
    assets = [u[1:] for u in urls if u.startswith("/theme/")]
    assert {Path(a).suffix for a in assets} == {".css", ".js"}, urls
    for rel in assets:
        assert re.search(r"\.[0-9a-f]{10}\.(css|js)$", rel), rel
        status, got, _ = get(f"{served.url}/{rel}")
        assert (status, got["cache-control"]) == (200, ASSET_CACHE), rel


def is_copy(rel: str, files) -> bool:
    return rel.endswith((".gz", ".br")) and rel[:-3] in files


def test_precompressed_copies_are_served_in_place_of_their_files(served):
    """nginx's gzip_static sends site.css.gz for site.css to a browser that accepts gzip."""
    files = {p.relative_to(served.output).as_posix() for p in served.output.rglob("*") if p.is_file()}
    made = []
    css = next(f for f in files if f.startswith("theme/css/") and f.endswith(".css"))
    if css + ".gz" not in files:  # the build made none: make one, as a compressing step would
        with gzip.GzipFile(served.output / (css + ".gz"), "wb", mtime=0) as f:
            f.write((served.output / css).read_bytes())
        made.append(served.output / (css + ".gz"))
        files.add(css + ".gz")
    try:
        copies = sorted(f for f in files if f.endswith(".gz") and is_copy(f, files))
        assert css + ".gz" in copies and "index.html.gz" in copies or made, copies
        for copy in copies:
            rel = copy[:-3]
            status, got, body = get(f"{served.url}/{rel}", **{"Accept-Encoding": "gzip"})
            assert status == 200, rel
            assert got.get("content-encoding") == "gzip", rel
            # the very bytes of the copy: nginx compressing on the fly would give others
            assert body == (served.output / copy).read_bytes(), rel
            assert gzip.decompress(body) == (served.output / rel).read_bytes(), rel
            assert got["content-type"] == expected_type(rel), rel
            expected = ASSET_CACHE if FINGERPRINT.search(rel) else HTML_CACHE if rel.endswith(".html") else OTHER_CACHE
            assert got["cache-control"] == expected, rel
            assert "Accept-Encoding" in got.get("vary", ""), rel
            assert_table(got, rel)
        status, got, body = get(f"{served.url}/{css}")  # a client that takes no gzip gets the file
        assert "content-encoding" not in got and body == (served.output / css).read_bytes()
        status, got, body = get(f"{served.url}/", **{"Accept-Encoding": "gzip"})  # and a folder's page
        assert got.get("content-encoding") == "gzip" and gzip.decompress(body) == \
            (served.output / "index.html").read_bytes()
    finally:
        for p in made:
            p.unlink()


# --- Headless Chromium through nginx ----------------------------------------------

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline") + " in " + e.sourceFile);
});
"""


class Recorder:
    """What a page reported: CSP violations, console errors, failed or refused requests."""

    def __init__(self, page, base: str):
        self.page, self.base, self.problems = page, base, []
        page.add_init_script(RECORD_VIOLATIONS)
        page.on("console", self.console)
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", self.response)

    def console(self, msg):
        if msg.text.startswith("Failed to load resource"):
            return  # every failed request is seen by response() (the 404 page's own 404 is meant)
        if "Content Security Policy" in msg.text or msg.type == "error":
            self.problems.append(f"console {msg.type}: {msg.text}")

    def response(self, r):
        if r.url.startswith(self.base) and r.status >= 400 and r.request.resource_type != "document":
            self.problems.append(f"{r.status} for {r.url}")

    def violations(self) -> list[str]:
        return self.page.evaluate("window.__cspViolations || []")


@contextlib.contextmanager
def recorded_page(browser, served):
    """A fresh browser page with a Recorder on it, closed afterwards."""
    context = browser.new_context()
    page = context.new_page()
    try:
        yield page, Recorder(page, served.url)
    finally:
        context.close()


def test_no_page_reports_a_csp_violation(served, browser):
    """Every page type, each in a page of its own, loaded side by side: each is
    checked once the network has been quiet for Playwright's half second, and
    the pages' quiet halves overlap instead of following each other."""
    context = browser.new_context()
    try:
        opened = []
        for kind, path in {**PAGE_TYPES, "404 page": "/no-such-page/"}.items():
            page = context.new_page()
            rec = Recorder(page, served.url)
            opened.append((kind, path, page, rec, page.goto(served.url + path, wait_until="commit")))
        for kind, path, page, rec, response in opened:
            page.wait_for_load_state("networkidle")
            assert response.headers.get("content-security-policy") == TABLE["Content-Security-Policy"], path
            found = rec.violations() + rec.problems
            assert found == [], f"{kind} {path}: {found}"
    finally:
        context.close()


def test_the_violation_recorder_does_catch_an_inline_script(served, browser):
    """Proof that the test above can fail: an inline script is refused and reported."""
    with recorded_page(browser, served) as (page, rec):
        page.goto(served.url + "/", wait_until="networkidle")
        try:
            page.add_script_tag(content="window.__inlineRan = true;")
        except Exception:
            pass  # Playwright reports the refused script as an error; the page's record is what counts
        page.wait_for_function("window.__cspViolations.length > 0")
        assert page.evaluate("window.__inlineRan === undefined")
        assert any("script-src" in v for v in rec.violations()), rec.violations()
        assert any("Content Security Policy" in p for p in rec.problems), rec.problems


def test_site_search_works_under_the_policy(served, browser):
    with recorded_page(browser, served) as (page, rec):
        page.goto(served.url + "/search/?q=bunion", wait_until="networkidle")
        page.wait_for_selector(".clinic-search__results li")
        links = page.eval_on_selector_all(".clinic-search__results li a", "els => els.map(a => a.href)")
        assert f"{served.url}/conditions/bunions/" in links, links
        assert rec.violations() + rec.problems == []


# --- The generated files -------------------------------------------------------------

def parse_headers_file(text: str) -> dict[str, list[tuple[str, str]]]:
    """_headers as Netlify documents it: a path at the start of a line, then indented `Name: value` lines."""
    rules: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace():
            assert line.startswith("/") and line not in rules, line
            current = rules.setdefault(line, [])
        else:
            name, sep, value = line.strip().partition(": ")
            assert current is not None and sep and re.fullmatch(r"[A-Za-z0-9-]+", name), line
            current.append((name, value))
    return rules


def test_headers_file_for_netlify_and_cloudflare_holds_the_table(site):
    text = (site.output / "_headers").read_text()
    rules = parse_headers_file(text)
    assert dict(rules["/*"]) == TABLE
    # Both hosts join values of a header set by two matching rules, so the rule for
    # every path must not set Cache-Control, and no two rules may overlap.
    for path, pairs in rules.items():
        if path != "/*":
            assert pairs == [("Cache-Control", ASSET_CACHE)], path
    css_js = {p.relative_to(site.output).as_posix() for p in (site.output / "theme").rglob("*")
              if p.suffix in (".css", ".js")}
    assert css_js and all(FINGERPRINT.search(p) for p in css_js), css_js
    assert {f"/{p}" for p in css_js} <= set(rules)
    for folder in ("fragment", "index", "filter"):
        assert f"/pagefind/{folder}/*" in rules
    assert len(rules) <= 100  # Cloudflare Pages' limit
    assert max(len(line) for line in text.splitlines()) < 2000  # Cloudflare Pages' limit per line


APACHE_DIRECTIVES = {"ErrorDocument", "AddType", "AddCharset", "AddEncoding", "Header", "ForceType",
                     "RewriteEngine", "RewriteCond", "RewriteRule"}


def test_htaccess_holds_the_table_and_is_well_formed(site):
    text = (site.output / ".htaccess").read_text()
    stack = []
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        assert s.count('"') % 2 == 0, f"line {n}: unbalanced quotes: {s}"
        opening = re.fullmatch(r'<(IfModule|FilesMatch) ("[^"]+"|[\w.]+)>', s)
        closing = re.fullmatch(r"</(IfModule|FilesMatch)>", s)
        if opening:
            stack.append(opening.group(1))
            if opening.group(1) == "FilesMatch":
                re.compile(opening.group(2).strip('"'))
        elif closing:
            assert stack and stack.pop() == closing.group(1), f"line {n}: {s}"
        else:
            # only directives a shared host allows in .htaccess with AllowOverride FileInfo
            assert s.split()[0] in APACHE_DIRECTIVES, f"line {n}: {s}"
    assert stack == []
    assert "ErrorDocument 404 /404.html" in text.splitlines()
    for name, value in TABLE.items():
        assert f'  Header always set {name} "{value}"' in text.splitlines(), name
    for cache in (HTML_CACHE, ASSET_CACHE, OTHER_CACHE):
        assert f'Header set Cache-Control "{cache}"' in text
    # The FilesMatch patterns pick the right files (Apache matches them against the file name).
    fingerprint = re.search(r'<FilesMatch "([^"]+)">\n\s+Header set Cache-Control "' + re.escape(ASSET_CACHE),
                            text).group(1)
    for name, match in (("site.3fa9c01b2e.css", True), ("site.3fa9c01b2e.css.gz", True), ("site.css", False),
                        ("en_1cdf70c.pf_fragment", True), ("pagefind.js", False), ("index.html", False)):
        assert bool(re.search(fingerprint, name)) is match, name
    assert "AddType application/wasm .wasm" in text


def test_nginx_conf_in_deploy_matches_the_settings(monkeypatch):
    monkeypatch.delenv("SITEURL", raising=False)
    expected = upload.nginx_conf_text(upload.load_settings(env={}))
    assert (ROOT / "deploy" / "nginx.conf").read_text() == expected, \
        "deploy/nginx.conf is out of date: run .venv/bin/python tools/upload.py nginx-conf > deploy/nginx.conf"


def test_nginx_accepts_the_shipped_server_block(tmp_path):
    """`nginx -t` on deploy/nginx.conf as shipped, only listening on a free local port instead of 80."""
    binary = need("nginx", "/usr/sbin/nginx")
    block = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "    listen 80;\n" in block
    block = re.sub(r"    listen [^;]+;\n", "", block)
    block = block.replace("server {\n", f"server {{\n    listen 127.0.0.1:{free_port()};\n", 1)
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_main_conf(tmp_path, block))
    done = subprocess.run([binary, "-t", "-p", str(tmp_path), "-e", str(tmp_path / "error.log"), "-c", str(conf)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    for name in TABLE:
        assert block.count(f"add_header {name} ") == 3, name  # in each location: nginx does not inherit them
    assert "error_page 404 /404.html;" in block and "gzip_static on;" in block
    assert re.search(r"application/wasm\s+wasm;", block)


# --- No inline code anywhere ----------------------------------------------------------

def test_no_page_has_inline_scripts_or_styles(site):
    """The policy has no 'unsafe-inline' and no hashes, so nothing inline may be in a page.
    JSON-LD blocks are data, not code, and are allowed."""
    found = []
    for rel in site.html_files():
        soup = site.soup(rel)
        for script in soup.find_all("script"):
            if script.get("src"):
                assert not script.get_text().strip(), rel
            elif script.get("type") == "application/ld+json":
                json.loads(script.get_text())
            else:
                found.append(f"{rel}: inline <script>")
        if soup.find("style"):
            found.append(f"{rel}: <style> element")
        for tag in soup.find_all(True):
            for attr, value in tag.attrs.items():
                if attr == "style":
                    found.append(f"{rel}: style attribute on <{tag.name}>")
                elif attr.startswith("on"):
                    found.append(f"{rel}: {attr} attribute on <{tag.name}>")
                elif attr in ("href", "src", "action") and str(value).strip().lower().startswith("javascript:"):
                    found.append(f"{rel}: javascript: address on <{tag.name}>")
    assert found == []


# --- The pure functions -------------------------------------------------------------------

@pytest.mark.parametrize("path, fingerprinted", [
    ("theme/css/site.3fa9c01b2e.css", True),
    ("theme/js/search.0123456789.js", True),
    ("theme/js/search.0123456789.js.br", True),
    ("pagefind/fragment/en_1cdf70c.pf_fragment", True),
    ("pagefind/pagefind.en_e754863b1b.pf_meta", True),
    ("theme/css/site.css", False),
    ("theme/css/site.3FA9C01B2E.css", False),
    ("theme/css/site.3fa9c01b2.css", False),
    ("pagefind/pagefind.js", False),
    ("pagefind/pagefind-entry.json", False),
    ("pagefind/wasm.en.pagefind", False),
    ("images/xray.0123456789.png", False),
    ("conditions/bunions/index.html", False),
])
def test_is_fingerprinted(path, fingerprinted):
    assert headers.is_fingerprinted(path) is fingerprinted


def test_cache_and_type_of_a_file():
    assert headers.cache_control("index.html", CLINIC) == HTML_CACHE
    assert headers.cache_control("conditions/bunions/index.html.gz", CLINIC) == HTML_CACHE
    assert headers.cache_control("theme/css/site.3fa9c01b2e.css", CLINIC) == ASSET_CACHE
    assert headers.cache_control("sitemap.xml", CLINIC) == OTHER_CACHE
    assert headers.content_type("theme/js/site.3fa9c01b2e.js.gz") == "text/javascript; charset=utf-8"
    assert headers.content_encoding("theme/js/site.3fa9c01b2e.js.gz") == "gzip"
    assert headers.content_type("files/forms.tar.gz") == "application/gzip"  # a download, not a copy
    assert headers.content_encoding("files/forms.tar.gz") is None
    assert headers.content_type("pagefind/wasm.en.pagefind") == "application/octet-stream"
    assert headers.content_type("x.wasm") == "application/wasm"
    assert headers.content_type("theme/images/share.png") == "image/png"


def test_a_header_value_that_would_break_a_host_file_is_refused():
    bad = CLINIC.replace(security_headers={"X-Test": 'say "hi"'})
    with pytest.raises(ValueError, match="X-Test"):
        headers.htaccess(bad)
    with pytest.raises(ValueError, match="not a header name"):
        headers.netlify_headers(CLINIC.replace(security_headers={"X Test": "1"}))


def test_one_settings_change_reaches_every_host_file():
    changed = CLINIC.replace(security_headers={**TABLE, "X-Clinic-Test": "yes"}, cache_html="no-cache")
    assert "  X-Clinic-Test: yes" in headers.netlify_headers(changed).splitlines()
    assert 'Header always set X-Clinic-Test "yes"' in headers.htaccess(changed)
    assert 'Header set Cache-Control "no-cache"' in headers.htaccess(changed)
    block = headers.nginx_server(changed, root="/srv/site")
    assert block.count('add_header X-Clinic-Test "yes" always;') == 3
    assert 'add_header Cache-Control "no-cache" always;' in block
