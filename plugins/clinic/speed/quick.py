"""The dev server shows a text edit before it rebuilds the site.

Most saves change the text of one article, and by the rule of incremental.py
only that article's own page shows its text. A rebuild still reads, checks
and plans the whole site (1.2 s at 1,000 articles, measured in `make bench`),
so the dev server keeps what its last build made, in this process (LastSite:
the site's generator, every article, and the template, context and arguments
each page was written with). When a save changed nothing but one article's
text, it puts that page on screen first (show_edit): the file is read again
by Pelican's reader, the article gets its new HTML, the build's own steps
fill in its shared blocks and decorate it, and its page is written with the
template and context it was written with. The rebuild then runs as it always
did: it writes that page again, with the same bytes (tests/test_quick.py
compares them), and the problems of the whole site, which the open page shows
when they come.

Anything else goes straight to the rebuild: more than one file, a metadata
line, an article without a Summary (its summary is shown elsewhere), a new
day (the review stamps), a build that did not finish.

Written by hand: Pelican builds the whole site or nothing, and no maintained
plugin renders one page from a finished build.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..model.rules import MARKDOWN_SUFFIXES
from .incremental import has_summary, header


@dataclass
class Recipe:
    """How the build wrote one article's page: Writer.write_file's arguments."""

    name: str
    template: object
    context: dict
    args: tuple
    kwargs: dict


@dataclass
class LastSite:
    """What the dev server's last finished build made, for show_edit()."""

    generator: object  # the build's ClinicGenerator: blocks, data, indexes, decorate()
    settings: dict  # Pelican's settings of that build
    output: str
    today: str
    heads: dict[str, str]  # real path of each Markdown file -> its metadata header then
    recipes: dict[str, tuple[object, Recipe]] = field(default_factory=dict)  # real path -> (article, recipe)
    minifying: bool = False  # CLINIC_MINIFY: the build minified its pages (outputs/minify.py)


def edited_article(last: LastSite, changed: list[str]) -> str | None:
    """The real path of the one article whose text alone changed, or None."""
    if len(changed) != 1 or not changed[0].lower().endswith(MARKDOWN_SUFFIXES):
        return None
    path = os.path.realpath(changed[0])
    if path not in last.recipes or path not in last.heads:
        return None
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    head = header(text)
    return path if head == last.heads[path] and has_summary(head) else None


def show_edit(last: LastSite, changed: list[str]) -> str | None:
    """Write the page of an article whose text alone changed, as the build would;
    the page's name under the output folder, or None (rebuild instead)."""
    from pelican.readers import Readers
    from pelican.writers import Writer

    from ..model import dates
    from ..outputs import images
    from ..outputs.minify import minify
    from ..pages.generator import forget_content

    g = last.generator
    today = dates.today(g.build.settings.today, last.settings.get("TIMEZONE")).isoformat()
    path = edited_article(last, changed) if today == last.today else None
    if path is None:
        return None
    obj, recipe = last.recipes[path]
    settings = {**last.settings, "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False}
    fresh = Readers(settings).read_file(base_path=settings["PATH"], path=path, content_class=type(obj),
                                        context=obj._context)
    obj.__dict__.pop("_get_content", None)  # the build let the old HTML go (release_written)
    obj._content = fresh._content
    forget_content(obj)
    g.fill_blocks([obj], g.blocks, g.data)
    meta = obj.clinic
    language = getattr(g, "languages", {}).get(meta.lang) if meta.lang else None
    jobs = len(g.build.image_jobs)
    g.decorate(obj, meta, language.index if language else g.index, language)
    # the resized copies of its images, made at the end of a build (those the last one made are kept)
    images.write(g.build.image_jobs[jobs:], Path(last.output))
    del g.build.image_jobs[jobs:]
    Writer(last.output, settings=settings).write_file(recipe.name, recipe.template, recipe.context,
                                                      *recipe.args, **recipe.kwargs)
    if last.minifying:  # as the build's writer does (speed/writer.py)
        page = Path(last.output) / recipe.name
        page.write_text(minify(page.read_text(encoding="utf-8")), encoding="utf-8")
    forget_content(obj)
    return recipe.name
