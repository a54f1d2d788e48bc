"""Split normalised text into sentences and pack them into token-budgeted, overlapping chunks.

Sentences end at 。！？；!?; (with any closing quotes/brackets) or at a line break. Runs of
list items (1. … / • …, or a line ending in a colon followed by items) are kept in one chunk
when they fit the budget. A sentence longer than the budget (text with only commas, a file on
one line) is cut at clause marks, and a clause still too long at the budget itself.

The budget is in tiktoken tokens and, for the chunks that get embedded, also in characters:
e5 reads at most 512 tokens, and its tokenizer never makes more tokens than characters (plus
the `passage: ` prefix and two special tokens), so EMBED_MAX_CHARS characters always fit.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .core.types import Chunk, NormalisedDocument
from .tokens import count_tokens

DEFAULT_MAX_TOKENS = 320
DEFAULT_OVERLAP_TOKENS = 60
EMBED_MAX_CHARS = 480

_SENTENCE = re.compile(r"[^。！？；!?;\n]*(?:[。！？；!?;]+[”’」』）)】\]]*|\n|$)")
_CLAUSE_END = re.compile(r"[，、：,:]+[”’」』）)】\]]*")
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
                   overlap_tokens: int = DEFAULT_OVERLAP_TOKENS, max_chars: Optional[int] = None) -> list[Chunk]:
    """Chunks of at most max_tokens tokens (and max_chars characters, when given)."""
    text = ndoc.text
    sentences = []
    for s in split_sentences(text):
        sentences += fit_sentence(s, max_tokens, max_chars or len(s.text))
    windows: list[list[Sentence]] = []
    current: list[Sentence] = []
    used = 0
    for unit in _units(sentences):
        unit_tokens = sum(s.tokens for s in unit)
        unit_chars = unit[-1].end - unit[0].start
        pieces = [unit] if unit_tokens <= max_tokens and unit_chars <= (max_chars or unit_chars) else [[s] for s in unit]
        for piece in pieces:
            t = sum(s.tokens for s in piece)
            if current and (used + t > max_tokens or (max_chars and piece[-1].end - current[0].start > max_chars)):
                windows.append(current)
                earliest = piece[-1].end - max_chars if max_chars else 0
                current, used = _overlap_tail(current, min(overlap_tokens, max_tokens - t), earliest)
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


def _overlap_tail(window: list[Sentence], room: int, earliest: int) -> tuple[list[Sentence], int]:
    """The last sentences of a full window, repeated at the start of the next one: at most `room`
    tokens, none starting before `earliest` (so the next window keeps to its character budget)."""
    tail: list[Sentence] = []
    used = 0
    for s in reversed(window[1:]):
        if used + s.tokens > room or s.start < earliest:
            break
        tail.insert(0, s)
        used += s.tokens
    return tail, used


def fit_sentence(s: Sentence, max_tokens: int, max_chars: int) -> list[Sentence]:
    """The sentence, or pieces of it that fit the budget: cut after clause marks, and a clause
    still too long into pieces of the budget."""
    s.tokens = count_tokens(s.text)
    if len(s.text) <= max_chars and s.tokens <= max_tokens:
        return [s]
    clauses, at = [], 0
    for m in _CLAUSE_END.finditer(s.text):
        clauses.append((at, m.end()))
        at = m.end()
    if at < len(s.text):
        clauses.append((at, len(s.text)))
    pieces: list[Sentence] = []
    for a, b in clauses:
        for a2, b2 in _cut(s.text, a, b, max_tokens, max_chars):
            piece = _sub(s, a2, b2)
            last = pieces[-1] if pieces else None
            if last and last.end - last.start + b2 - a2 <= max_chars and last.tokens + piece.tokens <= max_tokens:
                pieces[-1] = _sub(s, last.start - s.start, b2, last.tokens + piece.tokens)  # clauses packed back
            else:
                pieces.append(piece)
    return pieces


def _cut(text: str, a: int, b: int, max_tokens: int, max_chars: int) -> list[tuple[int, int]]:
    """[a, b) of text as consecutive ranges of at most max_tokens tokens and max_chars characters."""
    out = []
    while a < b:
        end = min(b, a + max_chars, a + 4 * max_tokens)  # a token rarely spans more than 4 characters
        while end - a > 1 and count_tokens(text[a:end]) > max_tokens:
            end = a + max(1, (end - a) * 3 // 4)
        out.append((a, end))
        a = end
    return out


def _sub(s: Sentence, a: int, b: int, tokens: Optional[int] = None) -> Sentence:
    text = s.text[a:b]
    return Sentence(s.start + a, s.start + b, text, tokens if tokens is not None else count_tokens(text),
                    s.list_item and a == 0, s.line_start and a == 0)
