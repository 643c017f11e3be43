"""An article's sections and structured data, worked out when its page is
written and let go once it has been.

Measured at 5,000 articles: holding every article's sections, structured
data and Pelican's cached copy of its HTML from the start of writing to the
end of the build was about 80 MiB, a quarter of the build's peak memory.
Worked out per page, they also get made in whichever of the two writing
processes (parallel_write.py) renders that page, instead of all in one
before writing starts.

Plain Python, no Pelican: `html_of` gives the article's finished HTML (its
images sized, its links resolved), `jsonld_of` the structured data for a
Parts. Templates read `article.parts.intro_html`, `.sections` and `.jsonld`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Callable

from . import sections as _sections


class Parts:
    def __init__(self, html_of: Callable[[], str], jsonld_of: Callable[["Parts"], str]):
        self._html_of, self._jsonld_of = html_of, jsonld_of

    @cached_property
    def _split(self) -> tuple[str, list[_sections.Section]]:
        return _sections.split(self._html_of())

    @property
    def intro_html(self) -> str:
        return self._split[0]

    @property
    def sections(self) -> list[_sections.Section]:
        return self._split[1]

    @cached_property
    def jsonld(self) -> str:
        try:
            return self._jsonld_of(self)
        except AttributeError as exc:  # Jinja would read it as "no such attribute" and leave the data out
            raise RuntimeError(f"structured data: {exc!r}") from exc

    def release(self) -> None:
        """Forget what was worked out; asking again works it out again."""
        self.__dict__.pop("_split", None)
        self.__dict__.pop("jsonld", None)

    @property
    def held(self) -> bool:
        """Whether anything worked out is still kept (for tests)."""
        return "_split" in self.__dict__ or "jsonld" in self.__dict__
