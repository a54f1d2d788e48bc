"""What an article says about the list a cluster is on: level, program, issuing body, year, batch.

A sentence that reports a recognition (名单, 认定, 公布, 入选, 公示 …) is a *descriptor*; its facts are
read from cue words: 国家级/省级/市级, 省首批, a ministry or department (工业和信息化部 → national,
…厅 → provincial, 市…局 → municipal), the program term (战略性新兴产业集群 …), 2023年(度), 首批/第二批.
A mention takes the facts of its own sentence first, then of the list's lead-in, then of the nearest
compatible descriptors elsewhere in the article.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date
from typing import Optional

from .places import gazetteer

PROGRAMS = re.compile(
    r"中小企业特色产业集群|县域特色产业集群|战略性新兴产业集群|先进制造业集群|先进制造集群|支柱型雁阵集群|雁阵集群|"
    r"创新型产业集群|特色产业集群"
)
_PROGRAM_NAME = {"先进制造集群": "先进制造业集群", "雁阵集群": "支柱型雁阵集群"}
# A sentence reporting a recognition act or a list.
ANCHOR = re.compile(
    r"名单|认定|公布|发布(?!会)|公示|遴选|评选|评定|入选|入围|跻身|列入|纳入|命名|确定|获批|获评|位列|评为|入列|上榜|榜单|"
    r"榜上有名|其中之一|其中就有|名列其中|位居其中|在列|(?:也|均|都|亦)在其中|授牌|组织开展|"
    r"是[^，。；,]{0,20}(?:首批|第.批)"
)
_NATIONAL_WORD = re.compile(r"国家级|国家(?=首批|第.批|先进制造|战略性|中小企业|创新型|级)|全国(?=首批|第.批)")
_PROVINCIAL_WORD = re.compile(r"自治区级|省级|(?:自治区|省)(?=首批|第.批)")
_MUNICIPAL_WORD = re.compile(r"市级|市(?=首批|第.批)")
_ORG = re.compile(
    r"(?:工业和信息化部|科学技术部|科技部)(?:中小企业局|火炬高技术产业开发中心|火炬中心)?|工信部|国家发展和改革委员会|"
    r"国家发展改革委|国家发改委|商务部|财政部|国务院(?:办公厅)?|"
    r"(?:自治区|[省市区县])?(?:工业和信息化厅|工业和信息化局|工业和信息化委员会|经济和信息化厅|经济和信息化局|经济和信息化委员会|"
    r"经信厅|经信局|经信委|工信厅|工信局|发展和改革委员会|发展改革委|发改委|科学技术厅|科学技术局|科技厅|科技局|"
    r"商务厅|商务局|中小企业发展促进中心|中小企业局|人民政府(?:办公厅)?)"
)
_NATIONAL_ORGS = ("工业和信息化部", "工信部", "国家发展和改革委员会", "国家发展改革委", "国家发改委", "科学技术部", "科技部",
                  "商务部", "财政部", "国务院")
# Forms of one body, for choosing the fullest written form.
_BODY_ALIASES = [
    ("工业和信息化部", "工信部"),
    ("国家发展和改革委员会", "国家发展改革委", "国家发改委"),
    ("科学技术部", "科技部"),
    ("科学技术部火炬高技术产业开发中心", "科技部火炬中心"),
]
_YEAR = re.compile(r"(?<![自从至到止])((?:19|20)\d{2})\s*年度?(?!\d{1,2}月\d{1,2}日)(?!以来|底|末|前|后|初|上半年|下半年)")
_DAY = re.compile(r"(?<![年\d])(\d{1,2})月(\d{1,2})日")
_BATCH = re.compile(r"首批|第一批|第([\d二三四五六七八九十]+)批")
_EARLIER_LIST = re.compile(r"继[^，。；,]*?(?:之后|以后|后)[，,]?")
# Titles of documents are not list facts (《…集群竞赛评价办法》), unless they are the list's title.
_BOOK_TITLE = re.compile(r"《(?![^》]*(?:名单|认定|公布))[^》]*》")
_CN_DIGITS = {"二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass
class ListFacts:
    level: Optional[str] = None
    program: Optional[str] = None
    recognised_by: Optional[str] = None
    year: Optional[int] = None
    batch: Optional[int] = None
    province: Optional[str] = None  # the province whose own list it is

    def compatible(self, other: "ListFacts") -> bool:
        for name in ("level", "program", "year", "batch"):
            a, b = getattr(self, name), getattr(other, name)
            if a is not None and b is not None and a != b:
                return False
        return True

    def fill(self, other: "ListFacts") -> None:
        for f in fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if mine is None and theirs is not None:
                setattr(self, f.name, theirs)
            elif f.name == "recognised_by" and mine and theirs and _same_body(mine, theirs) and len(theirs) > len(mine):
                self.recognised_by = theirs  # the fullest written form of the same body

    def informative(self) -> int:
        return sum(getattr(self, f.name) is not None for f in fields(self))


def _same_body(a: str, b: str) -> bool:
    if a.endswith(b) or b.endswith(a):
        return True
    return any(a.endswith(x) and b.endswith(y) for group in _BODY_ALIASES for x in group for y in group)


def _place_before(text: str, end: int) -> Optional[str]:
    """The province, city or county written right before an organisation name (河南省工业和信息化厅)."""
    g = gazetteer()
    for length in range(min(8, end), 1, -1):
        piece = text[end - length:end]
        if g.province(piece) or piece in g.cities or (piece in g.counties and len(piece) >= 3):
            return piece
    return None


def _bodies(text: str) -> list[tuple[int, str, Optional[str]]]:
    """(position, body as written, level) for each issuing body in text."""
    g = gazetteer()
    out = []
    for m in _ORG.finditer(text):
        org = m.group(0)
        place = full_place = _place_before(text, m.start())
        own = "自治区" if org.startswith("自治区") else org[0] if org[0] in "省市区县" else ""
        if own:  # 广西壮族自治区工业和信息化厅, 内蒙古自治区…: the 自治区 / 区 belongs to the place
            with_suffix = _place_before(text, m.start() + len(own))
            if with_suffix and len(with_suffix) > len(own):
                place, full_place = with_suffix[:-len(own)], with_suffix
        body = (place or "") + org
        start = m.start() - len(place or "")
        if org.startswith(_NATIONAL_ORGS):
            level = "national"
        elif org.startswith(("省", "自治区")) or org.endswith("厅") or (full_place and g.province(full_place)):
            level = "provincial"  # a municipality's own bodies (重庆市…) rank as provincial
        elif org.startswith(("市", "区", "县")) or (full_place and (full_place in g.cities or full_place in g.counties)):
            level = "municipal"
        else:
            continue  # 发展改革委 with no place: whose?
        out.append((start, body, level))
    return out


_SPEECH = re.compile(r"表示|介绍|指出|说(?!明)|称(?!号)|透露|强调|认为|解读|坦言|告诉|回应|获悉|了解到|转发|转载|推荐")
_PUBLISH = re.compile(r"公布|发布(?!会)|公示|认定|印发|确定|命名|评定|遴选")
_EXPLICIT_LEVEL = re.compile(_NATIONAL_WORD.pattern + "|" + _PROVINCIAL_WORD.pattern + "|" + _MUNICIPAL_WORD.pattern)


def _publishes(text: str, end: int) -> bool:
    """The body at `end` is the subject of the act that issues the list (工信部近日公布…)."""
    m = _PUBLISH.search(text, end, end + 8)
    return bool(m and not re.search(r"[，,。；;：:]", text[end:m.start()]))


def _speaks(text: str, end: int) -> bool:
    """The body at `end` is the subject of a speech or relay verb (…厅相关负责人表示, 记者从…获悉),
    not of the recognition act."""
    clause = re.split(r"[，,。；;：:！？!?\n]", text[end:end + 16], maxsplit=1)[0]
    m = _SPEECH.search(clause)
    return bool(m and not ANCHOR.search(clause[:m.start()]))


def _ends_place(text: str, end: int) -> bool:
    """重庆市第三批: the 市 ends a place name; it is no level word of its own."""
    g = gazetteer()
    return any(g.province(text[end - k:end]) or text[end - k:end] in g.cities for k in range(3, 6) if end - k >= 0)


def _level_words(text: str) -> list[tuple[int, str]]:
    """Level cues in text order: the words (国家级, 省级, 市首批 …) first, then places' own lists."""
    g = gazetteer()
    found = [(m.start(), "national") for m in _NATIONAL_WORD.finditer(text)]
    found += [(m.start(), "provincial") for m in _PROVINCIAL_WORD.finditer(text)]
    found += [(m.start(), "municipal") for m in _MUNICIPAL_WORD.finditer(text)
              if text[max(0, m.start() - 1):m.start()] not in ("城", "都") and not _ends_place(text, m.start() + 1)]
    # A named province's or city's own list: 河南省先进制造业集群名单, 山东省首批…, 西安市首批…
    places = []
    for m in re.finditer(r"([\u4e00-\u9fff]{2,5}?)(?=首批|第.批|" + PROGRAMS.pattern + ")", text):
        piece = m.group(1)
        for k in range(len(piece) - 1):
            place = piece[k:]
            if g.province(place):  # municipalities (重庆市) included: their lists are provincial
                places.append((m.start() + k, "provincial"))
                break
            if place in g.cities and place.endswith("市"):
                places.append((m.start() + k, "municipal"))
                break
    return sorted(found) + sorted(places)


def read_facts(text: str, doc_date: Optional[str] = None) -> ListFacts:
    """The list facts stated in one sentence, clause or header."""
    text = _EARLIER_LIST.sub("", _BOOK_TITLE.sub("", text))
    facts = ListFacts()
    words = _level_words(text)
    bodies = _bodies(text)
    explicit = [w for w in words if _EXPLICIT_LEVEL.match(text, w[0])]
    issuing = [b for b in bodies if not _speaks(text, b[0] + len(b[1]))]
    publisher = next((b for b in issuing if _publishes(text, b[0] + len(b[1]))), None)
    if explicit:
        facts.level = explicit[0][1]
    elif publisher:  # 工信部公布…名单，浙江省中小企业特色产业集群入选…: the publisher's list, not the province's
        facts.level = publisher[2]
    elif words:
        facts.level = words[0][1]
    else:
        facts.level = issuing[0][2] if issuing else None
    program = PROGRAMS.search(text)
    if program:
        facts.program = _PROGRAM_NAME.get(program.group(0), program.group(0))
    bodies = [b for b in bodies if facts.level is None or b[2] == facts.level]  # 记者从市…局获悉 is no issuer of a provincial list
    issuers = [b for b in bodies if not _speaks(text, b[0] + len(b[1]))]
    if issuers or not words:
        # A body that only comments on or relays a list (省经信厅相关负责人表示…) issued none of it;
        # it counts only when the sentence itself names its own level (…获悉，我省新认定20个省级集群).
        bodies = issuers
    if bodies:
        anchor = ANCHOR.search(text)
        before = [b for b in bodies if anchor is None or b[0] < anchor.start()] or bodies
        facts.recognised_by = before[-1][1]
        for _, body, _ in bodies:
            if _same_body(body, facts.recognised_by) and len(body) > len(facts.recognised_by):
                facts.recognised_by = body
    facts.year = _list_year(text, doc_date)
    batches = list(_BATCH.finditer(text))
    if batches:
        n = batches[-1].group(1)
        facts.batch = 1 if n is None else int(n) if n.isdigit() else _CN_DIGITS.get(n)
    if facts.level == "provincial":
        for pos, body, level in bodies:
            province = _province_in(body)
            if province:
                facts.province = province
                break
        if not facts.province:
            for pos, level in words:
                province = _province_in(text[pos:pos + 5])
                if level == "provincial" and province:
                    facts.province = province
                    break
    return facts


def _province_in(text: str) -> Optional[str]:
    g = gazetteer()
    for length in (5, 4, 3, 2):
        p = g.province(text[:length])
        if p:
            return p
    return None


def _list_year(text: str, doc_date: Optional[str]) -> Optional[int]:
    """A year written for the list (2023年…名单, 2023年…认定); else the dateline's year for a
    recognition act dated by day (12月26日…发布) when the article appeared within a month of it."""
    for clause_start, clause in _clauses(text):
        for m in _YEAR.finditer(clause):
            if ANCHOR.search(clause) or PROGRAMS.search(clause) or _next_clause_anchored(text, clause_start + len(clause)):
                return int(m.group(1))
    if doc_date:
        m = _DAY.search(text)
        if m and ANCHOR.search(text):
            try:
                published = date.fromisoformat(doc_date[:10])
                event = date(published.year, int(m.group(1)), int(m.group(2)))
                if event > published:
                    event = event.replace(year=published.year - 1)
                if (published - event).days <= 31:
                    return event.year
            except ValueError:
                return None
    return None


def _clauses(text: str):
    pos = 0
    for part in re.split(r"([，,。；;！？!?\n])", text):
        if part and part not in "，,。；;！？!?\n":
            yield pos, part
        pos += len(part)


def _next_clause_anchored(text: str, end: int) -> bool:
    """A year standing alone as an adverbial (2019年，国家发展改革委公布…) dates the next clause."""
    rest = text[end:end + 1]
    if rest not in ("，", ","):
        return False
    nxt = re.split(r"[，,。；;！？!?\n]", text[end + 1:], maxsplit=1)[0]
    return bool(ANCHOR.search(nxt) or PROGRAMS.search(nxt))


def is_descriptor(sentence: str) -> bool:
    return bool(ANCHOR.search(_BOOK_TITLE.sub("", sentence)))


_TARGET_MARKER = re.compile(r"力争|争取|目标|计划|预计|规划|到20\d\d年|至20\d\d年|将要?|拟|再|新增")
_CREATION = re.compile(r"(?:培育|打造|创建|建成|建设|形成|争创|创成|晋级|迈向|冲刺|新增)(?!了)")


def is_target(sentence_before_mention: str) -> bool:
    """力争创建甲、乙等10个国家级产业集群: clusters that do not exist yet."""
    marker = _TARGET_MARKER.search(sentence_before_mention)
    return bool(marker and _CREATION.search(sentence_before_mention, marker.start()))
