"""Compiled templates, shared between the generators of a build, between the
dev server's rebuilds, and between one `make publish` and the next."""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from ..model.paths import write_whole


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates, kept for the life of the process.

    Pelican gives every generator its own Jinja environment, and the dev server
    makes a new Pelican for each rebuild, so each template was compiled several
    times per build. One lives in the dev server's Session (state.py), for as
    long as it runs. Jinja's bytecode cache API is the way to share them. Jinja
    checks every template's source checksum, so an edited template is compiled
    again.
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


def compile_inputs(environment) -> str:
    """What Jinja bakes into a compiled template besides its source: its version,
    the extensions, the syntax options, and whether each filter and test takes
    the context (decided when the template is compiled). A compiled template
    kept from a build whose filters differed must not be used."""
    def kinds(functions):
        return sorted((name, str(getattr(f, "jinja_pass_arg", ""))) for name, f in functions.items())
    return repr((jinja2.__version__, sorted(environment.extensions), environment.trim_blocks,
                 environment.lstrip_blocks, environment.keep_trailing_newline, repr(environment.autoescape),
                 environment.newline_sequence, kinds(environment.filters), kinds(environment.tests)))


class TemplateCache(BytecodeCache):
    """The session's compiled templates, backed by files in the build's cache
    folder, so that a new process (each `make publish`) does not compile every
    template again: compiling them was a fifth of a publish of the real site.

    Jinja's own FileSystemBytecodeCache writes in place; this one writes each
    file whole (a killed build leaves no half file) and treats an unreadable
    file as absent, since the cache is only ever a shortcut."""

    def __init__(self, memory: MemoryBytecodeCache, folder: Path | None):
        self.memory, self.folder = memory, folder

    def get_bucket(self, environment, name, filename, source):
        """Jinja's, with what the template is compiled with in its checksum."""
        bucket = Bucket(environment, self.get_cache_key(name, filename),
                        self.get_source_checksum(source + "\0" + compile_inputs(environment)))
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket):
        code = self.memory.store.get(bucket.key)
        if code is None and self.folder is not None:
            try:
                code = (self.folder / f"{bucket.key}.jinja").read_bytes()
            except OSError:
                return
        if code is None:
            return
        try:
            bucket.bytecode_from_string(code)  # checks Jinja's and Python's version and the source checksum
        except Exception:  # noqa: BLE001 - a damaged file: compile the template again
            bucket.reset()
            return
        if bucket.code is not None:
            self.memory.store[bucket.key] = code

    def dump_bytecode(self, bucket):
        code = bucket.bytecode_to_string()
        self.memory.store[bucket.key] = code
        if self.folder is not None:  # a full or read-only cache folder only costs the compile next time
            write_whole(self.folder / f"{bucket.key}.jinja", [code])
