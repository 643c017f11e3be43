"""Shared fixtures: the real site built once, and small fixture sites built on demand."""

from __future__ import annotations

import hashlib
import io
import shutil
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tools"))

import build  # noqa: E402


class Site:
    """A built site: its output folder, its exit status and what the build printed."""

    def __init__(self, output: Path, status: int, log: str):
        self.output, self.status, self.log = output, status, log

    def soup(self, rel: str) -> BeautifulSoup:
        return BeautifulSoup((self.output / rel).read_text(encoding="utf-8"), "html.parser")

    def html_files(self) -> list[str]:
        return sorted(p.relative_to(self.output).as_posix() for p in self.output.rglob("*.html"))

    @property
    def lines(self) -> list[str]:
        return [line for line in self.log.splitlines() if line.strip()]


def run_build(mode: str, content: Path, output: Path, siteurl: str = "https://clinic.test") -> Site:
    settings = ROOT / ("publishconf.py" if mode == "publish" else "pelicanconf.py")
    extra = {"PATH": str(content), "THEME": str(ROOT / "theme"), "PLUGIN_PATHS": [str(ROOT / "plugins")],
             "SITEURL": siteurl if mode == "publish" else ""}
    stream = io.StringIO()
    status = build.build(mode, output, settings, stream=stream, extra=extra)
    return Site(output, status, stream.getvalue())


def tree_hash(folder: Path) -> str:
    """One hash of every file's path and bytes, to prove a folder did not change."""
    h = hashlib.sha256()
    if not folder.exists():
        return "missing"
    for p in sorted(folder.rglob("*")):
        h.update(p.relative_to(folder).as_posix().encode())
        if p.is_file():
            h.update(p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Site:
    """The real site, built for production into a temporary folder."""
    out = tmp_path_factory.mktemp("real") / "output"
    built = run_build("publish", ROOT / "content", out)
    assert built.status == 0, built.log
    return built


class FixtureSite:
    """A copy of the real content in a temporary folder, to break on purpose."""

    def __init__(self, base: Path):
        self.base = base
        self.content = base / "content"
        shutil.copytree(ROOT / "content", self.content)
        self.output = base / "output"

    def write(self, rel: str, text: str | bytes) -> Path:
        p = self.content / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            p.write_bytes(text)
        else:
            p.write_text(text, encoding="utf-8")
        return p

    def read(self, rel: str) -> str:
        return (self.content / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str, count: int = 1) -> None:
        text = self.read(rel)
        assert old in text, f"{old!r} not in {rel}"
        self.write(rel, text.replace(old, new, count))

    def publish(self) -> Site:
        return run_build("publish", self.content, self.output)

    def html(self) -> Site:
        return run_build("html", self.content, self.output)


@pytest.fixture
def fixture_site(tmp_path) -> FixtureSite:
    return FixtureSite(tmp_path)
