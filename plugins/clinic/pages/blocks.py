"""Markdown extension: a line '{block}name' becomes a placeholder that the
generator fills with the block's HTML (pages/generator.py). Filled after
Pelican reads the page, every build, so an edit to a block reaches every page
that includes it, even pages Pelican's content cache did not read again."""

from __future__ import annotations

from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

from ..model.blocks import LINE, PLACEHOLDER, placeholder


class BlockPreprocessor(Preprocessor):
    def run(self, lines):
        out = []
        for line in lines:
            found = LINE.match(line)
            out += ["", placeholder(found.group("name")), ""] if found else [line]
        return out


class BlockExtension(Extension):
    def extendMarkdown(self, md):
        # before the meta extension's preprocessor is irrelevant: the header has no such line
        md.preprocessors.register(BlockPreprocessor(md), "clinic_blocks", 25)


def makeExtension(**kwargs):
    return BlockExtension(**kwargs)


def fill(html: str, rendered: dict[str, str]) -> str:
    """The page's HTML with each block's placeholder replaced by its HTML
    (an unknown name, which the validator reports, is left empty)."""
    return PLACEHOLDER.sub(lambda m: rendered.get(m.group("name"), ""), html)
