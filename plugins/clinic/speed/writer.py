"""The build's Writer (production builds): Pelican's own, except that

- a page is minified before it is written, and written once, and its bytes go
  to the compressor from memory (minify.py), instead of being written, read
  back, minified and written again; its links go to the link check the same
  way (written_links.py);
- article and topic pages can be shared with a second process (parallel_write.py): for
  the pages the other process writes, only Pelican's bookkeeping is kept;
- in the dev server, a page no edit can have changed is not rendered again
  (incremental.py): again only Pelican's bookkeeping is kept.
"""

from __future__ import annotations

import os

from pelican.writers import FileOverwriteFailedError, Writer

from ..outputs.minify import minify
from ..pages.feeds import newest_first
from .quick import Recipe


class _MinifyOnClose:
    """What Pelican writes a page into: minified and written when Pelican closes
    it, its bytes kept for the compressor and its links for the link check."""

    def __init__(self, f, finisher, output: str):
        self.file, self.finisher, self.output, self.parts = f, finisher, output, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        with self.file:
            if exc[0] is None:
                text = "".join(self.parts)
                if self.finisher.minifying:
                    text = minify(text)
                self.file.write(text)
                self.finisher.written(self.output, self.file.name, text)


class _Elsewhere:
    """A page the other process writes: nothing is rendered or opened here."""

    def write(self, text: str) -> int:
        return len(text)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class _NotRendered:
    @staticmethod
    def render(*_args, **_kwargs) -> str:
        return ""


class ClinicWriter(Writer):
    """Pelican's Writer for one build (writer_for() binds `build`): every page
    it writes goes to the build's sitemap, and through its finisher (minify,
    compress, links) when the build has one."""

    build = None  # the Build this class was made for (state.py)

    def write_file(self, name, template, context, *args, **kwargs):
        build = self.build
        # a page in a translation language sees that language's words and pages (pages/languages.py)
        shown = kwargs.get("article") or kwargs.get("page")
        lang = kwargs.get("page_lang") or (None if shown is None or shown.in_default_lang else shown.lang)
        if lang in build.lang_context:
            context = {**context, **build.lang_context[lang]}
        sharing, pages = build.sharing, build.incremental
        if build.recipes is not None and shown is not None and not sharing.in_child:
            build.recipes[os.path.realpath(shown.source_path)] = (shown, Recipe(name, template, context, args, kwargs))
        sharing.before_write(self, name, kwargs, context)
        elsewhere = sharing.elsewhere(self, name)
        if not sharing.in_child:
            unchanged = not elsewhere and pages is not None and not self._paginates(kwargs.get("template_name")) \
                and pages.unchanged(name)
            self._not_here = "elsewhere" if elsewhere else "unchanged" if unchanged else None
            try:
                result = super().write_file(name, _NotRendered if self._not_here else template, context,
                                            *args, **kwargs)
            except BaseException:
                if pages is not None:
                    pages.failed(name)
                raise
            finally:
                self._not_here = None  # never left for a later file (a feed, a page Pelican skips)
            if pages is not None:
                if elsewhere:
                    pages.written_elsewhere(name)
                elif not unchanged:
                    pages.wrote(name)
            return result
        self._not_here = "elsewhere" if elsewhere else None
        if elsewhere:
            template = _NotRendered
        try:  # the child never returns into Pelican with an error
            super().write_file(name, template, context, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            sharing.child_exit(exc)
        sharing.child_wrote(name)
        return None

    def _paginates(self, template_name) -> bool:
        """Whether Pelican would write this template as several pages (the
        unchanged check knows only the first page's file)."""
        paginated = self.settings.get("PAGINATED_TEMPLATES") or {}
        return template_name in paginated and bool(paginated[template_name] or self.settings.get("DEFAULT_PAGINATION"))

    def _open_w(self, filename, encoding, override=False):
        not_here, self._not_here = getattr(self, "_not_here", None), None
        finisher = self.build.finisher
        if not_here:
            # Pelican's own rule (Writer._open_w), without opening the file: the other
            # process writes it, or it is on disk as this page would write it
            if filename in self._written_files and not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it previously')
            self._written_files.add(filename)
            if not_here == "elsewhere":
                finisher.written_elsewhere(filename)
            return _Elsewhere()
        if self.build.reused and os.path.lexists(filename) and (override or filename not in self._written_files):
            # a page copied from the last publish is a hard link to the live site's file
            # (speed/reuse.py): written again, it becomes a new file, never written through
            os.unlink(filename)
        f = super()._open_w(filename, encoding, override=override)
        # pages only: feeds are written by feedgenerator, which wants a real file
        if f.name == os.devnull or not filename.endswith(".html") or not finisher.active:
            return f
        return _MinifyOnClose(f, finisher, self.output_path)

    def write_feed(self, elements, context, path=None, url=None, feed_type="atom", override_output=False,
                   feed_title=None):
        """Every feed newest first, so the newest page is always in it (pages/feeds.py).
        A feed is read away from the site: its links start at the live address,
        where the pages' own links start at SITEURL (the site's folder).
        One feed per language: the site's feed (FEED_ALL_ATOM) holds its own
        language, where Pelican's "all" feed would mix in every translation, and
        each translation language has its own (TRANSLATION_FEED_ATOM); Pelican's
        copy of the site's feed under the translation name is not written."""
        default = self.settings.get("DEFAULT_LANG")
        by_lang = self.settings.get("TRANSLATION_FEED_ATOM")
        if path and by_lang and path == str(by_lang).format(lang=default):
            return None
        if path and path == self.settings.get("FEED_ALL_ATOM"):
            elements = [e for e in elements if getattr(e, "in_default_lang", True)]
        if path:
            self.build.feeds_written.add(os.path.normpath(os.path.join(self.output_path, path)))
        if self.build.address:
            context = {**context, "SITEURL": self.build.address, "FEED_DOMAIN": self.build.address}
        return super().write_feed(newest_first(elements), context, path, url, feed_type, override_output, feed_title)

    # -- the topic pages' loop, shared like the articles' (pages/generator.py) ----------
    def share(self, theirs: list[str], scope: set[str]) -> bool:
        return self.build.sharing.begin(self, theirs, scope)

    def join_shared(self) -> None:
        self.build.sharing.join()


def writer_for(build) -> type[ClinicWriter]:
    """The Writer class of one build."""
    return type("ClinicWriter", (ClinicWriter,), {"build": build})
