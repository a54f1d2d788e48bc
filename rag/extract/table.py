"""The cross-document cluster table: one row per cluster, however many articles name it.

Records of the same cluster written differently — Traditional or Simplified, with or without the
place prefix (长沙工程机械集群 / 长沙市工程机械集群 / 湖南省长沙市…), 产业集群 vs 集群 — share one
row listing every source document and evidence. `cluster_key(name)` is the comparison form of a
name; a name with fewer places joins a row with more only when exactly one row fits it.
"""
from __future__ import annotations

import unicodedata
from typing import Iterable, Optional

from pydantic import BaseModel, Field

from ..core.chinese import fold
from ..schemas import ClusterMention
from .names import split_head
from .places import Place, gazetteer, same_or_outer

_SUFFIXES = ("特别行政区", "自治区", "自治州", "省", "市", "区", "县")
_LEVEL_RANK = {"national": 3, "provincial": 2, "municipal": 1, None: 0}


def _canonical(text: str) -> str:
    return "".join(c for c in fold(text) if unicodedata.category(c)[0] not in "PSZ")


def _stem(place: str) -> str:
    for suffix in _SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix):
            return place[: -len(suffix)]
    return place


def _parse(name: str) -> tuple[list[Place], str]:
    body, _ = split_head(_canonical(name))
    prefix = gazetteer().parse_prefix(body)
    return prefix.places, body[prefix.end:]


def _parts(name: str) -> tuple[frozenset[str], str]:
    """(place stems, industry) of a written name; the province counts only when no smaller place is written."""
    places, industry = _parse(name)
    places = [p for p in places if p.kind != "province"] or places
    return frozenset(_stem(p.name) for p in places), industry


def cluster_key(name: str) -> str:
    """The comparison form of a cluster name: 長沙市工程機械產業集群 and 长沙工程机械集群 give the same key."""
    places, industry = _parts(name)
    return "/".join(sorted(places)) + "|" + industry


class Mention(BaseModel):
    doc_id: str
    text: str
    start: int
    end: int


class ClusterRow(BaseModel):
    """One cluster across documents. `mentions` holds each document's record."""

    key: str
    name: str
    regions: list[str] = Field(default_factory=list)
    province: Optional[str] = None
    level: Optional[str] = None
    program: Optional[str] = None
    industry: Optional[str] = None
    recognised_by: Optional[str] = None
    year: Optional[int] = None
    batch: Optional[int] = None
    mentions: list[ClusterMention] = Field(default_factory=list)

    @property
    def doc_ids(self) -> list[str]:
        out: list[str] = []
        for m in self.mentions:
            if m.doc_id not in out:
                out.append(m.doc_id)
        return out

    @property
    def evidence(self) -> list[Mention]:
        return [Mention(doc_id=m.doc_id, text=m.evidence.text, start=m.evidence.start, end=m.evidence.end)
                for m in self.mentions]

    def flat(self) -> dict:
        """The row as printed by `rag clusters` (JSON Lines / CSV)."""
        return {
            "name": self.name, "regions": self.regions, "province": self.province, "level": self.level,
            "program": self.program, "industry": self.industry, "recognised_by": self.recognised_by,
            "year": self.year, "batch": self.batch, "mentions": len(self.mentions), "doc_ids": self.doc_ids,
            "evidence": [e.model_dump() for e in self.evidence],
        }


def _informative(m: ClusterMention) -> tuple:
    facts = (m.level, m.program, m.recognised_by, m.year, m.batch)
    return (_LEVEL_RANK[m.level], sum(f is not None for f in facts))


def _row(key: str, mentions: list[ClusterMention]) -> ClusterRow:
    named = max(mentions, key=lambda m: (len(_parts(m.name)[0]), len(m.regions), len(m.name)))
    best = max(mentions, key=_informative)
    row = ClusterRow(key=key, name=named.name, regions=list(named.regions), mentions=mentions)
    for field in ("province", "level", "program", "industry", "recognised_by", "year", "batch"):
        value = getattr(best, field)
        if value is None:
            value = next((getattr(m, field) for m in mentions if getattr(m, field) is not None), None)
        setattr(row, field, value)
    if named.industry:
        row.industry = named.industry
    return row


def build_cluster_table(records: Iterable[ClusterMention]) -> list[ClusterRow]:
    """Group records of the same cluster across documents; rows in order of first appearance."""
    records = list(records)
    order = {id(r): i for i, r in enumerate(records)}
    groups: dict[str, list[ClusterMention]] = {}
    parts: dict[str, tuple[frozenset[str], str]] = {}
    for r in records:
        key = cluster_key(r.name)
        groups.setdefault(key, []).append(r)
        parts.setdefault(key, _parts(r.name))
    # A name with fewer places joins the one row whose places include its own (and whose province agrees).
    for key in sorted(groups, key=lambda k: len(parts[k][0])):
        places, industry = parts[key]
        province = next((m.province for m in groups[key] if m.province), None)
        mine = _parse(groups[key][0].name)[0]
        fits = [k for k in groups if k != key and parts[k][1] == industry and places < parts[k][0]
                and (not places or same_or_outer(mine, _parse(groups[k][0].name)[0]))
                and (province is None or any(m.province in (None, province) for m in groups[k]))]
        if len(fits) == 1:
            groups[fits[0]].extend(groups.pop(key))
    return [_row(key, sorted(mentions, key=lambda m: order[id(m)])) for key, mentions in groups.items()]


def filter_rows(rows: list[ClusterRow], province: Optional[str]) -> list[ClusterRow]:
    """Rows in a province, written 河南, 河南省 or 河南省 in Traditional script."""
    if not province:
        return rows
    wanted = gazetteer().province(_canonical(province)) or _canonical(province)
    return [r for r in rows if r.province == wanted or any(m.province == wanted for m in r.mentions)]
