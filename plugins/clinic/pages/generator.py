"""The site's own generator: it checks the content, links the articles to each
other, gives each article what its template shows, and writes the topic,
A to Z, provider pages and robots.txt.

Pelican runs it after it has read every article and page:

1. load the vocabulary and the clinic's data files;
2. check every source file (checks/sources.py) and the files against each other;
3. attach what templates need to each article (terms, relations, review stamp,
   sections, structured data);
4. write the facet, term, A to Z and provider pages.

Every problem is logged on the "clinic" logger with the Problem attached;
tools/build.py collects them with whatever Pelican itself logs.
"""

from __future__ import annotations

import logging
from pathlib import Path
from types import SimpleNamespace

from markdown import Markdown
from markupsafe import Markup
from pelican.contents import Content
from pelican.generators import Generator
from pelican.utils import SafeDatetime

from ..checks import calls, review, safety, validate
from ..checks.sources import SiteCheck, blocks_in, check_site, with_blocks_inline
from ..model.blocks import ATTRIBUTE, PLACEHOLDER as PLACEHOLDER_RE
from ..model import relations
from ..model.paths import RealPaths, display_paths
from ..model.problems import Problem, StopBuild, stops_writing
from ..model.rules import CLINIC_PHONE, CONTENT_KEYS, EMERGENCY_NUMBER, KINDS
from ..model.stamps import digest
from ..model.words import N_
from . import callouts, filters, images, jsonld, logo, sections
from .blocks import fill
from . import languages as languages_
from .languages import Language
from .parts import Parts

logger = logging.getLogger("clinic")


def report(problems: list[Problem]) -> None:
    for p in problems:
        level = logging.ERROR if p.severity == "error" else logging.WARNING
        logger.log(level, "%s", p.format(), extra={"clinic_problem": p})


def check_content(build, settings) -> SiteCheck:
    """Every source file of the site, the taxonomy, the clinic's data and the
    shared blocks, checked (checks/sources.py): nothing here needs what Pelican
    read. Only the files that changed since the last build are checked again:
    the dev server keeps the answers in memory, a publish in the content cache's
    folder (state.py)."""
    content_root, clinic = Path(settings["PATH"]), build.settings
    remembered = build.validating
    return check_site(content_root, clinic.taxonomy_file, clinic.data_dir,
                      settings["ARTICLE_PATHS"] + settings["PAGE_PATHS"], display_paths(content_root, RealPaths()),
                      remembered, build.today, build.catalogs.gettexts(clinic.translation_languages))


def measured_from(obj):
    """What a page's reading level is measured from, as (a function giving the HTML,
    the HTML before Pelican resolved its links or None): the body whose images
    were given sizes, kept with the page; else Pelican's HTML, which it works
    out on use, looked up first by its unresolved HTML (ReadingLevels.measure_unresolved)."""
    if obj.body_html is not None:
        return (lambda: obj.body_html), None
    return (lambda: obj.content), obj._content


class ClinicGenerator(Generator):
    """Checks the content, links articles to each other and writes the taxonomy pages."""

    build = None  # the Build this class was made for (generator_for)

    def generate_context(self):
        settings, clinic = self.settings, self.build.settings
        real = RealPaths()
        catalogs = self.build.catalogs
        languages = catalogs.gettexts(clinic.translation_languages)
        # checked while Pelican read the articles (Build.on_article_generator_init)
        site, self.build.site_check = self.build.site_check or check_content(self.build, settings), None
        vocab, data, blocks, checked, problems = site.vocab, site.data, site.blocks, site.checked, site.problems
        if site.stop:  # a data file that cannot be read: its line alone, and no page written
            report(problems)
            raise StopBuild("a data file cannot be read")
        self.vocab, self.data, self.blocks = vocab, data, blocks

        # Which Pelican object came from which file; a translation hangs from its page.
        objects = {}
        for key in CONTENT_KEYS:
            for obj in self.context.get(key, []) or []:
                objects[real(obj.source_path)] = obj
                for other in getattr(obj, "translations", None) or []:
                    objects.setdefault(real(other.source_path), other)
        self.build.session.blocks_html.begin()  # a build's blocks: those not asked for again are forgotten
        self.fill_blocks(objects.values(), blocks, data)
        metas = []
        sources_text = {}
        by_path = {}
        unread = set(site.unread)
        translated = {lang: [] for lang in languages}
        for source in checked + site.translations:
            meta = source.meta
            obj = objects.get(real(source.path))
            if obj is None:
                if not meta.lang:
                    unread.add((meta.kind, meta.slug))
                if not any(p.severity == "error" and p.path == meta.path for p in problems):
                    problems.append(Problem(meta.path, None, "file", "Pelican could not read this file",
                                            "see Pelican's message about it above"))
                continue
            (translated[meta.lang] if meta.lang else metas).append(meta)
            # as the reader sees it: a sentence is matched to its line in the source
            sources_text[meta.path] = with_blocks_inline(source.text, blocks_in(blocks, meta.lang)).replace(
                EMERGENCY_NUMBER, str(data.clinic.get("emergency_number") or "")).replace(
                CLINIC_PHONE, str(data.clinic.get("phone_display") or ""))
            by_path[meta.path] = obj
            obj.clinic = meta
            obj.kind = meta.kind
        problems += validate.validate_site(metas, unread)
        found, stale = site.check_translations(clinic.translation_stale, problems)
        problems += found
        self.stale = {s.translation.path: s for s in stale}
        if clinic.translation_stale == "hide":
            for lang, ms in translated.items():
                translated[lang] = [m for m in ms if m.path not in self.stale]
            for path in self.stale:
                if path in by_path:
                    self.hide(by_path.pop(path))
        if any(stops_writing(p) for p in problems):
            report(problems)  # every problem found so far, then no page is written
            raise StopBuild("a problem that would write a page where it must not")

        index = relations.build_index(metas, vocab, clinic.related_limit)
        self.index, self.by_path = index, by_path
        # each translation language: its words, its pages and the links between them
        self.languages = {lang: Language(lang, vocab.in_language(lang), data.in_language(lang),
                                         relations.build_index(ms, vocab, clinic.related_limit), ms,
                                         catalogs.of(lang).gettext)
                          for lang, ms in translated.items()}

        self.context.update(
            clinic=data.clinic,
            clinic_locations=list(data.locations.values()),
            clinic_main_location=data.main_location,
            clinic_providers=list(data.providers.values()),
            vocabulary=vocab,
            clinic_kinds=KINDS,
            clinic_home_regions=list(clinic.home_regions),
        )
        if data.clinic.get("name"):
            self.context["SITENAME"] = data.clinic["name"]
        self.context["clinic_monogram"] = logo.monogram(self.context["SITENAME"])
        self.context["clinic_live_reload"] = clinic.live_reload

        self.context["clinic_index"] = index
        # Links between pages start at SITEURL (the site's folder); what a page is
        # called on the web (canonical, og:url, print footer) starts at the address.
        self.context["site_address"] = self.build.address
        # the site's own pages (home, A to Z, search ...) in the page's language:
        # a page under /es/ links to /es/a-z/ (languages.py gives those pages theirs)
        self.context["LANG_SITEURL"] = settings["SITEURL"]
        self.context["lang_address"] = self.build.address
        self.context["lang_root"] = ""
        self.context["page_href"] = languages_.page_href(settings["SITEURL"])
        self.context["clinic_featured"] = [
            by_path[m.path] for slug in clinic.featured_conditions
            for m in [index.by_kind_slug.get(("condition", slug))] if m and m.path in by_path]
        self.context["clinic_site_jsonld"] = jsonld.dumps(jsonld.clinic(data, self.build.address))
        self.metas, self.sources_text, self.problems = metas, sources_text, problems

    @staticmethod
    def hide(obj) -> None:
        """Leave a translation out of the site (CLINIC_TRANSLATION_STALE = "hide"):
        Pelican does not write a page without an address, and a link to it goes
        to the page it translates."""
        original = languages_.original_of(obj)
        obj.override_save_as = ""
        if original is not None:
            obj.override_url = original.url
            original.translations = [o for o in original.translations if o is not obj]

    def fill_blocks(self, objects, blocks, data) -> None:
        """Each page's shared blocks and the clinic's emergency number, in the HTML
        Pelican read (before it resolves links, so a block's {filename} links work
        from any page). Done on every build, from the blocks as they are now. A
        translation gets the blocks of its language, and its callouts' own words
        in that language (the Markdown reader does not know a file's language)."""
        number = str(data.clinic.get("emergency_number") or "")
        phone = data.clinic.get("phone") or ""
        phone_link = str(Markup('<a href="{}">{}</a>').format(filters.tel(phone), data.clinic.get("phone_display") or phone))
        rendered = {}
        md = None  # one Markdown for every block, reset between them (4 ms to build one)
        # Each block's HTML, by its text and the Markdown settings, kept from build to build
        # (state.py: the dev server's memory, a publish's cache folder): a publish that
        # converts no other Markdown paid 35 ms to build that one Markdown (compiling its patterns).
        made, settings_key = self.build.session.blocks_html, repr(sorted(self.settings["MARKDOWN"].items())).encode()

        def convert(text: str) -> str:
            nonlocal md
            md = md.reset() if md is not None else Markdown(**self.settings["MARKDOWN"])
            return md.convert(text)
        default = self.settings["DEFAULT_LANG"]
        for obj in objects:
            html = getattr(obj, "_content", None)
            if not html:
                continue
            lang = "" if getattr(obj, "lang", default) == default else obj.lang
            words = self.build.catalogs.of(lang).gettext if lang else None
            if lang:
                html = callouts.in_language(html, words)
            if ATTRIBUTE in html or EMERGENCY_NUMBER in html or CLINIC_PHONE in html:
                mine = blocks_in(blocks, lang)
                for name in set(PLACEHOLDER_RE.findall(html)):
                    if (lang, name) not in rendered and name in mine:
                        # the number first: heading ids are made from the text
                        text = mine[name].text.replace(EMERGENCY_NUMBER, number)
                        block_html = made.get(digest(settings_key, text.encode()), lambda: convert(text))
                        rendered[lang, name] = callouts.in_language(block_html, words) if lang else block_html
                # the number in the text, then in the heading ids Markdown made from that text
                html = fill(html, {name: rendered[lang, name] for name in mine if (lang, name) in rendered}).replace(
                    EMERGENCY_NUMBER, number).replace(EMERGENCY_NUMBER.strip("{}"), number).replace(
                    CLINIC_PHONE, phone_link)
            if lang:
                html = languages_.mark_links_to_other_language(html, lang, default, words)
            if html is not obj._content:
                obj._content = html

    def check_page_text(self, metas, by_path, between=None) -> list:
        """Nothing in a page's text may run a script or load from another site, and
        a sentence that says to call us gives the number. Both parse every page's
        HTML: the dev server keeps the answers of pages whose HTML and source did
        not change (at 300 articles, parsing them all was half of each rebuild)."""
        memo, address, problems = self.build.session.page_text_checks, self.build.address, []
        memo.begin()
        for meta in metas:
            obj = by_path.get(meta.path)
            if obj is None:
                continue
            html, source = obj._content, self.sources_text.get(meta.path, "")
            key = digest(meta.path.encode(), html.encode(), source.encode(), address.encode())
            problems += memo.get(key, lambda: safety.unsafe(meta.path, html, source, address)
                                 + calls.calls_without_number(meta.path, html, source))
            if between is not None:
                between()
        return problems

    def finish(self):
        """What needs each article's rendered HTML. Pelican renders it on first use and
        keeps the result, so this waits until every generator has read its files
        (until then a {static} link to an image cannot be resolved)."""
        metas, by_path = getattr(self, "metas", []), getattr(self, "by_path", {})
        self.build.plan_pages(self.context)  # the dev server: which pages this rebuild renders
        for obj in by_path.values():
            # Pelican works out `url` from the settings on every access (about 40 us);
            # listings and structured data name the same pages hundreds of times.
            obj.href = obj.url
        for meta in metas:
            obj = by_path.get(meta.path)
            if obj is not None:
                self.decorate(obj, meta, self.index)
        languages = getattr(self, "languages", {})
        for language in languages.values():
            for meta in language.metas:
                obj = by_path.get(meta.path)
                if obj is not None:
                    self.decorate(obj, meta, language.index, language)
        self.context["clinic_alternates"] = self.build.alternates = self.alternates()
        names = self.build.language_names
        self.context["clinic_switch"] = [languages_.switch_to(code, f"{code}/", lang.words, names)
                                         for code, lang in languages.items()]
        self.build.lang_context = {code: self.language_context(lang) for code, lang in languages.items()}
        # The feed lists the newest and most recently updated articles first
        # (pages elsewhere sort by title, which ARTICLE_ORDER_BY gives them).
        latest = lambda a: getattr(a, "modified", None) or a.date  # noqa: E731
        self.context.get("articles", []).sort(key=latest, reverse=True)
        self.context["clinic_search_words"] = search_words(self.vocab, metas)
        every = metas + [m for language in languages.values() for m in language.metas]
        problems = self.problems
        problems += self.check_reviews(every, self.data)
        problems += review.unoffered(metas, self.data.providers,
                                     "error" if self.build.settings.require_provider else "warning")
        # the second process measures the pages' reading levels while this one checks their HTML
        reader = self.build.reader
        ahead = reader.measure_ahead(self.readings_ahead(every, by_path))
        page_text = self.check_page_text(every, by_path, reader.pump if ahead else None)
        problems += self.check_readability(every, by_path, self.sources_text)
        problems += page_text
        report(problems)
        # Measured: the source texts are not needed again, and an article's
        # sections are cut from its HTML when its page is written (parts.py);
        # on 5,000 articles the texts and the bodies were about a fifth of the
        # build's memory. Only a body whose images were given sizes differs
        # from Pelican's and is kept.
        self.sources_text = {}
        for meta in every:
            obj = by_path.get(meta.path)
            if obj is not None and meta.kind != "page":
                if obj.body_html is not None and obj.body_html is obj.content:
                    obj.body_html = None
                forget_content(obj)  # Pelican works it out again (about 0.1 ms) when the page is written

    def alternates(self) -> dict:
        """Every page that exists in more than one language, with its address in each."""
        default = self.settings["DEFAULT_LANG"]
        pairs = []
        for obj in self.by_path.values():
            if getattr(obj, "in_default_lang", True) and getattr(obj, "clinic", None) is not None:
                group = {default: obj.href}
                group.update({t.lang: t.href for t in getattr(obj, "translations", []) or []
                              if t.status == "published" and getattr(t, "clinic", None) is not None})
                pairs.append(group)
        langs = getattr(self, "languages", {})
        written = {code: set(self.site_pages(lang.vocab)) for code, lang in langs.items()}
        for rel in self.site_pages(self.vocab):
            pairs.append({default: rel, **{code: f"{code}/{rel}" for code in langs if rel in written[code]}})
        return languages_.alternates(pairs)

    def site_pages(self, vocab) -> list[str]:
        """The addresses of the pages the site writes in each language with this
        vocabulary (not the 404 page: it has none)."""
        return (["", "search/", "a-z/", "browse/", "providers/"]
                + [f"{k.folder}/" for k in KINDS.values() if k.name != "page"]
                + [f"browse/{f}/" for f in vocab.facets]
                + [f"browse/{f.slug}/{t}/" for f in vocab.facets.values() for t in f.terms]
                + [f"providers/{p}/" for p in self.data.providers])

    def language_context(self, language) -> dict:
        """What a page in a translation language sees instead of the site's own
        context (speed/writer.py gives it every page in that language)."""
        code, data = language.code, language.data
        s = self.settings
        feed = s.get("TRANSLATION_FEED_ATOM") if s.get("FEED_ALL_ATOM") else None
        return {
            **self.build.catalogs.template_words(code),
            "vocabulary": language.vocab,
            "clinic": data.clinic,
            "clinic_locations": list(data.locations.values()),
            "clinic_main_location": data.main_location,
            "clinic_providers": list(data.providers.values()),
            "clinic_index": language.index,
            "clinic_featured": [self.by_path[m.path] for slug in self.build.settings.featured_conditions
                                for m in [language.index.by_kind_slug.get(("condition", slug))]
                                if m and m.path in self.by_path],
            "clinic_site_jsonld": jsonld.dumps(jsonld.clinic(data, self.build.address)),
            "clinic_search_words": search_words(language.vocab, language.metas),
            "clinic_switch": [languages_.switch_to(s["DEFAULT_LANG"], "", self.build.catalogs.of(
                s["DEFAULT_LANG"]).gettext, self.build.language_names)] + [
                languages_.switch_to(other, f"{other}/", lang.words, self.build.language_names)
                for other, lang in self.languages.items() if other != code],
            "LANG_SITEURL": f"{s['SITEURL']}/{code}",
            "lang_address": f"{self.build.address}/{code}",
            "lang_root": language.root,
            # the clinic's own pages (contact, about ...) in this language where translated
            "page_href": languages_.page_href(s["SITEURL"], language.root,
                                              {self.by_path[m.path].href for m in language.metas
                                               if m.path in self.by_path}, s["DEFAULT_LANG"]),
            "FEED_ALL_ATOM": feed.format(lang=code) if feed else None,
        }

    def check_reviews(self, metas, data) -> list[Problem]:
        clinic = self.build.settings
        blocks = [b.meta for b in getattr(self, "blocks", {}).values()]
        rows = review.rows(metas + blocks, data.providers, self.build.today, clinic.review_soon_days)
        self.build.review_rows = rows  # for `make review-report`
        return review.problems(rows, "error" if clinic.review_overdue == "error" else "warning")

    def measured_in(self, meta, obj) -> str | None:
        """The language a page's reading level is measured in, or None: not measured
        (not a medical page, no target for its language, or a language textstat
        has no formula of ours for)."""
        clinic = self.build.settings
        spanish = meta.lang == "es"
        if obj is None or not KINDS[meta.kind].medical or (meta.lang and not spanish) \
                or (clinic.readability_target if not spanish else clinic.readability_ease_target) is None:
            return None
        return meta.lang or "en"

    def readings_ahead(self, metas, by_path):
        """For the build's second process (speed/parallel_read.py): (visible text,
        keys, source, language) of each page check_readability() will measure
        whose reading is not known yet, made one at a time as it takes them."""
        levels = self.build.levels
        for meta in metas:
            obj = by_path.get(meta.path)
            lang = self.measured_in(meta, obj)
            if lang is None:
                continue
            source = self.sources_text.get(meta.path, "")
            html_of, unresolved = measured_from(obj)
            found = levels.to_measure(html_of, source, unresolved, lang=lang)
            if unresolved is not None:
                forget_content(obj)  # as check_readability() does (below)
            if found is not None:
                yield found[0], found[1], source, lang

    def check_readability(self, metas, by_path, sources_text) -> list[Problem]:
        """Each medical page's reading level: Flesch-Kincaid grade in English, the
        Fernandez Huerta reading ease in Spanish (each against its own target)."""
        clinic = self.build.settings
        target, ease_target = clinic.readability_target, clinic.readability_ease_target
        if target is None and ease_target is None:
            return []
        levels = self.build.reading_levels()  # with what the second process measured
        severity = "error" if clinic.readability_fail else "warning"
        problems, rows = [], []
        for meta in metas:
            obj = by_path.get(meta.path)
            lang = self.measured_in(meta, obj)
            if lang is None:
                continue
            spanish = lang == "es"
            source = sources_text.get(meta.path, "")
            html_of, unresolved = measured_from(obj)
            if unresolved is None:
                reading = levels.measure(html_of(), source, lang=lang)
            else:
                reading = levels.measure_unresolved(unresolved, source, html_of, lang=lang)
                # Pelican keeps the HTML with its links resolved until the build ends (its
                # memo of get_content): on 5,000 articles measured for the first time that
                # was about 100 MiB at the build's peak; the page works it out again
                forget_content(obj)
            obj.reading = reading
            rows.append((meta, reading))
            words, line, _ = reading.longest[0] if reading.longest else (0, None, "")
            fix = f"use shorter sentences and common words; the longest sentence has {words} words"
            if not spanish and reading.grade > target:
                problems.append(Problem(meta.path, line, "readability",
                                        f"reads at grade {reading.grade}, above the target of {target}", fix, severity))
            elif spanish and reading.ease < ease_target:
                problems.append(Problem(meta.path, line, "readability",
                                        f"has a reading ease of {reading.ease} (Fernandez Huerta), below the "
                                        f"target of {ease_target}", fix, severity))
        self.build.readability_rows = rows  # for `make readability`
        return problems

    # -- what each article carries into its template -------------------------
    def decorate(self, obj, meta, index, language=None):
        """language: a translation's Language (its words, data and pages)."""
        vocab = language.vocab if language else self.vocab
        data = language.data if language else self.data
        root = language.root if language else ""
        obj.kind = meta.kind
        # a translation's sections have the titles of its language (the related-page boxes find them by role)
        obj.kind_info = KINDS[meta.kind].translated(language.words) if language else KINDS[meta.kind]
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
        obj.reviewer = data.providers.get(meta.reviewer)
        obj.translator = data.providers.get(meta.translated_by)
        obj.translation_checker = data.providers.get(meta.translation_reviewer)
        obj.stale = getattr(self, "stale", {}).get(meta.path)  # the English page is newer: the page says so
        obj.original = languages_.original_of(obj) if language else None
        original_meta = getattr(obj.original, "clinic", None)
        obj.original_sources = {s.url for s in original_meta.sources} if original_meta else set()
        # Pelican's HTML before its links are resolved (obj._content) has the same
        # tags: an article without images keeps Pelican's own, resolved only when
        # something asks for it (its page, its reading level), so the dev server
        # does not resolve the links of the pages it does not render again (0.8 s
        # of a 7 s rebuild at 5,000 articles).
        if meta.kind == "page" or "<img" in obj._content:
            html = obj.content
            if "<img" in html:
                html, jobs = images.enhance(html, Path(self.settings["PATH"]), self.settings["SITEURL"],
                                            self.build.settings.image_max_width)
                self.build.image_jobs.extend(jobs)
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
        obj.performed_by = [p for p in data.providers.values() if meta.slug in p.specialties] \
            if meta.kind in ("procedure", "treatment") else []
        kind = obj.kind_info
        words = self.build.catalogs.of(getattr(obj, "lang", None) or self.settings["DEFAULT_LANG"]).gettext
        obj.breadcrumbs = [(words(N_("Home")), root)] + \
            ([] if meta.kind == "page" else [(words(kind.label), f"{root}{kind.folder}/")])
        if meta.kind != "page":  # pages show body_html whole
            obj.parts = Parts(lambda: obj.body_html if obj.body_html is not None else obj.content,
                              lambda parts: jsonld.dumps(self.structured_data(obj, meta, own_term, parts.sections))
                              if kind.medical else "")

    def structured_data(self, obj, meta, own_term, body_sections):
        kind = obj.kind_info
        site = self.build.address
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
                how_performed=sections.first_paragraph(body_sections, kind.section("how")),
                preparation=sections.first_paragraph(body_sections, kind.section("preparation")),
                followup=sections.first_paragraph(body_sections, kind.section("followup")),
                sources=meta.sources,
                lang=meta.lang or self.settings["DEFAULT_LANG"],
                translation_of=url(obj.original.href) if getattr(obj, "original", None) is not None else "",
                translations=[url(t.href) for t in getattr(obj, "translations", []) or []
                              if not meta.lang and getattr(t, "clinic", None) is not None
                              and t.status == "published"],
            ),
            self.data, site)

    def generate_output(self, writer):
        self.write_robots()
        index = getattr(self, "index", None)
        if index is None:
            return
        ctx = self.context.copy()
        # The topic pages are many on a large site: a second process writes every
        # second one (parallel_write.py); the rest of this method is written here.
        terms = [f"browse/{facet.slug}/{t}/index.html" for facet in self.vocab.facets.values() for t in facet.terms]
        shared = set(terms) | {"browse/index.html"} | {f"browse/{f}/index.html" for f in self.vocab.facets}
        shared_loop = getattr(writer, "share", None)  # speed/writer.py: a second process may write half
        if shared_loop is not None:
            shared_loop(terms[1::2], shared)
        # these pages are in the site's language
        self.write_site_pages(writer, ctx, "", self.vocab, self.data, index,
                              self.build.catalogs.of(self.settings["DEFAULT_LANG"]).gettext, {})
        if shared_loop is not None:
            writer.join_shared()
        self.write_redirects(writer, ctx)
        for code, language in getattr(self, "languages", {}).items():
            self.write_language(writer, ctx, language)

    def write_language(self, writer, ctx, language) -> None:
        """The site's own pages in a translation language, under /es/: what Pelican
        writes for the site's language (home, search, 404, the listing of each kind)
        and what write_site_pages() does. Only its own pages are listed."""
        code, root, words = language.code, language.root, language.words
        lang = {"page_lang": code}
        pages = [self.by_path[m.path] for m in language.metas if m.path in self.by_path]
        articles = [p for p in pages if p.kind != "page"]
        self.write_site_pages(writer, ctx, root, language.vocab, language.data, language.index, words, lang)
        writer.write_file(f"{root}index.html", self.get_template("index"), ctx, page_url=root, **lang)
        writer.write_file(f"{root}search/index.html", self.get_template("search"), ctx, page_url=f"{root}search/",
                          **lang)
        writer.write_file(f"{root}404.html", self.get_template("404"), ctx, page_url=f"{root}404.html", **lang)
        for kind in KINDS.values():
            if kind.name == "page":
                continue
            listed = sorted((a for a in articles if a.kind == kind.name), key=lambda a: a.title.lower())
            category = SimpleNamespace(slug=kind.folder, name=words(kind.label), url=f"{root}{kind.folder}/")
            writer.write_file(f"{root}{kind.folder}/index.html", self.get_template("category"), ctx,
                              page_url=category.url, category=category, articles=listed, **lang)

    def write_site_pages(self, writer, ctx, root, vocab, data, index, words, lang) -> None:
        """The topic, A to Z and team pages of one language (root: "" or "es/")."""
        pick = lambda metas: [self.by_path[m.path] for m in metas if m.path in self.by_path]  # noqa: E731
        base = f"{root}browse/"
        writer.write_file(f"{base}index.html", self.get_template("browse"), ctx,
                          page_url=base, page_title=words(N_("Browse by topic")), facets=list(vocab.facets.values()),
                          counts={(f, t): len(v) for (f, t), v in index.terms.items()}, **lang)
        for facet in vocab.facets.values():
            counts = {t: len(index.terms.get((facet.slug, t), [])) for t in facet.terms}
            writer.write_file(f"{base}{facet.slug}/index.html", self.get_template("facet"), ctx,
                              page_url=f"{base}{facet.slug}/", page_title=facet.plural, facet=facet, counts=counts,
                              **lang)
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
                                  facet=facet, term=term, groups=groups, own_page=own, **lang)
        listed = {key: KINDS[key[0]].term_facet for key, m in index.by_kind_slug.items()
                  if KINDS[key[0]].term_facet and m.path in self.by_path}
        letters = relations.letters_of(relations.a_to_z(vocab, listed))
        urls = {key: self.by_path[m.path].href for key, m in index.by_kind_slug.items() if key in listed}
        writer.write_file(f"{root}a-z/index.html", self.get_template("a_z"), ctx, page_url=f"{root}a-z/",
                          page_title=words(N_("Conditions and treatments A to Z")), letters=letters, page_urls=urls,
                          **lang)
        providers = list(data.providers.values())
        proc_pages = {slug: self.by_path[m.path] for (kind, slug), m in index.by_kind_slug.items()
                      if kind in ("procedure", "treatment") and m.path in self.by_path}
        writer.write_file(f"{root}providers/index.html", self.get_template("providers"), ctx,
                          page_url=f"{root}providers/", page_title=words(N_("Our team")), providers=providers, **lang)
        for p in providers:
            writer.write_file(f"{root}providers/{p.slug}/index.html", self.get_template("provider"), ctx,
                              page_url=f"{root}providers/{p.slug}/", page_title=p.display_name, provider=p,
                              procedure_pages=[proc_pages[s] for s in p.specialties if s in proc_pages],
                              provider_locations=[data.locations[s] for s in p.locations if s in data.locations],
                              **lang)

    def write_redirects(self, writer, ctx) -> None:
        """A page at each old address of a renamed page (its Moved-from line), so
        bookmarks and search results still reach it, on any static host. A page
        named after its term takes the term's topic page with it:
        Moved-from: /conditions/heel-pain/ also sends /browse/condition/heel-pain/ on."""
        template = self.get_template("redirect")
        for obj in self.by_path.values():
            meta = getattr(obj, "clinic", None)
            if meta is None or obj.status != "published":
                continue
            kind = KINDS[meta.kind]
            facet = self.vocab.facets.get(kind.term_facet) if kind.term_facet else None
            for old in meta.moved_from:
                name = old.lstrip("/") + ("index.html" if old.endswith("/") else "")
                writer.write_file(name, template, ctx, page_url=old.lstrip("/"), moved_to=obj, clinic_redirect=True)
                parts = old.strip("/").split("/")
                if facet and len(parts) == 2 and parts[0] == kind.folder and parts[1] not in facet.terms \
                        and meta.slug in facet.terms:
                    topic = SimpleNamespace(url=f"browse/{facet.slug}/{meta.slug}/", title=facet.terms[meta.slug].label)
                    writer.write_file(f"browse/{facet.slug}/{parts[1]}/index.html", template, ctx,
                                      page_url=f"browse/{facet.slug}/{parts[1]}/", moved_to=topic, clinic_redirect=True)

    def write_robots(self):
        # Written here, not as a static file, because it must name the site's own sitemap address.
        lines = ["User-agent: *"] + [f"Disallow: {p}" for p in self.build.settings.robots_disallow]
        if self.build.address:
            lines.append(f"Sitemap: {self.build.address}/sitemap.xml")
        Path(self.output_path).mkdir(parents=True, exist_ok=True)
        (Path(self.output_path) / "robots.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


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


def search_words(vocab, metas) -> list[str]:
    """The site's own words (titles, section titles, every term's names), for the
    search page to correct a misspelt word against: 'bunyon' is 'bunion'."""
    import re
    names = [t.label for f in vocab.facets.values() for t in f.terms.values()]
    names += [s for f in vocab.facets.values() for t in f.terms.values() for s in t.synonyms]
    names += [m.title for m in metas] + [s for k in KINDS.values() for s in k.sections]
    return sorted({w for name in names for w in re.findall(r"[a-z]+", name.lower()) if len(w) >= 4})


def forget_content(obj) -> None:
    """Drop Pelican's cached copy of one article's HTML (asked for again, it is made again)."""
    Content.get_content.cache.pop((obj, obj.get_siteurl()), None)


def generator_for(build) -> type[ClinicGenerator]:
    """The generator class of one build (Pelican makes generators from classes)."""
    return type("ClinicGenerator", (ClinicGenerator,), {"build": build})
