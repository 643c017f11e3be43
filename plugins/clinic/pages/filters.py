"""Jinja filters for the theme."""

from __future__ import annotations

import datetime as dt
import re

from ..model.clinicdata import TIME


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


def clock(value: str) -> str:
    """'08:00' -> '8 a.m.', '17:30' -> '5:30 p.m.', '12:00' -> 'noon' (how US patients read times)."""
    if not TIME.match(str(value)):  # its own line from the checks (clinicdata.py); not a crash here as well
        return str(value)
    hours, minutes = (int(x) for x in str(value).split(":"))
    if (hours, minutes) == (12, 0):
        return "noon"
    suffix = "a.m." if hours < 12 else "p.m."
    h = hours % 12 or 12
    return f"{h}:{minutes:02d} {suffix}" if minutes else f"{h} {suffix}"


def full_stop(value):
    """The text with a full stop at its end, unless it already ends a sentence
    ('n.d.' and '5 p.m.' do): no 'n.d..' under a page's sources. Markup stays Markup."""
    text = value if isinstance(value, str) else str(value)
    return value if text.rstrip().endswith((".", "!", "?")) else value + "."


FILTERS = {"long_date": long_date, "tel": tel, "clock": clock, "full_stop": full_stop}
