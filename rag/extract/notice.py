"""What a notice states once for all its lists: its title line, the signature (落款: the body and
date that close it), its own document number, the public-notice period, how long a recognition
is valid, and whom to contact. Read from the normalised text; spans are normalised offsets.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..core.lexicon import alternation, words
from ..core.numbers import find_date_ranges, find_dates, find_numbers
from ..core.spans import Span, find_bodies, find_docnos, find_offices, find_phones

_TITLE_LINE = re.compile(r"关于.{2,90}?(?:的)?(?:公示|通知|公告|通报|决定|批复|意见)$")
_DATE_LINE = re.compile(r"^\s*((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*$")
_NOTICE_CUE = re.compile(r"公示(?:时间|期|日期|期限|期间)?")
_VALIDITY = re.compile(r"有效期")
_CONTACT = re.compile(r"电话|联系|咨询|反映|异议|意见")


@dataclass
class Stated:
    """A fact and the normalised span it is read from."""

    value: object
    start: int
    end: int


@dataclass
class NoticeFacts:
    title: Optional[Stated] = None  # the notice's title line (…关于…名单的公示)
    signer: Optional[Stated] = None  # the body that signs the notice
    masthead: Optional[Stated] = None  # a body alone on a line above the title: the site that publishes it
    signed: Optional[Stated] = None  # the date under the signature (ISO)
    doc_number: Optional[Stated] = None
    period: Optional[Stated] = None  # value: (start ISO or None, end ISO or None, length text or None, text)
    validity: Optional[Stated] = None
    phone: Optional[Stated] = None
    office: Optional[Stated] = None
    self_words: list[tuple[int, int]] = field(default_factory=list)  # 我厅, 我局 … (the signer)


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _iso(d) -> Optional[str]:
    try:
        return date(d.year, d.month, d.day).isoformat() if d.year and d.month and d.day else None
    except ValueError:
        return None


def read_notice(text: str, page_year: Optional[int] = None) -> NoticeFacts:
    facts = NoticeFacts()
    lines = _lines(text)
    for s, e in lines[:12]:
        line = text[s:e].strip()
        if _TITLE_LINE.search(line):
            lead = len(text[s:e]) - len(text[s:e].lstrip())
            facts.title = Stated(line, s + lead, s + lead + len(line))
            break
        bodies = find_bodies(line)
        if facts.masthead is None and bodies and bodies[0].start == 0 and len(line) - len(bodies[0].text) <= 1:
            lead = len(text[s:e]) - len(text[s:e].lstrip())
            facts.masthead = Stated(bodies[0].text, s + lead, s + lead + len(bodies[0].text))
    _signature(text, lines, facts)
    _own_doc_number(text, lines, facts)
    _period(text, facts, page_year)
    _validity(text, facts)
    _contact(text, facts)
    facts.self_words = [m.span() for m in re.finditer(alternation(words("bodies", "self_words")), text)]
    return facts


def _signature(text: str, lines: list[tuple[int, int]], facts: NoticeFacts) -> None:
    """The last date line with a body alone on the line above it (落款)."""
    for i in range(len(lines) - 1, 0, -1):
        s, e = lines[i]
        m = _DATE_LINE.match(text[s:e])
        if not m:
            continue
        ps, pe = lines[i - 1]
        above = text[ps:pe].strip()
        bodies = find_bodies(above)
        if bodies and bodies[-1].end == len(above) and len(above) - len(bodies[-1].text) <= 2:
            lead = text[ps:pe].find(above)
            b = bodies[-1]
            facts.signer = Stated(b.text, ps + lead + b.start, ps + lead + b.end)
            iso = date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
            facts.signed = Stated(iso, s + m.start(1), s + m.end(3) + 1)
            return


def _own_doc_number(text: str, lines: list[tuple[int, int]], facts: NoticeFacts) -> None:
    """The notice's own 文号: on a line of its own, or right after the title, never one cited
    after a 《title》 or after 根据/按照 (those belong to other documents)."""
    for d in find_docnos(text):
        line = next(((s, e) for s, e in lines if s <= d.start < e), (0, len(text)))
        alone = text[line[0]:line[1]].strip() == d.text
        before = text[max(line[0], d.start - 30):d.start]
        cites_other = "》" in before[-4:] or re.search(r"根据|按照|依据|依照|参照|见|印发", before)
        after_title = facts.title is not None and 0 <= d.start - facts.title.end <= 3
        labelled = re.search("(?:" + alternation(words("cues", "docno_labels")) + r")\s*[:：]?\s*$", before) is not None
        if alone or labelled or (after_title and not cites_other):
            facts.doc_number = Stated(d.text, d.start, d.end)
            return


def _sentences(text: str):
    for m in re.finditer(r"[^。！？；\n]+", text):
        yield m.start(), m.end(), m.group(0)


def _period(text: str, facts: NoticeFacts, page_year: Optional[int]) -> None:
    sentences = list(_sentences(text))
    for k, (s, e, sent) in enumerate(sentences):
        if not _NOTICE_CUE.search(sent):
            continue
        # the period may sit on the line under its heading (二、公示时间 / 2024年8月1日至8月7日)
        scope = [(s, sent)] + ([(sentences[k + 1][0], sentences[k + 1][2])] if k + 1 < len(sentences) else [])
        for base, piece in scope:
            ranges = find_date_ranges(piece)
            length = next((n for n in find_numbers(piece) if n.unit in ("个工作日", "工作日", "天", "日")), None)
            if ranges or length:
                r = ranges[0] if ranges else None
                first = r.first if r else None
                last = r.last if r else None
                if first is not None and first.year is None and page_year:
                    first.year = last.year = page_year
                start = min(x for x in (r.start if r else None, length.start if length else None) if x is not None)
                end = max(x for x in (r.end if r else None, length.end if length else None) if x is not None)
                facts.period = Stated((_iso(first) if first else None, _iso(last) if last else None,
                                       length.text if length else None, piece[start:end]), base + start, base + end)
                return


def _validity(text: str, facts: NoticeFacts) -> None:
    for s, e, sent in _sentences(text):
        m = _VALIDITY.search(sent)
        if not m:
            continue
        after = sent[m.end():m.end() + 20]
        for n in find_numbers(after):
            if n.unit in ("年", "个月", "天"):
                a = s + m.end() + n.start
                facts.validity = Stated(n.text, a, a + len(n.text))
                return


def _contact(text: str, facts: NoticeFacts) -> None:
    for s, e, sent in _sentences(text):
        if not _CONTACT.search(sent):
            continue
        if facts.phone is None:
            phones = find_phones(sent)
            if phones:
                p = phones[0]
                facts.phone = Stated(p.text, s + p.start, s + p.end)
        if facts.office is None:
            offices = [o for o in find_offices(sent) if re.search(r"反映|联系|咨询|异议|意见", sent)]
            if offices:
                o = offices[0]
                facts.office = Stated(o.text, s + o.start, s + o.end)


def dates_in(text: str) -> list:
    return find_dates(text)


__all__ = ["NoticeFacts", "Span", "Stated", "read_notice"]
