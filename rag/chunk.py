"""Split normalised text into sentences and pack them into token-budgeted, overlapping chunks.

Sentences end at 。！？；!?; (with any closing quotes/brackets) or at a line break. Runs of
list items (1. … / • …, or a line ending in a colon followed by items) are kept in one chunk
when they fit the budget.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .core.types import Chunk, NormalisedDocument
from .tokens import count_tokens

DEFAULT_MAX_TOKENS = 320
DEFAULT_OVERLAP_TOKENS = 60

_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)】\]]*|\n|$)")
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,3}[.、．)）]|[（(]\d{1,3}[)）]|[一二三四五六七八九十]+[、.]|[•·●◆■▪\-–—*])")


@dataclass
class Sentence:
    start: int  # normalised offsets
    end: int
    text: str
    tokens: int
    list_item: bool
    line_start: bool


def split_sentences(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.start(), m.end()
        raw = text[s:e]
        stripped = raw.rstrip("\n")
        if not stripped.strip():
            continue
        lead = len(stripped) - len(stripped.lstrip())
        s += lead
        e = s + len(stripped.strip())
        line_start = s == 0 or text[s - 1] == "\n"
        out.append(Sentence(s, e, text[s:e], 0, line_start and bool(_LIST_ITEM.match(text[s:e])), line_start))
    return out


def _units(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Group sentences into units that should not be split: a list intro line plus its items."""
    units: list[list[Sentence]] = []
    for s in sentences:
        if s.list_item and units and (units[-1][-1].list_item or units[-1][-1].text.endswith((":", "："))):
            units[-1].append(s)
        else:
            units.append([s])
    return units


def chunk_document(ndoc: NormalisedDocument, max_tokens: int = DEFAULT_MAX_TOKENS,
                   overlap_tokens: int = DEFAULT_OVERLAP_TOKENS) -> list[Chunk]:
    text = ndoc.text
    sentences = split_sentences(text)
    for s in sentences:
        s.tokens = count_tokens(s.text)
    windows: list[list[Sentence]] = []
    current: list[Sentence] = []
    used = 0
    for unit in _units(sentences):
        unit_tokens = sum(s.tokens for s in unit)
        pieces = [unit] if unit_tokens <= max_tokens else [[s] for s in unit]
        for piece in pieces:
            t = sum(s.tokens for s in piece)
            if current and used + t > max_tokens:
                windows.append(current)
                current, used = _overlap_tail(current, overlap_tokens, max_tokens - t)
            current = current + piece
            used += t
    if current:
        windows.append(current)

    chunks = []
    for i, window in enumerate(windows):
        ns, ne = window[0].start, window[-1].end
        start, end = ndoc.span(ns, ne)
        chunks.append(Chunk(
            doc_id=ndoc.doc.doc_id, index=i, text=text[ns:ne], norm_start=ns, norm_end=ne,
            start=start, end=end, original_text=ndoc.doc.original[start:end],
            n_tokens=sum(s.tokens for s in window),
        ))
    return chunks


def _overlap_tail(window: list[Sentence], overlap_tokens: int, room: int) -> tuple[list[Sentence], int]:
    """The last sentences of a full window, repeated at the start of the next one."""
    tail: list[Sentence] = []
    used = 0
    for s in reversed(window[1:]):
        if used + s.tokens > min(overlap_tokens, room):
            break
        tail.insert(0, s)
        used += s.tokens
    return tail, used
