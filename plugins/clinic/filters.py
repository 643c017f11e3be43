"""Jinja filters for the theme."""

from __future__ import annotations

import datetime as dt
import re


def long_date(value) -> str:
    """2026-11-20 -> November 20, 2026 (how US patients read dates)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value:%B} {value.day}, {value.year}"


def tel(value: str) -> str:
    """A phone number as a tel: link target: '+1 555-010-0100' -> 'tel:+15550100100'."""
    return "tel:" + re.sub(r"[^\d+]", "", str(value or ""))


FILTERS = {"long_date": long_date, "tel": tel}
