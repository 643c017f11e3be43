"""HTTP headers and cache rules for every host, from one table in the settings.

pelicanconf.py holds the security headers (CLINIC_SECURITY_HEADERS) and the
three cache lifetimes (CLINIC_CACHE_HTML, CLINIC_CACHE_ASSETS,
CLINIC_CACHE_OTHER). The pure functions here turn them into:

- `_headers` for Netlify and Cloudflare Pages (`netlify_headers`),
- `.htaccess` for Apache (`htaccess`),
- an nginx `server { ... }` block (`nginx_server`),

and answer, for one file, which Content-Type and Cache-Control it is served
with (`content_type`, `cache_control`), which tools/upload.py uses for S3.
`write_host_files` is the Pelican glue: it writes `_headers` and `.htaccess`
into the output folder at the end of every build.

Which files may be cached for a year: a file whose name carries a hash of its
content never changes under that name. That is our theme's CSS and JavaScript
(`site.3fa9c01b2e.css`, see assets.py) and Pagefind's index files
(`pagefind/fragment/en_1cdf70c.pf_fragment`). One regular expression,
FINGERPRINTED, says so for Python, nginx and Apache alike.
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePosixPath
from typing import Iterable

from .assets import HASH_LEN

# --- Which files never change -------------------------------------------------

# Precompressed copies (site.css.gz, index.html.br) are served in place of the
# file they compress, so they follow its rules.
COMPRESSED = {".gz": "gzip", ".br": "br"}
_COMPRESSED_SUFFIX = r"(?:\.br|\.gz)?$"

# One pattern for every host. It only ever matches within the last path
# segment (no `/` and no `.` wildcard in it), so it means the same applied to
# a file name (Apache's FilesMatch), to a URL path (nginx's location) or to a
# path relative to output/ (Python).
FINGERPRINTED = (
    r"(?:\.[0-9a-f]{%d}\.(?:css|js)" % HASH_LEN  # our theme assets, see assets.py
    + r"|_[0-9a-f]{7,}\.pf_(?:fragment|index|filter|meta))"  # Pagefind's index files
    + _COMPRESSED_SUFFIX
)
HTML = r"\.html" + _COMPRESSED_SUFFIX
_FINGERPRINTED_RE = re.compile(FINGERPRINTED)
_HTML_RE = re.compile(HTML)

# Pagefind names every file in these folders after a hash of its content. Its
# other files (pagefind.js, pagefind-entry.json, wasm.*.pagefind) keep their
# names from one release to the next, so they get the ordinary cache.
PAGEFIND_HASHED_DIRS = ("pagefind/fragment", "pagefind/index", "pagefind/filter")


def uncompressed(path: str) -> tuple[str, str | None]:
    """`site.css.gz` -> (`site.css`, "gzip"); `site.css` -> (`site.css`, None).
    Only copies of text (and WebAssembly) count: `forms.zip` or `data.tar.gz`
    are downloads, sent as they are."""
    for suffix, encoding in COMPRESSED.items():
        if path.endswith(suffix) and PurePosixPath(path[: -len(suffix)]).suffix.lstrip(".") in COMPRESSIBLE:
            return path[: -len(suffix)], encoding
    return path, None


def is_fingerprinted(path: str) -> bool:
    """True when the file's name carries a hash of its content, so it can be
    cached for a year as `immutable`: theme/css/site.3fa9c01b2e.css,
    pagefind/fragment/en_1cdf70c.pf_fragment (and their .gz/.br copies)."""
    return bool(_FINGERPRINTED_RE.search(PurePosixPath(path).name))


def is_html(path: str) -> bool:
    """A page: an .html file, or an address that ends in a folder (`/conditions/bunions/`)."""
    return path in ("", "/") or path.endswith("/") or bool(_HTML_RE.search(PurePosixPath(path).name))


def cache_control(path: str, clinic) -> str:
    """The Cache-Control value for one file (a path relative to output/)."""
    if is_fingerprinted(path):
        return clinic.cache_assets
    if is_html(path):
        return clinic.cache_html
    return clinic.cache_other


# --- Content types ------------------------------------------------------------

# Python's mimetypes (and each server's own table) read the machine's
# /etc/mime.types, so they disagree from one host to another (.js as
# application/javascript or text/javascript, .wasm unknown on older systems).
# This one table is what S3, nginx and Apache all serve.
CONTENT_TYPES = {
    "html": "text/html",
    "css": "text/css",
    "js": "text/javascript",
    "mjs": "text/javascript",
    "json": "application/json",
    "webmanifest": "application/manifest+json",
    "xml": "application/xml",
    "atom": "application/atom+xml",
    "txt": "text/plain",
    "csv": "text/csv",
    "svg": "image/svg+xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "ico": "image/x-icon",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "pdf": "application/pdf",
    "mp4": "video/mp4",
    "webm": "video/webm",
    "mp3": "audio/mpeg",
    "zip": "application/zip",
    "gz": "application/gzip",  # a download; site.css.gz, a copy of site.css, is served as text/css
    "wasm": "application/wasm",  # Pagefind's search engine; browsers refuse it under any other type
    # Pagefind's index files. They hold gzip data that Pagefind unpacks itself,
    # so they must not be sent with Content-Encoding: gzip.
    "pagefind": "application/octet-stream",
    "pf_fragment": "application/octet-stream",
    "pf_index": "application/octet-stream",
    "pf_filter": "application/octet-stream",
    "pf_meta": "application/octet-stream",
}
DEFAULT_TYPE = "application/octet-stream"
# Types that are text: served with "; charset=utf-8".
TEXT_TYPES = ("text/html", "text/css", "text/javascript", "application/json", "application/manifest+json",
              "application/xml", "application/atom+xml", "text/plain", "text/csv", "image/svg+xml")
# Extensions worth compressing, so the only ones whose .gz/.br copies are
# served in their place.
COMPRESSIBLE = tuple(ext for ext, mime in CONTENT_TYPES.items() if mime in TEXT_TYPES or mime == "application/wasm")


def content_type(path: str) -> str:
    """The Content-Type for one file, with the charset for text. A precompressed
    copy has the type of the file it compresses (site.css.gz is text/css)."""
    plain, _ = uncompressed(path)
    ext = PurePosixPath(plain).suffix.lower().lstrip(".")
    mime = CONTENT_TYPES.get(ext, DEFAULT_TYPE)
    return f"{mime}; charset=utf-8" if mime in TEXT_TYPES else mime


def content_encoding(path: str) -> str | None:
    return uncompressed(path)[1]


# --- The header table -----------------------------------------------------------

def security_headers(clinic) -> list[tuple[str, str]]:
    """The table from the settings, checked so that no host file can be broken by a value."""
    out = []
    for name, value in clinic.security_headers.items():
        if not re.fullmatch(r"[A-Za-z0-9-]+", name):
            raise ValueError(f"CLINIC_SECURITY_HEADERS: {name!r} is not a header name")
        value = " ".join(str(value).split())
        if '"' in value or "\\" in value:
            # nginx and Apache quote values with double quotes; no policy needs one
            raise ValueError(f"CLINIC_SECURITY_HEADERS: the value of {name} may not contain \" or \\")
        out.append((name, value))
    return out


# --- Netlify and Cloudflare Pages: _headers --------------------------------------

def netlify_headers(clinic, fingerprinted: Iterable[str] = (),
                    hashed_dirs: Iterable[str] = PAGEFIND_HASHED_DIRS) -> str:
    """`_headers` for Netlify and Cloudflare Pages.

    Both hosts apply every rule that matches a path, and join the values when
    a header appears in two matching rules ("max-age=300, max-age=31536000").
    So Cache-Control is only set on rules that cannot overlap: each
    fingerprinted file by name, and the folders where Pagefind hashes every
    name. Pages and other files keep the host's own Cache-Control, which
    revalidates on every visit and is purged on each deploy. Both hosts serve
    /404.html for a missing path by themselves.
    """
    lines = [
        "# Written by the clinic plugin (plugins/clinic/outputs/headers.py) from the settings",
        "# CLINIC_SECURITY_HEADERS and CLINIC_CACHE_ASSETS in pelicanconf.py. Do not edit:",
        "# change the settings and run `make publish`. Read by Netlify and Cloudflare Pages.",
        "",
        "/*",
    ]
    lines += [f"  {name}: {value}" for name, value in security_headers(clinic)]
    hashed_dirs = sorted(set(hashed_dirs) | set(PAGEFIND_HASHED_DIRS))
    immutable = sorted({"/" + p.lstrip("/") for p in fingerprinted if is_fingerprinted(p)
                        and not any(p.lstrip("/").startswith(d + "/") for d in hashed_dirs)})
    immutable += [f"/{d}/*" for d in hashed_dirs]
    for rule in immutable:
        lines += ["", rule, f"  Cache-Control: {clinic.cache_assets}"]
    return "\n".join(lines) + "\n"


# --- Apache: .htaccess -----------------------------------------------------------

def _apache_quote(value: str) -> str:
    return '"' + value + '"'


def htaccess(clinic) -> str:
    """`.htaccess` for Apache 2.4 (shared hosting).

    Only directives a host allows with `AllowOverride FileInfo` (ErrorDocument,
    Header, AddType, AddEncoding, AddCharset, Rewrite*), each module's part
    inside <IfModule>, so a host without a module serves the site without that
    part instead of answering 500 for every page.
    """
    cache_html = _apache_quote(clinic.cache_html)
    cache_assets = _apache_quote(clinic.cache_assets)
    cache_other = _apache_quote(clinic.cache_other)
    by_type: dict[str, list[str]] = {}
    for ext, mime in CONTENT_TYPES.items():
        by_type.setdefault(mime, []).append("." + ext)
    text_exts = [f".{ext}" for ext, mime in CONTENT_TYPES.items() if mime in TEXT_TYPES]
    compressible = "|".join(COMPRESSIBLE)
    out = [
        "# Written by the clinic plugin (plugins/clinic/outputs/headers.py) from the settings",
        "# CLINIC_SECURITY_HEADERS and CLINIC_CACHE_* in pelicanconf.py. Do not edit:",
        "# change the settings and run `make publish`. Read by Apache (shared hosting).",
        "",
        "ErrorDocument 404 /404.html",
        "",
        "<IfModule mod_mime.c>",
    ]
    out += [f"  AddType {mime} {' '.join(exts)}" for mime, exts in by_type.items()]
    out += [
        f"  AddCharset utf-8 {' '.join(text_exts)}",
        "  # Precompressed copies (site.css.gz) are sent with Content-Encoding: gzip or br;",
        "  # other .gz files (downloads) are sent as they are.",
        f'  <FilesMatch "\\.(?:{compressible})\\.gz$">',
        "    AddEncoding gzip .gz",
        "  </FilesMatch>",
        f'  <FilesMatch "\\.(?:{compressible})\\.br$">',
        "    AddEncoding br .br",
        "  </FilesMatch>",
        "</IfModule>",
        "",
        "# ...and with the type of the file they compress. Without this, the .gz",
        "# extension's own type (application/gzip) wins and the browser is sent a",
        "# download instead of site.css. ForceType runs after mod_mime, so the",
        "# Content-Encoding above stays.",
    ]
    for mime, exts in by_type.items():
        if mime in TEXT_TYPES or mime == "application/wasm":
            names = "|".join(e.lstrip(".") for e in exts)
            value = f"{mime}; charset=utf-8" if mime in TEXT_TYPES else mime
            out += [f'<FilesMatch "\\.(?:{names})\\.(?:br|gz)$">', f'  ForceType "{value}"', "</FilesMatch>"]
    out += [
        "",
        "<IfModule mod_headers.c>",
    ]
    # "always": also on error responses (the 404 page), not only on 200s.
    out += [f"  Header always set {name} {_apache_quote(value)}" for name, value in security_headers(clinic)]
    out += [
        "  # Cache-Control: every file, then pages and fingerprinted files override it",
        "  # (<FilesMatch> sections are applied after the lines above).",
        f"  Header set Cache-Control {cache_other}",
        f'  <FilesMatch "{HTML}">',
        f"    Header set Cache-Control {cache_html}",
        "  </FilesMatch>",
        f'  <FilesMatch "{FINGERPRINTED}">',
        f"    Header set Cache-Control {cache_assets}",
        "  </FilesMatch>",
        "  # A cache must keep the compressed and the plain copy apart.",
        f'  <FilesMatch "\\.(?:{compressible})(?:\\.br|\\.gz)?$">',
        "    Header append Vary Accept-Encoding",
        "  </FilesMatch>",
        "</IfModule>",
        "",
        "# Serve site.css.br (or .gz) for site.css when it exists and the browser accepts",
        "# it; no-gzip stops mod_deflate from compressing it a second time.",
        "<IfModule mod_rewrite.c>",
        "  RewriteEngine On",
    ]
    for suffix, token in ((".br", "br"), (".gz", "gzip")):
        out += [
            f"  RewriteCond %{{HTTP:Accept-Encoding}} \\b{token}\\b",
            f"  RewriteCond %{{REQUEST_FILENAME}}{suffix} -f",
            f"  RewriteRule \\.(?:{compressible})$ %{{REQUEST_URI}}{suffix} [L]",
        ]
    out += [
        "  RewriteRule \\.(?:br|gz)$ - [E=no-gzip:1,E=no-brotli:1]",
        "</IfModule>",
    ]
    return "\n".join(out) + "\n"


# --- nginx ----------------------------------------------------------------------------

def nginx_server(clinic, *, root: str, server_name: str = "_",
                 listen: Iterable[str] = ("80", "[::]:80")) -> str:
    """An nginx `server { ... }` block serving output/ from `root`.

    nginx's add_header has a trap: a location with any add_header of its own
    drops every add_header of the server block. So each location repeats the
    whole table, generated here, and the server level has none.
    """
    security = security_headers(clinic)
    text_types = " ".join(sorted(set(t for t in TEXT_TYPES if t != "text/html")))
    by_type: dict[str, list[str]] = {}
    for ext, mime in CONTENT_TYPES.items():
        by_type.setdefault(mime, []).append(ext)
    width = max(len(m) for m in by_type)

    def headers(cache: str) -> list[str]:
        # "always": also on error responses (the 404 page), not only on 200s.
        return [f'        add_header {name} "{value}" always;' for name, value in security] + \
               [f'        add_header Cache-Control "{cache}" always;']

    out = ["server {"]
    out += [f"    listen {addr};" for addr in listen]
    out += [
        f"    server_name {server_name};",
        f"    root {root};",
        "    index index.html;",
        "    server_tokens off;",
        "    # Redirects (/conditions/bunions -> /conditions/bunions/) keep the address the",
        "    # browser used, also behind a proxy or a CDN.",
        "    absolute_redirect off;",
        "",
        "    # This block's own table of types, the same one S3 and Apache are given",
        "    # (plugins/clinic/outputs/headers.py). It replaces mime.types for this site.",
        "    types {",
    ]
    out += [f"        {mime:<{width}} {' '.join(exts)};" for mime, exts in by_type.items()]
    out += [
        "    }",
        f"    default_type {DEFAULT_TYPE};",
        "    charset utf-8;",
        f"    charset_types {text_types};",
        "",
        "    # Serve site.css.gz for site.css when it exists; compress other text on the fly.",
        "    # (site.css.br needs the brotli module: libnginx-mod-http-brotli-static, then",
        "    # `brotli_static on;`.)",
        "    gzip_static on;",
        "    gzip on;",
        "    gzip_vary on;",
        f"    gzip_types {text_types} application/wasm;",
        "",
        "    error_page 404 /404.html;",
        "",
        "    # Hidden files (.htaccess) are not part of the site; .well-known/ is (certificates).",
        "    location ~ /\\.(?!well-known/) {",
        "        return 404;",
        "    }",
        "",
        "    # Fingerprinted files: the name changes whenever the content does.",
        f'    location ~ "{FINGERPRINTED}" {{',
    ]
    out += headers(clinic.cache_assets)
    out += [
        "    }",
        "",
        "    # Pages: /conditions/bunions/ is served from /conditions/bunions/index.html,",
        "    # which this location matches again.",
        f'    location ~ "{HTML}" {{',
    ]
    out += headers(clinic.cache_html)
    out += [
        "    }",
        "",
        "    # Everything else: images, feeds, sitemap.xml, Pagefind's loader.",
        "    location / {",
    ]
    out += headers(clinic.cache_other)
    out += ["    }", "}"]
    return "\n".join(out) + "\n"


def nginx_conf(clinic, *, root: str, server_name: str) -> str:
    """deploy/nginx.conf: the server block with a note on where it comes from and where it goes."""
    note = [
        "# nginx server block for the clinic site. Generated from pelicanconf.py",
        "# (CLINIC_SECURITY_HEADERS, CLINIC_CACHE_*, SSH_TARGET_DIR) and publishconf.py (CLINIC_ADDRESS) by",
        "#     python tools/upload.py nginx-conf > deploy/nginx.conf",
        "# Do not edit by hand: change the settings and run that command (a test checks",
        "# this file matches the settings). Install: see deploy/README.md.",
        "# HTTPS: `certbot --nginx -d " + server_name + "` adds the certificate to this block;",
        "# browsers only honour Strict-Transport-Security over HTTPS.",
        "",
    ]
    return "\n".join(note) + nginx_server(clinic, root=root, server_name=server_name)


# --- Pelican glue ----------------------------------------------------------------------

def pagefind_hashed_dirs_in(output: Path) -> list[str]:
    """The folders of the search index where Pagefind hashes each name, in every
    part of it (a large site's index comes in parts: search_index.py)."""
    from .search_index import bundles_in
    return [(bundle / name).relative_to(output).as_posix() for bundle in bundles_in(output)
            for name in ("fragment", "index", "filter") if (bundle / name).is_dir()]


def fingerprinted_in(output: Path, static_dir: str, assets: Iterable[str] = ()) -> list[str]:
    """Every fingerprinted file of this build, relative to output/: those in the
    folder, and the theme's hashed files the build's asset list names (`assets`,
    hashed names under static_dir), which may be written after this runs."""
    found = set()
    hashed_dirs = set(PAGEFIND_HASHED_DIRS) | set(pagefind_hashed_dirs_in(output))
    for folder, dirs, names in os.walk(output):  # several times faster than Path.rglob on thousands of files
        rel = os.path.relpath(folder, output)
        # Pagefind's hashed folders get one rule each (netlify_headers): no need to list their files
        dirs[:] = [d for d in dirs if (d if rel == "." else f"{rel.replace(os.sep, '/')}/{d}") not in hashed_dirs]
        found.update(n if rel == "." else f"{rel.replace(os.sep, '/')}/{n}" for n in names if is_fingerprinted(n))
    found.update(f"{static_dir}/{hashed}" for hashed in assets)
    return sorted(p for p in found if is_fingerprinted(p))


def write_host_files_to(output: Path, clinic, static_dir: str, assets: Iterable[str] = ()) -> None:
    """output/_headers and output/.htaccess. _headers names each fingerprinted
    file, so tools/build.py writes it again once the search index is on disk
    (Pagefind's .pf_meta file is one of them)."""
    output.mkdir(parents=True, exist_ok=True)
    (output / "_headers").write_text(
        netlify_headers(clinic, fingerprinted_in(output, static_dir, assets), pagefind_hashed_dirs_in(output)),
        encoding="utf-8")
    (output / ".htaccess").write_text(htaccess(clinic), encoding="utf-8")
