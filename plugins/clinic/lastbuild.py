"""Answers kept from one build to the next, in a process that builds again and
again (the dev server): links.Remembered and validate.Remembered.

Each answer is stored under a digest of everything it depends on, so it can
never be stale; only the answers the last build asked for are kept.
"""

from __future__ import annotations

import hashlib
from typing import Callable


def digest(*parts: bytes) -> bytes:
    return hashlib.blake2b(b"\0".join(parts), digest_size=16).digest()


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
