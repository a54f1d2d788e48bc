"""Scoring one answer: required items, citation validity and support, retrieved evidence.

Texts are compared after folding (Traditional→Simplified, pinyin readings, width) with whitespace
removed; numbers also compare with Chinese numerals turned into Arabic digits (七 = 7).
"""
from __future__ import annotations

import re
from difflib import SequenceMatcher
from typing import Iterable, Sequence

from ..core.chinese import fold
from .numerals import arabicise

# A retrieved chunk "holds" a gold quote when at least this share of the quote lies inside it.
MOST_OF_QUOTE = 0.6
# A citation overlaps a gold quote when they share a run of at least this many characters
# (or the whole of the shorter text).
SHARED_RUN = 8


def comparable(text: str) -> str:
    return "".join(fold(text).split()).lower()


def _forms(text: str) -> list[str]:
    base = comparable(text)
    arabic = arabicise(base)
    return [base] if arabic == base else [base, arabic]


def _pattern(variant: str) -> re.Pattern:
    """The variant as a substring, except that a number must not be part of a longer number
    (5 is not found in 15 or 2025)."""
    body = re.escape(variant)
    if variant[:1].isdigit():
        body = r"(?<![\d.])" + body
    if variant[-1:].isdigit():
        body += r"(?!\.?\d)"
    return re.compile(body)


def variant_in(variant: str, text: str) -> bool:
    return any(_pattern(v).search(t) for v in _forms(variant) for t in _forms(text) if v)


# The answer contract (issue #10): an answer is the short fact, not the source sentence. It may
# be at most this many times as long as the gold answer written out, or ANSWER_FLOOR characters.
ANSWER_FACTOR = 3
ANSWER_FLOOR = 40


def answer_limit(items: Sequence[Sequence[str]]) -> int:
    """The longest answer the contract allows for these required items: max(3 × the gold answer's
    length, 40), the gold answer being each item's longest variant joined by 、 (compared folded,
    whitespace removed)."""
    written = sum(max((len(comparable(v)) for v in item), default=0) for item in items) + max(len(items) - 1, 0)
    return max(ANSWER_FACTOR * written, ANSWER_FLOOR)


def too_long(answer: str, items: Sequence[Sequence[str]]) -> bool:
    return len(comparable(answer)) > answer_limit(items)


def missing_items(answer: str, items: Sequence[Sequence[str]]) -> list[list[str]]:
    """The required items of which no accepted variant appears in the answer."""
    return [list(item) for item in items if not any(variant_in(v, answer) for v in item)]


def shared_run(a: str, b: str) -> int:
    """Length of the longest common run of characters of two texts, compared folded."""
    a, b = comparable(a), comparable(b)
    if not a or not b:
        return 0
    return SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b)).size


def overlaps_quote(cited: str, quote: str) -> bool:
    needed = min(SHARED_RUN, len(comparable(cited)), len(comparable(quote)))
    return needed > 0 and shared_run(cited, quote) >= needed


def holds_quote(chunk_text: str, quote: str) -> bool:
    """The chunk holds all, or most, of the quote."""
    size = len(comparable(quote))
    return size > 0 and shared_run(chunk_text, quote) >= MOST_OF_QUOTE * size


def citation_valid(doc_id: str, start: int, end: int, text: str, originals: dict[str, str]) -> bool:
    original = originals.get(doc_id)
    return original is not None and 0 <= start < end <= len(original) and original[start:end] == text


def _spans(original: str, quote: str) -> list[tuple[int, int]]:
    spans, i = [], original.find(quote)
    while quote and i >= 0:
        spans.append((i, i + len(quote)))
        i = original.find(quote, i + 1)
    return spans


def citation_supported(doc_id: str, start: int, end: int, text: str, original: str | None,
                       doc_ids: Iterable[str], quotes: Iterable[tuple[str, str]], items: Sequence[Sequence[str]]) -> bool:
    """The cited span overlaps a gold evidence quote of the question's documents (by offsets when
    the quote is found verbatim in the document, else by a shared run of text), or the cited
    text contains one of the answer's accepted variants."""
    if doc_id in set(doc_ids):
        for d, quote in quotes:
            if d != doc_id:
                continue
            spans = _spans(original or "", quote)
            if any(s < end and start < e for s, e in spans) or (not spans and overlaps_quote(text, quote)):
                return True
    return any(variant_in(v, text) for item in items for v in item)
