"""Answers kept from one build to the next, in a process that builds again and
again (the dev server): links.Remembered and validate.Remembered; and, for
`make publish`, one process per build, in a file (load(), store()).

Each answer is stored under a digest of everything it depends on, so it can
never be stale; only the answers the last build asked for are kept. A file
of them belongs in the content cache's folder (speed/content_cache.py),
which is named for the plugin's code: checks changed by an edit of the code
start from an empty folder.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Callable

from ..model.paths import write_whole
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

    def load(self, path: Path, decode: Callable[[object], object]) -> None:
        """The answers a publish stored (store()) as the last build's; none if the
        file is missing or cannot be read."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            self.last = {bytes.fromhex(k): decode(v) for k, v in data.items()}
        except (OSError, ValueError, TypeError, AttributeError):
            self.last = {}
        self.now = {}  # the file's answers are the last build's, not what this process asked before

    def load_pickled(self, path: Path) -> None:
        """load(), of answers that are objects (store_pickled()). The file is the
        build's own, in the content cache's folder, beside Pelican's cache, which
        is a pickle too: it is trusted as much as that one."""
        found = {}
        try:
            with open(path, "rb") as f:
                while True:
                    try:
                        key, answer = pickle.load(f)
                    except EOFError:
                        break
                    found[key] = answer
        except Exception:  # noqa: BLE001 (any file that is not what store_pickled() wrote: ask again)
            found = {}
        self.last, self.now = found, {}

    def store_pickled(self, path: Path) -> None:
        """Each answer a pickle of its own, one after another: one pickle of them all
        kept a table of every object in it while it worked (memory, at the build's end)."""
        write_whole(Path(path), (pickle.dumps((key, answer), protocol=pickle.HIGHEST_PROTOCOL)
                                 for key, answer in self.now.items()))

    def store(self, path: Path, encode: Callable[[object], object]) -> None:
        """This build's answers, written whole or not at all (then the next publish asks again)."""
        write_whole(Path(path), [json.dumps({k.hex(): encode(v) for k, v in self.now.items()}).encode()])
