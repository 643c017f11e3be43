"""What the theme's templates get beyond Pelican's own: the clinic's filters,
the asset() function, and compiled templates shared between builds."""

from __future__ import annotations

from jinja2.bccache import BytecodeCache

from . import filters


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates, kept for the life of the process.

    Pelican gives every generator its own Jinja environment, and the dev server
    makes a new Pelican for each rebuild, so each template was compiled several
    times per build (about 0.1 s each time). One lives in the dev server's
    Session (state.py), for as long as it runs. Jinja's bytecode cache API is the
    way to share them; its ready-made caches write files or need memcached,
    and this one only needs a dict. Jinja checks every template's source
    checksum, so an edited template is compiled again.
    """

    def __init__(self):
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self.store[bucket.key] = bucket.bytecode_to_string()


def jinja_settings(settings, cache: BytecodeCache, asset_url) -> dict:
    """The Jinja settings of one build, for Pelican to make its environments with:
    new dicts, so that the settings module's own (shared by every build in this
    process) is never changed."""
    return {
        "JINJA_ENVIRONMENT": dict(settings.get("JINJA_ENVIRONMENT") or {}, bytecode_cache=cache),
        "JINJA_FILTERS": dict(settings.get("JINJA_FILTERS") or {}, **filters.FILTERS),
        "JINJA_GLOBALS": dict(settings.get("JINJA_GLOBALS") or {}, asset=asset_url),
    }
