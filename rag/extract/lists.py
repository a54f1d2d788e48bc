"""The lists an article reports, built from its cluster mentions.

1. Mentions are grouped into lists: consecutive list items (numbered lines, bullets, table rows,
   a flattened table) until a new list heading or prose; or the members of one sentence
   (甲、乙等3个产业集群入选…名单, 甲集群、乙集群入选…).
2. Each list reads its facts from, in order: its heading, the sentence that introduces it, the
   notice's title line, and the notice as a whole (signature, 文号, 公示期, 有效期, contact).
3. Its stated size is the count the text gives for it (确定12个集群为…), preferring a count that
   equals the members written out.
Cluster records of the members inherit the list's level, program, body, year and batch.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from ..core.lexicon import alternation, words
from ..core.numbers import find_dates, find_numbers
from ..core.places import find_places
from ..core.spans import body_for_province, find_bodies, fullest_body, same_body
from ..core.types import NormalisedDocument
from ..schemas import Evidence, ListMember, ListRecord, NoticePeriod
from .facts import Facts, read_facts
from .notice import NoticeFacts, read_notice

_LIST_NOUN = re.compile(alternation(words("cues", "list_nouns")) + r"|附件\s*\d*")
_SECTION = re.compile(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）]|第[一二三四五六七八九十]+[章节部分]"
                      r"|(?:首批|第[一二三四五六七八九十\d]+批)[^，。；]{0,12}$)")  # 第二批（3个）：, a batch's own heading
_TABLE_HEADER = re.compile(r"^(?:序号|编号|集群名称|名称|所在地|所在市州|所在地区|地区|市州|主导产业|产业|申报单位|牵头单位|备注|类别|批次|\s|\|)+$")
_RECOGNITION = re.compile(alternation(words("cues", "recognition")))
_PUBLISH = re.compile(alternation(words("cues", "publish")))
_COUNTED = re.compile(r"(\d+|[一二两三四五六七八九十]+)\s*个\s*(?:[\u4e00-\u9fff“”]{0,16}?集群|集群|(?=\s*[)）]))")
_CUMULATIVE = re.compile(r"累计|总数|总量|至此|达到|已达|共认定|共有.{0,6}个.{0,10}(?:省级|市级|国家级)")
_SCOPE = re.compile(r"全省|全市|全国|本批|本次|此次|这批|这次|共|一共|名单|拟认定|确定|入选")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_SENTENCE = re.compile(r"[^。！？；!?;\n]+")


TITLE_CHARS = 50  # a longer heading is a sentence introducing the list, not its title


@dataclass
class Group:
    members: list  # offline Candidates, text order
    kind: str  # items | sentence


@dataclass
class BuiltList:
    record: ListRecord
    facts: Facts
    members: list  # the Candidates
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)  # normalised spans of the fields


def _line_of(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (len(text) if e < 0 else e)


def _is_place_heading(line: str) -> bool:
    """【河北省】, 宁波市（3个）, 一、宁波市: a sub-heading that groups one list's members by place."""
    core = re.sub(r"^\s*(?:[一二三四五六七八九十]{1,3}、|[（(][一二三四五六七八九十]{1,3}[)）])", "", line)
    core = re.sub(r"[【】\[\]（）()：:\s\d个项家]", "", core)
    if not core or len(core) > 12:
        return False
    places = find_places(core)
    return bool(places) and places[0][0] == 0 and places[-1][1] == len(core)


def _breaks_list(gap: str) -> bool:
    """Text between two list items that ends one list: a new heading or a paragraph of prose."""
    for line in gap.split("\n"):
        line = line.strip()
        if not line or _TABLE_HEADER.match(line) or _is_place_heading(line):
            continue
        if _LIST_NOUN.search(line) or _SECTION.match(line):
            return True
        if len(line) >= 24 and re.search(r"[，。；,]", line):
            return True
    return False


def group_mentions(text: str, candidates: list) -> list[Group]:
    groups: list[Group] = []
    for c in sorted(candidates, key=lambda c: c.start):
        g = groups[-1] if groups else None
        if g is not None:
            last = g.members[-1]
            gap = text[last.end:c.start]
            # between two items: from the end of the last item's line to the start of this one's
            between = text[_line_of(text, last.end)[1]:_line_of(text, c.start)[0]] if "\n" in gap else ""
            # a new line that introduces its own items (列入培育对象名单的4个集群是：甲、乙…) starts a list
            lead = text[_line_of(text, c.start)[0]:c.start] if "\n" in gap else ""
            introduces = bool(re.search(r"[：:]\s*$", lead)) and len(lead.strip()) > 4
            if c.list_item and g.kind == "items" and not _breaks_list(between) and not introduces:
                g.members.append(c)
                continue
            if not c.list_item and g.kind == "sentence" and not _SENTENCE_END.search(gap) and len(gap) <= 40:
                g.members.append(c)
                continue
        groups.append(Group([c], "items" if c.list_item else "sentence"))
    return groups


def _merge_by_context(text: str, groups: list[Group]) -> list[Group]:
    """Parts of one list written in several sentences after the sentence that names it (…公布首批
    名单，共有12个集群入选。其中，甲、乙3个集群入选；丙和丁两个集群同时入选) are one list."""
    out: list[Group] = []
    last_context = None
    for g in groups:
        context = _group_context(text, g)
        if context is not None and context == last_context and out and out[-1].kind == "sentence" and not (
                _provinces_of(out[-1]) != _provinces_of(g) and _several_provinces(text[context[0]:context[1]])) \
                and not _own_other_list(text, g, context):
            out[-1].members.extend(g.members)
            continue
        out.append(g)
        last_context = context
    return out


def _own_other_list(text: str, g: Group, context: tuple[int, int]) -> bool:
    """惠安县…集群被泉州市工业和信息化局认定为市级重点产业集群: a sentence that states its own
    recognition, by another body or at another level than the list named before, is not its part."""
    own = _sentence_span(text, g.members[0].start)
    mine = read_facts(_mask_members(text, own, g))
    theirs = read_facts(text[context[0]:context[1]])
    return bool(mine.issuer or mine.level) and not mine.compatible(theirs)


def _provinces_of(g: Group) -> set:
    return {c.parsed.province for c in g.members if c.parsed.province}


def _several_provinces(sentence: str) -> bool:
    """安徽省经济和信息化厅与河南省工业和信息化厅分别发布…名单: one sentence, a list per province."""
    bodies = {p.province for b in find_bodies(sentence) for _, _, p in find_places(b.text)[:1] if p.province}
    return len(bodies) >= 2


def _names_list(sentence: str) -> bool:
    return bool((_LIST_NOUN.search(sentence) or _states_program(sentence))
                and (_RECOGNITION.search(sentence) or _PUBLISH.search(sentence)))


def _states_program(sentence: str) -> bool:
    """A program word that names a list, not the head of a cluster's own name (武汉市光电子信息
    战略性新兴产业集群入选 names clusters; 公布2024年度省级战略性新兴产业集群 names a list)."""
    from .facts import _programs

    for s, _, _ in _programs(sentence):
        chunk = re.split(r"[，,。；;：:、和及与]", sentence[:s])[-1]
        places = [(ps, pe) for ps, pe, p in find_places(chunk) if p.kind in ("city", "county", "zone", "town")]
        if places and not re.search(r"的|年|级|批|" + _RECOGNITION.pattern, chunk[places[-1][1]:]):
            continue
        return True
    return False


def _group_context(text: str, g: Group) -> Optional[tuple[int, int]]:
    """The sentence that names a sentence group's list: its own, or one just before it (also when
    its own names a list only vaguely: 此次入选省级名单的集群中，如甲、乙等)."""
    if g.kind != "sentence":
        return None
    own = _sentence_span(text, g.members[0].start)
    masked = _mask_members(text, own, g)
    if _names_list(masked):
        facts = read_facts(masked)
        counted = [_to_int(c.group(1)) for c in _COUNTED.finditer(masked)]
        if facts.program or facts.issuer or facts.stage == "candidate" or len(g.members) in counted:
            return own  # 列入培育对象名单的4个集群是：甲、乙、丙和丁 — a list complete in its own sentence
        return context_sentence(text, own[0], facts) or own
    if not _RECOGNITION.search(masked):
        return None  # the sentence reports no membership (…发展良好, 已拥有…): no list's part
    return context_sentence(text, own[0])


def _lead_in(text: str, first) -> Optional[tuple[int, int]]:
    """The words before the first item on its own line, up to a colon (…名单中，苏州牵头的集群共有3个，分别是：)."""
    s, _ = _line_of(text, first.start)
    head = text[s:first.start]
    k = max(head.rfind("："), head.rfind(":"))
    if k <= 0:
        return None
    starts = [m.end() for m in _SENTENCE_END.finditer(text, s, s + k)]
    return (starts[-1] if starts else s), s + k


def _headings(text: str, first, floor: int) -> list[tuple[int, int]]:
    """The headings above a run of items, nearest first: lines that name a list (名单, 附件, a
    program or a stage), skipping table header cells and place sub-headings; a second one when
    the first does not name the program (经…认定，名单如下： under 2024年度…集群名单)."""
    s, _ = _line_of(text, first.start)
    looked = 0
    found: list[tuple[int, int]] = []
    while s > floor and looked < 8 and len(found) < 2:
        ps, pe = _line_of(text, s - 1)
        line = text[ps:pe].strip()
        s = ps
        if not line or _TABLE_HEADER.match(line) or _is_place_heading(line):
            continue
        looked += 1
        facts = read_facts(line)
        if _LIST_NOUN.search(line) or facts.program or facts.stage or facts.batch or re.search(r"[（(]\s*\d+\s*个\s*[)）]", line):
            lead = text[ps:pe].find(line)
            found.append((ps + lead, ps + lead + len(line)))
            if facts.program:
                break
        elif len(line) > 60 or found:
            break
    return found


def _sentence_span(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    s = starts[-1] if starts else 0
    m = _SENTENCE_END.search(text, pos)
    return s, (m.start() if m else len(text))


def _intro(text: str, group: Group, floor: int, facts: Facts) -> Optional[tuple[int, int]]:
    """The sentence that introduces the list: before it, naming a count of clusters with the list's
    words (确定12个集群为…拟认定对象), or the sentence the members stand in."""
    if group.kind == "sentence":
        return _sentence_span(text, group.members[0].start)
    best = None
    for m in _COUNTED.finditer(text, floor, group.members[0].start):
        s, e = _sentence_span(text, m.start())
        sentence = text[s:e]
        if not (_RECOGNITION.search(sentence) or _LIST_NOUN.search(sentence)):
            continue
        f = read_facts(sentence)
        score = (f.program is not None and f.program == facts.program) + (f.stage is not None) + (f.year is not None)
        if best is None or score >= best[0]:
            best = (score, (s, e))
    return best[1] if best else None


def _to_int(raw: str) -> Optional[int]:
    from ..core.numbers import chinese_to_number

    v = int(raw) if raw.isdigit() else chinese_to_number(raw)
    return int(v) if v else None


def _stated_count(text: str, built_members: list, sources: list[tuple[int, int]], facts: Facts,
                  floor: int, ceiling: int, context: Optional[tuple[int, int]] = None) -> Optional[tuple[int, int, int]]:
    """(count, start, end): the size the text gives for this list. A list written in a sentence
    after the one naming it (…公布第一批66个…名单。我省甲、乙等4个集群入选) is the named list, of
    the size that sentence gives; the members written are the article's part of it."""
    written = len(built_members)
    best = None
    seen = set()
    spans = [(s, e) for s, e in sources]
    # sentences of the list's own region of the text too (本批13个集群…, 全省共有23个集群新入选)
    for m in _COUNTED.finditer(text, floor, ceiling):
        spans.append(_sentence_span(text, m.start()))
    for s, e in spans:
        if (s, e) in seen:
            continue
        seen.add((s, e))
        sentence = text[s:e]
        for m in _COUNTED.finditer(sentence):
            n = _to_int(m.group(1))
            if not n:
                continue
            around = sentence[max(0, m.start() - 12):m.end() + 16]
            f = read_facts(sentence)
            score = 0.0
            if n == written:
                score += 3
            elif n < written:
                score -= 5
            if f.program and f.program == facts.program:
                score += 2
            if _LIST_NOUN.search(sentence) or f.stage:
                score += 1
            if _SCOPE.search(around):
                score += 1
            if _CUMULATIVE.search(around):
                score -= 4
            if re.search(alternation(words("cues", "target_markers")), sentence[:m.start()][-12:]):
                score -= 3
            if (s, e) in sources[:2]:
                score += 1
            if context is not None and (s, e) == context and n > written:
                score += 4
            if n > written and (_LIST_NOUN.search(sentence[m.end():m.end() + 16]) or (
                    _LIST_NOUN.search(sentence) and re.search(r"全国|全省|全市|共有|共", around))) and (
                    f.program is None or f.program == facts.program):
                # 首批66个…名单 / 公布…名单，全国共有200个集群入选, before 山东省入选的7个分别是: the list
                # is the 66 (the 200); the members written are the article's part of it
                score += 5
            if best is None or score > best[0]:
                best = (score, n, s + m.start(1), s + m.end(1))
    if best and best[0] >= 2:
        return best[1], best[2], best[3]
    return None


def build_lists(ndoc: NormalisedDocument, candidates: list, notice: Optional[NoticeFacts] = None) -> list[BuiltList]:
    text = ndoc.text
    page_year = int(ndoc.doc.date[:4]) if ndoc.doc.date else None
    notice = notice or read_notice(text, page_year)
    groups = [g for g in _merge_by_context(text, group_mentions(text, candidates)) if _is_list(text, g)] if candidates else []
    built: list[BuiltList] = []
    floor = 0
    title_facts = read_facts(notice.title.value, notice.title.start) if notice.title else Facts()
    for gi, g in enumerate(groups):
        ceiling = groups[gi + 1].members[0].start if gi + 1 < len(groups) else len(text)
        facts = Facts()
        sources: list[tuple[int, int]] = []
        lead = _lead_in(text, g.members[0]) if g.kind == "items" else None
        if lead:
            facts.fill(read_facts(text[lead[0]:lead[1]], lead[0]))
            sources.append(lead)
        for heading in (_headings(text, g.members[0], floor) if g.kind == "items" else []):
            more = read_facts(text[heading[0]:heading[1]], heading[0])
            if facts.compatible(more):
                facts.fill(more)
                sources.append(heading)
        intro = _intro(text, g, floor if g.kind == "items" else 0, facts)
        context = _group_context(text, g)
        if context is not None and context == _sentence_span(text, g.members[0].start):
            context = None  # the sentence names its own list
        if intro:
            masked = _mask_members(text, intro, g)
            intro_facts = read_facts(masked, intro[0])
            if facts.compatible(intro_facts):
                facts.fill(intro_facts)
            else:
                facts.fill(intro_facts, only=("issuer",))
            sources.append(intro)
        if context:
            context_facts = read_facts(text[context[0]:context[1]], context[0])
            if facts.compatible(context_facts):
                facts.fill(context_facts)
                sources.append(context)
        for c in g.members:  # 甲集群、乙集群等国家级集群: the series' own attributes
            if c.attrs:
                facts.fill(read_facts(c.attrs))
        if title_facts.informative() and facts.compatible(title_facts):
            facts.fill(title_facts)
        elif title_facts.informative():
            # a title naming two batches (第一批、第二批) still gives both lists their program and level
            same_but_batch = Facts(**{k: v for k, v in vars(facts).items() if k not in ("batch", "spans")})
            keep = ("issuer", "year", "province", "place")
            facts.fill(title_facts, only=keep + (("program", "level", "stage") if same_but_batch.compatible(title_facts) else ()))
        _from_descriptors(text, facts, g, sources)
        _issuer_from_notice(text, facts, notice, intro)
        provinces = _provinces_of(g)
        if facts.issuer and len(provinces) == 1 and facts.level != "national":
            facts.issuer = body_for_province(facts.issuer, text, next(iter(provinces)))
            if facts.province and facts.province not in provinces:
                facts.province = facts.place = None
            if facts.province is None and facts.level == "provincial":
                facts.province = next(iter(provinces))
        if facts.issuer:
            facts.issuer = fullest_body(facts.issuer, text, facts.province)
        _level_rules(facts)
        built.append(_record(ndoc, len(built) + 1, g, facts, notice, sources, floor, ceiling))
        floor = g.members[-1].end
    built = _absorb_partials(built)
    built += _stated_lists(ndoc, built, candidates, notice, len(built))
    _prose_members(ndoc, built, candidates)
    from .offline import home_place

    province, city = home_place(text)
    for b in built:  # a city paper's list of 我市 clusters: the paper's province and city
        if province and b.record.province is None and all(not c.parsed.prefix.places for c in b.members) and b.members:
            b.record.province = province
        if city and any(not c.parsed.prefix.places for c in b.members):
            b.record.home = city
    return built


def _absorb_partials(built: list[BuiltList]) -> list[BuiltList]:
    """拟认定甲集群等10个集群为… and the attachment's table of those 10: one list. A partial list
    (fewer written than stated) whose members all appear in a whole list of the stated size and
    the same facts is that list's introduction; the whole list keeps the stated count."""
    out: list[BuiltList] = []
    for b in built:
        r = b.record
        whole = next((o for o in built if o is not b and r.stated_count and len(r.members) < r.stated_count
                      and len(o.record.members) == r.stated_count and b.facts.compatible(o.facts)
                      and all(any(_canon(m.name) == _canon(x.name) for x in o.record.members) for m in r.members)), None)
        if whole is None:
            out.append(b)
            continue
        if whole.record.stated_count is None:
            whole.record.stated_count = r.stated_count
            if "stated_count" in r.evidence:
                whole.record.evidence["stated_count"] = r.evidence["stated_count"]
                whole.spans["stated_count"] = b.spans["stated_count"]
    for n, b in enumerate(out, 1):  # ids stay dense: doc#L1, doc#L2 …
        b.record.id = f"{b.record.doc_id}#L{n}"
    return out


def _canon(name: str) -> str:
    return re.sub(r"[\s“”\"'《》]", "", name)


def _stated_lists(ndoc: NormalisedDocument, built: list[BuiltList], candidates: list, notice: NoticeFacts,
                  n: int) -> list[BuiltList]:
    """Lists an article reports by their size only (工信部公布45个国家先进制造业集群名单): a sentence
    that names a list and its size, writes none of its members, and states no list already built."""
    from .mentions import is_target

    text = ndoc.text
    out: list[BuiltList] = []
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        sentence = m.group(0)
        if not (_PUBLISH.search(sentence) or _RECOGNITION.search(sentence)) or any(s <= c.start < e for c in candidates):
            continue
        # 公布45个…集群名单; …名单中，全国共有200个集群入选: the size next to the list noun, after or before it
        counted = next((c for c in _COUNTED.finditer(sentence) if _LIST_NOUN.search(sentence[c.end():c.end() + 12])
                        or re.search(r"(?:名单|名录)(?:中|里|内)?[，,]?(?:全国|全省|全市)?(?:共有|共|有)$",
                                     sentence[max(0, c.start() - 14):c.start()])
                        # 印发《关于公布第三批…名单的通知》（文号），全省共有8个集群入选: the size of the list named before
                        or (_LIST_NOUN.search(sentence[:c.start()]) and re.match(r"\s*(?:入选|上榜|获批|被认定|获认定)",
                                                                                sentence[c.end():]))), None)
        if counted is None or is_target(sentence[:counted.start()]):
            continue
        size = _to_int(counted.group(1))
        facts = read_facts(sentence, s)
        if not size or not facts.program:
            continue
        if any(b.record.stated_count == size or (s, e) in b.spans.values() or _covers(b, s, e) for b in built + out):
            continue
        _level_rules(facts)
        spans = {k: v for k, v in facts.spans.items()}
        spans["stated_count"] = (s + counted.start(1), s + counted.end(1))
        spans["title"] = (s, e)
        issued = _issued_date(ndoc, NoticeFacts(), [(s, e)])
        record = ListRecord(id=f"{ndoc.doc.doc_id}#L{n + len(out) + 1}", doc_id=ndoc.doc.doc_id, title=None,
                            issuer=facts.issuer, date=issued[0] if issued else None, stated_count=size, year=facts.year,
                            batch=facts.batch, level=facts.level, program=facts.program, stage=facts.stage,
                            province=facts.province, place=facts.place)
        if issued:
            spans["date"] = (issued[1], issued[2])
        record.evidence = {k: _evidence(ndoc, v) for k, v in spans.items() if v[1] > v[0]}
        out.append(BuiltList(record, facts, [], spans))
    return out


def _prose_members(ndoc: NormalisedDocument, built: list[BuiltList], candidates: list) -> None:
    """An article reporting one list by its size (全省共有8个集群入选) and then writing about some of its
    members in paragraphs that refer to it (记者梳理入选名单发现，…遂宁市射洪市锂电正极材料产业集群…):
    those clusters are the list's members, unless their own clause names another level or program."""
    sized = [b for b in built if not b.members and b.record.stated_count]
    if len(sized) != 1 or any(b.members for b in built):
        return
    b = sized[0]
    text = ndoc.text
    after = max(e for _, e in b.spans.values())
    cue = re.compile(alternation(words("cues", "list_reference")))
    found = []
    for c in candidates:
        if c.start < after:
            continue
        ps, pe = text.rfind("\n", 0, c.start) + 1, text.find("\n", c.start)
        paragraph = text[ps:(len(text) if pe < 0 else pe)]
        if not cue.search(paragraph):
            continue
        clause = re.split(r"[；;。]", text[max(ps, text.rfind("。", 0, c.start) + 1):c.start])[-1] + text[c.end:c.end + 20].split("；")[0]
        own = read_facts(clause)
        if (own.level and own.level != b.record.level) or (own.program and own.program != b.record.program):
            continue  # 此前已入选国家级…集群: another list's member
        found.append(c)
    if not found or len(found) > b.record.stated_count:
        return
    b.members = found
    for pos, c in enumerate(found, 1):
        span = c.evidence if c.evidence[1] > c.evidence[0] else (c.start, c.end)
        b.record.members.append(ListMember(position=pos, name=c.name, regions=c.regions, industry=c.parsed.industry,
                                           evidence=_evidence(ndoc, span)))


def _covers(b: BuiltList, s: int, e: int) -> bool:
    return any(a <= s and e <= z for a, z in b.spans.values())


def _is_list(text: str, g: Group) -> bool:
    if len(g.members) >= 2:
        if g.kind == "items":
            return True
        s, e = _sentence_span(text, g.members[0].start)
        return bool(_RECOGNITION.search(text[s:e]))
    c = g.members[0]
    s, e = _sentence_span(text, c.start)
    return g.kind == "items" and bool(_LIST_NOUN.search(text[max(0, s - 200):e]))


def _mask_members(text: str, span: tuple[int, int], g: Group) -> str:
    """The sentence with the members' names blanked: their head nouns are no list facts."""
    s, e = span
    chars = list(text[s:e])
    for c in g.members:
        for i in range(max(c.start, s), min(c.end, e)):
            chars[i - s] = " "
    return "".join(chars)


def context_sentence(text: str, s: int, facts: Optional[Facts] = None) -> Optional[tuple[int, int]]:
    """For a list or a name inside the sentence starting at `s` (我省甲、乙等4个产业集群入选; 丙集群
    也位列其中), the sentence before it that names the list (国家发展改革委…公布2019年第一批66个
    国家级…集群名单): within three sentences."""
    for _ in range(4):
        if s <= 0:
            return None
        ps, pe = _sentence_span(text, s - 1)
        if _names_list(text[ps:pe]) and (facts is None or facts.compatible(read_facts(text[ps:pe]))):
            return ps, pe
        s = ps
    return None


def _from_descriptors(text: str, facts: Facts, g: Group, sources: list[tuple[int, int]]) -> None:
    """Facts stated elsewhere about the same list (2023年郑州市发展和改革委员会组织开展了首批市级…
    认定工作，确定了以上5个产业集群为…): a sentence reporting a recognition that agrees with the
    list on at least two of program, level, batch, year and size fills what is still missing."""
    if all(getattr(facts, f) is not None for f in ("issuer", "year", "batch", "level", "program")):
        return
    written = len(g.members)
    for m in _SENTENCE.finditer(text):
        s, e = m.span()
        if (s, e) in sources or any(s <= c.start < e for c in g.members) and g.kind == "sentence":
            continue
        sentence = m.group(0)
        if not (_RECOGNITION.search(sentence) or _PUBLISH.search(sentence)):
            continue
        f = read_facts(sentence, s)
        if not facts.compatible(f):
            continue
        agree = sum(getattr(facts, k) is not None and getattr(facts, k) == getattr(f, k)
                    for k in ("program", "level", "batch", "year"))
        counts = [_to_int(c.group(1)) for c in _COUNTED.finditer(sentence)]
        agree += written in counts
        if agree >= 2:
            facts.fill(f, only=("issuer", "year", "batch", "level", "program", "province", "place"))


def _issuer_from_notice(text: str, facts: Facts, notice: NoticeFacts, intro: Optional[tuple[int, int]]) -> None:
    """The signer issues the notice's lists when no other body is named for them; 我厅/我部 in the
    introducing sentence is the signer too."""
    signer = notice.signer
    if signer is None and notice.masthead is not None and notice.title is not None and notice.title.value.startswith("关于"):
        signer = notice.masthead  # a notice titled 关于… on a body's own site is that body's
    if signer is None:
        return
    if facts.issuer is None:
        facts.issuer = signer.value
        facts.spans["issuer"] = (signer.start, signer.end)
    elif len(signer.value) > len(facts.issuer) and same_body(signer.value, facts.issuer):
        facts.issuer = signer.value
        facts.spans["issuer"] = (signer.start, signer.end)


def _level_rules(facts: Facts) -> None:
    """A recommendation list is its recommender's list; a municipality's lists are provincial."""
    issuer_level = None
    if facts.issuer:
        bodies = find_bodies(facts.issuer)
        issuer_level = bodies[0].value if bodies else None
    if facts.stage == "recommended" and issuer_level:
        facts.level = issuer_level
    if facts.level is None and issuer_level:
        facts.level = issuer_level
    municipalities = words("levels", "municipalities")
    if facts.level == "municipal" and (facts.place in municipalities or facts.province in municipalities):
        facts.level = "provincial"


def _evidence(ndoc: NormalisedDocument, span: tuple[int, int]) -> Evidence:
    s, e = ndoc.span(*span)
    return Evidence(text=ndoc.doc.original[s:e], start=s, end=e)


def _record(ndoc: NormalisedDocument, n: int, g: Group, facts: Facts, notice: NoticeFacts,
            sources: list[tuple[int, int]], floor: int, ceiling: int) -> BuiltList:
    text = ndoc.text
    spans: dict[str, tuple[int, int]] = {k: v for k, v in facts.spans.items()}
    members = []
    for pos, c in enumerate(g.members, 1):
        span = c.evidence if c.evidence[1] > c.evidence[0] else (c.start, c.end)
        ev = _evidence(ndoc, span)
        members.append(ListMember(position=pos, name=c.name, regions=c.regions, industry=c.parsed.industry, evidence=ev))
    title = None
    if sources and g.kind == "items" and sources[0][1] - sources[0][0] <= TITLE_CHARS and not re.search(
            r"(?:它们|分别|主要|具体)?(?:是|为|如下|包括|有)[：:]?\s*$", text[sources[0][0]:sources[0][1]]):
        # a heading (一、第一批（5个）, 附件：…名单) titles the list; a lead-in (它们是：) does not
        s, e = sources[0]
        title = text[s:e]
        spans["title"] = sources[0]
    elif notice.title is not None:
        title = notice.title.value
        spans["title"] = (notice.title.start, notice.title.end)
    context = sources[-1] if g.kind == "sentence" and len(sources) >= 2 else None
    count = _stated_count(text, g.members, sources, facts, floor, ceiling, context)
    if count:
        spans["stated_count"] = (count[1], count[2])
    issued = _issued_date(ndoc, notice, sources)
    if issued:
        spans["date"] = (issued[1], issued[2])
        if facts.year is None and notice.signed is None:
            # a list published on a day the article dates (3月4日，…正式发布…名单) is of that year
            facts.year = int(issued[0][:4])
            spans["year"] = (issued[1], issued[2])
    record = ListRecord(
        id=f"{ndoc.doc.doc_id}#L{n}", doc_id=ndoc.doc.doc_id, title=title, issuer=facts.issuer,
        date=issued[0] if issued else None,
        doc_number=notice.doc_number.value if notice.doc_number else None,
        notice_period=_period(notice), validity=notice.validity.value if notice.validity else None,
        stated_count=count[0] if count else None, year=facts.year, batch=facts.batch, level=facts.level,
        program=facts.program, stage=facts.stage,
        province=facts.province or (_members_province(g) if not count or count[0] <= len(g.members) else None),
        place=facts.place, contact_phone=notice.phone.value if notice.phone else None,
        contact_office=notice.office.value if notice.office else None, members=members,
    )
    for name, stated in (("doc_number", notice.doc_number), ("notice_period", notice.period),
                         ("validity", notice.validity), ("contact_phone", notice.phone), ("contact_office", notice.office)):
        if stated is not None:
            spans[name] = (stated.start, stated.end)
    record.evidence = {k: _evidence(ndoc, v) for k, v in spans.items() if v[1] > v[0]}
    return BuiltList(record, facts, g.members, spans)


def _members_province(g: Group) -> Optional[str]:
    provinces = {c.parsed.province for c in g.members if c.parsed.province}
    return provinces.pop() if len(provinces) == 1 else None


def _period(notice: NoticeFacts) -> Optional[NoticePeriod]:
    if notice.period is None:
        return None
    start, end, length, text = notice.period.value
    return NoticePeriod(start=start, end=end, length=length, text=text)


def _issued_date(ndoc: NormalisedDocument, notice: NoticeFacts, sources: list[tuple[int, int]]):
    """The date the list was issued: the notice's signature date, else a day written in the
    sentence that reports the list (12月17日，…公布…名单), dated by the page."""
    if notice.signed is not None:
        return notice.signed.value, notice.signed.start, notice.signed.end
    text = ndoc.text
    page = ndoc.doc.date
    for s, e in sources:
        for d in find_dates(text[s:e]):
            if d.month and d.day:
                year = d.year or (int(page[:4]) if page else None)
                if year is None:
                    continue
                try:
                    when = date(year, d.month, d.day)
                except ValueError:
                    continue
                if page and d.year is None and when.isoformat() > page[:10]:
                    when = when.replace(year=year - 1)
                return when.isoformat(), s + d.start, s + d.end
    return None


def counts_in(text: str) -> list:
    return find_numbers(text)
