"""What a question asks and which filters it names.

`classify(question)` folds the question (Traditional → Simplified, pinyin readings out) and
returns a `Question`: its kind (list, count, who, when, where, numeric, yesno, docs, other),
its sub-questions, and the filters it names — places, level, program, batch, years, numbers,
quoted titles — so answers can be taken from the cluster table or from the right sentence.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..core.chinese import fold, t2s
from ..core.numbers import find_dates, find_numbers
from ..core.places import Place, find_places

_NUM = "一二两三四五六七八九十几"
WH = re.compile(
    rf"是否|是不是|有没有|能否|吗(?=[？?]?$)|何时|什么时候|什么时间|哪一?年|哪一?天|哪一?日|几月几日|"
    rf"哪[{_NUM}]?[个些家位篇份类座所条项批]?|谁|什么|多少|几[个家条项批类篇份座所]?"
)
_YESNO = re.compile(r"是否|是不是|有没有|能否|可否|吗[？?]?$")
_DOCS = re.compile(r"哪[几一两三]?篇|哪些文章|哪几份|哪份|哪些报道")
_WHEN = re.compile(r"何时|什么时候|什么时间|哪一?年|哪一?天|哪一?日|几月几日|几月|日期|哪个月")
_WHO = re.compile(r"谁|哪[个些家位]?(?:部门|单位|机构|企业|公司|龙头企业|组织|人)|哪家")
_WHERE = re.compile(
    r"哪里|哪儿|在哪(?:里|儿)|在哪[？?]?$|何地|何处|所在地|"
    rf"哪[{_NUM}]?[个些座]?(?:城市|省份|区县|县级市|地区|地方|区域|省区市|园区|(?:省|市|区|县)(?!级))"
)
_COUNT = re.compile(r"(?<!哪)(?:几|多少)(个|家|条|项|批|类|座|所|篇|份)|数量是多少|有多少")
_MEASURE = re.compile(r"(?<!哪)(?:几|多少)(个|家|条|项|批|类|座|所|篇|份|辆|件|人|名|位|种|款|套|台)([^，,。？?；;、（(]*)")
_NUMERIC = re.compile(r"多少|比重|比例|占比|百分之|增长|增速|产值|营收|收入|规模|达到|超过|几成")
_LIST = re.compile(rf"哪些|分别是|分别为|哪[{_NUM}]+个|包括哪|有哪|名单|什么名字|叫什么|哪几")
_CROSS = re.compile(r"这些文章|这几篇|各篇|所有文章|全部文章|文章中|一共提到|这些报道|各文章|合计")
_SUPERLATIVE = re.compile(r"最多|最大|最高|居首|第一多|最少|最小|最低")

LEVEL_PATTERNS = [
    ("national", re.compile(r"国家级|国家(?=先进|战略|中小|级|制造)|工信部|工业和信息化部|国家发展改革委|国家发改委|国家发展和改革委员会")),
    ("provincial", re.compile(r"省级|省(?:首批|第[一二三四五六七八九十\d]+批)|省工业和信息化厅|省工信厅|省发展改革委")),
    ("municipal", re.compile(r"市级|市(?:首批|第[一二三四五六七八九十\d]+批)")),
]
# Generic program names (kinds of cluster lists), folded; the table may add more.
PROGRAM_PATTERNS = [
    ("中小企业特色产业集群", re.compile(r"中小企业特色产业集群")),
    ("战略性新兴产业集群", re.compile(r"战略性新兴产业(?:产业)?集群|战新集群")),
    ("先进制造业集群", re.compile(r"先进制造业?集群")),
    ("支柱型雁阵集群", re.compile(r"支柱型雁阵集群|雁阵集群")),
    ("创新型产业集群", re.compile(r"创新型产业集群")),
    ("特色产业集群", re.compile(r"特色产业集群")),
]
# A province's own list: the province right before the list's name (河南省先进制造业集群公示名单).
_OWN_LIST = re.compile(r"(?:省|自治区)(?:\d{4}年度?)?(?:首批|第[一二三四五六七八九十\d]+批)?"
                       r"[\u4e00-\u9fa5]{0,10}?集群(?:培育|公示|认定|拟认定)?名单")
_BATCH = re.compile(r"首批|第([一二两三四五六七八九十\d]+)批")
_QUOTED = re.compile(r"《([^》]{2,60})》|“([^”]{2,40})”|\"([^\"]{2,40})\"")


@dataclass
class Question:
    text: str
    folded: str
    traditional: bool
    kind: str
    segments: list[str]
    places: list[Place] = field(default_factory=list)
    place_spans: list[tuple[int, int]] = field(default_factory=list)
    levels: list[str] = field(default_factory=list)
    programs: list[tuple[str, int, int]] = field(default_factory=list)  # name, start, end in folded
    batch: Optional[int] = None
    years: list[int] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)  # quantities written in the question: 45个, 66个
    quoted: list[str] = field(default_factory=list)
    cross_doc: bool = False
    superlative: Optional[str] = None  # "max" or "min"
    measure: Optional[str] = None  # the measure word a count asks for (个, 家, 条)
    counted: Optional[str] = None  # the noun after it: 多少家上市企业 → 上市

    @property
    def program_names(self) -> list[str]:
        return [p for p, _, _ in self.programs]


def is_traditional(text: str) -> bool:
    han = "".join(c for c in text if "\u3400" <= c <= "\u9fff")
    return bool(han) and t2s(han) != han


def question_kind(q: str) -> str:
    if _YESNO.search(q):
        return "yesno"
    if _DOCS.search(q):
        return "docs"
    if _WHEN.search(q):
        return "when"
    if _WHO.search(q):
        return "who"
    if _WHERE.search(q):
        return "where"
    if _COUNT.search(q) and not re.search(r"比重|比例|占比|百分之", q):
        return "count"
    if re.search(r"多少|(?<!哪)几", q) or (_NUMERIC.search(q) and not _LIST.search(q)):
        return "numeric"
    if _LIST.search(q) or re.search(r"哪[个一]|^(?:请)?(?:列出|列举|罗列)", q):
        return "list"
    return "other"


def split_segments(q: str) -> list[str]:
    """Sub-questions: split at ？；, then between two quantity questions joined by 和/及/、/，."""
    parts = [p for p in re.split(r"[？?；;]+", q) if p.strip()]
    out: list[str] = []
    for part in parts:
        hits = [m for m in re.finditer(r"多少|几", part)]
        if len(hits) < 2:
            out.append(part)
            continue
        last = 0
        for a, b in zip(hits, hits[1:]):
            gap = part[a.end():b.start()]
            cut = max((gap.rfind(s) for s in ("和", "及", "、", "，", ",")), default=-1)
            if cut < 0:
                continue
            pos = a.end() + cut
            out.append(part[last:pos])
            last = pos + 1
        out.append(part[last:])
    return [s.strip(" ，,") for s in out if s.strip(" ，,")]


def classify(question: str) -> Question:
    folded = fold(question)
    kind = question_kind(folded)
    q = Question(
        text=question, folded=folded, traditional=is_traditional(question), kind=kind,
        segments=split_segments(folded),
    )
    for s, e, place in find_places(folded):
        q.place_spans.append((s, e))
        if all(p.full != place.full for p in q.places):
            q.places.append(place)
    q.levels = [name for name, pat in LEVEL_PATTERNS if pat.search(folded)]
    if not q.levels and _OWN_LIST.search(folded):
        q.levels = ["provincial"]  # 湖南省…先进制造业集群培育名单: a province's own list
    taken: list[tuple[int, int]] = []
    for name, pat in PROGRAM_PATTERNS:
        for m in pat.finditer(folded):
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                q.programs.append((name, m.start(), m.end()))
                taken.append((m.start(), m.end()))
    b = _BATCH.search(folded)
    if b:
        q.batch = 1 if b.group(0) == "首批" else _batch_number(b.group(1))
    q.years = sorted({d.year for d in find_dates(folded) if d.year})
    q.numbers = [n.text for n in find_numbers(folded) if n.unit and n.text[0].isdigit()]
    q.quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(folded)]
    q.cross_doc = bool(_CROSS.search(folded))
    sup = _SUPERLATIVE.search(folded)
    if sup:
        q.superlative = "min" if sup.group(0) in ("最少", "最小", "最低") else "max"
    m = _MEASURE.search(folded)
    if m:
        q.measure = m.group(1)
        q.counted = counted_noun(folded)
    return q


@lru_cache(maxsize=1)
def jieba_module():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it prints "Building prefix dict..." otherwise
    jieba.initialize()
    return jieba


def counted_noun(text: str) -> Optional[str]:
    """First content word of what a count question counts (多少家上市企业 → 上市)."""
    m = _MEASURE.search(text)
    if not m:
        return None
    for tok in jieba_module().lcut(m.group(2)):
        if re.search(r"[\u4e00-\u9fff]", tok) and tok not in ("的", "了", "是", "在", "有", "呢", "吗"):
            return tok
    return None


def _batch_number(text: str) -> Optional[int]:
    from ..core.numbers import chinese_to_number

    if text.isdigit():
        return int(text)
    v = chinese_to_number(text)
    return int(v) if v else None


def wh_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the question words (哪些, 多少, 是否 …) in a folded question."""
    return [(m.start(), m.end()) for m in WH.finditer(text)]
