"""Fingerprinted, minified theme assets.

Templates ask for `{{ asset('css/site.css') }}` and get
`/theme/css/site.3fa9c01b2e.css`: the name carries a hash of the file's
final bytes, so hosts can cache it for a year and a change is never stale.
The file is minified first (rcssmin/rjsmin, maintained minifiers), so the
hash is of exactly what is served. At the end of the build the used assets
are written under their hashed names and the unhashed copies Pelican made
are removed, so only one version of each is ever served.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import rcssmin
import rjsmin

HASH_LEN = 10
MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def minify(name: str, data: bytes) -> bytes:
    fn = MINIFIERS.get(Path(name).suffix)
    return fn(data.decode("utf-8")).encode("utf-8") if fn else data


def hashed_name(rel: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:HASH_LEN]
    p = Path(rel)
    return str(p.with_name(f"{p.stem}.{digest}{p.suffix}").as_posix())


class Assets:
    """One build's assets: what templates asked for, and the bytes to write."""

    def __init__(self, static_dir: Path, url_prefix: str, out_dir: str):
        self.static_dir, self.url_prefix, self.out_dir = static_dir, url_prefix, out_dir
        self.used: dict[str, tuple[str, bytes]] = {}  # rel -> (hashed rel, bytes)

    def url(self, rel: str) -> str:
        if rel not in self.used:
            data = minify(rel, (self.static_dir / rel).read_bytes())
            self.used[rel] = (hashed_name(rel, data), data)
        return f"{self.url_prefix}/{self.out_dir}/{self.used[rel][0]}"

    def write(self, output: Path, also=()) -> None:
        """Write the assets the pages asked for, and those in `also` (the dev
        server's pages rendered earlier and not again: incremental.py)."""
        for rel in also:
            if rel not in self.used and (self.static_dir / rel).is_file():
                self.url(rel)
        for rel, (hashed, data) in self.used.items():
            target = output / self.out_dir / hashed
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            plain = output / self.out_dir / rel
            if plain.exists():
                plain.unlink()
