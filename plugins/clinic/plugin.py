"""Pelican glue for the clinic site.

`register()` only connects signals. The work happens in ClinicGenerator,
which Pelican runs after it has read every article and page:

1. load the vocabulary and the clinic's data files;
2. check every source file (see validate.py) and the files against each other;
3. attach what templates need to each article (terms, relations, review stamp,
   sections, structured data);
4. write the facet, term, A to Z and provider pages.

Every problem is logged on the "clinic" logger with the Problem attached.
tools/build.py collects them (with whatever Pelican itself logs) and fails a
production build on any error; development builds only show them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from typing import Callable

from jinja2.bccache import BytecodeCache
from pelican import signals
from pelican.contents import Content
from pelican.generators import Generator
from pelican.utils import SafeDatetime

from .outputs import assets, minify, search_index, sitemap, written_links
from .model import clinicdata, relations, yamlfile
from .pages import images, jsonld, sections
from .speed import incremental, parallel_read, parallel_write, writer
from .checks import readability, review, validate
from .outputs.headers import write_host_files
from .pages.parts import Parts
from .model.problems import Problem
from .model.rules import KIND_BY_FOLDER, KINDS
from .model.vocabulary import build as build_vocabulary

logger = logging.getLogger("clinic")


def report(problems: list[Problem]) -> None:
    for p in problems:
        level = logging.ERROR if p.severity == "error" else logging.WARNING
        logger.log(level, "%s", p.format(), extra={"clinic_problem": p})


def display_path(settings, path: str | os.PathLike) -> str:
    """A source path as the webmaster knows it: relative to the project, e.g. content/conditions/bunions.md."""
    return display_paths(settings, RealPaths())(path)


class RealPaths:
    """os.path.realpath for many files in a few folders, with the same answers:
    each folder is resolved once, and each file costs one lstat (is it a link
    itself?) instead of one for every part of its path. Resolving every
    article's path that way, three times, was 0.3 s of 5,000 articles' check."""

    def __init__(self):
        self._folders: dict[str, str] = {}

    def __call__(self, path: str | os.PathLike) -> str:
        path = os.fspath(path)
        folder, name = os.path.split(os.path.abspath(path))
        if not name or name in (".", "..") or ".." in path.replace("\\", "/").split("/"):
            return os.path.realpath(path)  # not a plain file name: the general rule
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = os.path.realpath(folder)
        full = os.path.join(real, name)
        return os.path.realpath(full) if os.path.islink(full) else full


def display_paths(settings, real: RealPaths) -> Callable[[str | os.PathLike], str]:
    """display_path for the many files of one build (its base folder resolved once)."""
    base = Path(os.path.realpath(settings.get("CLINIC_PROJECT_ROOT") or Path(settings["PATH"]).parent))

    def shown(path: str | os.PathLike) -> str:
        try:
            return str(Path(real(path)).relative_to(base))
        except ValueError:
            return str(path)
    return shown


_VALIDATED = validate.Remembered()  # the dev server's, from one rebuild to the next


def load_site_data(settings) -> tuple[object, clinicdata.ClinicData, list[Problem]]:
    content = Path(settings["PATH"])
    problems: list[Problem] = []
    tax_path = content / settings.get("CLINIC_TAXONOMY_FILE", "taxonomy.yaml")
    data, probs = yamlfile.load(tax_path, display_path(settings, tax_path))
    problems += probs
    vocab, probs = build_vocabulary(data, display_path(settings, tax_path))
    problems += probs if data is not None else []
    ddir = content / settings.get("CLINIC_DATA_DIR", "clinic")
    loaded = {}
    for name in ("clinic", "locations", "providers"):
        p = ddir / f"{name}.yaml"
        loaded[name], probs = yamlfile.load(p, display_path(settings, p))
        problems += probs
    clinic, probs = clinicdata.build_clinic(loaded["clinic"], display_path(settings, ddir / "clinic.yaml"))
    problems += probs
    locations, probs = clinicdata.build_locations(loaded["locations"], display_path(settings, ddir / "locations.yaml"))
    problems += probs
    providers, probs = clinicdata.build_providers(loaded["providers"], display_path(settings, ddir / "providers.yaml"),
                                                  vocab, locations)
    problems += probs
    return vocab, clinicdata.ClinicData(clinic, locations, providers), problems


def source_files(settings) -> list[tuple[Path, str]]:
    """Every Markdown file under the article and page folders, with its kind."""
    content = Path(settings["PATH"])
    out = []
    for folder in settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"]:
        kind = KIND_BY_FOLDER.get(folder)
        root = content / folder
        if kind is None or not root.is_dir():
            continue
        for p in sorted(root.rglob("*")):
            if p.is_file() and p.suffix.lower() in (".md", ".markdown", ".mkd", ".mdown") and not p.name.startswith("."):
                out.append((p, kind.name))
    return out


# Where Pelican's context keeps the articles and pages it read, of every status.
CONTENT_KEYS = ("articles", "drafts", "hidden_articles", "pages", "hidden_pages", "draft_pages")


class ClinicGenerator(Generator):
    """Checks the content, links articles to each other and writes the taxonomy pages."""

    def generate_context(self):
        settings = self.settings
        vocab, data, problems = load_site_data(settings)
        self.vocab, self.data = vocab, data

        # Which Pelican object came from which file.
        real = RealPaths()
        shown_as = display_paths(settings, real)
        objects = {}
        for key in CONTENT_KEYS:
            for obj in self.context.get(key, []) or []:
                objects[real(obj.source_path)] = obj
        # translations are not used on this site; a page in two languages is a duplicate address

        content_root = Path(settings["PATH"])
        content_files = files_under(content_root)
        # The dev server (Pelican's content cache on) checks again only the files that changed.
        check = _VALIDATED if settings.get("LOAD_CONTENT_CACHE") else None
        if check is not None:
            check.begin(vocab, data.providers, content_files)
        metas = []
        sources_text = {}
        by_path = {}
        for path, kind_name in source_files(settings):
            shown = shown_as(path)
            text, probs = validate.decode(shown, path.read_bytes())
            problems += probs
            if text is None:
                continue
            slug = path.stem.lower()
            meta, probs = (check or validate).validate_article(
                shown, text, KINDS[kind_name], slug, vocab, data.providers, content_files,
                path.parent.relative_to(content_root).as_posix())
            problems += probs
            obj = objects.get(real(path))
            if obj is None:
                if not any(p.severity == "error" and p.path == shown for p in problems):
                    problems.append(Problem(shown, None, "file", "Pelican could not read this file",
                                            "see Pelican's message about it above"))
                continue
            metas.append(meta)
            sources_text[meta.path] = text
            by_path[meta.path] = obj
            obj.clinic = meta
            obj.kind = meta.kind
        problems += validate.validate_site(metas)

        index = relations.build_index(metas, vocab, settings.get("CLINIC_RELATED_LIMIT", 5))
        self.index, self.by_path = index, by_path

        self.context.update(
            clinic=data.clinic,
            clinic_locations=list(data.locations.values()),
            clinic_main_location=data.main_location,
            clinic_providers=list(data.providers.values()),
            vocabulary=vocab,
            clinic_kinds=KINDS,
        )
        if data.clinic.get("name"):
            self.context["SITENAME"] = settings["SITENAME"] = data.clinic["name"]

        self.context["clinic_index"] = index
        self.context["clinic_featured"] = [
            by_path[m.path] for slug in settings.get("CLINIC_FEATURED_CONDITIONS", [])
            for m in [index.by_kind_slug.get(("condition", slug))] if m and m.path in by_path]
        self.context["clinic_site_jsonld"] = jsonld.dumps(jsonld.clinic(data, settings["SITEURL"]))
        self.metas, self.sources_text, self.problems = metas, sources_text, problems

    def finish(self):
        """What needs each article's rendered HTML. Pelican renders it on first use and
        keeps the result, so this waits until every generator has read its files
        (until then a {static} link to an image cannot be resolved)."""
        metas, by_path = getattr(self, "metas", []), getattr(self, "by_path", {})
        if incremental.enabled(self.settings):
            self.plan_incremental()
        for obj in by_path.values():
            # Pelican works out `url` from the settings on every access (about 40 us);
            # listings and structured data name the same pages hundreds of times.
            obj.href = obj.url
        for meta in metas:
            obj = by_path.get(meta.path)
            if obj is not None:
                self.decorate(obj, meta, self.index)
        # The feed lists the newest and most recently updated articles first
        # (pages elsewhere sort by title, which ARTICLE_ORDER_BY gives them).
        latest = lambda a: getattr(a, "modified", None) or a.date  # noqa: E731
        self.context.get("articles", []).sort(key=latest, reverse=True)
        problems = self.problems
        problems += self.check_reviews(metas, self.data)
        problems += self.check_readability(metas, by_path, self.sources_text)
        report(problems)
        # Measured: the source texts are not needed again, and an article's
        # sections are cut from its HTML when its page is written (parts.py);
        # on 5,000 articles the texts and the bodies were about a fifth of the
        # build's memory. Only a body whose images were given sizes differs
        # from Pelican's and is kept.
        self.sources_text = {}
        for meta in metas:
            obj = by_path.get(meta.path)
            if obj is not None and meta.kind != "page":
                if obj.body_html is not None and obj.body_html is obj.content:
                    obj.body_html = None
                forget_content(obj)  # Pelican works it out again (about 0.1 ms) when the page is written

    def plan_incremental(self) -> None:
        """The dev server: which pages this rebuild must render (incremental.py).
        Worked out before anything below changes the settings."""
        settings = self.settings
        roots = [os.path.realpath(settings["PATH"]), os.path.realpath(settings["THEME"])]
        real = RealPaths()
        sources, files, own_by_file = incremental.scan(roots, real)
        stamp = incremental.site_stamp(sources, files, settings, self.today().isoformat())
        own = {}
        for key in CONTENT_KEYS:
            for obj in self.context.get(key, []) or []:
                save_as = getattr(obj, "save_as", None)
                found = own_by_file.get(real(obj.source_path)) if obj.source_path else None
                if save_as:
                    # a file of a kind scan() does not read (an .html article): its own
                    # digest is unknown, so its page is rendered every time
                    own[save_as] = found if found is not None else os.urandom(16)
        incremental.plan(self.output_path, stamp, own)

    def today(self) -> dt.date:
        fixed = self.settings.get("CLINIC_TODAY")
        return dt.date.fromisoformat(str(fixed)) if fixed else dt.date.today()

    def check_reviews(self, metas, data) -> list[Problem]:
        rows = review.rows(metas, data.providers, self.today(), self.settings.get("CLINIC_REVIEW_SOON_DAYS", 60))
        self.settings["CLINIC_REVIEW_ROWS"] = rows  # for `make review-report`
        severity = "error" if self.settings.get("CLINIC_REVIEW_OVERDUE") == "error" else "warning"
        return review.problems(rows, severity)

    def check_readability(self, metas, by_path, sources_text) -> list[Problem]:
        target = self.settings.get("CLINIC_READABILITY_TARGET")
        if target is None:
            return []
        # loaded only if a page is measured here (10 MiB): the worker measures them on large sites
        readability.use_data_dir(readability.data_dir_of(self.settings))
        parallel_read.collect_readings()  # what the second process measured
        severity = "error" if self.settings.get("CLINIC_READABILITY_FAIL") else "warning"
        problems, rows = [], []
        for meta in metas:
            obj = by_path.get(meta.path)
            if obj is None or not KINDS[meta.kind].medical:
                continue
            source = sources_text.get(meta.path, "")
            reading = readability.measure(obj.body_html, source) if obj.body_html is not None \
                else readability.measure_unresolved(obj._content, source, lambda: obj.content)
            obj.reading = reading
            rows.append((meta, reading))
            if reading.grade > target:
                words, line, _ = reading.longest[0] if reading.longest else (0, None, "")
                problems.append(Problem(meta.path, line, "readability",
                                        f"reads at grade {reading.grade}, above the target of {target}",
                                        f"use shorter sentences and common words; the longest sentence has {words} words",
                                        severity))
        self.settings["CLINIC_READABILITY_ROWS"] = rows  # for `make readability`
        return problems

    # -- what each article carries into its template -------------------------
    def decorate(self, obj, meta, index):
        vocab = self.vocab
        obj.kind = meta.kind
        obj.kind_info = KINDS[meta.kind]
        latest = max((d for d in (meta.modified, meta.last_reviewed) if d), default=None)
        if latest and meta.date and latest > meta.date:
            # the sitemap's lastmod and the feed's "updated" follow the last change or review
            obj.modified = SafeDatetime(latest.year, latest.month, latest.day, tzinfo=obj.date.tzinfo)
            obj.locale_modified = obj.modified.strftime(obj.date_format)
        term_facet = KINDS[meta.kind].term_facet
        own_term = vocab.term(term_facet, meta.slug) if term_facet else None
        obj.term = own_term
        obj.also_called = [s for s in own_term.synonyms
                           if s.lower() not in (own_term.label.lower(), own_term.label.lower().rstrip("s"))] \
            if own_term else []
        terms_of = index.terms_of.get(meta.path, {})  # its own terms and those its relations imply
        facets = []
        for facet_slug, facet in vocab.facets.items():
            slugs = [s for s in terms_of.get(facet_slug, []) if not (own_term and s == own_term.slug)]
            terms = [facet.terms[s] for s in slugs if s in facet.terms]
            if terms:
                facets.append((facet, terms))
        obj.facets = facets
        obj.reviewer = self.data.providers.get(meta.reviewer)
        # Pelican's HTML before its links are resolved (obj._content) has the same
        # tags: an article without images keeps Pelican's own, resolved only when
        # something asks for it (its page, its reading level), so the dev server
        # does not resolve the links of the pages it does not render again (0.8 s
        # of a 7 s rebuild at 5,000 articles).
        if meta.kind == "page" or "<img" in obj._content:
            html = obj.content
            if "<img" in html:
                html, jobs = images.enhance(html, Path(self.settings["PATH"]), self.settings["SITEURL"],
                                            self.settings.get("CLINIC_IMAGE_MAX_WIDTH", 1200))
                self.settings.setdefault("CLINIC_IMAGE_JOBS", []).extend(jobs)
            obj.body_html = html
        else:
            obj.body_html = None
        pick = lambda metas: [self.by_path[m.path] for m in metas if m.path in self.by_path]  # noqa: E731
        obj.treated_by_procedures = pick([m for m in index.treated_by.get(meta.slug, []) if m.kind == "procedure"]) \
            if meta.kind == "condition" else []
        obj.treated_by_treatments = pick([m for m in index.treated_by.get(meta.slug, []) if m.kind == "treatment"]) \
            if meta.kind == "condition" else []
        obj.treats_pages = pick(index.treats.get(meta.slug, [])) if meta.kind in ("procedure", "treatment") else []
        obj.related_pages = pick(index.related.get(meta.path, []))
        obj.performed_by = [p for p in self.data.providers.values() if meta.slug in p.specialties] \
            if meta.kind in ("procedure", "treatment") else []
        kind = KINDS[meta.kind]
        obj.breadcrumbs = [("Home", "")] + ([] if meta.kind == "page" else [(kind.label, f"{kind.folder}/")])
        if meta.kind != "page":  # pages show body_html whole
            obj.parts = Parts(lambda: obj.body_html if obj.body_html is not None else obj.content,
                              lambda parts: jsonld.dumps(self.structured_data(obj, meta, own_term, parts.sections))
                              if kind.medical else "")

    def structured_data(self, obj, meta, own_term, body_sections):
        site = self.settings["SITEURL"]
        url = lambda rel: f"{site}/{rel}"  # noqa: E731
        return jsonld.medical_page(
            jsonld.PageFacts(
                url=url(obj.href), title=meta.title, summary=meta.summary, kind=meta.kind,
                date=meta.date, modified=meta.modified, last_reviewed=meta.last_reviewed,
                reviewer=obj.reviewer, term=own_term,
                facets={facet.slug: terms for facet, terms in obj.facets},
                treatments=[(p.clinic.title, url(p.href), p.kind) for p in
                            obj.treated_by_procedures + obj.treated_by_treatments],
                treats=[(p.clinic.title, url(p.href)) for p in obj.treats_pages],
                breadcrumbs=[(name, url(rel)) for name, rel in obj.breadcrumbs] + [(meta.title, url(obj.href))],
                how_performed=sections.first_paragraph(body_sections, "During surgery")
                or sections.first_paragraph(body_sections, "What to expect"),
                preparation=sections.first_paragraph(body_sections, "Before surgery"),
                followup=sections.first_paragraph(body_sections, "After surgery")
                or sections.first_paragraph(body_sections, "How long it takes"),
                sources=meta.sources,
            ),
            self.data, site)

    def generate_output(self, writer):
        self.write_robots()
        vocab = self.vocab
        index = getattr(self, "index", None)
        if index is None:
            return
        pick = lambda metas: [self.by_path[m.path] for m in metas if m.path in self.by_path]  # noqa: E731
        ctx = self.context.copy()
        base = "browse/"
        # The topic pages are many on a large site: a second process writes every
        # second one (parallel_write.py); the rest of this method is written here.
        terms = [f"{base}{facet.slug}/{t}/index.html" for facet in vocab.facets.values() for t in facet.terms]
        shared = set(terms) | {f"{base}index.html"} | {f"{base}{f}/index.html" for f in vocab.facets}
        parallel_write.begin(writer, self.settings, terms[1::2], shared)
        writer.write_file("browse/index.html", self.get_template("browse"), ctx,
                          page_url="browse/", page_title="Browse by topic", facets=list(vocab.facets.values()),
                          counts={(f, t): len(v) for (f, t), v in index.terms.items()})
        for facet in vocab.facets.values():
            counts = {t: len(index.terms.get((facet.slug, t), [])) for t in facet.terms}
            writer.write_file(f"{base}{facet.slug}/index.html", self.get_template("facet"), ctx,
                              page_url=f"{base}{facet.slug}/", page_title=facet.plural, facet=facet, counts=counts)
            for term in facet.terms.values():
                pages = pick(index.terms.get((facet.slug, term.slug), []))
                groups = []
                for kind in KINDS.values():
                    members = [p for p in pages if getattr(p, "kind", None) == kind.name]
                    if members:
                        groups.append((kind, members))
                own = next((p for p in pages if getattr(p, "term", None) == term), None)
                writer.write_file(f"{base}{facet.slug}/{term.slug}/index.html", self.get_template("term"), ctx,
                                  page_url=f"{base}{facet.slug}/{term.slug}/", page_title=term.label,
                                  facet=facet, term=term, groups=groups, own_page=own)
        parallel_write.join()
        condition_pages = {slug for (kind, slug) in index.by_kind_slug if kind == "condition"}
        entries = relations.a_to_z(vocab, condition_pages)
        letters = []
        for e in entries:
            if not letters or letters[-1][0] != e.letter:
                letters.append((e.letter, []))
            letters[-1][1].append(e)
        urls = {slug: self.by_path[m.path].href for (kind, slug), m in index.by_kind_slug.items()
                if kind == "condition" and m.path in self.by_path}
        writer.write_file("a-z/index.html", self.get_template("a_z"), ctx, page_url="a-z/",
                          page_title="Conditions A to Z", letters=letters, condition_urls=urls)
        providers = list(self.data.providers.values())
        proc_pages = {slug: self.by_path[m.path] for (kind, slug), m in index.by_kind_slug.items()
                      if kind in ("procedure", "treatment") and m.path in self.by_path}
        writer.write_file("providers/index.html", self.get_template("providers"), ctx, page_url="providers/",
                          page_title="Our team", providers=providers)
        for p in providers:
            writer.write_file(f"providers/{p.slug}/index.html", self.get_template("provider"), ctx,
                              page_url=f"providers/{p.slug}/", page_title=p.display_name, provider=p,
                              procedure_pages=[proc_pages[s] for s in p.specialties if s in proc_pages],
                              provider_locations=[self.data.locations[s] for s in p.locations if s in self.data.locations])


    def write_robots(self):
        # Written here, not as a static file, because it must name the site's own sitemap address.
        lines = ["User-agent: *"] + [f"Disallow: {p}" for p in self.settings.get("CLINIC_ROBOTS_DISALLOW", [])]
        if self.settings.get("SITEURL"):
            lines.append(f"Sitemap: {self.settings['SITEURL']}/sitemap.xml")
        Path(self.output_path).mkdir(parents=True, exist_ok=True)
        (Path(self.output_path) / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


class MemoryBytecodeCache(BytecodeCache):
    """Compiled templates, kept for the life of the process.

    Pelican gives every generator its own Jinja environment, and the dev server
    makes a new Pelican for each rebuild, so each template was compiled several
    times per build (about 0.1 s each time). Jinja's bytecode cache API is the
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


TEMPLATE_CACHE = MemoryBytecodeCache()


def files_under(root: Path) -> set[str]:
    """Every file below root, as paths relative to it with forward slashes
    (os.walk: several times faster than Path.rglob on a few thousand files)."""
    found = set()
    for folder, _, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        prefix = "" if rel == "." else rel.replace(os.sep, "/") + "/"
        found.update(prefix + n for n in names)
    return found


def add_template_helpers(pelican):
    from .pages import filters
    settings = pelican.settings
    # a copy: the settings module's own dict is shared by every build in this process
    settings["JINJA_ENVIRONMENT"] = dict(settings.get("JINJA_ENVIRONMENT") or {}, bytecode_cache=TEMPLATE_CACHE)
    settings.setdefault("JINJA_FILTERS", {}).update(filters.FILTERS)
    static = Path(settings["THEME"]) / "static"
    build_assets = assets.Assets(static, settings["SITEURL"], settings["THEME_STATIC_DIR"])
    settings["CLINIC_ASSETS"] = build_assets  # this build's own; a new Pelican gets a new one
    settings.setdefault("JINJA_GLOBALS", {})["asset"] = build_assets.url


_ASSETS_USED: dict[str, set[str]] = {}  # by output folder: the assets its pages asked for


def write_assets(pelican):
    build_assets = pelican.settings.get("CLINIC_ASSETS")
    if build_assets is not None:
        # pages not rendered again (incremental.py) ask for nothing, but still name the assets
        key = os.path.realpath(pelican.output_path)
        also = _ASSETS_USED.get(key, ()) if incremental.enabled(pelican.settings) else ()
        build_assets.write(Path(pelican.output_path), also=also)
        _ASSETS_USED[key] = set(build_assets.used)
    images.write(pelican.settings.get("CLINIC_IMAGE_JOBS", []), Path(pelican.output_path))


def release_written(path, context):
    """content_written: an article page is on disk; let its sections, structured
    data and Pelican's cached HTML go (parts.py). Asked for again, they are
    worked out again."""
    obj = context.get("article")
    parts = getattr(obj, "parts", None)
    if parts is not None:
        parts.release()
        forget_content(obj)
        # Pelican wrote the feeds before the article pages (ArticlesGenerator.generate_output)
        # and nothing after needs an article's HTML; its source HTML is a sixth of a large
        # build's memory. Pelican reads _content only through _get_content when that exists.
        if obj.__dict__.pop("_content", None) is not None:
            obj._get_content = _released(obj)


def _released(obj):
    def content():
        raise RuntimeError(f"{obj.source_path}: this article's HTML was let go once its page was written "
                           "(plugins/clinic/plugin.py, release_written): use it before then")
    return content


def forget_content(obj) -> None:
    """Drop Pelican's cached copy of one article's HTML (asked for again, it is made again)."""
    Content.get_content.cache.pop((obj, obj.get_siteurl()), None)


def forget_cached_content(*_args):
    """initialized and finalized: Pelican keeps every Content's HTML and summary in
    class-wide dicts (utils.memoized) for as long as the process lives, and each
    Content there holds the build's whole context: the articles of a finished
    build (and in the dev server, of every earlier one) could never be let go."""
    Content.get_content.cache.clear()
    Content.get_summary.cache.clear()


def incremental_start(pelican):
    incremental.start(pelican.output_path)


def finish_articles(generators):
    for g in generators:
        if isinstance(g, ClinicGenerator):
            g.finish()


def get_generators(pelican):
    return ClinicGenerator


def register():
    signals.initialized.connect(add_template_helpers)
    signals.finalized.connect(write_assets)
    signals.finalized.connect(write_host_files)
    signals.initialized.connect(sitemap.start)
    signals.content_written.connect(sitemap.on_content_written)
    signals.finalized.connect(sitemap.write)
    signals.initialized.connect(minify.start)
    signals.initialized.connect(incremental_start)
    signals.initialized.connect(written_links.start)
    signals.initialized.connect(search_index.forget)
    signals.readers_init.connect(parallel_read.use_reader)
    signals.article_generator_init.connect(parallel_read.start)
    signals.article_generator_finalized.connect(parallel_read.files_read)
    signals.finalized.connect(parallel_read.stop)
    signals.content_written.connect(minify.on_content_written)
    signals.content_written.connect(release_written)
    signals.initialized.connect(forget_cached_content)
    signals.finalized.connect(forget_cached_content)
    signals.get_writer.connect(writer.get_writer)
    signals.article_writer_finalized.connect(parallel_write.join)
    signals.page_writer_finalized.connect(search_index.on_pages_written)
    signals.get_generators.connect(get_generators)
    signals.all_generators_finalized.connect(finish_articles)
    signals.all_generators_finalized.connect(search_index.plan_bundles)
