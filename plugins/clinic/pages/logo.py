"""The clinic's mark in the header, until the clinic supplies its own logo
(`logo: images/logo.svg` in content/clinic/clinic.yaml): the initials of its
name in a rounded square, drawn in the header's own colours, so it follows
the light and dark schemes and prints in black."""

from __future__ import annotations

from markupsafe import Markup, escape

SMALL_WORDS = {"and", "of", "the", "for", "at", "in", "&"}


def initials(name: str) -> str:
    """'Sample Foot and Ankle Clinic' -> 'SF': the first letters of the first two words that count."""
    words = [w for w in name.split() if w.lower() not in SMALL_WORDS and w[:1].isalnum()]
    return "".join(w[0].upper() for w in words[:2]) or "?"


def monogram(name: str) -> Markup:
    return Markup(
        '<svg class="clinic-logo" viewBox="0 0 40 40" width="40" height="40" aria-hidden="true" focusable="false">'
        '<rect x="1.5" y="1.5" width="37" height="37" rx="8" fill="none" stroke="currentColor" stroke-width="3"/>'
        '<text x="20" y="26.5" text-anchor="middle" font-size="16" font-weight="700" fill="currentColor" '
        'font-family="DejaVu Sans, Arial, sans-serif">{}</text></svg>').format(escape(initials(name)))
