"""Cleaned, normalised text with an offset map back to the original.

Kept lines (see clean.py) are rewritten: pinyin readings dropped, Traditional folded to
Simplified, full-width digits/letters folded, whitespace runs collapsed, recoverable
mojibake (UTF-8 read as Latin-1/cp1252) repaired. Lines are joined with one newline.
"""
from __future__ import annotations

import re

from .clean import classify_lines
from .core.chinese import fold_width, pinyin_spans, t2s_same_length
from .core.offsets import MappedText, MappedTextBuilder
from .core.types import Document, NormalisedDocument

_WS = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u200b\ufeff]+")
# UTF-8 bytes shown as Latin-1/cp1252: a lead byte char followed by continuation-range chars.
_MOJIBAKE_HINT = re.compile(r"[\u00c2-\u00f4][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc\u2122]")


def repair_mojibake(line: str) -> str:
    if not _MOJIBAKE_HINT.search(line):
        return line
    import ftfy

    return ftfy.fix_encoding(line)


def _emit_line(b: MappedTextBuilder, line: str, orig_start: int, exact: bool, orig_end: int) -> None:
    """Append one line's normalised text. With exact=False every piece maps to the whole line."""
    cuts: list[tuple[int, int, str]] = [(s, e, "") for s, e in pinyin_spans(line)]
    cuts += [(m.start(), m.end(), " ") for m in _WS.finditer(line)]
    cuts.sort()
    pos = 0
    for s, e, repl in cuts:
        if s < pos:
            continue
        _emit_piece(b, line[pos:s], orig_start + pos, exact, orig_start, orig_end)
        if repl and b.length and b.last_char() not in " \n" and e < len(line):
            if exact:
                b.block(repl, orig_start + s, orig_start + e)
            else:
                b.block(repl, orig_start, orig_end)
        pos = e
    _emit_piece(b, line[pos:], orig_start + pos, exact, orig_start, orig_end)


def _emit_piece(b: MappedTextBuilder, piece: str, at: int, exact: bool, line_start: int, line_end: int) -> None:
    if not piece:
        return
    text = fold_width(t2s_same_length(piece))
    if exact:
        b.copy(text, at)
    else:
        b.block(text, line_start, line_end)


def normalise(doc: Document) -> NormalisedDocument:
    b = MappedTextBuilder()
    dropped = 0
    for d in classify_lines(doc.original):
        if not d.keep:
            dropped += d.reason != "blank"
            continue
        line = doc.original[d.start:d.end]
        repaired = repair_mojibake(line)
        if b.length:
            b.copy("\n", d.start - 1)  # the newline that ends the previous original line
        _emit_line(b, repaired, d.start, repaired == line, d.end)
    mapped: MappedText = b.build()
    return NormalisedDocument(doc=doc, mapped=mapped, dropped_lines=dropped)
