"""`make serve`: output/ served on http://127.0.0.1:PORT/ as a static host serves
it, after `make html` or `make publish` alike.

Pages link to each other from the site's root (SITEURL is "" or, for a site
that lives in a folder, that folder), so what is served here is byte for byte
what goes live. A site in a folder ("https://example.github.io/clinic") is
served at /clinic/ as well as at /. A missing page gets 404.html with status
404, as the shipped nginx and Apache settings do.

Pelican's own `pelican --listen` knows neither the folder nor 404.html, hence
this small server on the standard library's.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import http.server
import os
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent

# Headless Chromium from Debian's packages, as the tests and `make bench` drive it
# (Playwright's own browser download cannot work on the machines this runs on).
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on, for a server to be started on."""
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".wasm": "application/wasm", ".pf_meta": "application/octet-stream",
                      ".js": "text/javascript", ".mjs": "text/javascript", ".xml": "application/xml"}
    prefix = ""  # the site's folder on the live host, e.g. "/clinic"; "" for a site at the root
    quiet = False
    live = None  # the dev server's Live: /__live sends a message after each rebuild

    def do_GET(self):
        if self.live is not None and self.path.split("?")[0] == "/__live":
            return self.live.stream(self)
        if self.live is not None and self.path.split("?")[0] == "/__live.js":  # the dev server's, not the site's
            body = Path(__file__).with_name("live.js").read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return None
        if self.live is not None and self.send_versioned_page():
            return None
        return super().do_GET()

    def send_versioned_page(self) -> bool:
        """The dev server sends a page with a digest of its bytes in a Server-Timing
        header, which the page can read of itself (PerformanceNavigationTiming):
        tools/live.js reloads it when the page on disk has another. Comparing
        two fetches instead missed a rebuild that ended while the page loaded."""
        path = self.path.split("?")[0]
        if not path.endswith(("/", ".html")):
            return False
        file = Path(self.translate_path(path))
        file = file / "index.html" if path.endswith("/") else file
        try:
            body = file.read_bytes()
        except OSError:
            return False
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Server-Timing", f'page;desc="{hashlib.sha256(body).hexdigest()[:16]}"')
        self.end_headers()
        self.wfile.write(body)
        return True

    def translate_path(self, path: str) -> str:
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            path = path[len(self.prefix):] or "/"
        return super().translate_path(path)

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, *args):
        if not self.quiet:
            super().log_message(*args)


class _HTTPServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)  # a browser that left mid-answer is no error


class Live:
    """The dev server's messages to the open pages (Server-Sent Events, a browser
    standard: no library needed): one per rebuild, with its problems, read from
    the queue the build loop writes into (tools/devserver.py)."""

    def __init__(self, messages):
        self.messages = messages  # a multiprocessing queue: the build loop is another process
        self.clients: list = []
        self.lock = threading.Lock()
        threading.Thread(target=self._relay, daemon=True).start()

    def _relay(self) -> None:
        while True:
            message = self.messages.get()
            with self.lock:
                for client in list(self.clients):
                    client.put(message)

    def stream(self, handler) -> None:
        import queue
        mine: queue.Queue = queue.Queue()
        with self.lock:
            self.clients.append(mine)
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/event-stream")
            handler.send_header("Cache-Control", "no-store")
            handler.end_headers()
            while True:
                try:
                    line = f"data: {mine.get(timeout=15)}\n\n"
                except queue.Empty:
                    line = ": still here\n\n"  # keeps the connection open through idle minutes
                handler.wfile.write(line.encode("utf-8"))
                handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.lock:
                self.clients.remove(mine)


class Server:
    """folder served on 127.0.0.1:port (0: any free port) in a thread; .url is its address."""

    def __init__(self, folder: Path, port: int = 0, prefix: str = "", quiet: bool = True, messages=None):
        live = Live(messages) if messages is not None else None
        handler = functools.partial(type("SiteHandler", (Handler,), {"prefix": prefix.rstrip("/"), "quiet": quiet,
                                                                     "live": live}),
                                    directory=str(folder))
        self.httpd = _HTTPServer(("127.0.0.1", port), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def live_folder(settings_file: Path) -> str:
    """The folder the live site lives in ("" at the root), from the production settings."""
    from pelican.settings import read_settings

    sys.path.insert(0, str(ROOT / "plugins"))
    from clinic.model import settings as settings_model
    settings = read_settings(str(settings_file))
    return urlsplit(settings_model.of(settings).address or settings.get("SITEURL") or "").path.rstrip("/")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument("--output", type=Path, default=ROOT / "output")
    args = parser.parse_args(argv)
    if not (args.output / "index.html").is_file():
        print(f"{args.output}: there is no site to serve yet: run `make html` or `make publish` first", flush=True)
        return 2
    os.chdir(ROOT)
    prefix = live_folder(ROOT / "publishconf.py")
    try:
        server = Server(args.output, args.port, prefix, quiet=False)
    except OSError:
        print(f"Port {args.port}: another program is using it (is `make devserver` running?); "
              f"stop it, or run: make serve PORT={args.port + 1}", flush=True)
        return 2
    where = f"{server.url}/" + (f" and {server.url}{prefix}/" if prefix else "")
    print(f"Serving {args.output}/ at {where} (Ctrl-C to stop)", flush=True)
    try:
        server.thread.join()
    except KeyboardInterrupt:
        print("\nStopped.", flush=True)
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
