"""The parts of a written cluster name: its place prefix, industry and head noun.

A name is [places][industry][head noun]; the head noun contains 集群 (产业集群, 集群, 先进制造业集群,
战略性新兴产业集群, 特色产业集群 … — the lexicon's [heads]). Where the name starts is found from word
structure (words.py); the place prefix from the gazetteer (places.py); what is left is the
industry, which must name a trade: a noun that is no place, no generic or category word.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..core.lexicon import alternation, head_nouns, words
from .places import Prefix, gazetteer
from .words import has_content_noun, name_start  # noqa: F401  (name_start is part of this module's API)

HEAD_NOUNS = tuple(h for h, _ in head_nouns())
HEAD_RE = re.compile("(?:" + alternation(HEAD_NOUNS) + ")$")
PROGRAM_OF_HEAD = {h: p for h, p in head_nouns() if p}

# Level, batch and count words in front of an industry qualify the list, not the cluster.
LEAD_NOISE = re.compile(
    r"^(?:[、，,和与及暨或\s]+|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|\d{1,3}[、.．]|"
    + alternation(words("names", "lead_noise")) + r"|第[一二三四五六七八九十\d]+批|省(?=首批|第|级)|市(?=首批|第|级))+"
)
_TRAIL_NOISE = re.compile(r"[、，,和与及暨或]+$")
_BAD_INDUSTRY = re.compile(r"(?:领域|方面|行业|级|类|[型形])$|[的是了]|^[和与及、]|[、]$|^[一二两三四五六七八九十百\d]+[大个类批项]$")


@lru_cache(maxsize=1)
def _generic() -> re.Pattern:
    return re.compile("^(?:" + alternation(words("names", "generic_industry")) + ")+$")


@dataclass
class ParsedName:
    name: str  # places + industry + head, as written (normalised, no spaces)
    prefix: Prefix
    industry: str
    head: str

    @property
    def regions(self) -> list[str]:
        return self.prefix.regions

    @property
    def province(self) -> Optional[str]:
        return self.prefix.province

    @property
    def program(self) -> Optional[str]:
        return PROGRAM_OF_HEAD.get(self.head)


def trim_trailing(segment: str) -> str:
    return _TRAIL_NOISE.sub("", segment)


def valid_industry(industry: str, after_place: bool = False) -> bool:
    """An industry names a trade: 2+ characters (one after a place: 桂林市茶产业集群), a noun that
    is no generic or category word (特色优势, 千亿级, 重点成长型 …), no domain (…领域), not only
    places (成渝), brackets balanced."""
    industry = industry.strip().replace("“", "").replace("”", "").replace('"', "")
    han = sum(1 for c in industry if "\u4e00" <= c <= "\u9fff")
    if han < (1 if after_place else 2) and not re.search(r"[A-Za-z]", industry):
        return False
    if _BAD_INDUSTRY.search(industry) or _generic().match(industry):
        return False
    if gazetteer().parse_prefix(industry + "业").end >= len(industry):
        return False  # only places (成渝, 京津冀): a region, not an industry
    if han >= 2 and not has_content_noun(industry) and not re.search(r"[A-Za-z]", industry):
        return False  # 优先保障, 培育壮大县域: no thing is named
    depth = 0
    for c in industry:
        depth += c in "(（"
        depth -= c in ")）"
        if depth < 0:
            return False
    return depth == 0


def parse_name(body: str, head: str, province_hint: Optional[str] = None) -> Optional[ParsedName]:
    """`body` is the name without its head noun (places + industry). None when it names no cluster."""
    body = re.sub(r"\s+", "", body)
    if not body:
        return None
    prefix = gazetteer().parse_prefix(body, province_hint)
    industry = body[prefix.end:]
    lead = LEAD_NOISE.match(industry)  # 河南省首批… : level words after the place
    after_place = bool(prefix.places)
    if lead and lead.end():
        rest = industry[lead.end():]
        if not valid_industry(rest, after_place):
            return None
        return ParsedName(body[: prefix.end] + rest + head, prefix, rest, head)
    if not valid_industry(industry, after_place):
        return None
    return ParsedName(body + head, prefix, industry, head)


def split_head(text: str) -> tuple[str, str]:
    """(body, head noun) of text ending in 集群."""
    m = HEAD_RE.search(text)
    if not m:
        return text, ""
    return text[: m.start()], m.group(0)


def minimal_head(head: str) -> str:
    """The shared head noun given to each member of a compressed list: 产业集群 or 集群."""
    return "产业集群" if head.endswith("产业集群") else "集群"
