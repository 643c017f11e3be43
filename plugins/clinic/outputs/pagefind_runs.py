"""Run Pagefind indexings one after another, and make each bundle the same
bytes for the same pages (search_index.py starts every indexing through here).

Reads the commands, a JSON list of argument lists, on standard input; runs
each in turn; stops at the first that fails, with its exit status, and
passes on Pagefind's message with the part it was indexing. A large site is
indexed in parts so that only one Pagefind is in memory at a time.

After each run, settle() puts the bundle in a fixed order. Pagefind 1.5
writes each filter's values in the order of a Rust HashMap, which changes
from run to run, so the filter files, the metadata file that names them and
pagefind-entry.json (and _headers, which names that file) got new names on
every build with no change to the site, and every upload sent them again
(Pagefind issue #638 fixed this for fragments only). settle() sorts the
values, names each file by its own bytes, and removes the files of the
bundle that no longer belong to it (an earlier index in the same folder).

A plain script, started by path: it imports nothing from the build.
"""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import cbor2

MAGIC = b"pagefind_dcd"  # the start of every Pagefind data file, before its CBOR
ENTRY = "pagefind-entry.json"
# Pagefind writes its ready-made search interfaces into every bundle. The site's
# search page uses its own (theme/static/js/search.js) on Pagefind's API
# (pagefind.js, which loads pagefind-worker.js and the index files), so these
# were never loaded: 418 KB, 600 KB with their .gz and .br copies, in every upload
# (and 25 ms of the clinic's 30 ms of compressing after the index).
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


def _read(path: Path):
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(MAGIC):
        raise ValueError(f"{path}: not a Pagefind data file")
    return cbor2.loads(data[len(MAGIC):])


def _pack(obj) -> bytes:
    return gzip.compress(MAGIC + cbor2.dumps(obj), compresslevel=9, mtime=0)


def _named(lang: str, data: bytes, length: int) -> str:
    return f"{lang}_{hashlib.sha256(data).hexdigest()[:length]}"


def settle(bundle: Path) -> None:
    """The bundle in a fixed order: the same pages give the same files."""
    entry = json.loads((bundle / ENTRY).read_text(encoding="utf-8"))
    keep = {"filter": set(), "fragment": set(), "index": set(), "meta": set()}
    for lang, info in entry["languages"].items():
        meta = _read(bundle / f"pagefind.{info['hash']}.pf_meta")
        # [version, pages [[fragment, words]], index chunks [[from, to, file]], filters [[name, file]], sorts, fields]
        filters = []
        for name, file in sorted(meta[3], key=lambda f: f[0]):
            label, values = _read(bundle / "filter" / f"{file}.pf_filter")
            data = _pack([label, sorted(values, key=lambda v: v[0])])
            file = _named(lang, data, 7)
            _write(bundle / "filter" / f"{file}.pf_filter", data)
            filters.append([name, file])
        meta[3] = filters
        data = _pack(meta)
        info["hash"] = _named(lang, data, 10)
        _write(bundle / f"pagefind.{info['hash']}.pf_meta", data)
        keep["filter"] |= {f"{file}.pf_filter" for _, file in filters}
        keep["fragment"] |= {f"{page[0]}.pf_fragment" for page in meta[1]}
        keep["index"] |= {f"{chunk[-1]}.pf_index" for chunk in meta[2]}
        keep["meta"].add(f"pagefind.{info['hash']}.pf_meta")
    # Pagefind lists a site's languages in no fixed order
    entry["languages"] = dict(sorted(entry["languages"].items()))
    _write(bundle / ENTRY, json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    for folder, suffix in (("filter", ".pf_filter"), ("fragment", ".pf_fragment"), ("index", ".pf_index")):
        for old in (bundle / folder).glob(f"*{suffix}"):
            if old.name not in keep[folder]:
                old.unlink()
    for old in bundle.glob("pagefind.*.pf_meta"):
        if old.name not in keep["meta"]:
            old.unlink()
    for name in UNUSED:
        (bundle / name).unlink(missing_ok=True)


def _write(path: Path, data: bytes) -> None:
    if not path.is_file() or path.read_bytes() != data:
        path.write_bytes(data)


def bundle_of(command: list[str]) -> Path:
    """The folder a Pagefind command writes its bundle to."""
    site = command[command.index("--site") + 1]
    subdir = command[command.index("--output-subdir") + 1] if "--output-subdir" in command else "pagefind"
    return Path(site) / subdir


def die_with_parent() -> None:
    """On Linux, end this process when the one that started it ends: a build that
    is killed (make publish stopped) must not leave an indexing behind that
    writes into a folder the next publish has cleared (prctl PR_SET_PDEATHSIG)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


def main() -> int:
    parent = os.getppid()
    die_with_parent()
    if os.getppid() != parent:
        return 1  # the build ended before this runner could follow it
    runs = json.load(sys.stdin)
    for number, command in enumerate(runs, start=1):
        # the runner is single-threaded, so preexec_fn is safe here
        done = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              preexec_fn=die_with_parent)
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        if done.returncode == 0:
            try:
                settle(bundle_of(command))
            except (OSError, ValueError, KeyError, IndexError, TypeError, cbor2.CBORDecodeError) as exc:
                done.returncode, message = 1, f"could not put the index in order: {exc}"
        if done.returncode != 0:
            where = f"part {number} of {len(runs)} of the index: " if len(runs) > 1 else ""
            print(where + message, file=sys.stderr)
            return done.returncode if done.returncode > 0 else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
