"""Questions about lists, answered from the list store: which stored list a question means, and
the operations on it (its size, its members in order, filtered by place, keyword or prefix, the
Nth one, its issuer, dates, 文号, 公示期 …) and across two lists (sums, comparisons, members on
both, members on one only).

A question's `ListSelector` and a `ListRecord` carry the same kind of facts (both read by
rag.extract.facts), so choosing the list is comparing facts: a program, year or batch that
differs rules a list out; places, stage, level and issuer add or take away evidence.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..core.chinese import fold
from ..core.places import Place, find_places, lookup, same_place, strip_suffix, within
from ..core.spans import same_body
from ..schemas import ListMember, ListRecord
from .frame import Filters, ListSelector

MIN_LIST_SCORE = 3.0  # at least two facts in common (a program and a place, a year and a place …)


@dataclass
class ListMatch:
    record: ListRecord
    score: float


def _place_of(name: Optional[str]) -> Optional[Place]:
    if not name:
        return None
    return lookup(name) or next((p for _, _, p in find_places(name)), None)


def _members_province(rec: ListRecord) -> Optional[str]:
    provinces = {p.province for m in rec.members for _, _, p in find_places(m.name) if p.province}
    return provinces.pop() if len(provinces) == 1 else None


def _members_city(rec: ListRecord) -> Optional[str]:
    cities = {p.city or (p.full if p.kind == "city" else None) for m in rec.members for _, _, p in find_places(m.name)}
    cities.discard(None)
    return cities.pop() if len(cities) == 1 else None


def score_list(sel: ListSelector, rec: ListRecord, doc_rank: Optional[int]) -> Optional[float]:
    """How well a stored list fits what the question says about a list; None when it cannot be it."""
    f = sel.facts
    score = 0.0
    sizes = [int(n) for n in re.findall(r"(\d+)个[^，。？、和]{0,14}集群", sel.text)]
    if sizes and rec.stated_count is not None:  # 45个国家先进制造业集群名单: the list of that size
        score += 3 if rec.stated_count in sizes else -3
    if f.program:
        if rec.program == f.program:
            score += 3
        elif rec.program and rec.program.endswith(f.program):
            score += 2  # 特色产业集群 said for a 中小企业特色产业集群 list: the shorter wording of one program
            # (not the reverse: a question naming 中小企业特色产业集群 means that program, not any 特色 list)
        elif rec.program:
            return None
        else:
            score -= 1
    if f.year:
        if rec.year == f.year:
            score += 2
        elif rec.year:
            return None
        else:
            score -= 1.5
    batches = sel.batches or ([f.batch] if f.batch else [])
    if batches:  # 第一批和第二批…加起来: a list of any batch the question names
        if rec.batch in batches:
            score += 2
        elif rec.batch:
            return None
        else:
            score -= 2
    owner = _place_of(f.place) or (next(iter(sel.places), None) if not f.place and sel.places and sel.named else None)
    if owner is not None:
        theirs = [x for x in (_place_of(rec.place), _place_of(rec.province), _place_of(_members_province(rec)),
                              _place_of(_members_city(rec))) if x]
        if any(same_place(owner.full, t.full) or within(t, owner) for t in theirs):
            score += 2
        elif any(within(owner, t) for t in theirs) and not f.place:
            score += 0.5  # 青岛市有哪些…入选了首批…名单: a place inside the list's, filtering its members
        elif owner.kind in ("province", "city") and (theirs or f.place):
            return None  # another place's list, or a list of many places where the question names its owner
        else:
            score -= 2
    if re.search(r"正式(?:认定|公布|名单)|最终(?:认定|名单)", sel.text) and rec.stage in ("proposed", "recommended"):
        return None  # 正式认定名单是哪天公布的: the draft list published for comment is not it
    if f.stage and rec.stage:
        if f.stage == rec.stage:
            score += 1.5
        elif {f.stage, rec.stage} == {"proposed", "recommended"} or "candidate" in (f.stage, rec.stage):
            score -= 3  # 培育对象名单 is not the list of recognised clusters
        else:
            score -= 0.5
    if f.level and rec.level and f.level != rec.level and "recommended" not in (f.stage, rec.stage):
        score -= 1
    elif f.level and rec.level == f.level:
        score += 2
    if rec.stage == "recommended" and f.stage != "recommended":
        score -= 1.5  # a recommendation list is meant only when the question says so
    if f.issuer and rec.issuer:
        score += 1.5 if same_body(f.issuer, rec.issuer) else -1
    if doc_rank is not None:
        score += 1.0 / (1 + doc_rank)
    return score


def match_lists(sel: ListSelector, records: list[ListRecord], doc_rank: dict[str, int],
                filter_place: Optional[Place] = None) -> list[ListMatch]:
    out = []
    for rec in records:
        s = score_list(sel, rec, doc_rank.get(rec.doc_id))
        if s is not None and filter_place is not None:
            own = _place_of(rec.place) or _place_of(rec.province)
            if own is not None and same_place(own.full, filter_place.full):
                s -= 2  # 名单里浙江入选的: a list that holds other places' members
            elif rec.members and any(in_place(m, filter_place, rec) for m in rec.members):
                s += 1.5  # 宜春市有哪些集群进入了拟认定名单: the list that holds the place's clusters
            elif rec.members and rec.complete:
                s -= 1
        if s is not None and s >= MIN_LIST_SCORE:
            out.append(ListMatch(rec, s))
    out.sort(key=lambda m: -m.score)
    return out


def holding_place(records: list[ListRecord], place: Place, doc_rank: dict[str, int]) -> list[ListMatch]:
    """The lists of one document that hold a place's clusters, for a question that names the place and
    no list (邵阳市有哪些集群在名单里): the document retrieval ranks first, else the one holding most."""
    holding = {}
    for rec in records:
        n = sum(in_place(m, place, rec) for m in rec.members)
        if n:
            holding.setdefault(rec.doc_id, []).append((rec, n))
    if not holding:
        return []
    doc = min(holding, key=lambda d: (doc_rank.get(d, len(doc_rank) + 1), -sum(n for _, n in holding[d])))
    ranked = sorted(holding[doc], key=lambda x: -x[1])
    return [ListMatch(rec, MIN_LIST_SCORE) for rec, _ in ranked]


def named_batches(matches: list[ListMatch], sel: ListSelector) -> list[ListRecord]:
    """One list for each batch the question names (湖南第一批和第二批…), from the best list's document
    and program; empty unless it names two or more and every one is found."""
    batches = sel.batches
    if len(batches) < 2 or not matches:
        return []
    top = matches[0].record
    found: dict[int, ListRecord] = {}
    for m in matches:
        r = m.record
        if r.doc_id == top.doc_id and r.program == top.program and r.batch in batches:
            found.setdefault(r.batch, r)
    return [found[b] for b in batches] if set(found) == set(batches) else []


def sibling_batches(matches: list[ListMatch], rec: ListRecord) -> list[ListRecord]:
    """The other batches of the same program in the same document (第一批、第二批…名单): a question that
    names no batch means them all."""
    return [m.record for m in matches if m.record is not rec and m.record.doc_id == rec.doc_id
            and m.record.program == rec.program and (m.record.stage == rec.stage or not m.record.stage or not rec.stage)
            and m.record.batch and rec.batch and m.record.batch != rec.batch]


# --- members ------------------------------------------------------------------------------------------

_LONG_HEADS = ("中小企业特色产业集群", "战略性新兴产业集群", "县域特色产业集群", "先进制造业集群", "创新型产业集群",
               "特色产业集群")


def short_name(name: str) -> str:
    """A member's name with a long program head shortened to 集群 (…五金模具中小企业特色产业集群 →
    …五金模具集群): lists of them stay readable."""
    for head in _LONG_HEADS:
        if name.endswith(head):
            return name[: -len(head)] + "集群"
    return name


def bare_name(name: str) -> str:
    """A member's place and industry without its head noun (衡阳市输变电配备工业集群 → 衡阳市输变电配备),
    for answers that list many members."""
    stripped = _HEAD.sub("", name)
    return stripped if len(stripped) >= 2 else name


def member_places(m: ListMember, rec: Optional[ListRecord] = None) -> list[Place]:
    places = [p for _, _, p in find_places(m.name)]
    for r in m.regions:
        p = lookup(r) or next((x for s, e, x in find_places(r) if s == 0 and e == len(r)), None)
        if p is None:  # a zone, town or renamed county the gazetteer does not list (郴州高新区, 龙南市)
            kind = "zone" if r.endswith("区") else "county" if r.endswith(("市", "县")) else "town"
            p = Place(r, r, kind, places[0].province if places else None, places[0].city if places else None)
        if all(p.full != q.full for q in places):
            places.append(p)
    return places


def in_place(m: ListMember, place: Place, rec: Optional[ListRecord] = None) -> bool:
    places = member_places(m, rec)
    if not places and rec is not None:
        # 沈阳市航空、机器人和汽车零部件3个产业集群: the members written after a place share it
        group = [x for x in rec.members if x.evidence.start == m.evidence.start and x.position < m.position]
        places = [p for x in group for p in member_places(x)]
    if not places and rec is not None and rec.home:  # a city paper's 我市 clusters lie in its city
        places = [p for p in (lookup(rec.home),) if p]
    return any(within(p, place) for p in places)


def filter_members(rec: ListRecord, filters: Filters) -> list[ListMember]:
    members = list(rec.members)
    if filters.places:
        members = [m for m in members if any(in_place(m, p, rec) for p in filters.places)]
    elif filters.place is not None:
        members = [m for m in members if in_place(m, filters.place, rec)]
    if filters.keyword:
        keys = category_words(fold(filters.keyword))
        members = [m for m in members if any(k in fold(m.industry or m.name) or k in fold(m.name) for k in keys)]
    if filters.prefix:
        k = fold(filters.prefix)
        members = [m for m in members if fold(m.name).startswith(k)]
    if filters.exclude:
        members = [m for m in members if not any(w in fold(m.name) or strip_suffix(w) in fold(m.name) for w in filters.exclude)]
    if filters.level_in_name:
        unit = filters.level_in_name
        members = [m for m in members if any(r.endswith(unit) for r in m.regions)]
    return members


def category_words(keyword: str) -> list[str]:
    """A keyword and the industries the lexicon files under it (食品 → 预制菜, 榨菜, 茶 …)."""
    from ..core.lexicon import lexicon

    cats = lexicon().get("industries", {})
    return [keyword] + [w for w in cats.get(keyword, []) if w != keyword]


def at_position(rec: ListRecord, position: int) -> Optional[ListMember]:
    """The Nth member as the list is written (-1 = the last). None when the list does not reach it,
    or when its end is not written (a stated size larger than the members written)."""
    if position == -1:
        return rec.members[-1] if rec.members and rec.complete else None
    if 1 <= position <= len(rec.members):
        return rec.members[position - 1]
    return None


def size(rec: ListRecord) -> int:
    return rec.stated_count if rec.stated_count is not None else len(rec.members)


# --- the same cluster on two lists ----------------------------------------------------------------------

_HEAD = re.compile(r"(?:中小企业特色产业集群|战略性新兴产业集群|县域特色产业集群|先进制造业集群|创新型产业集群|特色产业集群|"
                   r"产业集群|工业集群|集群)$")


def _key(m: ListMember) -> tuple[str, frozenset[str]]:
    industry = fold(m.industry or _HEAD.sub("", m.name))
    places = frozenset(p.full for p in member_places(m) if p.kind != "province")
    return industry, places


def same_cluster(a: ListMember, b: ListMember) -> bool:
    """One cluster written on two lists (宜昌市夷陵区柑橘深加工中小企业特色产业集群 and
    湖北省宜昌市夷陵区柑橘深加工产业集群): the same industry, and places that agree."""
    ia, pa = _key(a)
    ib, pb = _key(b)
    if not ia or ia != ib:
        return False
    return not pa or not pb or pa <= pb or pb <= pa


def on_both(a: ListRecord, b: ListRecord) -> list[ListMember]:
    return [m for m in a.members if any(same_cluster(m, n) for n in b.members)]


def only_on_first(a: ListRecord, b: ListRecord) -> list[ListMember]:
    return [m for m in a.members if not any(same_cluster(m, n) for n in b.members)]
