"""Article and topic pages written by two processes (builds of large sites).

Rendering each page's template, minifying it and compressing it is the
largest part of writing a site, one page after another on one core. When
Pelican's Writer is asked for the first article page, the build forks: the
child writes every second article, the parent the others; the topic pages
(plugin.py, ClinicGenerator.generate_output) are shared the same way. For the pages the
other process writes, each keeps only Pelican's bookkeeping (so Pelican still
refuses to write one address twice) and still sends content_written (so the
sitemap lists every page); it renders nothing and opens no file.

The child only ever runs inside Writer.write_file (writer.py): it leaves with
os._exit() right after its last page, or at once on any error, and never
returns into Pelican, so it cannot write anything else or touch output/. It
sends the parent what it logged (warnings, problems), the pages it
compressed and their links (written_links.py); the parent waits for it at the end of the loop (for articles,
article_writer_finalized: before the search index starts) and logs the
child's messages as its own. tests/test_parallel_read.py checks that a build
with the split writes the same bytes as one without.

Only when no other thread exists (the reading worker, parallel_read.py, has
stopped; the compressor's thread is let finish first): a forked child of a
process with other threads can hang on a lock one of them held. Otherwise
the pages are simply written here.
"""

from __future__ import annotations

import logging
import os
import pickle
import signal
import traceback

from ..model.problems import Problem
from .forking import fork_is_safe

class _Records(logging.Handler):
    """In the child: everything it logs at WARNING or above, for the parent."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[tuple] = []

    def emit(self, record):
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed log call must not hide the others
            message = str(record.msg)
        self.records.append((record.name, record.levelno, message, getattr(record, "clinic_problem", None)))


class PageSharing:
    """One build's sharing of pages with a second process: whether it may, and
    the split while one is under way (role, the child's pages, the pipe)."""

    def __init__(self, finisher, pages, enabled: bool, minimum: int):
        self.finisher = finisher  # outputs/minify.py: the build's Finisher
        self.pages = pages  # incremental.Pages of the dev server, or None
        self.enabled, self.minimum = enabled, minimum
        self.split: dict | None = None

    def _unchanged(self, name: str) -> bool:
        return self.pages is not None and self.pages.unchanged(name)

    def allowed(self, pages: int) -> bool:
        """Whether this build may split `pages` pages between two processes."""
        return self.enabled and pages >= self.minimum

    def before_write(self, writer, name: str, kwargs: dict, context) -> None:
        """Writer.write_file: split on the first article page; in the child, leave
        at once if asked for a page outside the split (its part is over)."""
        s = self.split
        if s is not None and s["writer"] is writer:
            if s["role"] == "child" and name not in s["scope"]:
                self.child_exit(RuntimeError(f"asked to write {name}, which is not one of the pages it shares"))
            return
        article = kwargs.get("article")
        done = writer.__dict__.setdefault("_clinic_splits", set())
        if article is None or "articles" in done:
            return
        done.add("articles")
        # save_as once per article: Pelican works it out again on every use (0.05 ms each)
        articles = [(a, save_as) for a in context.get("articles") or [] if (save_as := a.save_as)]
        scope = {save_as for _, save_as in articles} | \
            {t.save_as for a, _ in articles for t in getattr(a, "translations", [])}
        self.begin(writer, [save_as for _, save_as in articles[1::2]], scope)

    def begin(self, writer, theirs: list[str], scope: set[str]) -> bool:
        """Fork: the child writes the pages named in `theirs`, the parent every
        other page of `scope` (the pages of the loop that follows). Returns
        whether the work is shared; join() ends it."""
        # the dev server: only the pages an edit can have changed are rendered (incremental.py)
        theirs = [name for name in theirs if not self._unchanged(name)]
        work = sum(1 for name in scope if not self._unchanged(name))
        if self.split is not None or not theirs or not self.allowed(work):
            return False
        self.finisher.quiesce()  # the compressor's thread ends (a new one starts on the next page)
        if not fork_is_safe():
            return False
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child
            os.close(read_end)
            handler = _Records()
            root = logging.getLogger()
            for h in list(root.handlers):  # the parent's collector and console stay with the parent
                root.removeHandler(h)
            root.addHandler(handler)
            self.finisher.restart_in_child()  # a compressor and a link table of its own, for its own pages
            self.split = {"writer": writer, "role": "child", "mine": set(theirs), "left": len(set(theirs)),
                          "scope": scope, "pipe": write_end, "handler": handler}
        else:
            os.close(write_end)
            self.split = {"writer": writer, "role": "parent", "theirs": set(theirs), "pid": pid, "pipe": read_end}
        return True

    def elsewhere(self, writer, name: str) -> bool:
        """True when the other process writes this page."""
        s = self.split
        if s is None or s["writer"] is not writer:
            return False
        return name not in s["mine"] if s["role"] == "child" else name in s["theirs"]

    @property
    def in_child(self) -> bool:
        return self.split is not None and self.split.get("role") == "child"

    def child_wrote(self, name: str) -> None:
        """In the child, after one of its pages: leave after the last."""
        s = self.split
        if name in s["mine"]:
            s["left"] -= 1
            if s["left"] == 0:
                self.child_exit(None)

    def child_exit(self, error: BaseException | None) -> None:
        """Send the parent what the child logged and compressed; never returns."""
        s = self.split
        status = 0
        try:
            done = sorted(str(p) for p in self.finisher.finish())
            report = {"records": s["handler"].records, "compressed": done, "links": self.finisher.links,
                      "error": None if error is None else "".join(traceback.format_exception(error)).strip()}
            status = 0 if error is None else 1
        except BaseException as exc:  # noqa: BLE001 - whatever happens, the child must not return
            report = {"records": [], "compressed": [], "error": f"{type(exc).__name__}: {exc}"}
            status = 1
        try:
            data = pickle.dumps(report)
            with os.fdopen(s["pipe"], "wb") as f:
                f.write(data)
        finally:
            os._exit(status)

    def join(self, *_args, **_kwargs) -> None:
        """In the parent, at the end of a shared loop (article_writer_finalized for
        the articles): wait for the child, log its messages."""
        s, self.split = self.split, None
        if s is None or s.get("role") != "parent":
            return
        with os.fdopen(s["pipe"], "rb") as f:
            data = f.read()
        _, status = os.waitpid(s["pid"], 0)
        log = logging.getLogger(__name__)
        try:
            report = pickle.loads(data)
        except Exception:  # noqa: BLE001 - no report: the child died before it could send one
            report = {"records": [], "compressed": [],
                      "error": f"it stopped with status {os.waitstatus_to_exitcode(status)}"}
        for name, level, message, problem in report["records"]:
            logging.getLogger(name).log(level, "%s", message, extra={"clinic_problem": problem} if problem else None)
        self.finisher.add_from_child(report["compressed"], report.get("links"))
        failed = bool(report["error"]) or os.waitstatus_to_exitcode(status) != 0
        if self.pages is not None:
            self.pages.confirm_elsewhere(ok=not failed)
        if failed:
            first = (report["error"] or "").strip().splitlines()[-1:] or [f"exit status {status}"]
            problem = Problem("build", None, "pages", f"the second process writing pages failed: {first[0]}",
                              "run `make html` to see the message, or set CLINIC_PARALLEL_WRITE = False")
            log.error(problem.format(), extra={"clinic_problem": problem})

    def abandon(self) -> None:
        """A build that stopped early: do not leave a child behind."""
        s, self.split = self.split, None
        if s is not None and s.get("role") == "parent":
            try:
                os.close(s["pipe"])
            except OSError:
                pass
            try:
                os.kill(s["pid"], signal.SIGKILL)
                os.waitpid(s["pid"], 0)
            except (ChildProcessError, ProcessLookupError):
                pass
