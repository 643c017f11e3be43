"""Shared blocks: one fact in one place (content/blocks/<name>.md), included
by name from any page with a line of its own: {block}after-surgery-warning-signs"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .article import ArticleMeta

LINE = re.compile(r"^\{block\}(?P<name>[A-Za-z0-9_-]*)\s*$")
ATTRIBUTE = "data-clinic-block"
PLACEHOLDER = re.compile(r'<div data-clinic-block="(?P<name>[^"]*)"></div>')


def placeholder(name: str) -> str:
    """What the Markdown extension (pages/blocks.py) leaves where a block goes."""
    return f'<div {ATTRIBUTE}="{name}"></div>'


@dataclass
class Block:
    name: str
    meta: ArticleMeta  # its title, reviewer and review dates, sources
    text: str  # its Markdown, without the metadata
    tiers: tuple[str, ...]  # the callouts it holds, in order
