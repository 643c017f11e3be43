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

from . import incremental, parallel_write
from ..outputs import minify, written_links


class _MinifyOnClose:
    """What Pelican writes a page into: minified and written when Pelican closes
    it, its bytes kept for the compressor (content_written)."""

    def __init__(self, f, minifying: bool, output: str):
        self.file, self.minifying, self.output, self.parts = f, minifying, output, []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        with self.file:
            if exc[0] is None:
                text = "".join(self.parts)
                if self.minifying:
                    text = minify.minify(text)
                self.file.write(text)
                minify.written(self.file.name, text.encode("utf-8"))
                written_links.record(self.output, self.file.name, text)


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
    def write_file(self, name, template, context, *args, **kwargs):
        parallel_write.before_write(self, self.settings, name, kwargs, context)
        elsewhere = parallel_write.elsewhere(self, name)
        if not parallel_write.in_child():
            unchanged = not elsewhere and not self._paginates(kwargs.get("template_name")) \
                and incremental.unchanged(self.output_path, name)
            self._not_here = "elsewhere" if elsewhere else "unchanged" if unchanged else None
            try:
                result = super().write_file(name, _NotRendered if self._not_here else template, context,
                                            *args, **kwargs)
            except BaseException:
                incremental.failed(self.output_path, name)
                raise
            finally:
                self._not_here = None  # never left for a later file (a feed, a page Pelican skips)
            if elsewhere:
                incremental.written_elsewhere(self.output_path, name)
            elif not unchanged:
                incremental.wrote(self.output_path, name)
            return result
        self._not_here = "elsewhere" if elsewhere else None
        if elsewhere:
            template = _NotRendered
        try:  # the child never returns into Pelican with an error
            super().write_file(name, template, context, *args, **kwargs)
        except BaseException as exc:  # noqa: BLE001
            parallel_write.child_exit(exc)
        parallel_write.child_wrote(name)
        return None

    def _paginates(self, template_name) -> bool:
        """Whether Pelican would write this template as several pages (the
        unchanged check knows only the first page's file)."""
        paginated = self.settings.get("PAGINATED_TEMPLATES") or {}
        return template_name in paginated and bool(paginated[template_name] or self.settings.get("DEFAULT_PAGINATION"))

    def _open_w(self, filename, encoding, override=False):
        not_here, self._not_here = getattr(self, "_not_here", None), None
        if not_here:
            # Pelican's own rule (Writer._open_w), without opening the file: the other
            # process writes it, or it is on disk as this page would write it
            if filename in self._written_files and not override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already written to it previously')
            self._written_files.add(filename)
            if not_here == "elsewhere":
                minify.written_elsewhere(filename)
            return _Elsewhere()
        f = super()._open_w(filename, encoding, override=override)
        # pages only: feeds are written by feedgenerator, which wants a real file
        if f.name == os.devnull or not filename.endswith(".html"):
            return f
        minifying = bool(self.settings.get("CLINIC_MINIFY"))
        if not minifying and not minify.compressing(self.settings["OUTPUT_PATH"]):
            return f
        return _MinifyOnClose(f, minifying, self.output_path)


def get_writer(pelican):
    """get_writer: the build's Writer, for builds that minify, compress, split or
    skip unchanged pages."""
    s = pelican.settings
    if s.get("CLINIC_MINIFY") or s.get("CLINIC_PRECOMPRESS") or s.get("CLINIC_PARALLEL_WRITE") \
            or incremental.enabled(s):
        return ClinicWriter
    return None
