"""The offline extraction engine: deterministic rules, no network, no model.

1. `find_candidates(ndoc)` finds every written cluster name in the normalised text: each head noun
   containing 集群, walked left to where the name starts (names.py); compressed lists
   (甲、乙等4个产业集群, 甲和乙2个产业集群) are expanded into one candidate per member; generic
   phrases, counts, domains, targets, events and slogans are rejected.
2. Each candidate takes list facts (level, program, body, year, batch) from its sentence, its
   list's lead-in and the article's other descriptors (context.py).
3. Repeated mentions of one cluster (with or without the place prefix, 产业集群 vs 集群) merge
   into one record: the most complete name, the most informative mention's evidence.
Evidence spans are found in the normalised text and mapped back with `ndoc.span`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Optional

from ..core.types import NormalisedDocument
from ..schemas import ClusterMention, Evidence
from .context import ListFacts, is_descriptor, is_target, read_facts
from .names import NAME_CHAR, HEAD_RE, STOPS, ParsedName, minimal_head, name_start, parse_name, trim_trailing
from .places import gazetteer, same_or_outer

_HEAD = re.compile(r"集群(?![化式])")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_CLAUSE_END = re.compile(r"[，,。！？；!?;：:\n]")
_COUNT = r"(?:\d+|[一二两三四五六七八九十]+)"
# The tail of a compressed list before the shared head noun: 等, 等4个, 2个, then list attributes
# (省级, 新材料) that are not part of the members' names.
_LIST_TAIL = re.compile(r"(?:等\s*(?:(?P<c1>" + _COUNT + r")\s*[个大])?|(?P<c2>" + _COUNT + r")\s*[个大])(?P<attrs>[\u4e00-\u9fff]{0,10})$")
# A list item's marker: 1. / 1、/ (一) / 一、/ - / a table row (| 1 | …) / a bare number cell (1宝鸡市…).
_ITEM = re.compile(r"\s*(?:\d{1,3}\s*[.、．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[-*•·●◆■]+|"
                   r"\|(?:\s*\d{1,3}\s*\|)?|\d{1,3}\s*(?=[\u4e00-\u9fff]))\s*")
_AFTER_EVENT = re.compile(
    r"(?:发展|建设|培育|提升)?(?:现场会|推进会|大会|论坛|峰会|博览会|年会|研讨会|座谈会|对接会|竞赛|评价|评选|办法|规划|"
    r"方案|行动计划|实施意见|白皮书|蓝皮书|报告|指数|名称)"
)
_PAREN_LIST = re.compile(r"\s*[(（]([^()（）\n]{2,80})[)）]")
_PLACE_SUFFIX = re.compile(r"(?:市|县|区|州|盟|旗|开发区|高新区|经开区|新区|园区|基地)$")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass
class Candidate:
    """One written mention of a cluster in the normalised text."""

    parsed: ParsedName
    start: int  # the name (or list member) in the normalised text
    end: int  # end of the head noun (or of the parenthesised place list)
    evidence: tuple[int, int]  # normalised span quoted as evidence
    regions: list[str]
    list_item: bool = False
    attrs: str = ""  # list attributes of a compressed list (省级新材料)
    facts: ListFacts = field(default_factory=ListFacts)
    recognised: bool = False

    @property
    def name(self) -> str:
        return self.parsed.name


def _to_int(count: Optional[str]) -> Optional[int]:
    if not count:
        return None
    if count.isdigit():
        return int(count)
    if count == "十":
        return 10
    if count.startswith("十"):
        return 10 + _CN_NUM.get(count[1:], 0)
    if count.endswith("十"):
        return _CN_NUM.get(count[0], 0) * 10
    return _CN_NUM.get(count)


def _left_boundary(text: str, head_start: int, floor: int) -> int:
    i = head_start
    while i > floor and NAME_CHAR.match(text[i - 1]):
        i -= 1
    # A name never starts inside an unclosed parenthesis: (记者 …) or a place list before it.
    depth = 0
    for k in range(head_start - 1, i - 1, -1):
        c = text[k]
        if c in ")）":
            depth += 1
        elif c in "(（":
            if depth == 0:
                return k + 1
            depth -= 1
    return i


def _in_book_title(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    opened = text.rfind("《", line_start, pos)
    return opened >= 0 and text.rfind("》", opened, pos) < 0


def _paren_regions(text: str, end: int, near: Optional[str]) -> tuple[list[str], int]:
    """The place list in parentheses right after a name: (郑州市、许昌市…)."""
    m = _PAREN_LIST.match(text, end)
    if not m:
        return [], end
    g = gazetteer()
    items = [x.strip() for x in re.split(r"[、，,;；]", m.group(1)) if x.strip()]
    regions = []
    for item in items:
        prefix = g.parse_prefix(item, near)
        if prefix.end == len(item) and prefix.places:
            regions.extend(prefix.regions)
        elif _PLACE_SUFFIX.search(item) and 2 <= len(item) <= 12 and all("\u4e00" <= c <= "\u9fff" for c in item):
            regions.append(item)
        else:
            return [], end
    return regions, m.end()


# Industry terms written with a conjunction inside: a compressed list is never cut there.
_JOINED_INDUSTRIES = re.compile(
    r"软件和信息技术服务|软件和信息服务|信息和通信|电子和信息|石油和化学|石油和化工|食品和饮料|纺织和服装|"
    r"汽车及零部件|汽车及零配件|碳纤维及复合材料|工程机械及零部件|装备及零部件|医药及医疗器械|生物医药及医疗器械"
)
_CONJUNCTION_RANK = {"和": 0, "及": 1, "与": 2}  # 和 joins members more often than 及/与


def _split_members(text: str, count: Optional[int]) -> list[tuple[int, str]]:
    """Members of a compressed list with their offsets. 、 separates members; 和/及/与 only when the
    count asks for more members (有色金属和农副产品加工2个产业集群), never otherwise (精品板材和合金钢管
    is one member). The cuts chosen leave known industry terms whole (纺织服装和软件和信息服务2个 →
    纺织服装 | 软件和信息服务) and prefer 和, then the earliest conjunction."""
    members, pos = [], 0
    for part in text.split("、"):
        if part:
            members.append((pos, part))
        pos += len(part) + 1
    if not count or len(members) >= count:
        return members
    cuts = []  # (rank, offset in text) of every conjunction that may separate two members
    for off, part in members:
        protected = [m.span() for m in _JOINED_INDUSTRIES.finditer(part)]
        for m in re.finditer("[和及与]", part):
            if any(a <= m.start() < b for a, b in protected):
                continue
            cuts.append((_CONJUNCTION_RANK[m.group(0)], off + m.start()))
    chosen: list[int] = []
    for _, at in sorted(cuts):
        if len(chosen) == count - len(members):
            break
        if _pieces_ok(members, sorted(chosen + [at])):
            chosen.append(at)
    out = []
    for off, part in members:
        bounds = [off] + [at + 1 for at in sorted(chosen) if off <= at < off + len(part)]
        ends = [at for at in sorted(chosen) if off <= at < off + len(part)] + [off + len(part)]
        out += [(a, text[a:b]) for a, b in zip(bounds, ends)]
    return out


def _pieces_ok(members: list[tuple[int, str]], cuts: list[int]) -> bool:
    """Every piece the cuts leave has at least two characters."""
    for off, part in members:
        edges = [off - 1] + [at for at in cuts if off <= at < off + len(part)] + [off + len(part)]
        if any(b - a - 1 < 2 for a, b in zip(edges, edges[1:])):
            return False
    return True


def _clause_end(text: str, pos: int, limit: int = 40) -> int:
    m = _CLAUSE_END.search(text, pos)
    end = m.start() if m else len(text)
    return end if end - pos <= limit else pos


def _slogan(text: str, start: int, end: int, parsed: ParsedName) -> bool:
    """“锦绣集群”: a quoted figure of speech with no place."""
    return (not parsed.prefix.places and start > 0 and text[start - 1] in "“‘「\""
            and end < len(text) and text[end] in "”’」\"")


def find_candidates(ndoc: NormalisedDocument) -> list[Candidate]:
    """Every cluster name written in the document, in text order (repeats included)."""
    text = ndoc.text
    out: list[Candidate] = []
    floor = 0
    for m in _HEAD.finditer(text):
        head_end = m.end()
        head_m = HEAD_RE.search(text, max(0, head_end - 12), head_end)
        head_start = head_m.start() if head_m else m.start()
        head = text[head_start:head_end]
        left = _left_boundary(text, head_start, floor)
        floor = head_end
        raw = text[left:head_start]
        if not raw or raw.endswith("、") or _in_book_title(text, head_start) or _AFTER_EVENT.match(text, head_end):
            continue
        sentence_start = max(text.rfind(c, 0, left) for c in "。！？；!?;\n") + 1
        if is_target(text[sentence_start:left] + raw):
            continue
        found = _compressed(text, left, raw, head, head_end) or _single(text, left, raw, head, head_end)
        if not found:
            _share_series_attributes(text, out, raw, head, left)
        floor = max([floor] + [c.end for c in found])  # after a place list in parentheses, too
        out.extend(c for c in found if not _slogan(text, c.start, head_end, c.parsed))
    return out


def _share_series_attributes(text: str, found: list[Candidate], raw: str, head: str, left: int) -> None:
    """甲集群、乙集群和丙集群等国家级集群: the closing 等…集群 qualifies every name of the series."""
    tail = _LIST_TAIL.search(raw)
    if not tail or raw[: tail.start()].strip("、和及与 ") or STOPS.search(tail.group("attrs")):
        return
    end = left
    for c in reversed(found):
        if text[c.end:end].strip("、和及与 "):
            break
        c.attrs = c.attrs or tail.group("attrs") + head
        end = c.start


def _compressed(text: str, left: int, raw: str, head: str, head_end: int) -> list[Candidate]:
    tail = _LIST_TAIL.search(raw)
    if not tail or STOPS.search(tail.group("attrs")):
        return []
    members_text = raw[: tail.start()]
    start = name_start(members_text)
    count = _to_int(tail.group("c1") or tail.group("c2"))
    shared = minimal_head(head)
    found = []
    for off, member in _split_members(members_text[start:], count):
        body = trim_trailing(member)
        lead = name_start(body) if body else 0
        parsed = parse_name(body[lead:], shared)
        if parsed is None:
            continue
        m_start = left + start + off + lead
        found.append(Candidate(parsed, m_start, m_start + len(body) - lead, (0, 0), parsed.regions,
                               attrs=tail.group("attrs") + head))
    if not found:
        return []
    ev_start = found[0].start
    ev_end = _clause_end(text, head_end)
    for c in found:
        c.evidence = (ev_start, max(ev_end, head_end))
    return found


def _single(text: str, left: int, raw: str, head: str, head_end: int) -> list[Candidate]:
    start = name_start(raw)
    body = trim_trailing(raw[start:])
    if not body or body != raw[start:]:
        return []  # 链条完善和集群治理: 集群 here is a noun of its own, not the head of a name
    parsed = parse_name(body, head)
    if parsed is None:
        return []
    name_pos = left + start
    unparsed = body[parsed.prefix.end:]
    if "、" in unparsed:
        # 电子信息、生物医药产业集群 without 等: a compressed list after all.
        return _as_list(text, left + start, body, head, head_end)
    regions, end = _paren_regions(text, head_end, parsed.province)
    regions = parsed.regions + [r for r in regions if r not in parsed.regions]
    series = text[head_end:head_end + 1] == "、" or text[name_pos - 1:name_pos] == "、"
    ev_end = end if series or end > head_end else max(end, _clause_end(text, end))
    line_start = text.rfind("\n", 0, name_pos) + 1
    item = _ITEM.match(text, line_start)
    # Numbered or bulleted items, colon lists and names standing alone between separators
    # (甲集群；乙集群；) are list items; a series inside a sentence (甲集群、乙集群入选…) only quotes short.
    list_item = (bool(item and item.end() >= name_pos - 2) or ":" in text[line_start:name_pos]
                 or "：" in text[line_start:name_pos] or _stands_alone(text, name_pos, end))
    if list_item:
        ev_end = end
    return [Candidate(parsed, name_pos, end, (name_pos, ev_end), regions, list_item=list_item)]


def _stands_alone(text: str, start: int, end: int) -> bool:
    """A name alone in its clause or table cell: 甲集群；乙集群； or | 1 | 甲集群 | — |."""
    before = text[max(text.rfind(c, 0, start) for c in "，,。；;\n|") + 1:start]
    m = re.compile(r"[，,。！？；!?;：:\n|]").search(text, end)
    after = text[end:m.start() if m else len(text)]
    return not after.strip(" —-") and not _ITEM.sub("", before).strip()


def _as_list(text: str, pos: int, body: str, head: str, head_end: int) -> list[Candidate]:
    shared = minimal_head(head)
    found = []
    for off, member in _split_members(body, None):
        parsed = parse_name(trim_trailing(member), shared)
        if parsed is not None:
            found.append(Candidate(parsed, pos + off, pos + off + len(member), (0, 0), parsed.regions, attrs=head))
    if len(found) < 2:
        return []
    for c in found:
        c.evidence = (pos, max(head_end, _clause_end(text, head_end)))
    return found


# --- list facts ------------------------------------------------------------------------------


@dataclass
class _Descriptor:
    start: int
    facts: ListFacts


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > pos:
            spans.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        spans.append((pos, len(text)))
    return spans


def _lead_in(text: str, pos: int) -> str:
    """The header above a list: up to three short lines, or one line ending in a colon."""
    lines = []
    line_start = text.rfind("\n", 0, pos) + 1
    # Skip the list's own items above this one.
    while line_start > 0:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        prev = text[prev_start:line_start - 1]
        line_start = prev_start
        if _ITEM.match(prev) and (_ITEM.match(prev).end() or prev.lstrip().startswith("|")):
            continue  # an earlier item of the same list, or a table header
        lines.append(prev)
        if prev.rstrip().endswith((":", "：")) or len(prev) > 60 or len(lines) == 3:
            break
    return "\n".join(reversed(lines))


def _home_province(text: str, title: str) -> Optional[str]:
    """The province of an article written from one place (我市…, 全省…)."""
    g = gazetteer()
    if re.search(r"我市|本市|全市", text):
        counts: dict[str, int] = {}
        for m in _city_pattern().finditer(text):
            found = g.cities.get(m.group(0)) or g.counties.get(m.group(0))
            counts[found[0].province] = counts.get(found[0].province, 0) + 1
        if counts:
            return max(counts, key=counts.get)
    if re.search(r"我省|本省|全省", text):
        counts = {}
        for m in re.finditer("|".join(sorted(map(re.escape, g.province_by_short), key=len, reverse=True)), text):
            p = g.province(m.group(0))
            counts[p] = counts.get(p, 0) + 1
        if counts:
            return max(counts, key=counts.get)
    return None


_CITY_RE: list = []


def _city_pattern():
    if not _CITY_RE:
        g = gazetteer()
        # Cities by any name; districts and counties only with their suffix (江津区日报 → 重庆市).
        keys = sorted([k for k in g.cities if len(k) >= 2] + [k for k in g.counties if len(k) >= 3], key=len, reverse=True)
        _CITY_RE.append(re.compile("|".join(map(re.escape, keys))))
    return _CITY_RE[0]


def _assign_facts(ndoc: NormalisedDocument, candidates: list[Candidate]) -> None:
    text = ndoc.text
    date = ndoc.doc.date
    sentences = _sentences(text)
    descriptors = [_Descriptor(a, read_facts(text[a:b], date)) for a, b in sentences if is_descriptor(text[a:b])]
    for c in candidates:
        a, b = next(((a, b) for a, b in sentences if a <= c.start < b), (c.start, c.end))
        sentence = text[a:b]
        facts = ListFacts()
        if c.attrs:
            facts.fill(read_facts(c.attrs, date))
        recognised = False
        if is_descriptor(sentence):
            recognised = True
            facts.fill(read_facts(sentence, date))
        if c.list_item:
            line_start = text.rfind("\n", 0, c.start) + 1
            if ":" not in text[line_start:c.start] and "：" not in text[line_start:c.start]:
                lead = read_facts(_lead_in(text, c.start), date)  # the header above a list of lines
                if is_descriptor(_lead_in(text, c.start)) and facts.compatible(lead):
                    recognised = True
                    facts.fill(lead)
            recognised = recognised or any(d.start < c.start for d in descriptors)
        if recognised:
            ordered = sorted(descriptors, key=lambda d: (d.start > c.start, abs(d.start - c.start)))
            for d in ordered:
                if facts.compatible(d.facts):
                    facts.fill(d.facts)
        else:
            facts = ListFacts(level=facts.level)
        if c.parsed.program:
            facts.program = c.parsed.program
        c.facts, c.recognised = facts, recognised


# --- merging repeated mentions ---------------------------------------------------------------------


def _canonical(s: str) -> str:
    return "".join(ch for ch in s if unicodedata.category(ch)[0] not in "PSZ")


def _merge(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Group mentions of one cluster: same industry, and one's places are the other's or only add
    their province/city. A mention without places joins the one cluster it can mean; when it could
    mean several (生物医药产业集群 after 烟台市… and 临沂市…) it is dropped."""
    groups: list[list[Candidate]] = []
    bare: list[Candidate] = []
    for c in candidates:
        places = c.parsed.prefix.places
        if not places:
            bare.append(c)
            continue
        key = _canonical(c.parsed.industry)
        for g in groups:
            fullest = max(g, key=lambda x: len(x.parsed.prefix.places)).parsed.prefix.places
            if _canonical(g[0].parsed.industry) == key and (same_or_outer(places, fullest) or same_or_outer(fullest, places)):
                g.append(c)
                break
        else:
            groups.append([c])
    for c in bare:
        key = _canonical(c.parsed.industry)
        fits = [g for g in groups if _canonical(g[0].parsed.industry) == key]
        if len(fits) == 1:
            fits[0].append(c)
        elif not fits:
            groups.append([c])
    order = {id(c): i for i, c in enumerate(candidates)}
    for g in groups:
        g.sort(key=lambda c: order[id(c)])
    groups.sort(key=lambda g: order[id(g[0])])
    return groups


def _record(doc_id: str, ndoc: NormalisedDocument, group: list[Candidate], home: Optional[str]) -> ClusterMention:
    named = max(group, key=lambda c: (len(c.parsed.prefix.places), len(c.name)))
    best = max(group, key=lambda c: (c.recognised, c.facts.informative(), -group.index(c)))
    facts = ListFacts()
    facts.fill(best.facts)
    for c in group:
        if facts.compatible(c.facts):
            facts.fill(c.facts)
    regions = list(named.regions)
    for c in group:  # a place list in parentheses given with a shorter mention
        regions += [r for r in c.regions if r not in regions]
    province = named.parsed.province
    if province is None and not named.parsed.prefix.places:
        province = facts.province or home
    start, end = ndoc.span(*best.evidence)
    if end <= start:
        start, end = ndoc.span(best.start, best.end)
    return ClusterMention(
        doc_id=doc_id,
        name=named.name,
        regions=regions,
        province=province,
        level=facts.level,
        program=facts.program,
        industry=named.parsed.industry,
        recognised_by=facts.recognised_by,
        year=facts.year,
        batch=facts.batch,
        evidence=Evidence(text=ndoc.doc.original[start:end], start=start, end=end),
    )


def extract_clusters(ndoc: NormalisedDocument) -> list[ClusterMention]:
    candidates = find_candidates(ndoc)
    if not candidates:
        return []
    _assign_facts(ndoc, candidates)
    home = _home_province(ndoc.text, ndoc.doc.title)
    return [_record(ndoc.doc.doc_id, ndoc, g, home) for g in _merge(candidates)]


class OfflineExtractor:
    """Rules only: runs anywhere, no endpoint needed."""

    name = "offline"

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]:
        return extract_clusters(ndoc)
