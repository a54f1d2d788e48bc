"""The cluster table as the offline answerer sees it: rows filtered by what a question names.

Rows come from `rag.extract.table.build_cluster_table` (one row per cluster across documents);
filters are checked on each row's mentions (one record per document), so a row qualifies
through the document that puts it on the asked list, and its citations are those mentions'
evidence spans.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Optional

from ..core.chinese import fold
from ..schemas import ClusterMention
from .classify import Question
from ..core.places import Place, find_places, lookup, same_place, strip_suffix

LEVEL_CN = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
HEAD_NOUNS = ("战略性新兴产业集群", "中小企业特色产业集群", "特色产业集群", "先进制造业集群", "先进制造集群", "制造业集群",
              "产业集群", "集群")


@dataclass
class ClusterHit:
    row: object  # rag.extract.table.ClusterRow
    mentions: list[ClusterMention] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.row.name


def industry_of(m) -> str:
    """The industry words of a row or mention (its own field, else the name minus head noun)."""
    if getattr(m, "industry", None):
        return fold(m.industry)
    name = fold(m.name)
    for head in HEAD_NOUNS:
        if name.endswith(head) and len(name) > len(head):
            return name[: -len(head)]
    return name


def same_brackets(text: str) -> str:
    """Full-width brackets as ASCII, one for one (offsets keep)."""
    return text.replace("（", "(").replace("）", ")")


def describe(m: ClusterMention) -> str:
    """The list a mention is on, in words: 郑州市发展和改革委员会 2023年首批市级战略性新兴产业集群."""
    parts = []
    if m.year:
        parts.append(f"{m.year}年")
    if m.batch:
        parts.append("首批" if m.batch == 1 else f"第{m.batch}批")
    if m.level:
        parts.append(LEVEL_CN[m.level])
    parts.append(m.program or ("名单" if m.level else ""))
    what = "".join(parts)
    if m.recognised_by and what:
        return f"{m.recognised_by}公布的{what}"
    return what


class ClusterFacts:
    """Rows plus per-document context (document text, the place a city paper calls 我市).
    Names, industries and places are folded once, and mentions are indexed by place, document
    and row, so a question costs a few dictionary lookups, not a pass over every record."""

    def __init__(self, rows: list, doc_text: Callable[[str], str]) -> None:
        self.rows = rows
        self._doc_text = doc_text
        self._home: dict[str, Optional[str]] = {}
        self._terms = {id(r): (same_brackets(fold(r.name)), same_brackets(industry_of(r))) for r in rows}
        self._row_of: dict[int, object] = {}
        self._folded_name: dict[int, str] = {}
        self.by_place: dict[str, list[ClusterMention]] = defaultdict(list)
        self.by_doc: dict[str, list[tuple[object, ClusterMention]]] = defaultdict(list)
        self.region_names: set[str] = set()
        self.programs = {fold(m.program) for r in rows for m in r.mentions if m.program}
        for row in rows:
            for m in row.mentions:
                self._row_of[id(m)] = row
                self._folded_name[id(m)] = fold(m.name)
                self.by_doc[m.doc_id].append((row, m))
                for key in _place_keys(m, self._folded_name[id(m)]):
                    self.by_place[key].append(m)
                self.region_names |= {strip_suffix(r) for r in m.regions if len(strip_suffix(r)) >= 2}

    def doc_text(self, doc_id: str) -> str:
        return self._doc_text(doc_id)

    def row_of(self, m: ClusterMention):
        return self._row_of[id(m)]

    # --- questions -> rows -------------------------------------------------------------

    def named_in(self, folded: str) -> list[tuple[object, int, int]]:
        """Rows whose name the question writes: their industry followed by a head noun
        (新一代信息技术集群), or their full name. Of overlapping industries the longest wins
        (铝基新材料 over 新材料); a full name with its place (河南省超硬材料产业集群) beats the
        same industry elsewhere (郑州高新区超硬材料…); rows with the same industry are otherwise
        all kept, for the other filters to choose from (烟台市 / 临沂市生物医药产业集群)."""
        folded = same_brackets(folded)
        found = []
        for row in self.rows:
            name, industry = self._terms[id(row)]
            if len(industry) < 2:
                continue
            pos = folded.find(industry)
            if pos < 0:
                continue
            # an industry alone is a domain (新一代信息技术和高端装备两类集群), not a name
            at = folded.find(name)
            if at >= 0 or folded.startswith(HEAD_NOUNS, pos + len(industry)):
                span = (at, at + len(name)) if at >= 0 else (pos, pos + len(industry))
                if folded[span[1]:span[1] + 1] == "(" and ")" in folded[span[1]:]:  # …集群(白银市、酒泉市)
                    span = (span[0], folded.index(")", span[1]) + 1)
                placed = at >= 0 and not name.startswith(industry)
                found.append((row, pos, pos + len(industry), span, placed))
        kept = [f for f in found if not any(f2[1] <= f[1] and f[2] <= f2[2] and (f2[2] - f2[1]) > (f[2] - f[1])
                                            for f2 in found)]
        if any(f[4] for f in kept):
            kept = [f for f in kept if f[4] or not any(g[4] and g[3][0] <= f[1] < g[3][1] for g in kept)]
        # returned spans cover the written name (赣州市稀土…集群), so its place is not context
        return [(row, *span) for row, _, _, span, _ in kept]

    def candidates(self, places: list[Place], name_rows: Iterable = ()) -> Iterable[ClusterMention]:
        """Mentions that may satisfy a place filter (or of the named rows): every one when the
        question names neither."""
        named = list(name_rows)
        if named:
            return [m for r in named for m in r.mentions]
        if not places:
            return [m for r in self.rows for m in r.mentions]
        out: dict[int, ClusterMention] = {}
        for p in most_specific(places):
            for key in {p.short, strip_suffix(p.province or "")} - {""}:
                for m in self.by_place.get(key, ()):
                    out[id(m)] = m
        return list(out.values())

    def extra_places(self, folded: str) -> list[Place]:
        """Places the table knows (兰考, 巩义) that the gazetteer only matches with a suffix."""
        out = []
        for name in self.region_names:
            if name in folded:
                p = lookup(name) or lookup(name + "县") or lookup(name + "市") or lookup(name + "区")
                out.append(p or Place(name, name, "county", None))
        return out

    def select(self, q: Question, places: list[Place], programs: list[str], name_rows: Iterable = (),
               doc_ids: Optional[set[str]] = None) -> list[ClusterHit]:
        """Rows with at least one mention that satisfies every filter the question names."""
        hits: dict[int, ClusterHit] = {}
        for m in self.candidates(places, name_rows):
            if (doc_ids is None or m.doc_id in doc_ids) and self.matches(m, q, places, programs):
                row = self.row_of(m)
                hits.setdefault(id(row), ClusterHit(row)).mentions.append(m)
        return list(hits.values())

    def matches(self, m: ClusterMention, q: Question, places: list[Place], programs: list[str]) -> bool:
        if places and not any(self.in_place(m, p) for p in most_specific(places)):
            return False
        if len(q.levels) == 1 and m.level != q.levels[0]:
            return False
        if programs and not any(_same_program(m.program, p) for p in programs):
            return False
        if q.batch is not None and m.batch != q.batch:
            return False
        if q.years and not (m.year in q.years or (m.year is None and any(str(y) in self._doc_text(m.doc_id) for y in q.years))):
            return False
        return True

    def in_place(self, m: ClusterMention, p: Place) -> bool:
        if p.kind == "province" or (p.province and p.full == p.province):
            prov = p.full
            if m.province and same_place(m.province, prov):
                return True
            return any(_province(r) == prov for r in m.regions)
        if any(same_place(r, p.full) or same_place(r, p.written) for r in m.regions):
            return True
        if p.short in self._folded_name.get(id(m), m.name):
            return True
        if not m.regions:
            home = self.home_place(m.doc_id)
            return bool(home) and same_place(home, p.full)
        return False

    def named_before(self, doc_id: str, original_pos: int) -> Optional[str]:
        """The name of the cluster a document mentions last before a position."""
        before = [m for _, m in self.by_doc.get(doc_id, ()) if m.evidence.start < original_pos]
        if not before:
            return None
        return self._folded_name.get(id(max(before, key=lambda m: m.evidence.start)))

    def home_place(self, doc_id: str) -> Optional[str]:
        """The city a local paper writes about (我市): its most mentioned city, if clearly first."""
        if doc_id not in self._home:
            if not re.search(r"我市|本市|我省|本省|全市", self._doc_text(doc_id)):
                self._home[doc_id] = None
                return None
            counts = Counter(p.city or p.full for _, _, p in find_places(self._doc_text(doc_id))
                             if p.kind in ("city", "county", "zone"))
            top = counts.most_common(2)
            home = None
            if top and top[0][1] >= 2 and (len(top) == 1 or top[0][1] >= 2 * top[1][1]):
                home = top[0][0]
            self._home[doc_id] = home
        return self._home[doc_id]

    def in_span(self, doc_id: str, text: str, original_span: tuple[int, int]) -> list[tuple[object, ClusterMention]]:
        """Rows named inside a piece of text: their full name written there, else their
        industry at a place no longer name or industry covers (航空 inside 中小航空发动机 does
        not count for 西安市航空集群), else their evidence inside the span."""
        spans: list[tuple[object, ClusterMention, int, int]] = []
        by_row: dict[int, tuple[object, ClusterMention]] = {}
        for row, m in self.by_doc.get(doc_id, ()):
            if id(row) in by_row:
                continue
            name = self._folded_name.get(id(m), m.name)
            terms = [name] if name in text else [industry_of(m)]
            found = False
            for term in terms:
                if len(term) < 2:
                    continue
                for hit in re.finditer(re.escape(term), text):
                    spans.append((row, m, hit.start(), hit.end()))
                    found = True
            ev = m.evidence
            if found or (original_span[0] <= ev.start and ev.end <= original_span[1]):
                by_row[id(row)] = (row, m)
        kept: dict[int, int] = {}  # row -> position of its first free match
        taken: list[tuple[int, int]] = []
        for row, m, s, e in sorted(spans, key=lambda t: t[3] - t[2], reverse=True):
            if any(a <= s and e <= b and (b - a) > (e - s) for a, b in taken):
                continue
            taken.append((s, e))
            kept[id(row)] = min(kept.get(id(row), s), s)
        out = [(pair, kept.get(rid)) for rid, pair in by_row.items()
               if rid in kept or not any(r is pair[0] for r, _, _, _ in spans)]
        out.sort(key=lambda t: (t[1] if t[1] is not None else 10**9, t[0][1].evidence.start))
        return [pair for pair, _ in out]


def _place_keys(m: ClusterMention, folded_name: str) -> set[str]:
    """Short place names a mention can be found under: its province, its regions and their
    provinces, and places written in its name."""
    keys = set()
    if m.province:
        keys.add(strip_suffix(m.province))
    for r in m.regions:
        keys.add(strip_suffix(r))
        prov = _province(r)
        if prov:
            keys.add(strip_suffix(prov))
    if not keys:  # no place on the record: the ones its name writes
        for _, _, p in find_places(folded_name):
            keys.add(p.short)
            if p.province:
                keys.add(strip_suffix(p.province))
    return keys


def most_specific(places: list[Place]) -> list[Place]:
    """Drop places that contain another named place (河南 when 郑州 is named, 郑州 when
    郑州高新区 is named)."""
    out = []
    for p in places:
        contains_other = any(
            o is not p and (
                (p.kind == "province" and o.province == p.full and o.kind != "province")
                or (p.kind == "city" and o.kind in ("county", "zone") and o.city == p.full)
            )
            for o in places
        )
        if not contains_other:
            out.append(p)
    return out


@lru_cache(maxsize=65536)
def _province(region: str) -> Optional[str]:
    p = lookup(region) or lookup(strip_suffix(region))
    return p.province if p else None


def _same_program(have: Optional[str], want: str) -> bool:
    if not have:
        return False
    have = fold(have)
    return want in have or have in want
