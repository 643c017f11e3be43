"""The site's one "today": in the clinic's time zone (Pelican's TIMEZONE), or a
fixed date from the settings for reports and tests."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo


def today(fixed: str | None, timezone: str | None) -> dt.date:
    if fixed:
        return dt.date.fromisoformat(str(fixed))
    return dt.datetime.now(ZoneInfo(timezone) if timezone else None).date()
