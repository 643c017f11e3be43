"""Pelican glue: the receivers of Pelican's signals, and register(), which
connects them from one table. Each receiver finds the run's Build (state.py)
on what Pelican hands it: the Pelican object, the generators (a class made
for the build, pages/generator.py), or the writer (likewise, speed/writer.py).
"""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from .outputs.headers import write_host_files_to
from .pages.generator import ClinicGenerator, generator_for, report
from .speed.writer import writer_for
from .state import Build, Session, forget_cached_content


def build_of(pelican) -> Build:
    return pelican.clinic_build


def start_build(pelican) -> None:
    """initialized: this run's Build, with the session of whoever runs it
    (tools/build.py, the dev server) or a new one (plain `pelican`). A wrong
    setting is reported here, once."""
    build = Build(pelican, getattr(pelican, "clinic_session", None) or Session())
    pelican.clinic_build = build
    build.open()
    report(build.setting_problems)


def get_generators(pelican):
    return generator_for(build_of(pelican))


def get_writer(pelican):
    return writer_for(build_of(pelican))


def _generator(generators) -> ClinicGenerator | None:
    return next((g for g in generators if isinstance(g, ClinicGenerator)), None)


def finish_articles(generators) -> None:
    """all_generators_finalized: every file is read; decorate and check the articles."""
    g = _generator(generators)
    if g is not None:
        g.build.generator = g
        # a publish: what reading and checking every file let go, then what deciding the
        # pages let go (the source texts, the checks' work), back to the system (speed/memory.py)
        g.build.trimmer.now()
        g.finish()
        if not g.build.remembers:  # every page is measured: the reading tables too
            g.build.levels.release_tables()
        g.build.trimmer.now()


def let_go_of_saved_reads(generator) -> None:
    """article_generator_finalized, page_generator_finalized: Pelican has saved
    what its reader made of each file to the content cache file (save_cache(),
    just before this signal) and keeps it in memory to the end, unread: every
    article's HTML as Markdown made it, beside the HTML its page is made from
    (pages/generator.py fills the shared blocks in). Measured on 5,000
    articles, 26 MiB of a first publish's memory (tracemalloc). The next build
    loads the file again. Pelican has no setting for this, hence its
    attribute (pelican/cache.py, FileDataCacher._cache)."""
    readers = getattr(generator, "readers", None)
    if readers is not None and isinstance(getattr(readers, "_cache", None), dict):
        readers._cache = {}


def plan_search(generators) -> None:
    """all_generators_finalized, before any page is written: how many bundles the
    search index will have, so the search page can name them."""
    g = _generator(generators)
    if g is not None:
        parts = g.build.search.plan_bundles(g.context, g.settings.get("SITEURL", ""),
                                            g.build.settings.translation_languages)
        g.context["clinic_search_parts"] = parts.get("", [])
        for lang, context in g.build.lang_context.items():
            context["clinic_search_parts"] = parts.get(lang, [])


def join_article_writers(generator, writer=None) -> None:
    """article_writer_finalized: the second writing process is done with the articles;
    a publish hands back what writing them left in the heap (speed/memory.py)."""
    writer.build.sharing.join()
    writer.build.trimmer.now(collect=False)


def pages_written(generator, writer=None) -> None:
    """page_writer_finalized: every searchable page is on disk; a production
    build starts Pagefind now, while the topic pages are written."""
    build = writer.build
    build.search.pages_written(generator.context, start=build.settings.search_index_early)


def write_outputs(pelican) -> None:
    """finalized: assets and images, the host files (unless tools/build.py
    writes them after the search index), the sitemap; the content cache is
    marked whole (speed/content_cache.py)."""
    build = build_of(pelican)
    build.trimmer.now(collect=False)  # a publish: what writing the topic pages left in the heap
    build.write_assets()
    build.store_readings()
    if not build.settings.host_files_after_search:
        write_host_files_to(Path(build.output), build.settings, pelican.settings["THEME_STATIC_DIR"],
                            build.assets_hashed())
    build.sitemap.write(build.output, build.address, build.settings.sitemap_exclude, build.alternates,
                        build.default_lang)
    if build.content_cache is not None:  # Pelican wrote its content cache while reading: it is whole
        build.content_cache.finished()
    build.disconnect()


# signal -> its receivers, in the order they run
RECEIVERS = (
    (signals.initialized, (forget_cached_content, start_build)),
    (signals.get_generators, (get_generators,)),
    (signals.get_writer, (get_writer,)),
    (signals.article_generator_finalized, (let_go_of_saved_reads,)),
    (signals.page_generator_finalized, (let_go_of_saved_reads,)),
    (signals.all_generators_finalized, (finish_articles, plan_search)),
    (signals.article_writer_finalized, (join_article_writers,)),
    (signals.page_writer_finalized, (pages_written,)),
    (signals.finalized, (write_outputs, forget_cached_content)),
)


def register():
    for signal, receivers in RECEIVERS:
        for receiver in receivers:
            signal.connect(receiver)
