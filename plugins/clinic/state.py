"""The state of the site's builds, in two objects and nowhere else:

- Build: everything one Pelican run keeps, made when the run starts
  (plugin.py, initialized) and handed to whatever needs it: the generator and
  the writer are classes made for it, and the few receivers Pelican gives no
  way to reach it are connected for the life of the run (open(), close());
- Session: what a process that builds again and again (the dev server)
  keeps between builds, so that a rebuild does only what changed. Every
  answer in it is keyed by a digest of all it depends on, so it cannot be
  stale. tools/build.py and tools/devserver.py own one; a build without one
  (plain `pelican`) gets a new one.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from pelican import signals
from pelican.contents import Content

from .checks import links, readability, validate
from .checks.lastbuild import LastBuild
from .model import dates, settings as settings_model
from .model.paths import RealPaths, files_under
from .model.problems import problems_from_rows, rows_of
from .outputs.assets import Assets
from .outputs.compress import COPIES
from .outputs import stale
from .outputs.minify import Finisher
from .outputs.search_index import SearchIndex, SearchMemory, bundles
from .outputs.sitemap import Sitemap
from .pages.generator import check_content, release_written
from .pages.templates import MemoryBytecodeCache, TemplateCache
from .pages import filters
from .pages.i18n import Catalogs
from .pages.languages import LanguageNames
from .speed import content_cache, incremental, quick, reuse, search_reuse
from .speed.memory import Trimmer
from .speed.parallel_read import ReadWorker
from .speed.parallel_write import PageSharing


PAGE_TEXT_CHECKS = "page-text-checks.json"
LINKS_READ = "links-read.json"
SOURCES_CHECKED = "sources-checked.pickle"
BLOCKS_HTML = "blocks-html.json"


class Session:
    """What the dev server keeps from one rebuild to the next."""

    def __init__(self, memos: "Session | None" = None):
        """memos: another session whose pure memos (compiled templates, reading
        levels, both keyed by exactly what they depend on) this one shares; a
        test suite that builds many sites in one process passes its first."""
        self.validated = validate.Remembered()  # each source file's check
        self.links = links.Remembered()  # each page's links
        self.page_text_checks = LastBuild()  # each page's safety and call-us checks
        self.blocks_html = LastBuild()  # each shared block's HTML (pages/generator.py, fill_blocks)
        self.search = SearchMemory()  # the search bundles made, and runs still going
        self.pages: dict[str, incremental.Pages] = {}  # by output folder: the key of each page written
        self.assets_used: dict[str, set[str]] = {}  # by output folder: the assets its pages asked for
        self.quick: quick.LastSite | None = None  # what the last build made: the dev server shows an edit from it
        self.templates = memos.templates if memos else MemoryBytecodeCache()  # compiled templates
        # by the syllable table's folder
        self._levels: dict[str, readability.ReadingLevels] = memos._levels if memos else {}

    def reading_levels(self, data_dir: Path | None) -> readability.ReadingLevels:
        return self._levels.setdefault(str(data_dir), readability.ReadingLevels(data_dir))

    def pages_of(self, output: str) -> incremental.Pages:
        key = os.path.realpath(output)
        return self.pages.setdefault(key, incremental.Pages(key))


class Build:
    """One Pelican run of the site."""

    def __init__(self, pelican, session: Session):
        s = pelican.settings
        self.pelican_settings = s
        project = Path(s["PATH"]).resolve().parent
        files = [(name, (project / name).read_text(encoding="utf-8")) for name in ("pelicanconf.py", "publishconf.py")
                 if (project / name).is_file()]
        self.settings, self.setting_problems = settings_model.read(
            s, lambda name: settings_model.setting_file(name, files))
        clinic = self.settings
        self.session = session
        cache_root = Path(s["CACHE_PATH"])  # the build's own files; Pelican's content cache goes below it
        self.content_cache = content_cache.for_build(s, files)
        self.output = os.path.realpath(pelican.output_path)
        self.siteurl = s.get("SITEURL", "")  # where pages link to: "" or the site's folder, e.g. "/clinic"
        self.address = clinic.address or self.siteurl  # what the live site is called, e.g. "https://…/clinic"
        self.today = dates.today(clinic.today, s.get("TIMEZONE"))
        self.assets = Assets(Path(s["THEME"]) / "static", self.siteurl, s["THEME_STATIC_DIR"])
        self.image_jobs: list = []  # images to resize (pages/images.py), written at the end
        self.feeds_written: set[str] = set()  # the feed files this build wrote (speed/writer.py)
        self.pages_made: set[str] = set()  # every page this build wrote or kept (remove_stale_files)
        self.static_made: set[str] = set()  # the content's static files, in the output folder
        self.review_rows: list = []  # for `make review-report`
        self.readability_rows: list = []  # for `make readability`
        self.lang_context: dict[str, dict] = {}  # language -> what its pages see instead (pages/languages.py)
        self.alternates: dict[str, dict[str, str]] = {}  # page -> the same page in each language (hreflang)
        self.default_lang = s.get("DEFAULT_LANG") or "en"
        self.sitemap = Sitemap()
        self.finisher = Finisher(clinic.minify, clinic.precompress, clinic.precompress_text_extensions,
                                 clinic.precompress_min_size, self.address)
        self.search = SearchIndex(self.output, clinic.search_pages_per_index, session.search)
        if clinic.search_index_early:  # a publish: Pagefind's runner starts now and waits for the pages
            self.search.prepare()
        # a process that builds again and again (the dev server, `make html --cache`) keeps the
        # session's answers; a publish is one build in a new process, for which they were only memory
        self.remembers = incremental.enabled(s, clinic.incremental)
        # a publish hands back the memory it lets go, as it goes (speed/memory.py)
        self.trimmer = Trimmer(on=not self.remembers)
        self.incremental = session.pages_of(self.output) if self.remembers else None
        # a publish: the pages no edit can have changed are copied from the last one (speed/reuse.py);
        # the pages are followed even with an empty cache, for the next publish's record
        self.reuse_record: dict | None = None
        self.reused = 0
        self.pagefind = None  # the state of the Pagefind binary, for a publish's record (speed/search_reuse.py)
        if self.incremental is None and clinic.reuse_pages and self.content_cache is not None:
            self.incremental = incremental.Pages(self.output)
            self.reuse_record = reuse.load(self.content_cache.folder) if self.content_cache.loaded else {}
            # and each page's safety and call-us checks (pages/generator.py, check_page_text): the
            # dev server keeps them in memory; a publish, in the content cache's folder (23 ms of
            # the clinic's publish to parse every page's HTML again)
            if self.content_cache.loaded:
                session.page_text_checks.load(self.content_cache.folder / PAGE_TEXT_CHECKS, problems_from_rows)
                # and the links of the pages the link check read back from the last publish's
                # folder, by file state: a copied page is the same file (0.8 s of a 3.9 s
                # publish of 1,000 articles with nothing changed, reading them all again)
                session.links.load(self.content_cache.folder / LINKS_READ)
                # and each source file's check, by everything it depends on (0.35 s of a
                # publish of 1,000 articles, checking every unchanged file again)
                session.validated.answers.load_pickled(self.content_cache.folder / SOURCES_CHECKED)
                session.blocks_html.load(self.content_cache.folder / BLOCKS_HTML, str)
            # and the search bundles made from the same page files (speed/search_reuse.py)
            if clinic.search_index_early:
                self.pagefind = search_reuse.binary()
                self.search.keep = functools.partial(search_reuse.link_unchanged, self.reuse_record.get("search"),
                                                     self.reuse_record.get("output"), self.output,
                                                     binary=self.pagefind)
        if self.incremental is not None:
            self.incremental.start()
        # the dev server's: how each article's page was written, so an edit to its text alone
        # is shown before the rebuild (speed/quick.py)
        self.recipes: dict | None = {} if self.incremental is not None and self.reuse_record is None \
            and clinic.live_reload else None
        self.generator = None  # the site's ClinicGenerator, once every file is read
        self.site_check = None  # check_content()'s answer, until the ClinicGenerator takes it
        self.sharing = PageSharing(self.finisher, self.incremental, clinic.parallel_write,
                                   clinic.parallel_write_min)
        data_dir = readability.data_dir_of(clinic.nltk_data, s["PATH"])
        self.levels = session.reading_levels(data_dir)
        self.readings_file = cache_root / "reading-levels.json"
        self.language_names = LanguageNames(cache_root / "language-names.json")  # the switcher's
        self.templates = TemplateCache(session.templates, cache_root / "templates")
        self.catalogs = Catalogs(s["THEME"], clinic.country)
        self.setting_problems += settings_model.languages_without_catalog(clinic, self.catalogs.by_lang)
        self.levels.load(self.readings_file)
        # a loaded content cache holds the files that did not change: too few to share
        cached = self.content_cache is not None and self.content_cache.loaded
        self.reader = ReadWorker(self.levels, clinic.parallel_read and not cached, clinic.parallel_read_min,
                                 clinic.readability_target is not None, data_dir and str(data_dir))

    # -- the receivers of this build only ---------------------------------------------
    def open(self) -> None:
        signals.generator_init.connect(self.on_generator_init)
        signals.static_generator_finalized.connect(self.on_static_generator_finalized)
        signals.content_written.connect(self.on_content_written)
        signals.article_generator_init.connect(self.on_article_generator_init)
        self.reader.connect()

    def disconnect(self) -> None:
        signals.generator_init.disconnect(self.on_generator_init)
        signals.static_generator_finalized.disconnect(self.on_static_generator_finalized)
        signals.content_written.disconnect(self.on_content_written)
        signals.article_generator_init.disconnect(self.on_article_generator_init)
        self.reader.disconnect()

    def on_generator_init(self, generator) -> None:
        """Each generator's templates get the clinic's filters, asset() and the
        compiled templates of the session and the cache folder (the settings module's dicts stay as they are)."""
        env = generator.env
        env.filters.update(filters.FILTERS)
        env.globals["asset"] = self.assets.url
        env.bytecode_cache = self.templates
        self.catalogs.install(env)
        generator.context.update(self.catalogs.template_words(self.default_lang))

    def on_article_generator_init(self, generator) -> None:
        """The Markdown worker starts (speed/parallel_read.py), then every source
        file is checked, before Pelican reads the articles, not after: on a large
        site the worker converts more of the files while this process checks
        them (0.4 s at 1,000 articles, which the worker spent waiting before)."""
        self.reader.start(generator)
        self.site_check = check_content(self, generator.settings)

    def on_static_generator_finalized(self, generator) -> None:
        """The content's static files (images) Pelican copies into the output."""
        self.static_made = {sf.save_as.replace(os.sep, "/") for sf in generator.context.get("staticfiles", [])}

    def on_content_written(self, path, context) -> None:
        """A page is on disk (or accounted for: not rendered again, or written
        by the other process): the sitemap lists it, the compressor takes it,
        and its article lets its HTML go."""
        self.pages_made.add(os.path.normpath(path))
        self.sitemap.add(path, context)
        self.finisher.on_content_written(path)
        release_written(path, context)
        self.trimmer.page_written()

    # -- what the generator asks of the build --------------------------------------------
    def plan_pages(self, context) -> None:
        """Which pages this build renders: the dev server's (speed/incremental.py),
        a publish's, which copies the others from the last publish (speed/reuse.py)."""
        if self.incremental is not None:
            incremental.plan_build(self.incremental, context, self.pelican_settings, self.today.isoformat(),
                                   RealPaths(), contents=self.reuse_record is not None)
        if self.reuse_record is not None:
            copied = reuse.copy_unchanged(self.incremental, self.reuse_record, self.content_cache.folder.name.encode(),
                                          COPIES if self.finisher.compressor is not None else ())
            self.finisher.copied = {os.path.normpath(path) for path in copied}  # not compressed again
            self.reused = len(copied)
            # the copied pages ask for nothing, as the dev server's unchanged ones: name their assets
            self.session.assets_used[self.output] = set(self.reuse_record.get("assets", ())) if self.reused else set()

    def reading_levels(self) -> readability.ReadingLevels:
        """The build's ReadingLevels, with what the second process measured."""
        self.reader.collect_readings()
        return self.levels

    # -- the end ----------------------------------------------------------------------------
    def store_readings(self) -> None:
        """finalized: this build's reading levels (checks/readability.py) and the
        languages' names (pages/languages.py), for the next build."""
        if self.settings.readability_target is not None:
            self.levels.store(self.readings_file)
        self.language_names.store()

    def write_assets(self) -> None:
        """finalized: the theme's assets the pages asked for, and the resized images."""
        from .outputs import images
        # pages not rendered again (incremental.py) ask for nothing, but still name the assets
        also = self.session.assets_used.get(self.output, ()) if self.incremental is not None else ()
        self.assets.write(Path(self.output), also=also)
        self.session.assets_used[self.output] = set(self.assets.used)
        images.write(self.image_jobs, Path(self.output))

    def last_site(self) -> quick.LastSite | None:
        """What this finished build made, for the dev server to show an edit from (speed/quick.py)."""
        if self.recipes is None or self.generator is None or self.incremental.stamp is None:
            return None
        return quick.LastSite(self.generator, self.pelican_settings, self.output, self.today.isoformat(),
                              self.incremental.heads, self.recipes, self.finisher.minifying)

    def remember_published(self, output: Path) -> None:
        """The new site is in place as `output`: the record of its pages and search
        bundles (speed/reuse.py, speed/search_reuse.py) and the answers the next
        publish need not work out again (each page's text checks, the links read
        back, each source file's check, each block's HTML), in the content cache's folder."""
        if self.reuse_record is not None:
            search = {}
            if self.search.keep is not None:
                runs = self.search.commands()
                search = search_reuse.record(str(output), bundles(len(runs)), self.search.parts, runs, self.pagefind)
            reuse.save(self.content_cache.folder, output, self.incremental, list(self.assets.used), search)
            self.session.page_text_checks.store(self.content_cache.folder / PAGE_TEXT_CHECKS, rows_of)
            self.session.links.store(self.content_cache.folder / LINKS_READ)
            self.session.validated.answers.store_pickled(self.content_cache.folder / SOURCES_CHECKED)
            self.session.blocks_html.store(self.content_cache.folder / BLOCKS_HTML, str)

    @property
    def validating(self) -> validate.Remembered | None:
        """The answers of the source files' checks kept between builds: the dev
        server's, a publish's (in the content cache's folder), or none."""
        return self.session.validated if self.remembers or self.reuse_record is not None else None

    @property
    def links_read(self) -> links.Remembered | None:
        """What the link check reads the pages it did not see written through: the dev
        server's memo, a publish's (kept in the content cache's folder), or nothing."""
        return self.session.links if self.remembers or self.reuse_record is not None else None

    def remove_stale_files(self) -> None:
        """A build into a folder an earlier build filled (`make html`, the dev
        server): a file it did not make (a page since deleted or renamed, its
        copies, an old feed, a removed image) would be served as if current."""
        output = Path(self.output)
        s = self.pelican_settings
        static_dir = s["THEME_STATIC_DIR"]
        made = {os.path.relpath(p, self.output).replace(os.sep, "/") for p in self.pages_made | self.feeds_written}
        made |= self.static_made | {job.target for job in self.image_jobs}
        made |= stale.theme_files(Path(s["THEME"]), s["THEME_STATIC_PATHS"], static_dir) \
            - {f"{static_dir}/{rel}" for rel in self.assets.used}
        made |= {f"{static_dir}/{hashed}" for hashed in self.assets_hashed()} | {"sitemap.xml", "robots.txt"}
        stale.remove(output, stale.stale_files(files_under(output), made, self.settings.precompress))

    def assets_hashed(self) -> list[str]:
        return [hashed for hashed, _ in self.assets.used.values()]

    def close(self) -> None:
        """Whatever the run left: the other writing process, the reading worker,
        a Pagefind run still going, the compressor's thread."""
        self.disconnect()
        self.sharing.abandon()
        self.search.stop()
        try:
            self.finisher.finish()
        except OSError:
            pass


def forget_cached_content(*_args) -> None:
    """Pelican keeps every Content's HTML and summary in class-wide dicts
    (utils.memoized) for as long as the process lives, and each Content there
    holds the build's whole context: the articles of a finished build (and in
    the dev server, of every earlier one) could never be let go."""
    Content.get_content.cache.clear()
    Content.get_summary.cache.clear()
