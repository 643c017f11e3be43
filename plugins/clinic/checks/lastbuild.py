"""Answers kept from one build to the next, in a process that builds again and
again (the dev server): links.Remembered and validate.Remembered.

Each answer is stored under a digest of everything it depends on, so it can
never be stale; only the answers the last build asked for are kept.
"""

from __future__ import annotations

from typing import Callable

from ..model.stamps import digest  # noqa: F401 (its users import it from here too)


class LastBuild:
    def __init__(self):
        self.last: dict[bytes, object] = {}  # the last build's answers
        self.now: dict[bytes, object] = {}  # this build's

    def begin(self) -> None:
        """A new build: what it does not ask for again is forgotten at the next one
        (a build that asked for nothing, one that stopped early, forgets nothing)."""
        self.last, self.now = self.now or self.last, {}

    def forget(self) -> None:
        self.last, self.now = {}, {}

    def get(self, key: bytes, make: Callable[[], object]):
        found = self.now.get(key)
        if found is None:
            found = self.last.get(key)
            if found is None:
                found = make()
        self.now[key] = found
        return found
