"""Answers by operation over the grounded question: from the list store, from the clusters the
question names, across two lists, or from typed candidates in the text. Each returns a `Draft`
(the short fact and where it is stated) or None when it cannot answer."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace
from typing import Optional

from ..core.chinese import fold
from ..core.numbers import chinese_to_number, find_numbers
from ..core.lexicon import alternation, program_variants, words
from ..core.places import find_places, lookup
from ..schemas import Evidence, ListMember, ListRecord
from .candidates import Candidate, best_candidates
from .frame import Filters
from .ground import Ground
from .listops import (at_position, named_batches, sibling_batches, bare_name, filter_members, member_places, on_both, only_on_first, same_cluster,
                      short_name, size)
from .passages import Unit, clauses, content_words
from .tables import measure_column, number, read_tables, row_of

LEVEL_WORDS = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
MIN_COVERAGE = 0.3  # share of the question's weighted content the answering sentence must hold


@dataclass
class Cite:
    doc_id: str
    start: int  # original offsets
    end: int


@dataclass
class Draft:
    text: str
    cites: list[Cite] = field(default_factory=list)
    found: bool = True


def ev_cite(doc_id: str, ev: Optional[Evidence]) -> list[Cite]:
    return [Cite(doc_id, ev.start, ev.end)] if ev is not None and ev.end > ev.start else []


def unit_cite(g: Ground, u: Unit, rel: Optional[tuple[int, int]] = None) -> Cite:
    ndoc = g.load(u.doc_id).ndoc
    a, b = (u.start, u.end) if rel is None else (u.start + rel[0], u.start + rel[1])
    s, e = ndoc.span(a, b)
    return Cite(u.doc_id, s, e)


def _date_text(iso: Optional[str]) -> Optional[str]:
    if not iso:
        return None
    d = date.fromisoformat(iso[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def _members_text(members: list[ListMember]) -> str:
    """Members joined by 、, kept short (an answer is the names, not the list's sentence): a province
    or municipality every member starts with is said once by the question, not per member; long
    program heads become 集群; three or more names, or long ones, lose the head noun altogether."""
    names = [short_name(m.name) for m in members]
    if len(members) >= 2:
        names = _without_shared_province(names)
    if len(members) >= 3 or sum(map(len, names)) + len(names) - 1 > 40:
        names = [bare_name(n) for n in names]
    return "、".join(names)


def _without_shared_province(names: list[str]) -> list[str]:
    """上海市嘉定区…、上海市松江区… → 嘉定区…、松江区…: only when a lower place follows in every name."""
    first = find_places(names[0])[:1]
    province = first[0][2].province if first and first[0][0] == 0 else None
    if not province:
        return names
    for written in sorted({province, province[:-1] if province.endswith(("省", "市")) else province}, key=len, reverse=True):
        rest = [n[len(written):] for n in names if n.startswith(written)]
        if len(rest) == len(names) and all(any(s == 0 for s, _, _ in find_places(r)) for r in rest):
            return rest
    return names


def _stated_subcount(g: Ground, rec: ListRecord, place) -> Optional[Draft]:
    """The count the article states for one place's part of a list it does not write out in full
    (全省共有30个集群入选，其中宁波市入选6个): in the sentence that states the list's size, else in
    a sentence of the list's article that names its program."""
    ds = g.load(rec.doc_id)
    text = ds.ndoc.text
    names = sorted({place.full, place.short, place.written}, key=len, reverse=True)
    pattern = re.compile("(?:" + "|".join(map(re.escape, names)) + r")(?:市|省)?(?:共|有|入选|上榜|占|获评|新增){0,2}"
                         r"(\d+|[一二两三四五六七八九十]+)\s*(?:个|家)")
    size_at = rec.evidence.get("stated_count")

    def states_size(sent) -> bool:
        a, b = ds.ndoc.span(sent.start, sent.end)
        return size_at is not None and a <= size_at.start < b

    for s in sorted(ds.sentences, key=lambda x: not states_size(x)):
        seg = text[s.start:s.end]
        if not states_size(s) and not (rec.program and rec.program in seg):
            continue
        m = pattern.search(seg)
        if m:
            a, b = ds.ndoc.span(s.start, s.end)
            value = m.group(1) if m.group(1).isdigit() else str(chinese_to_number(m.group(1)))
            return Draft(f"{value}个", [Cite(rec.doc_id, a, b)])
    return None


def _member_cites(rec: ListRecord, members: list[ListMember], limit: int = 12) -> list[Cite]:
    return [Cite(rec.doc_id, m.evidence.start, m.evidence.end) for m in members[:limit]]


# --- one list ---------------------------------------------------------------------------------------


def from_list(g: Ground) -> Optional[Draft]:
    rec = g.best_list
    if rec is None:
        return None
    f = g.frame
    a = f.answer
    filters = f.filters
    filtered = filters.place is not None or filters.keyword or filters.prefix or filters.level_in_name or filters.exclude
    if filters.exclude and not rec.complete:
        rest = filter_members(rec, filters)
        if not rest:
            return None  # 除甲、乙之外的另外8个: the article does not write them out
    several = named_batches(g.matches[0], f.lists[0]) if f.lists else []
    if a == "count" and several and not filtered and not g.residual:  # 第一批和第二批加起来共有多少个
        cites = [c for r in several for c in (ev_cite(r.doc_id, r.evidence.get("stated_count")) or _member_cites(r, r.members[:1]))]
        return Draft(f"{sum(size(r) for r in several)}个", cites)
    if a == "count" and f.cumulative:
        return None  # a running total (累计, 总数, 加上首批) is the text's, not one list's size
    if a == "count" and not g.residual:
        if filtered:
            members = filter_members(rec, filters)
            if not rec.complete and filters.place is not None and not filters.places:
                stated = _stated_subcount(g, rec, filters.place)  # 全省共有30个…其中宁波市入选6个
                if stated is not None:
                    return stated
            if not members and not rec.complete:
                return None
            return Draft(f"{len(members)}个", _member_cites(rec, members) or ev_cite(rec.doc_id, rec.evidence.get("title")))
        n = size(rec)
        cites = ev_cite(rec.doc_id, rec.evidence.get("stated_count")) or _member_cites(rec, rec.members)
        return Draft(f"{n}个", cites)
    if f.operation == "position" and filters.position is not None:
        m = at_position(rec, filters.position)
        return Draft(short_name(m.name), _member_cites(rec, [m])) if m else None
    if a == "place" and f.operation == "argmax":
        return _place_with_most(rec)
    if a in ("members", "member", "count", "text") and (filtered or a in ("members", "member")) and not g.residual:
        members = filter_members(rec, filters)
        if filtered and not members:  # the other lists that fit as well (two batches of one notice)
            for other in [m.record for m in g.matches[0][1:] if m.score >= g.matches[0][0].score - 0.5]:
                members += filter_members(other, filters)
        if re.search(r"两份名单|两个名单|两张名单|这两份|两批", f.folded):  # every list of the same notice
            for other in [m.record for m in g.matches[0][1:] if m.record.doc_id == rec.doc_id]:
                members += filter_members(other, filters)
        elif several:  # 第一、二批…有哪些: every named batch in its order
            members = [m for r in several for m in filter_members(r, filters)]
        elif filters.place is not None and not g.frame.lists[0].facts.batch:
            for other in sibling_batches(g.matches[0], rec):  # 长沙市有哪些…入选: either batch's
                members += [m for m in filter_members(other, filters) if m.name not in {x.name for x in members}]
        if a == "count":
            return Draft(f"{len(members)}个", _member_cites(rec, members)) if members else None
        if not members:
            return None
        if len(members) == 1 and re.search(r"什么产业|做什么|什么行业|主导产业是", f.folded):
            return Draft(members[0].industry or short_name(members[0].name), _member_cites(rec, members))
        text = _members_text(members)
        if filtered and len(members) < len(rec.members) and a == "members" and len(members) > 1:
            text = f"{len(members)}个：{text}"
        return Draft(text, _member_cites(rec, members))
    value, key = None, None
    if a == "body":
        value, key = rec.issuer, "issuer"
    elif a == "date" and not g.residual_date:
        value, key = _date_text(rec.date), "date"
    elif a == "notice_end" and rec.notice_period and rec.notice_period.end:
        value, key = _date_text(rec.notice_period.end), "notice_period"
    elif a == "notice_start" and rec.notice_period and rec.notice_period.start:
        value, key = _date_text(rec.notice_period.start), "notice_period"
    elif a == "period" and rec.notice_period:
        p = rec.notice_period
        value, key = (f"{_date_text(p.start)}至{_date_text(p.end)}" if p.start and p.end else p.length or p.text), "notice_period"
    elif a == "length" and rec.notice_period and (rec.notice_period.length or rec.notice_period.start):
        p = rec.notice_period
        value, key = p.length or f"{_date_text(p.start)}至{_date_text(p.end)}", "notice_period"
    elif a == "validity":
        value, key = rec.validity, "validity"
    elif a == "docno" and not g.residual:
        value, key = rec.doc_number, "doc_number"
    elif a == "phone":
        value, key = rec.contact_phone, "contact_phone"
    elif a == "office":
        value, key = rec.contact_office, "contact_office"
    elif a == "year" and not g.residual:
        value, key = (f"{rec.year}年" if rec.year else None), "year"
    elif a == "level":
        value = LEVEL_WORDS.get(rec.level or "")
        key = "level"
    if value:
        return Draft(value, ev_cite(rec.doc_id, rec.evidence.get(key)) or ev_cite(rec.doc_id, rec.evidence.get("title"))
                     or _member_cites(rec, rec.members[:1]))
    return None


def _place_with_most(rec: ListRecord) -> Optional[Draft]:
    """哪个市入选最多: the city (prefecture) most members lie in."""
    counts: dict[str, list[ListMember]] = {}
    for m in rec.members:
        cities = {p.city or (p.full if p.kind == "city" else None) for p in member_places(m)} - {None}
        for c in cities:
            counts.setdefault(c, []).append(m)
    if not counts:
        return None
    ranked = sorted(counts.items(), key=lambda kv: -len(kv[1]))
    if len(ranked) > 1 and len(ranked[0][1]) == len(ranked[1][1]):
        tied = [c for c, ms in ranked if len(ms) == len(ranked[0][1])]
        return Draft(f"{'、'.join(tied)}并列（各{len(ranked[0][1])}个）", _member_cites(rec, ranked[0][1]))
    city, ms = ranked[0]
    return Draft(f"{city}（{len(ms)}个）", _member_cites(rec, ms))


# --- across two lists -----------------------------------------------------------------------------------


def across_lists(g: Ground) -> Optional[Draft]:
    f = g.frame
    recs = [m[0].record for m in g.matches if m]
    if len(recs) < 2 or recs[0].id == recs[1].id:
        return None
    a, b = recs[0], recs[1]
    cites = ev_cite(a.doc_id, a.evidence.get("stated_count")) + ev_cite(b.doc_id, b.evidence.get("stated_count"))
    if f.operation == "sum":
        if f.filters.place is not None:
            members = [(r, m) for r in (a, b) for m in filter_members(r, f.filters)]
            if not members:
                return None
            names = "、".join(short_name(m.name) for _, m in members)
            return Draft(f"{len(members)}个：{names}", [Cite(r.doc_id, m.evidence.start, m.evidence.end) for r, m in members])
        na, nb = _part_count(g, a, 0), _part_count(g, b, 1)
        if na is None or nb is None:
            return None
        sources = [r for i, rec in enumerate((a, b)) for r in (named_batches(g.matches[i], f.lists[i]) or [rec])]
        return Draft(f"{na + nb}个", [c for r in sources for c in (ev_cite(r.doc_id, r.evidence.get("stated_count"))
                                                                   or _member_cites(r, r.members[:1]))])
    if f.operation == "compare":
        na, nb = _part_count(g, a, 0), _part_count(g, b, 1)
        if na is None or nb is None:
            return None
        if na == nb:
            return Draft(f"一样多（各{na}个）", cites)
        if not re.search(r"哪|更多|更少|更长|更短", f.folded):  # 甲比乙少几个: the difference, said from the first
            return Draft(f"{'多' if na > nb else '少'}{abs(na - nb)}个（{na}个对{nb}个）", cites)
        big, small = (a, b) if na > nb else (b, a)
        label = _list_label(big, f)
        return Draft(f"{label}（{size(big)}个，比另一份多{abs(na - nb)}个）", cites)
    if f.operation in ("intersect", "difference"):
        members = on_both(a, b) if f.operation == "intersect" else only_on_first(a, b)
        if f.filters.place is not None and f.operation == "difference":
            members = [m for m in members if any(p.province == f.filters.place.full or p.full == f.filters.place.full
                                                 for p in member_places(m))] or members
        c = _member_cites(a, members)
        if f.answer == "place" and members:  # 哪个县级市在两份名单中都出现了: the members' places, not names
            kind = "county" if re.search(r"县级市|县|区", f.folded) else "city"
            places = list(dict.fromkeys(p.full for m in members for p in member_places(m) if p.kind == kind)) or \
                list(dict.fromkeys(ps[-1].full for ps in (member_places(m) for m in members) if ps))  # 仙桃市: 省直管
            if places:
                return Draft("、".join(places), c)
        if f.answer == "count":
            return Draft(f"{len(members)}个" + (f"：{_members_text(members)}" if members else ""), c or cites)
        return Draft(_members_text(members), c) if members else Draft("没有", cites)
    return None


def _part_count(g: Ground, rec: ListRecord, i: int) -> Optional[int]:
    """How many a sub-question counts on its list: the list's size, or the part of it in the place
    that sub-question names (宁波入选…的数量比江西…少几个: 宁波's part of the first list only)."""
    place = g.frame.filters.place
    part = g.frame.lists[i].text if i < len(g.frame.lists) else ""
    if place is None or not any(n in part for n in {place.written, place.short, place.full}):
        several = named_batches(g.matches[i], g.frame.lists[i]) if i < len(g.matches) and i < len(g.frame.lists) else []
        return sum(size(r) for r in several) if several else size(rec)  # 湖南第一、二批…和四川第三批…
    if not rec.complete:
        stated = _stated_subcount(g, rec, place)
        return int(stated.text[:-1]) if stated else None
    return len(filter_members(rec, Filters(place=place)))


def choice(g: Ground) -> Optional[Draft]:
    """甲集群入选的是省级还是国家级名单 / 是第一批还是第二批: the option the named cluster's own
    list has."""
    f = g.frame
    if not f.choice or not g.named:
        return None
    n = g.named[0]
    recs = [m[0].record for m in g.matches if m] + ([n.record] if n.record is not None else [])
    for rec in recs:
        on = [m for m in rec.members if same_cluster(n.member, m)]
        if not on:
            continue
        if f.answer == "level" and rec.level:
            word = LEVEL_WORDS[rec.level]
        elif f.answer == "batch" and rec.batch:
            word = _batch_word(rec.batch)
        else:
            continue
        return Draft(word, _member_cites(rec, on) + ev_cite(rec.doc_id, rec.evidence.get(f.answer)))
    value = n.facts.get(f.answer)
    if value:
        word = LEVEL_WORDS.get(value, value) if f.answer == "level" else _batch_word(value)
        return Draft(word, [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
    return None


def _batch_word(n: int) -> str:
    return "首批（第一批）" if n == 1 else f"第{'一二三四五六七八九十'[n - 1]}批" if 1 <= n <= 10 else f"第{n}批"


def _list_label(rec: ListRecord, f) -> str:
    place = rec.place or rec.province
    if place and re.search(r"哪个省|哪个市|哪个地区|哪份名单", f.folded):
        return place
    return list_label(rec)


def short_label(rec: ListRecord) -> str:
    """The issuer's list (工信部名单), else the list's own short name."""
    if rec.issuer and len(rec.issuer) <= 10:
        return f"{rec.issuer}名单"
    return list_label(rec)


def list_label(rec: ListRecord) -> str:
    """A short name for a list, from its facts: 国家发展改革委首批战略性新兴产业集群名单."""
    parts = [rec.issuer if rec.issuer and len(rec.issuer) <= 10 else (rec.place or "")]
    if rec.year:
        parts.append(f"{rec.year}年")
    if rec.batch:
        parts.append("首批" if rec.batch == 1 else f"第{rec.batch}批")
    if rec.level and not rec.issuer:
        parts.append(LEVEL_WORDS[rec.level])
    parts.append((rec.program or "集群") + "名单")
    return "".join(parts)


def corpus_lists(g: Ground) -> Optional[Draft]:
    """About the lists of all the articles (这些文章中的国家级集群名单合计包括多少个集群, …分别由哪些部门
    公布): every stored list that fits what the question says about a list."""
    from .listops import score_list

    f = g.frame
    if not f.corpus or not re.search(r"名单|名录", f.folded):
        return None
    sel = f.lists[0]
    recs = [r for r in g.lists if (sc := score_list(sel, r, None)) is not None and sc >= 1]
    if not recs:
        return None
    recs.sort(key=lambda r: r.doc_id)
    if f.answer == "count":
        total = sum(size(r) for r in recs)
        parts = "+".join(f"{size(r)}" for r in recs)
        return Draft(f"合计{total}个（{parts}）" if len(recs) > 1 else f"{total}个",
                     [c for r in recs for c in ev_cite(r.doc_id, r.evidence.get("stated_count"))])
    if f.answer == "body":
        bodies = list(dict.fromkeys(r.issuer for r in recs if r.issuer))
        return Draft("、".join(bodies), [c for r in recs for c in ev_cite(r.doc_id, r.evidence.get("issuer"))]) if bodies else None
    if f.answer in ("members", "member", "text") and re.search(r"哪几篇|哪些文章|哪篇|哪几份|哪些报道", f.folded):
        labels = [f"{short_label(r)}（{size(r)}个）" for r in recs]
        return Draft("；".join(labels), [c for r in recs for c in ev_cite(r.doc_id, r.evidence.get("title"))])
    return None


def corpus_place_with_most(g: Ground, clusters: list) -> Optional[Draft]:
    """河南省哪个城市的集群最多: the city most of the clusters the articles name lie in."""
    f = g.frame
    if f.answer != "place" or f.filters.superlative != "max":
        return None
    place = f.filters.place or next((p for _, _, p in f.places), None)
    counts: dict[str, list] = {}
    for r in clusters:
        m = ListMember(position=1, name=r.name, regions=r.regions, industry=r.industry, evidence=r.evidence)
        places = member_places(m)
        if place is not None and not any(within_place(x, place) for x in places):
            continue
        for city in {p.city or (p.full if p.kind == "city" else None) for p in places} - {None}:
            if place is None or city != place.full:
                counts.setdefault(city, []).append(r)
    if not counts:
        return None
    city, rs = max(counts.items(), key=lambda kv: len(kv[1]))
    return Draft(f"{city}（{len(rs)}个）", [Cite(r.doc_id, r.evidence.start, r.evidence.end) for r in rs[:8]])


# --- a named cluster ---------------------------------------------------------------------------------------


def from_named(g: Ground) -> Optional[Draft]:
    if not g.named:
        return None
    f = g.frame
    n = g.named[0]
    m = n.member
    cite = [Cite(n.doc_id, m.evidence.start, m.evidence.end)]
    if re.search(r"哪些名单|哪几类|哪两类|哪类名单|分别入选|分别出现在|出现在哪|哪一类国家级|哪一类名单", f.folded):
        return _lists_of(g)
    if f.answer == "place":
        texts = []
        for x in _distinct_named(g.named):
            t = _places_text(x.member, f)
            if t and t not in texts:
                texts.append(t)
        return Draft("；".join(texts), [Cite(x.doc_id, x.member.evidence.start, x.member.evidence.end)
                                        for x in _distinct_named(g.named)]) if texts else None
    facts = n.facts
    if f.answer == "level" or (f.answer == "member" and re.search(r"级|类|称号", f.folded)):
        level = LEVEL_WORDS.get(facts.get("level") or "")
        program = facts.get("program")
        if re.search(r"哪一类|哪类|称号|什么集群", f.folded) and program:
            return Draft(f"{level or ''}{program}", cite)
        return Draft(level, cite) if level else None
    if f.answer == "year" and facts.get("year"):
        return Draft(f"{facts['year']}年", cite)
    if f.answer == "batch":
        batch = n.record.batch if n.record is not None else facts.get("batch")
        if batch:
            return Draft("首批（第一批）" if batch == 1 else f"第{batch}批", cite)
    if f.answer == "body" and facts.get("issuer") and re.search(r"认定|公布|发布|评定|命名|批准", f.folded):
        text = facts["issuer"]
        if re.search(r"哪一级|级别", f.folded) and facts.get("level"):
            text += f"，{LEVEL_WORDS[facts['level']]}"
        return Draft(text, cite)
    if f.answer in ("text", "member") and re.search(r"什么产业|做什么|什么行业|主导产业", f.folded):
        return Draft(m.industry or short_name(m.name), cite)
    return None


def _distinct_named(named: list) -> list:
    out = []
    for n in named:
        if not any(same_cluster(n.member, x.member) for x in out):
            out.append(n)
    return out


def _places_text(m: ListMember, f) -> Optional[str]:
    places = member_places(m)
    if not places:
        return None
    want = f.granularity
    if want == "province":
        chosen = sorted({p.province for p in places if p.province})
    elif want == "city":
        # the cities the name writes (宁国市, 许昌市, 重庆市); a district's city when it writes none
        chosen = [p.full for p in places if p.full.endswith("市") and p.kind in ("city", "county", "province")]
        chosen = chosen or sorted({p.city for p in places if p.city})
    elif want in ("county", "town"):
        chosen = [p.full for p in places if p.kind in ("county", "zone", "town")]
        if want == "town":
            chosen = [x for x in chosen if x.endswith(("镇", "乡", "街道"))] or chosen
    else:
        chosen = [p.full for p in places if p.kind != "province"]
    if re.search(r"哪个市哪个|哪些地区|涉及哪些地区|哪个市.{0,2}哪个", f.folded):
        chosen = [p.full for p in places if p.kind != "province"]
    chosen = list(dict.fromkeys(chosen))
    return "、".join(chosen) if chosen else None


def _lists_of(g: Ground) -> Optional[Draft]:
    """宝鸡的钛集群分别出现在哪两类名单里: the lists every mention of the named cluster is on."""
    seen, cites = [], []
    for n in (g.named if len(_distinct_named(g.all_named)) < 2 else g.all_named):
        label = " ".join(x for x in (LEVEL_WORDS.get(n.facts.get("level") or ""), n.facts.get("program")) if x)
        if n.record is not None and n.record.title and not label:
            label = n.record.title
        if len(_distinct_named(g.all_named)) >= 2:
            label = f"{short_name(n.member.name)}：{label}"
        if label and label not in seen:
            seen.append(label)
            cites.append(Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end))
    return Draft("；".join(seen), cites) if seen else None


def from_table(g: Ground, clusters: list) -> Optional[Draft]:
    """Clusters across the articles that fit the question: its places, program, level, year and
    keyword (这些文章提到河南省哪些集群, 佛山有哪些集群入选了国家先进制造业集群)."""
    f = g.frame
    facts = f.lists[0].facts if f.lists else None
    places = f.filters.places or ([f.filters.place] if f.filters.place else [p for _, _, p in f.places])
    out = []
    for r in clusters:
        m = ListMember(position=1, name=r.name, regions=r.regions, industry=r.industry, evidence=r.evidence)
        mine = member_places(m) or [p for p in (lookup(r.province),) if p]
        if places and not any(any(within_place(x, p) for x in mine) for p in places):
            continue
        if facts is not None:
            if facts.program and r.program and r.program != facts.program:
                continue
            if facts.program and not r.program:
                continue
            if facts.level and r.level != facts.level and "recommended" != facts.stage:
                continue
            if facts.year and r.year and r.year != facts.year:
                continue
            if facts.batch and r.batch != facts.batch:
                continue
        if f.filters.keyword and f.filters.keyword not in (r.industry or r.name):
            continue
        if any(same_cluster(m, x[0]) for x in out):
            continue
        out.append((m, r))
    if not out or (not places and not f.filters.keyword and not (facts and (facts.program or facts.level))):
        return None
    names = [bare_name(m.name) if len(out) > 2 else m.name for m, _ in out]
    if re.search(r"分别在哪|在哪里|位于哪", f.folded):
        names = [nm if _places_in_name(m.name, _places_text(m, f)) else f"{nm}（{_places_text(m, f) or ''}）"
                 for nm, (m, _) in zip(names, out)]
    text = "、".join(names)
    if f.answer == "count":
        text = f"{len(out)}个：{text}"
    return Draft(text, [Cite(r.doc_id, r.evidence.start, r.evidence.end) for _, r in out[:12]])


def _places_in_name(name: str, places: Optional[str]) -> bool:
    """The name already says where it is (柳州高新区…集群 says 柳州市 too)."""
    from ..core.places import strip_suffix

    return bool(places) and all(strip_suffix(x) in name for x in places.split("、"))


def within_place(a, b) -> bool:
    from ..core.places import within

    return within(a, b)


_ENUM = re.compile(r"([\u4e00-\u9fffA-Za-z“”]{2,16}(?:、[\u4e00-\u9fffA-Za-z“”]{2,16}){1,12}(?:和[\u4e00-\u9fffA-Za-z“”]{2,16})?)"
                   r"(?:等\s*(?:\d+|[一二两三四五六七八九十]+)?\s*(?:个|家|条|项)?)?")


def from_enumeration(g: Ground) -> Optional[Draft]:
    """A list the text writes out (推动安庆化工新材料、铜陵铜基新材料…等集群创建…; 金帝股份、东阿钢球
    等4家企业入选): the items of the best sentence's longest enumeration."""
    units = [u for u in g.units[:6] if g.anchored(u)]
    if not units or units[0].score < MIN_COVERAGE:
        return None
    for u in units[:3]:
        best = None
        for m in _ENUM.finditer(u.text):
            if best is None or len(m.group(1)) > len(best.group(1)):
                best = m
        if best is not None and best.group(1).count("、") >= 1:
            items = re.split(r"、|和", best.group(1))
            items = [re.sub(r"^(?:推动|支持|包括|有|其中|以|如|例如|比如|分别是|分别为)", "", x) for x in items]
            items = [x for x in items if x and _looks_like_a_name(x)]
            if len(items) >= 2:
                return Draft("、".join(items), [unit_cite(g, u, best.span(1))])
    return None


def _looks_like_a_name(item: str) -> bool:
    """An enumerated item that names a thing (铜陵铜基新材料, 金帝股份), not an act (专家评审)."""
    from ..extract.words import tokens

    toks = tokens(item)
    return bool(toks) and toks[0].role not in ("verb", "stop") and any(t.role in ("noun", "place") for t in toks)


def clusters_in_clause(g: Ground, clusters_of) -> Optional[Draft]:
    """哪些集群年营收突破1000亿元: the clusters the article names in the clause that says it."""
    units = [u for u in g.units[:6] if g.anchored(u)]
    if not units or units[0].score < MIN_COVERAGE or not g.residual:
        return None
    u = units[0]
    ndoc = g.load(u.doc_id).ndoc
    best, best_cov = None, -1.0
    for s, e in clauses(u.text):
        cov = g.scorer.coverage(u.text[s:e])
        if cov > best_cov:
            best, best_cov = (s, e), cov
    if best is None:
        return None
    a, b = ndoc.span(u.start + best[0], u.start + best[1])
    inside = [r for r in clusters_of(u.doc_id) if a <= r.evidence.start < b or r.evidence.start <= a < r.evidence.end]
    names = []
    for r in clusters_of(u.doc_id):
        for k in [ndoc.doc.original.find(fold_written, a, b) for fold_written in (r.industry or "",) if fold_written]:
            if k >= 0 and r not in inside:
                inside.append(r)
    for r in inside:
        if r.name not in names:
            names.append(r.name)
    if not names:
        return None
    return Draft("、".join(short_name(n) for n in names), [Cite(u.doc_id, a, b)])


def notice_fact(g: Ground) -> Optional[Draft]:
    """A notice's own facts when no stored list fits: the top document's signature date, its 文号,
    its signer (成文日期, 落款, 印发 of a plan or a notice without a list)."""
    from ..extract.notice import read_notice

    f = g.frame
    if not g.hits or f.answer not in ("date", "docno", "body"):
        return None
    if not re.search(r"成文|落款|印发|发文|文号|签发|发布", f.folded):
        return None
    doc_id = g.hits[0].doc_id
    ndoc = g.load(doc_id).ndoc
    notice = read_notice(ndoc.text, int(ndoc.doc.date[:4]) if ndoc.doc.date else None)
    stated = {"date": notice.signed, "docno": notice.doc_number, "body": notice.signer}[f.answer]
    if stated is None:
        return None
    value = _date_text(stated.value) if f.answer == "date" else stated.value
    s, e = ndoc.span(stated.start, stated.end)
    return Draft(value, [Cite(doc_id, s, e)])


def page_date(g: Ground) -> Optional[Draft]:
    """哪天把这篇旧闻重新发出来的 / 这份转发通知是哪天发布的: the date the page itself carries
    (发布时间：2025-03-04), not the date of the list or of the text it republishes."""
    f = g.frame
    if f.answer != "date" or not g.hits or not re.search(alternation(words("questions", "page_words")), f.folded):
        return None
    doc_id = g.hits[0].doc_id
    ndoc = g.load(doc_id).ndoc
    if not ndoc.doc.date:
        return None
    y, m, d = ndoc.doc.date[:10].split("-")
    pattern = re.compile(rf"{y}\s*[-/.年]\s*0?{int(m)}\s*[-/.月]\s*0?{int(d)}日?")
    found = pattern.search(ndoc.text)
    if not found:
        return None
    s, e = ndoc.span(*found.span())
    return Draft(_date_text(ndoc.doc.date[:10]), [Cite(doc_id, s, e)])


def compare_named(g: Ground) -> Optional[Draft]:
    """甲集群和乙集群，谁的产值更高？高出多少: the two named clusters' figures for the measure."""
    f = g.frame
    if not re.search(r"更高|更大|更多|谁的|哪个|高出|多出|相差|差多少|多多少|高多少|大多少", f.folded):
        return None
    named = _distinct_named(g.all_named)
    if len(named) < 2 and g.hits:  # 智能电网装备和轨道交通装备两个集群: names the article writes, records or not
        doc = g.hits[0].doc_id
        found = sorted((m for m in _named_in_article(g, doc) if m.industry and fold(m.industry) in f.folded),
                       key=lambda m: f.folded.find(fold(m.industry)))
        named = [SimpleNamespace(member=m, doc_id=doc) for m in found]
    if len(named) < 2:
        return None
    kind = "percent" if re.search(r"增速|增长|增幅", f.folded) else "amount" if re.search(
        r"产值|营收|收入|规模|销售", f.folded) else "quantity"
    figures = []
    for n in named[:2]:
        fig = _member_figure(g, n.member, n.doc_id, kind)
        if fig is None:
            return None
        figures.append((fig, n))
    (va, ta, ca), na = figures[0]
    (vb, tb, cb), nb = figures[1]
    big, small = (figures[0], figures[1]) if va >= vb else (figures[1], figures[0])
    (vbig, tbig, _), nbig = big
    (vsmall, tsmall, _), _ = small
    diff = vbig - vsmall
    unit = "亿元" if kind == "amount" else "%" if kind == "percent" else ""
    if kind == "amount":
        diff /= 1e8
    diff_text = f"{diff:.1f}".rstrip("0").rstrip(".")
    if re.search(r"高出|多出|相差|差多少|多多少|高多少", f.folded):
        return Draft(f"{bare_name(nbig.member.name)}（{tbig}，高出{diff_text}{unit}）", [ca, cb])
    return Draft(f"{bare_name(nbig.member.name)}（{tbig}）", [ca, cb])


# --- yes / no ---------------------------------------------------------------------------------------------


def yes_no(g: Ground) -> Optional[Draft]:
    f = g.frame
    rec = g.best_list
    if g.named and (rec is not None or f.lists[0].facts.level or f.years):
        n = g.named[0]
        if rec is not None and f.asks_list:
            on = [m for m in rec.members if same_cluster(n.member, m)]
            asked = f.lists[0].facts.level
            if on and asked and rec.level and asked != rec.level and rec.stage != "recommended":
                return Draft(f"否，是{LEVEL_WORDS[rec.level]}", _member_cites(rec, on))
            if on:
                return Draft("是", _member_cites(rec, on))
            where = n.record.title if n.record is not None and n.record.id != rec.id else None
            level = LEVEL_WORDS.get(n.facts.get("level") or "")
            note = f"，它在{where}中" if where else (f"，是{level}" if level else "")
            return Draft(f"否{note}", [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
        asked_level = f.lists[0].facts.level
        level = n.facts.get("level")
        if asked_level and level:
            if asked_level == level and not f.years:
                return Draft("是", [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
            if asked_level != level:
                return Draft(f"否，是{LEVEL_WORDS[level]}", [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
        if f.years and n.facts.get("year") and n.facts["year"] not in f.years:
            return Draft(f"否，是{n.facts['year']}年", [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
    if g.named and rec is None and f.asks_list:
        n = g.named[0]
        if n.record is not None:  # 甲集群在这份拟认定名单上吗: the list it is a member of, if it fits
            mine = n.record
            asked = f.lists[0].facts
            fits = all(getattr(asked, k) is None or getattr(asked, k) == getattr(mine, k)
                       for k in ("program", "year", "batch", "stage"))
            if fits:
                return Draft("是", [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
            return Draft(f"否，它在{list_label(mine)}中", [Cite(n.doc_id, n.member.evidence.start, n.member.evidence.end)])
    target = _named_as_target(g)
    if target is not None:
        return target
    if rec is not None and not g.named and not g.residual and f.lists[0].facts.level and re.search(r"名单", f.folded):
        asked = f.lists[0].facts.level
        if rec.level == asked:
            return Draft("是", ev_cite(rec.doc_id, rec.evidence.get("level")) or ev_cite(rec.doc_id, rec.evidence.get("title")))
        if rec.level:
            return Draft(f"否，是{LEVEL_WORDS[rec.level]}名单", ev_cite(rec.doc_id, rec.evidence.get("level"))
                         or ev_cite(rec.doc_id, rec.evidence.get("title")))
    exists = re.search(r"有[^，。？]{0,8}集群吗|有没有[^，。？]{0,8}集群|集群是[^，。？]{1,10}(?:产业)?集群吗|有集群在[^，。？]{0,8}吗", f.folded)
    if rec is not None and not g.named and exists and (f.filters.place is not None or f.filters.keyword):
        # 名单里有义乌的集群吗 / 永康市集群是五金产业集群吗: the members the filter leaves
        members = filter_members(rec, f.filters)
        if members:
            return Draft("是：" + _members_text(members), _member_cites(rec, members))
        kept = filter_members(rec, type(f.filters)(place=f.filters.place)) if f.filters.keyword else []
        if kept:
            return Draft("否，是" + _members_text(kept), _member_cites(rec, kept))
        if rec.complete:
            return Draft("否", ev_cite(rec.doc_id, rec.evidence.get("title")) or _member_cites(rec, rec.members[:1]))
    return _claim(g)


def _named_as_target(g: Ground) -> Optional[Draft]:
    """宜都市新能源电池产业集群已经入选…了吗, asked of a cluster no list holds and the article names only
    as something to build (支持宜都市建设百亿级新能源电池产业集群): no, it is a target."""
    from ..extract.mentions import is_target

    f = g.frame
    if g.named or not g.residual or not f.places or not re.search(r"入选|认定|列入|进入|名单|已是|已经是|成为", f.folded):
        return None
    place = f.places[0][2]
    for u in g.units[:6]:
        if not g.anchored(u) or not any(n and n in u.text for n in (place.written, place.short, place.full)):
            continue
        ends = [u.text.find(w) for w in g.residual]
        if min(ends) < 0:
            continue
        head = u.text.find("集群", max(ends))
        if head < 0 or head - max(ends) > 8:
            continue
        clause_start = max(u.text.rfind(c, 0, min(ends)) for c in "。；;") + 1
        if is_target(u.text[clause_start:min(ends)]):
            return Draft("否，文中是要建设的目标", [unit_cite(g, u)])
    return None


def of_level(g: Ground) -> Optional[Draft]:
    """宜昌报告里说哪个集群已经成为国家级集群: the article's clusters of the level the question names,
    when it names no list."""
    f = g.frame
    level = f.lists[0].facts.level if f.lists else None
    if not level or f.lists[0].facts.program or f.lists[0].facts.batch or g.best_list is not None or not g.article_clusters:
        return None
    hits = [r for r in g.article_clusters if r.level == level]
    if not hits:
        return None
    return Draft("、".join(r.name for r in hits), [Cite(r.doc_id, r.evidence.start, r.evidence.end) for r in hits])


def _claim(g: Ground) -> Optional[Draft]:
    """A yes/no claim checked against the best sentence: a quantity it states (突破千亿元), or the
    claim's words all said in one sentence."""
    f = g.frame
    if not g.units:
        return None
    m = re.search(r"(突破|超过|超|达到|高于|低于|不足|少于)(?:了)?([\d.]+|[一二两三四五六七八九十百千万亿]+)(亿元|万元|亿|万|元|%|个|家)?", f.folded)
    if m:
        claimed = next(iter(find_numbers(m.group(2) + (m.group(3) or ""))), None)
        kind = "percent" if (m.group(3) or "") == "%" else "amount" if "元" in (m.group(3) or "") or "亿" in (m.group(3) or "") else "quantity"
        cands = best_candidates(kind, g.units[:8], f, g.scorer)
        if claimed is not None and cands:
            c = cands[0]
            value = c.value if isinstance(c.value, float) else None
            if value is not None:
                above = m.group(1) in ("突破", "超过", "超", "达到", "高于")
                yes = value >= claimed.value if above else value < claimed.value
                return Draft(("是" if yes else "否") + f"（{c.text}）", [unit_cite(g, c.unit)])
    best = g.units[0]
    claim = re.split(r"是否|是不是|有没有|能否|可否|会不会", f.folded, maxsplit=1)[-1]
    from .passages import content_words, features

    said = all(features(w) <= features(best.text) for w in content_words(claim) if len(w) >= 2)
    if best.score >= 0.8 and said:
        negated = re.search(r"不|未|没有|并非|尚未", best.text) and not re.search(r"不|未|没", f.folded)
        return Draft("否" if negated else "是", [unit_cite(g, best)])
    return None


def document_mentions(g: Ground, clusters_of) -> Optional[Draft]:
    """这篇报道有没有提到/点名…集群: answered from the clusters the top document names."""
    f = g.frame
    if not re.search(r"有没有|是否", f.folded) or not re.search(r"报道|文章|这篇|通知", f.folded) or not g.hits:
        return None
    doc_id = g.hits[0].doc_id
    records = clusters_of(doc_id)
    if f.places:
        records = [r for r in records if any(any(p.full in x or fold(p.full)[:2] in x for x in r.regions + [r.name]) for _, _, p in f.places)]
    if not records:
        return Draft("没有", [Cite(doc_id, g.hits[0].start, g.hits[0].end)])
    r = records[0]
    return Draft(f"有：{r.name}", [Cite(doc_id, r.evidence.start, r.evidence.end)])


# --- from the text ----------------------------------------------------------------------------------------

TEXT_KIND = {"notice_start": "date", "person": "person", "count": "count", "quantity": "quantity", "amount": "amount", "percent": "percent", "date": "date",
             "notice_end": "notice_end", "period": "period", "length": "length", "validity": "validity", "year": "year",
             "body": "body", "company": "company", "place": "place", "docno": "docno", "phone": "phone", "office": "office"}


def from_text(g: Ground, part: Optional[str] = None, answer: Optional[str] = None) -> Optional[Draft]:
    f = g.frame
    answer = answer or f.answer
    units = [u for u in g.units if g.anchored(u)]
    if not units or units[0].score < MIN_COVERAGE:
        return None
    if answer in ("definition", "text"):
        return _clause_answer(g, units, part)
    if answer in ("members", "member", "level"):
        return None
    kind = TEXT_KIND.get(answer)
    if kind is None:
        return None
    if kind == "body" and re.search(r"是谁|谁介绍|谁表示|谁说|谁指出", part or f.folded):
        kind = "person"
    cands = best_candidates(kind, units[:10], f, g.scorer, part=part, min_coverage=units[0].score * 0.6)
    if not cands:
        return None
    c = cands[0]
    text = c.text
    if kind == "body" and re.search(r"哪些|哪几|分别", part or f.folded):
        # 由哪些部门印发: every body the same clause names
        same = [x.text for x in cands if x.unit is c.unit and _same_clause(c.unit.text, c.start, x.start)]
        text = "、".join(dict.fromkeys(same)) or text
    if kind in ("date", "notice_end") and hasattr(c.value, "year") and not getattr(c.value, "year", None):
        page = g.load(c.unit.doc_id).ndoc.doc.date
        if page:  # 11月30日 in an article dated 2022-12-01 is 2022年11月30日
            text = f"{int(page[:4])}年{text}" if not text.startswith(page[:4]) else text
    return Draft(text, [unit_cite(g, c.unit)])


def _same_clause(text: str, a: int, b: int) -> bool:
    lo, hi = min(a, b), max(a, b)
    return not re.search(r"[。；;！？]", text[lo:hi])


def _clause_answer(g: Ground, units: list[Unit], part: Optional[str]) -> Optional[Draft]:
    """A definition or a description: for 什么是X / X是什么意思, the sentence that defines X (所谓X，
    是指…; X是…; X，即…); else the clause of the best sentence that says most of the question,
    cut after the question's own verb (更突出…)."""
    question = part or g.frame.folded
    term = _defined_term(question)
    if term:
        d = _definition(g, term)
        if d:
            return d
    from .passages import Scorer, content_words

    scorer = Scorer(content_words(question), [u.text for u in units]) if part else g.scorer
    best, best_cov, best_u = None, -1.0, None
    for u in units[:4]:
        for s, e in clauses(u.text):
            cov = scorer.coverage(u.text[s:e])
            if cov > best_cov:
                best, best_cov, best_u = (s, e), cov, u
    if best is None:
        return None
    u = best_u
    s, e = best
    text = u.text[s:e]
    verb = re.search(r"(突出|强调|注重|依靠|依托|通过|采用|利用|是一种|本质上是|在于)", text)
    if verb and verb.end() < len(text):
        s += verb.end()
        text = text[verb.end():]
    elif (m := re.search(r"(?:是指|指的是|是一种|是|为)(.{2,})$", text)) and len(text) > 40:
        text = m.group(1)
        s = s + m.start(1)
    if len(text) > 40:
        text = text[:40]
    return Draft(text, [unit_cite(g, u, (s, s + len(text)))])


def _defined_term(question: str) -> Optional[str]:
    m = re.search(r"什么是[“\"]?([^”\"？?，,]{2,12})[”\"]?|[“\"]?([^”\"，,。？?]{2,12}?)[”\"]?(?:是什么意思|指什么|是指什么|是什么|的定义|的含义)", question)
    if not m:
        m = re.search(r"如何定义[“\"]?([^”\"？?，,]{2,12})|怎么定义[“\"]?([^”\"？?，,]{2,12})", question)
    if not m:
        return None
    term = next(x for x in m.groups() if x)
    return re.sub(r"^(?:推行的|提出的|所说的|这篇报道|报道)", "", term.split("推行的")[-1])


_DEFINES = ("所谓{t}[，,]?(?:是指|指的是|是|即)", "{t}[”\"]?(?:是指|指的是)", "{t}[”\"]?[，,]?即", "{t}[”\"]?是(?:一种|指)",
            "(?:^|[。；\n])\\s*{t}是")


def _definition(g: Ground, term: str) -> Optional[Draft]:
    """The sentence of the retrieved documents that defines the term, from the definition on."""
    for doc_id in list(g.doc_rank)[:3]:
        ds = g.load(doc_id)
        text = ds.ndoc.text
        for pattern in _DEFINES:
            m = re.search(pattern.format(t=re.escape(term)), text)
            if not m:
                continue
            end = re.compile(r"[。；;\n]").search(text, m.end())
            stop = end.start() if end else len(text)
            answer = text[m.end():stop].strip("，, ")
            if len(answer) > 40:
                answer = answer[:40]
            if len(answer) >= 2:
                s, e = ds.ndoc.span(m.start(), m.end() + len(answer) + 1)
                return Draft(answer, [Cite(doc_id, s, e)])
    return None


def superlative(g: Ground) -> Optional[Draft]:
    """哪个产值最高 / 增速最快: the member whose figure for the measure is largest (smallest)."""
    f = g.frame
    rec = g.best_list
    members = filter_members(rec, f.filters) if rec else [n.member for n in g.extra_named]
    doc_of = {}
    if not members and g.article_clusters:
        # 常州哪个产业集群营收规模最大: the clusters the best article names
        for r in g.article_clusters:
            m = ListMember(position=1, name=r.name, regions=r.regions, industry=r.industry, evidence=r.evidence)
            members.append(m)
            doc_of[id(m)] = r.doc_id
    doc_id = rec.doc_id if rec else None
    in_text = _named_in_article(g, g.hits[0].doc_id) if rec is None and g.hits else []
    if len(members) < 2 and g.hits or len(in_text) > len(members):
        # 从单个集群看，动力电池产业集群营收达4,120亿元…: the clusters the best article writes about
        doc_id = doc_id or g.hits[0].doc_id
        members, doc_of = (in_text if rec is None else _named_in_article(g, doc_id)), {}
    top = _top_member(g, members, doc_id, doc_of)
    if top is None:
        return None
    m, _, text, cite = top
    return Draft(f"{short_name(m.name)}（{text}）" if text else short_name(m.name), [cite])


def written_count(g: Ground) -> Optional[Draft]:
    """报道里具体点出名称的宁波入选集群有几个: the clusters the article writes out by name (of the
    place asked), not the size of the list it reports."""
    f = g.frame
    if f.answer != "count" or not re.search(alternation(words("questions", "written_words")), f.folded):
        return None
    rec = g.best_list
    if rec is not None:
        members = filter_members(rec, Filters(place=f.filters.place)) if f.filters.place else rec.members
        return Draft(f"{len(members)}个", _member_cites(rec, members)) if members else None
    if not g.hits:
        return None
    province = next((p.full for _, _, p in f.places if p.kind == "province"), None)
    records = [r for r in g.article_clusters if not province or r.province == province]
    if not records:
        return None
    return Draft(f"{len(records)}个", [Cite(r.doc_id, r.evidence.start, r.evidence.end) for r in records])


def figure_of_named(g: Ground) -> Optional[Draft]:
    """智能电网装备产业集群营收增速是多少 / 纺织服装产业集群产值同比变化了多少, asked of a cluster the
    article writes about with its figures: the figure of the measure in that cluster's own part."""
    f = g.frame
    kind = {"percent": "percent", "amount": "amount"}.get(f.answer)
    if kind is None or not g.hits or f.filters.superlative or f.years or len(f.parts) > 1:
        return None
    measures = words("questions", "measure_percent") + words("questions", "measure_amount") + ["同比", "变化", "多少"]
    if any(not any(w in x or x in w for x in measures) for w in g.residual if fold(w) not in f.folded[:f.folded.find("集群")]):
        return None  # 锦纶民用丝产能占全国多少: a figure of something else than the cluster's measure
    doc = g.hits[0].doc_id
    named = [m for m in _named_in_article(g, doc) if m.industry and fold(m.industry) in f.folded]
    if not named:
        return None
    m = max(named, key=lambda m: len(m.industry))
    found = _member_figure(g, m, doc, kind)
    if found is None:
        return None
    _, text, cite = found
    return Draft(text, [cite])


def _named_in_article(g: Ground, doc_id: str) -> list[ListMember]:
    """Every cluster name the article writes (a place and industry before a head noun, generic and
    program names left out), once each, in order."""
    from ..extract.names import parse_name, split_head
    from ..extract.words import name_start

    ndoc = g.load(doc_id).ndoc
    text = ndoc.text
    out: dict[str, ListMember] = {}
    for m in re.finditer(r"(?:产业)?集群", text):
        clause = max(text.rfind(c, 0, m.start()) for c in "，。；：、\n（(") + 1
        seg = text[clause:m.start()]
        start = clause + name_start(seg)
        body, head = split_head(text[start:m.end()])
        parsed = parse_name(body, head) if body else None
        if parsed is None or parsed.name in out or any(v in parsed.name for v, _ in program_variants()):
            continue
        s, e = ndoc.span(start, m.end())
        out[parsed.name] = ListMember(position=len(out) + 1, name=parsed.name, regions=[], industry=parsed.industry,
                                      evidence=Evidence(start=s, end=e, text=ndoc.doc.original[s:e]))
    return list(out.values())


def superlative_per_list(g: Ground) -> Optional[Draft]:
    """甲名单与乙名单中，营收排第一的集群各是哪个？两者相差多少: the top member of each list, and
    the difference of their figures when asked."""
    f = g.frame
    tops = []
    for matches in g.matches:
        if not matches:
            return None
        rec = matches[0].record
        top = _top_member(g, filter_members(rec, f.filters), rec.doc_id, {})
        if top is None:
            return None
        tops.append(top)
    if len(tops) < 2:
        return None
    text = "；".join(f"{short_name(m.name)}（{t}）" if t else short_name(m.name) for m, _, t, _ in tops)
    values = [v for _, v, _, _ in tops]
    if re.search(r"相差|差距|差多少|多多少|高多少|少多少", f.folded) and all(v is not None for v in values):
        unit = _shared_unit([t for _, _, t, _ in tops])
        if unit:
            diff = abs(values[0] - values[1]) / _UNIT_SCALE[unit]
            text += f"；相差{_plain(diff)}{unit}"
    return Draft(text, [c for _, _, _, c in tops])


_UNIT_SCALE = {"万亿元": 1e12, "亿元": 1e8, "万元": 1e4, "元": 1.0, "%": 1.0, "家": 1.0, "个": 1.0}


def _shared_unit(texts: list[str]) -> Optional[str]:
    units = {next((u for u in _UNIT_SCALE if t.endswith(u)), None) for t in texts}
    return units.pop() if len(units) == 1 and None not in units else None


def _plain(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _measure_kind(folded: str) -> str:
    return "percent" if re.search(r"增速|增长|增幅|占比", folded) else "amount" if re.search(
        r"产值|营收|收入|规模|销售", folded) else "quantity"


def _top_member(g: Ground, members: list[ListMember], doc_id: Optional[str], doc_of: dict):
    """(member, value, figure text, cite) of the largest (smallest) figure among the members: the
    one the article calls so itself, else the one whose stated figure is largest."""
    if not members:
        return None
    kind = _measure_kind(g.frame.folded)
    stated = _stated_superlative(g, members, doc_id, doc_of, kind)
    if stated is not None:
        return stated
    scored = []
    for m in members:
        value = _member_figure(g, m, doc_id or doc_of.get(id(m)), kind)
        if value is not None:
            scored.append((value, m))
    if len(scored) < 2:
        return None
    scored.sort(key=lambda t: t[0][0], reverse=g.frame.filters.superlative != "min")
    (value, text, cite), m = scored[0]
    return m, value, text, cite


_METRIC = re.compile(r"(?:的|，|,)?([^的，,。？?]{2,16}?)(?:是|为|有|达到|达|约|大约)?(?:多少|多大|多高|多长|几)")
_LATIN_UNIT = re.compile(r"\s*([A-Za-z]{1,8}(?:/[A-Za-z]{1,4})?|%)")


def metric_value(g: Ground) -> Optional[Draft]:
    """The figure written right after the words of the metric the question names (PUE设计值1.09,
    FP16峰值算力为3.3EFLOPS, 并行存储可用容量不低于8PB): for metrics with no Chinese measure word,
    the number nearest after most of the metric's words, with the unit letters it carries."""
    f = g.frame
    m = _METRIC.search(f.folded)
    if not m:
        return None
    metric = m.group(1)
    keys = [w.lower() for w in content_words(metric) if len(w) >= 2 or re.match(r"[A-Za-z]", w)]
    keys += [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]+", metric) if w.lower() not in keys]  # PUE, FP16
    if not keys or not any(re.search(r"[A-Za-z]", k) for k in keys) and len(keys) < 2:
        return None
    best = None
    for u in g.units[:8]:
        text = u.text
        for n in find_numbers(text):
            before = text[max(0, n.start - 14):n.start].lower()
            if re.search(r"[，,。；;]", before[-6:]):
                continue
            hit = sum(len(k) for k in keys if k in before)
            if g.frame.answer == "percent" and not n.is_percent or g.frame.answer == "amount" and "元" not in n.unit:
                continue
            if hit and (best is None or hit > best[0]):
                unit = n.unit or ((_LATIN_UNIT.match(text, n.end) or [None, ""])[1] if _LATIN_UNIT.match(text, n.end) else "")
                best = (hit, n.text + ("" if n.unit else unit), u)
    if best is None or best[0] < 3:
        return None
    _, value, u = best
    return Draft(value, [unit_cite(g, u)])


def table_cell(g: Ground) -> Optional[Draft]:
    """A cell of a table row the question names: 咸阳市显示器件集群2023年的营收 → 241.8亿元,
    徐州安全应急产业集群的核心区在哪里 → 睢宁县."""
    f = g.frame
    kind = "place" if f.answer == "place" else _measure_kind(f.folded) if f.answer in ("amount", "percent", "quantity") else None
    if kind is None:
        return None
    for did in list(g.doc_rank)[:3]:
        ds = g.load(did)
        for t in read_tables(ds.ndoc.text):
            row, col = row_of(t, f.folded), measure_column(t, kind, f.folded)
            if row is None or col is None or col >= len(t.rows[row]):
                continue
            cell = t.rows[row][col]
            unit = t.unit(col) if kind != "place" else ""
            a, b = ds.ndoc.span(*t.spans[row])
            return Draft(cell + (unit if unit and not cell.endswith(unit) else ""), [Cite(did, a, b)])
    return None


def table_superlative(g: Ground) -> Optional[Draft]:
    """哪个集群营收规模最大 / 增速最快 over a table's column: the row with the largest (smallest)
    value, named by its name cell, with the value."""
    f = g.frame
    kind = _measure_kind(f.folded)
    for did in list(g.doc_rank)[:2]:
        ds = g.load(did)
        for t in read_tables(ds.ndoc.text):
            col, name_col = measure_column(t, kind, f.folded), t.name_column()
            if col is None or name_col is None:
                continue
            rows = [(number(r[col]), i) for i, r in enumerate(t.rows) if col < len(r) and number(r[col]) is not None]
            if len(rows) < 2:
                continue
            value, i = (min if f.filters.superlative == "min" else max)(rows)
            a, b = ds.ndoc.span(*t.spans[i])
            unit = t.unit(col)
            return Draft(f"{short_name(t.rows[i][name_col])}（{t.rows[i][col]}{unit}）", [Cite(did, a, b)])
    return None


def _stated_superlative(g: Ground, members: list[ListMember], doc_id: Optional[str], doc_of: dict, kind: str):
    """The member a sentence itself calls the largest / fastest for the asked measure (…营业收入
    1,460亿元，居7个集群首位; 渭南市…增速居7个集群之首): (member, value, figure, cite)."""
    want = "stated_min" if g.frame.filters.superlative == "min" else "stated_max"
    marker = re.compile(alternation(words("questions", want)))
    measure = re.compile(alternation(words("questions", "measure_" + kind)))
    any_measure = re.compile(alternation(words("questions", "measure_percent") + words("questions", "measure_amount")
                                         + words("questions", "measure_quantity")))
    for m in members:
        d = doc_id or doc_of.get(id(m))
        for did in ([d] if d else list(g.doc_rank)[:3]):
            ds = g.load(did)
            text = ds.ndoc.text
            industry = fold(m.industry or "")
            for s in ds.sentences:
                seg = text[s.start:s.end]
                at = seg.find(m.name) if m.name in seg else seg.find(industry) if industry else -1
                if at < 0:
                    continue
                own = re.split(r"[；;]", seg[at:])[0]  # 甲…，规模居各集群之首；乙…: the member's own part
                previous = ""
                for clause in re.finditer(r"[^，,；;。]+", own):
                    c, previous = clause.group(0), previous if not clause.start() else own[:clause.start()]
                    if not marker.search(c):
                        continue
                    # the marker's clause says its measure (规模居首位 is no growth), or says none and
                    # follows the figure it ranks (营业收入1,460亿元，居7个集群首位)
                    if not (measure.search(c) or (not any_measure.search(c) and measure.search(previous))):
                        continue
                    n = _figure_of(own[:clause.end()], kind)
                    a, b = ds.ndoc.span(s.start, s.end)
                    return m, (n.value if n else None), (n.text if n else None), Cite(did, a, b)
    return None


def _figure_of(seg: str, kind: str):
    nums = [n for n in find_numbers(seg) if (kind == "percent" and n.is_percent) or
            (kind == "amount" and ("元" in n.unit or n.unit.endswith(("亿", "万")))) or
            (kind == "quantity" and n.unit.rstrip("余多") in ("家", "个"))]
    return nums[-1] if nums else None


def _member_figure(g: Ground, m: ListMember, doc_id: Optional[str], kind: str):
    """The figure of the measure given for one member: in its own line (a table row or a bullet
    with its figures), in a sentence that names it, or in the sentences after that one that speak
    of it (该集群…, 这一集群…)."""
    doc_ids = [doc_id] if doc_id else list(g.doc_rank)
    industry = fold(m.industry or "")
    for d in doc_ids:
        ds = g.load(d)
        text = ds.ndoc.text
        sents = ds.sentences
        for i, s in enumerate(sents):
            seg = text[s.start:s.end]
            if not (industry and industry in seg or m.name in seg):
                continue
            scope = [s]
            for nxt in sents[i + 1:i + 4]:  # the sentences that go on about it
                nseg = text[nxt.start:nxt.end]
                if re.match(r"^(?:[-*•]\s*)?\**\s*\d{4}年|^(?:该集群|这一集群|这个集群|集群|其|该|这一|同时|去年|今年|20\d\d年)", nseg):
                    scope.append(nxt)
                else:
                    break
            for k, sc in enumerate(scope):
                seg = text[sc.start:sc.end]
                if k == 0:
                    # 分别是甲（486.2亿元）、乙（312.7亿元）: the figure after the member's own name
                    at = seg.find(m.name) if m.name in seg else seg.find(industry)
                    seg = " " * at + seg[at:]
                units = ("家",) if "企业" in g.frame.folded else ("家", "个")  # 规上企业最多: firms, not 3个集群
                nums = [n for n in find_numbers(seg) if (kind == "percent" and n.is_percent) or
                        (kind == "amount" and ("元" in n.unit or n.unit.endswith(("亿", "万")))) or
                        (kind == "quantity" and n.unit.rstrip("余多") in units)]
                if kind == "percent":
                    growth = [n for n in nums if re.search(r"增长|增速|增幅|下降|减少|回落", seg[max(0, n.start - 8):n.start])]
                    nums = growth or nums
                if kind == "quantity" and g.frame.metric:
                    near = [n for n in nums if g.frame.metric[-2:] in seg[max(0, n.start - 10):n.start]]
                    nums = near or nums
                if nums:
                    n = nums[0]
                    a, b = ds.ndoc.span(sc.start, sc.end)
                    down = re.search(r"(?:下降|减少|回落)\s*$", seg[max(0, n.start - 6):n.start])
                    return (-n.value if down else n.value, ("下降" if down else "") + n.text, Cite(d, a, b))
    return None
