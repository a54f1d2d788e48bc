"""Is an LLM answer supported by what it cites? Every number, date and name in the answer must
occur in a cited span after folding (Traditional → Simplified, pinyin readings out, full-width
folded; Chinese numerals read as numbers). Names are places, issuing bodies, 《titles》, cluster
names (the words before 集群) and Latin-script words."""
from __future__ import annotations

import re

from ..core.chinese import fold
from ..core.numbers import find_dates, find_numbers
from ..core.places import find_places, strip_suffix
from ..core.spans import find_bodies, same_body

_MARKER = re.compile(r"\[\^?\s*\d{1,2}(?:\s*[,，、]\s*\d{1,2})*\s*\]|【\s*\d{1,2}\s*】")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")
_LATIN = re.compile(r"[A-Za-z][A-Za-z\-]+")
_TITLE = re.compile(r"《([^》]{2,60})》")
# What ends the words before a cluster name: punctuation, list numbers and joining words.
_NAME_START = re.compile(r"[\s\W\d_]")
_JOINING = ("和", "及", "与", "是", "为", "有", "包括", "的", "即", "等", "共")
MIN_NAME_SUFFIX = 6  # characters of a cluster name that must occur in a cited span (more than 产业集群)


def _number_key(text: str) -> str:
    return f"{float(text):g}"


def _numbers(text: str) -> set[str]:
    keys = {_number_key(m.group(0)) for m in _DIGITS.finditer(text)}
    for q in find_numbers(text):
        if not _DIGITS.search(q.text):  # 三个, 一百二十家: Chinese numerals
            keys.add(f"{q.value:g}")
    for d in find_dates(text):
        keys.update(f"{v:g}" for v in (d.year, d.month, getattr(d, "day", None)) if v is not None)
    return keys


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _cluster_names(answer: str) -> list[str]:
    names = []
    for m in re.finditer("集群", answer):
        start = m.start()
        while start > 0 and not _NAME_START.match(answer, start - 1) and not any(
                answer.startswith(w, start - len(w)) for w in _JOINING):
            start -= 1
        if m.end() - start > 2:
            names.append(answer[start:m.end()])
    return names


def _name_supported(name: str, cited: str) -> bool:
    for k in range(len(name), 2, -1):
        if name[-k:] in cited:
            return k == len(name) or k >= MIN_NAME_SUFFIX
    return False


def unsupported_claims(answer: str, cited_texts: list[str]) -> list[str]:
    """The numbers, dates and names of `answer` that no cited span holds (empty: supported)."""
    text = fold(_MARKER.sub(" ", answer))
    cited_spans = [fold(t) for t in cited_texts]
    cited = _compact("\n".join(cited_spans))
    missing: list[str] = []

    def miss(item: str) -> None:
        if item not in missing:
            missing.append(item)

    have = _numbers("\n".join(cited_spans))
    for m in _DIGITS.finditer(text):
        if _number_key(m.group(0)) not in have:
            miss(m.group(0))
    for q in find_numbers(text):
        if not _DIGITS.search(q.text) and f"{q.value:g}" not in have:
            miss(q.text)
    lower = cited.lower()
    for m in _LATIN.finditer(text):
        if m.group(0).lower() not in lower:
            miss(m.group(0))
    for m in _TITLE.finditer(text):
        if _compact(m.group(1)) not in cited:
            miss(m.group(0))
    for _, _, place in find_places(text):
        if place.written not in cited and strip_suffix(place.written) not in cited:
            miss(place.written)
    cited_bodies = [b.text for b in find_bodies(cited)]
    for b in find_bodies(text):
        if _compact(b.text) not in cited and not any(same_body(b.text, c) for c in cited_bodies):
            miss(b.text)
    for name in _cluster_names(text):
        if not _name_supported(_compact(name), cited):
            miss(name)
    return missing
