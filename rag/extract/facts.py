"""The facts a piece of text states about a list: level, program, issuing body, year, batch, stage
and the place whose list it is. Read from a list's heading, its introducing sentence, the
notice's title or one sentence, with the lexicon's words (rag/data/lexicon.toml).

Every fact keeps the span it was read from (offsets into the text given, plus `base`), so a
list record can cite where each of its fields is stated.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Optional

from ..core.lexicon import alternation, canonical_program, program_variants, words
from ..core.places import find_places
from ..core.spans import find_bodies, find_docnos, same_body

FACT_FIELDS = ("level", "program", "issuer", "year", "batch", "stage", "province", "place")


@dataclass
class Facts:
    level: Optional[str] = None
    program: Optional[str] = None
    issuer: Optional[str] = None
    year: Optional[int] = None
    batch: Optional[int] = None
    stage: Optional[str] = None
    province: Optional[str] = None  # the province whose list it is (or that the list is limited to)
    place: Optional[str] = None  # the place that owns the list: 湖北省, 苏州市
    spans: dict[str, tuple[int, int]] = field(default_factory=dict)

    def fill(self, other: "Facts", only: tuple[str, ...] = FACT_FIELDS) -> None:
        """Take the other's facts where this has none (an issuer's fuller written form too)."""
        for name in only:
            mine, theirs = getattr(self, name), getattr(other, name)
            if mine is None and theirs is not None:
                setattr(self, name, theirs)
                if name in other.spans:
                    self.spans[name] = other.spans[name]
            elif name == "issuer" and mine and theirs and same_body(mine, theirs) and len(theirs) > len(mine):
                self.issuer = theirs
                if name in other.spans:
                    self.spans[name] = other.spans[name]

    def compatible(self, other: "Facts") -> bool:
        for name in ("level", "program", "year", "batch"):
            a, b = getattr(self, name), getattr(other, name)
            if a is not None and b is not None and a != b:
                return False
        return True

    def informative(self) -> int:
        return sum(getattr(self, f.name) is not None for f in fields(self) if f.name != "spans")


_YEAR = re.compile(r"(?<![自从至到止\d])((?:19|20)\d{2})\s*年(度)?(?!\s*\d{1,2}\s*月)(?!以来|底|末|前|后|初|上半年|下半年|起|内)")
_BATCH = re.compile(r"首批|第([一二三四五六七八九十\d]+)批")
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# A program written as a type: 重点成长型产业集群, “雁阵形”产业集群, 创新型产业集群.
_TYPED_PROGRAM = re.compile(r"([型形])[”\"]?(" + alternation(words("heads", "program_heads")) + ")")
_LEAD = alternation(words("levels", "national") + words("levels", "provincial") + words("levels", "municipal")
                    + ["首批", "新一批", "年度", "度"])
_LEAD_WORDS = re.compile("^(?:" + _LEAD + ")+")
# What may stand between a place and the list it owns: years, level and batch words, quotes.
_OWNER_GAP = re.compile(r"(?:\d{4}年度?|" + _LEAD + r"|第.批|[“”\"级]|拟认定|拟推荐|拟|公示)*")


def _programs(text: str) -> list[tuple[int, int, str]]:
    """Programs written in text: (start, end, canonical name), left to right, not overlapping."""
    found: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    for variant, canon in program_variants():
        for m in re.finditer(re.escape(variant), text):
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                found.append((m.start(), m.end(), canon))
                taken.append(m.span())
    for m in _TYPED_PROGRAM.finditer(text):
        if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
            continue
        kind = _type_word(text, m.start(1))
        if len(kind) >= 3 and kind[:-1] not in _NOT_TYPES:
            found.append((m.start(1) - len(kind) + 1, m.end(), canonical_program(kind + "产业集群")))
            taken.append(m.span())
    return sorted(found)


_NOT_TYPES = {"类", "新", "大", "小", "中", "重", "轻", "外向", "综合", "各类", "成"}
_TYPE_BREAK = re.compile(_LEAD + "|" + alternation(words("cues", "recognition")) + r"|[^\u4e00-\u9fff]|的|之|个|年|批|这|该|本")


def _type_word(text: str, at: int) -> str:
    """The type word ending at text[at] (型/形): 重点成长型 in 获评省级重点成长型产业集群 — the
    characters after the last place, level word, recognition cue or punctuation before it."""
    window_start = max(0, at - 8)
    window = text[window_start:at]
    cut = 0
    for s, e, p in find_places(window):
        cut = max(cut, e)
    for m in _TYPE_BREAK.finditer(window):
        cut = max(cut, m.end())
    return window[cut:] + text[at]


def _strip_places(kind: str) -> str:
    """省重点成长型 → 重点成长型: places and level words before the type are not part of it."""
    changed = True
    while changed:
        changed = False
        places = [p for s, e, p in find_places(kind) if s == 0 and e < len(kind)]
        if places:
            kind = kind[[e for s, e, p in find_places(kind) if s == 0][0]:]
            changed = True
        m = _LEAD_WORDS.match(kind)
        if m and m.end() < len(kind):
            kind = kind[m.end():]
            changed = True
    return kind


def _level_words(text: str) -> list[tuple[int, int, str]]:
    out = []
    for level in ("national", "provincial", "municipal"):
        # the one-character forms (省, 市) count only before a batch or level marker: 省首批, 市级
        strong = [w for w in words("levels", level) if len(w) > 1]
        for m in re.finditer(alternation(strong), text):
            if level == "national" and m.group(0) in ("国家", "全国"):
                nxt = text[m.end():m.end() + 14]
                if not (re.match(r"级|首批|第.批", nxt) or any(nxt.startswith(v) for v, _ in program_variants())):
                    continue
            out.append((m.start(), m.end(), level))
        for w in (w for w in words("levels", level) if len(w) == 1):
            for m in re.finditer(re.escape(w) + r"(?=首批|第.批)", text):
                out.append((m.start(), m.end(), level))
    return sorted(out)


def _speaks(text: str, end: int) -> bool:
    """The body ending at `end` only comments on or relays a list (…厅相关负责人表示)."""
    clause = re.split(r"[，,。；;：:！？!?\n]", text[end:end + 16], maxsplit=1)[0]
    return re.search(alternation(words("cues", "speech")), clause) is not None and not re.search(
        alternation(words("cues", "publish")), clause[:3])


# 继2022年度首批名单之后: an earlier list the sentence compares with, not this list's facts.
_EARLIER = re.compile(r"(?:继|在)[^，。；,]{0,30}?(?:之后|以后|后)[，,]?")


# Titles of other documents are not list facts (《…关于印发…办法的通知》), unless they are the list's.
_OTHER_TITLE = re.compile(r"《(?![^》]*(?:名单|名录|认定|公布))[^》]*》")
# A recognition act dated by month (2022年11月，工业和信息化部公布…) gives the list's year.
_YEAR_MONTH = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月")


def _blank(m: re.Match) -> str:
    return " " * len(m.group(0))


@lru_cache(maxsize=1)
def _basis() -> re.Pattern:
    """A basis clause that names no list of its own: from its cue to the clause's end."""
    return re.compile(r"(?:(?<=^)|(?<=[，,。；;：:\s]))(?:并|同时|为)?(?:" + alternation(words("cues", "basis"))
                      + r")(?![^，,。；;]*(?:名单|名录))[^，,。；;]*")


def _figure_year(text: str, end: int) -> bool:
    """2023年营业收入…, 2023年实现产值…: the year of a figure, not of a list."""
    return re.match(r"[，,]?(?:全年|共|合计|累计|分别|均|总共)?(?:" + alternation(words("cues", "figure_nouns")) + ")",
                    text[end:end + 10]) is not None


def read_facts(text: str, base: int = 0) -> Facts:
    """The list facts stated in one heading, title or sentence."""
    text = _OTHER_TITLE.sub(_blank, _EARLIER.sub(_blank, text))
    text = _basis().sub(_blank, text)
    for d in find_docnos(text):  # 工信部企业〔2022〕119号 names no issuer of this list
        text = text[:d.start] + " " * (d.end - d.start) + text[d.end:]
    facts = Facts()
    programs = _programs(text)
    if programs:
        s, e, name = programs[0]
        facts.program, facts.spans["program"] = name, (base + s, base + e)
    levels = _level_words(text)
    all_bodies = find_bodies(text)
    bodies = [b for b in all_bodies if not _speaks(text, b.end)]
    issuer = _issuer(text, bodies)
    if issuer is None and levels:
        # 记者从省工业和信息化厅获悉，我省新认定20个省级…: a source body counts when the sentence
        # states a list of its own level
        issuer = next((b for b in all_bodies if b.value == levels[0][2]), None)
    if issuer is not None:
        facts.issuer, facts.spans["issuer"] = issuer.text, (base + issuer.start, base + issuer.end)
        for other in all_bodies:
            if same_body(other.text, issuer.text) and len(other.text) > len(facts.issuer):
                facts.issuer = other.text
    owner = _owner_place(text, programs)
    if levels:  # a level word says it outright
        s, e, level = levels[0]
        facts.level, facts.spans["level"] = level, (base + s, base + e)
    elif issuer is not None and issuer.value:  # else the issuing body's level
        facts.level, facts.spans["level"] = issuer.value, (base + issuer.start, base + issuer.end)
    if owner is not None:
        s, e, place = owner
        facts.place = place.full
        facts.province = place.province
        if facts.level is None:
            level = _place_level(place)
            facts.level, facts.spans["level"] = level, (base + s, base + e)
    if facts.province is None and issuer is not None:
        for s, e, p in find_places(issuer.text):
            if p.province:
                facts.province = p.province
                break
    years = [m for m in _YEAR.finditer(text) if not _figure_year(text, m.end())]
    if not years and (programs or re.search(alternation(words("cues", "list_nouns")), text)):
        years = [m for m in _YEAR_MONTH.finditer(text)]
    if years:
        m = years[0]
        facts.year, facts.spans["year"] = int(m.group(1)), (base + m.start(1), base + m.end(1) + 1)
    batch = _BATCH.search(text)
    if batch:
        n = batch.group(1)
        value = 1 if n is None else int(n) if n.isdigit() else _CN_DIGITS.get(n)
        if value:
            facts.batch, facts.spans["batch"] = value, (base + batch.start(), base + batch.end())
    stage = _stage(_program_clause(text, programs))
    if stage:
        facts.stage, (s, e) = stage
        facts.spans["stage"] = (base + s, base + e)
    return facts


def _program_clause(text: str, programs: list[tuple[int, int, str]]) -> str:
    """The clause that names the list's program (the act in it is the list's stage); the whole
    text when it names none. Other clauses tell how the list came about (在各地推荐的基础上)."""
    if not programs:
        return text
    s = programs[0][0]
    starts = [m.end() for m in re.finditer(r"[，,。；;：:]", text[:s])]
    m = re.search(r"[，,。；;]", text[s:])
    return text[starts[-1] if starts else 0: s + m.start() if m else len(text)]


def _issuer(text: str, bodies: list):
    """The body that issues the list: the one whose list it is (工业和信息化部2023年度…名单), else
    the subject of a publishing act (…厅公布, …关于), else the first one named."""
    # 拟向工业和信息化部推荐的…名单, 报省工业和信息化厅: the body a list goes to does not issue it
    bodies = [b for b in bodies if not re.search(r"(?:向|报|报送|上报|提交|呈报)$", text[max(0, b.start - 2):b.start])]
    if not bodies:
        return None
    list_noun = re.compile(alternation(words("cues", "list_nouns")))
    for b in bodies:
        m = list_noun.search(text, b.end, b.end + 24)
        if m and not re.search(r"[，,。；;：:]", text[b.end:m.start()]) and not re.search(
                alternation(words("cues", "publish") + words("stages", "recommended")), text[b.end:m.start()]):
            return b
    publish = re.compile(alternation(words("cues", "publish")) + "|关于")
    for b in bodies:
        m = publish.search(text, b.end, b.end + 10)
        if m and not re.search(r"[，,。；;]", text[b.end:m.start()]):
            return b
    return bodies[0]


def _place_level(place) -> str:
    if place.kind == "province" or place.full in words("levels", "municipalities"):
        return "provincial"
    return "municipal"


def _owner_place(text: str, programs: list[tuple[int, int, str]]):
    """The place whose own list the text names: the place right before the program or list noun
    (2024年度广东省中小企业特色产业集群, 苏州市级…, 湖南省第二批…)."""
    anchors = [s for s, _, _ in programs] + [m.start() for m in re.finditer(alternation(words("cues", "list_nouns")), text)]
    if not anchors:
        return None
    places = [(s, e, p) for s, e, p in find_places(text) if p.kind in ("province", "city", "county", "zone")]
    best = None
    for s, e, p in places:
        for a in anchors:
            gap = text[e:a]
            if 0 <= a - e <= 14 and _OWNER_GAP.fullmatch(gap):
                if best is None or e > best[1]:
                    best = (s, e, p)
    return best


def _stage(text: str) -> Optional[tuple[str, tuple[int, int]]]:
    """What the list is. A proposal or recommendation word (拟认定, 拟推荐, 推荐) anywhere decides;
    else a recognition word (认定, 公布, 入选); a notice word (公示) alone means a proposed list."""
    for keys in (("candidate",), ("proposed", "recommended"), ("recognised",), ("notice",)):
        found = []
        for key in keys:
            for m in re.finditer(alternation(words("stages", key)), text):
                found.append((m.start(), -(m.end() - m.start()), m.end(), key))
        if found:
            s, _, e, key = min(found)
            return ("proposed" if key == "notice" else key), (s, e)
    return None
