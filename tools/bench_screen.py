"""(s) of `make bench`: from the save of an edited article to the browser showing it.

What the webmaster feels with `make devserver` is not the rebuild alone but the
whole loop: the watcher sees the save, the site is rebuilt, the dev server tells
the open page (tools/live.js), the page fetches itself, reloads and is painted.
This runs the real `tools/devserver.py` on its own copy of the content, opens
the edited article in headless Chromium (Debian's /usr/bin/chromium, as the
tests use it) and, each round, saves a text edit and waits for the page's load
event. The time is the page's loadEventEnd (the browser's wall clock, from
Performance timing) less the moment the save returned (the same clock), so no
messaging delay of the harness counts. The dev server writes the edited page
before it rebuilds the site (plugins/clinic/speed/quick.py); "checked" is when
that rebuild, with the problems of the whole site, was done.

The dev server's CPU time over the round (the build loop and its children) and
its peak memory so far (VmHWM) come from /proc.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from serve import CHROMIUM, CHROMIUM_ARGS, free_port  # noqa: E402
def _cpu_seconds(pid: int) -> float:
    """The process's CPU time and that of its children it has waited for (Pagefind)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _indexing(pid: int) -> list[int]:
    """The search indexing under pid still running: Pagefind and the runner that
    starts it (plugins/clinic/outputs/pagefind_runs.py), not yet ended."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            try:
                state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z" and _is_indexing(child):
                found.append(child)
            found += _indexing(child)
    return found


def _is_indexing(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(part.endswith((b"pagefind", b"pagefind_runs.py")) for part in command)


class SaveToScreen:
    """The dev server on work/content-s, with `article` (a path under content/,
    e.g. conditions/x.md) open in the browser. measure() is one round."""

    def __init__(self, work: Path, article: str, timeout: float = 600):
        from playwright.sync_api import sync_playwright

        self.content = work / "content-s"
        if not self.content.exists():
            shutil.copytree(work / "content", self.content)
        self.article = self.content / article
        self.original = self.article.read_text(encoding="utf-8")
        self.timeout = timeout
        self.log = (work / "log-s.txt").open("w", encoding="utf-8")
        self.lines: list[str] = []
        self.times: list[float] = []
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tools" / "devserver.py"), "--port", str(port), "--content", str(self.content),
             "--output", str(work / "out-s")],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()
        self._wait_for_builds(1)
        self.playwright = sync_playwright().start()
        self.browser = self.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.page = self.browser.new_page(viewport={"width": 1280, "height": 800})
        stem = Path(article).with_suffix("")
        self.page.goto(f"http://127.0.0.1:{port}/{stem.parent.as_posix()}/{stem.name}/")
        # the page is connected to the dev server (tools/live.js) once its EventSource is open
        self.page.wait_for_timeout(500)

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.times.append(time.time())  # when the line came: the parts of a round
            self.lines.append(line)
            self.log.write(line)

    def _builds(self) -> int:
        return sum(1 for line in self.lines if line.startswith("Built "))

    def _wait_for_builds(self, count: int) -> None:
        end = time.monotonic() + self.timeout
        while self._builds() < count:
            if self.proc.poll() is not None or time.monotonic() > end:
                raise RuntimeError("the dev server stopped or did not build:\n" + "".join(self.lines[-30:]))
            time.sleep(0.02)

    def measure(self, i: int) -> dict:
        """Save a text edit of the article; the time until the page has reloaded with it."""
        marker = f"Saved edit number {i}."
        # the original text with one sentence added under the first section's heading
        head, sep, rest = self.original.partition("\n## ")
        heading, nl, body = rest.partition("\n")
        new = f"{head}{sep}{heading}\n\n{marker}\n{body}"
        cpu, builds = _cpu_seconds(self.proc.pid), self._builds()
        self.article.write_text(new, encoding="utf-8")
        saved = time.time()
        self.page.wait_for_function(f"document.body && document.body.innerText.includes({marker!r})",
                                    timeout=self.timeout * 1000)
        self.page.wait_for_load_state("load")
        loaded = self.page.evaluate(
            "performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000
        self._wait_for_builds(builds + 1)
        seen = next(t for t, line in zip(self.times, self.lines) if t >= saved and line.startswith("Changed: "))
        built = next(t for t, line in zip(self.times, self.lines) if t >= seen and line.startswith("Built "))
        # the page written before the rebuild (speed/quick.py), or by it
        written = next((t for t, line in zip(self.times, self.lines) if seen <= t <= built
                        and line.startswith("Shown ")), built)
        # After the rebuild the dev server indexes the edited page's search bundle in the
        # background (Pagefind): the next run of the bench must not share the machine with it.
        end = time.monotonic() + self.timeout
        while _indexing(self.proc.pid) and time.monotonic() < end:
            time.sleep(0.02)
        return {"wall": loaded - saved, "cpu": _cpu_seconds(self.proc.pid) - cpu, "peak_mib": _peak_mib(self.proc.pid),
                "status": 0, "ok": True, "checked": built - saved,
                # the watcher saw the save; the page was written; the page had reloaded
                "parts": {"seen": seen - saved, "written": written - seen, "shown": loaded - written}}

    def stop(self) -> None:
        for close in (self.browser.close, self.playwright.stop):
            try:
                close()
            except Exception:  # noqa: BLE001 - stopping anyway
                pass
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()
