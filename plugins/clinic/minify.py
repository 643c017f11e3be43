"""Minify each HTML page as Pelican writes it (production builds only).

minify-html is a maintained minifier; closing tags are kept so that every
parser (and every test) sees the same tree as the unminified page.
"""

from __future__ import annotations

from pathlib import Path

import minify_html


def minify(html: str) -> str:
    return minify_html.minify(html, keep_closing_tags=True, keep_html_and_head_opening_tags=True,
                              minify_css=False, minify_js=False)


def on_content_written(path, context):
    if not context.get("CLINIC_MINIFY") or not str(path).endswith(".html"):
        return
    p = Path(path)
    p.write_text(minify(p.read_text(encoding="utf-8")), encoding="utf-8")
