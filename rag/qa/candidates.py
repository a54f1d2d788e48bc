"""Typed answer candidates in retrieved sentences, ranked by how tightly the question's words
hold them.

For an answer type (count, amount, percent, date, body, place, docno …) every span of that type
in the candidate sentences is a candidate. A candidate scores by the coverage of its sentence
(how much of the question the sentence says) and by attraction: the question's words close to
it, on the side of it where the question has them (专精特新中小企业|846家 answers 专精特新中小企业
有多少家), nearer and rarer words counting more, words in another clause less.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

from ..core.numbers import find_date_ranges, find_dates, find_numbers
from ..core.places import find_places
from ..core.spans import find_bodies, find_docnos, find_offices, find_phones
from .frame import QuestionFrame
from .passages import Scorer, Unit, content_words

_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?\n]")
CLAUSE_DECAY = 0.5
WINDOW = 40


@dataclass
class Candidate:
    unit: Unit
    start: int  # offsets in unit.text
    end: int
    text: str  # the answer as it is shown
    kind: str
    value: object = None
    score: float = 0.0


_COUNT_UNITS = ("个", "家", "条", "项", "所", "座", "位", "名", "张", "架", "台", "辆", "件", "卡", "场", "批", "户", "处", "款", "种", "类")
_DURATION_UNITS = ("个工作日", "工作日", "天", "日", "年", "个月", "周")


def _numbers(text: str):
    return [n for n in find_numbers(text) if n.text and (n.text[0].isdigit() or n.unit or "分之" in n.text)]


def spans_of(kind: str, text: str, frame: QuestionFrame) -> list[tuple[int, int, str, object]]:
    """(start, end, answer text, value) of every span of the kind in text."""
    out: list[tuple[int, int, str, object]] = []
    if kind in ("count", "quantity"):
        want = frame.measure
        for n in _numbers(text):
            unit = n.unit.replace("余", "").replace("多", "")
            base = unit[-1:] if unit else ""
            if want and want not in _COUNT_UNITS:  # 多少万吨, 多少亩: that unit, at any scale
                if unit.endswith(want[-1]) and (len(want) == 1 or unit.endswith(want)) or unit.endswith(want):
                    out.append((n.start, n.end, n.text, n.value))
                continue
            if base in _COUNT_UNITS or unit in _COUNT_UNITS or (unit.startswith("万") and base in _COUNT_UNITS):
                if want and want != "个" and base != want:
                    continue  # 多少家 wants 家; 多少个 may be written with any measure (8.6万架)
                out.append((n.start, n.end, n.text, n.value))
    elif kind == "amount":
        for n in _numbers(text):
            if "元" in n.unit or n.unit in ("亿", "万亿", "万", "千亿", "百亿") or (n.unit.endswith(("亿", "万")) and "元" not in n.unit):
                out.append((n.start, n.end, n.text, n.value))
    elif kind == "percent":
        for n in _numbers(text):
            if n.is_percent or n.unit in ("成", "倍") or "分之" in n.text or re.fullmatch(r"\d+/\d+", n.text):
                out.append((n.start, n.end, n.text, n.value))
    elif kind in ("length", "validity"):
        for n in _numbers(text):
            if n.unit in _DURATION_UNITS and not re.match(r"(?:19|20)\d\d年", n.text):
                out.append((n.start, n.end, n.text, n.value))
    elif kind in ("date", "notice_end", "period"):
        for r in find_date_ranges(text):
            if kind == "notice_end":
                out.append((r.start, r.end, r.last.display(), r))
            else:
                out.append((r.start, r.end, r.display(), r))
        taken = [(a, b) for a, b, _, _ in out]
        for d in find_dates(text):
            if d.day and all(d.end <= a or d.start >= b for a, b in taken):
                out.append((d.start, d.end, d.display(), d))
    elif kind == "year":
        for d in find_dates(text):
            if d.year:
                out.append((d.start, d.start + 5, f"{d.year}年", d.year))
    elif kind == "body":
        for b in find_bodies(text):
            out.append((b.start, b.end, b.text, b.value))
    elif kind == "company":
        out += companies(text)
    elif kind == "person":
        out += persons(text)
    elif kind == "place":
        for s, e, p in find_places(text):
            out.append((s, e, text[s:e], p))
        for m in _REGION.finditer(text):  # 东部地区, 长三角: regions the gazetteer does not list
            out.append((m.start(), m.end(), m.group(0), None))
    elif kind == "docno":
        out += [(d.start, d.end, d.text, None) for d in find_docnos(text)]
    elif kind == "phone":
        out += [(p.start, p.end, p.text, None) for p in find_phones(text)]
    elif kind == "office":
        out += [(o.start, o.end, o.text, None) for o in find_offices(text)]
    return out


_REGION = re.compile(r"(?:东部|中部|西部|东北|华东|华南|华北|华中|西南|西北|长三角|珠三角|京津冀|成渝|粤港澳大湾区)(?:地区)?")
_ITEMS = r"((?:(?!等|为|以)[\u4e00-\u9fffA-Za-z“”、和及])+)"
_COMPANY = re.compile(
    r"以" + _ITEMS + r"(?:等)?(?:[\u4e00-\u9fff]{0,6}?(?:企业|公司))?为(?:龙头|领头|引领|核心|代表|主体|骨干)|"
    r"龙头企业(?:有|包括|为|是|如|：|:)" + _ITEMS + r"(?=等|，|,|。|；|$)|"
    + _ITEMS + r"(?:等\s*(?:\d+|[一二两三四五六七八九十]+)?\s*家?|(?:\d+|[一二两三四五六七八九十]+)家)(?:龙头|骨干|重点|领军)?(?:企业|公司)|"
    r"(?:促进机构|牵头单位|承办单位|运营主体|运营方)(?:为|是)" + _ITEMS + r"(?=，|,|。|；|$)"
)


def companies(text: str) -> list[tuple[int, int, str, object]]:
    """Companies a sentence names as a cluster's leaders (以甲、乙等龙头企业为核心, 以甲为龙头,
    甲、乙等4家企业入选…): the items, joined by 、."""
    out = []
    for m in _COMPANY.finditer(text):
        g = next(i for i in range(1, 5) if m.group(i))
        s, e = m.span(g)
        raw = text[s:e]
        parts = raw.split("、") if "、" in raw else re.split(r"(?<=[\u4e00-\u9fff]{2})(?:和|及|与)(?=[\u4e00-\u9fff]{2})", raw)
        if parts:  # 集成电路产业集群以华润微电子、SK海力士等: the first item starts after 以/由/包括
            parts[0] = re.split(r"以|由|包括|如|有|是", parts[0])[-1]
        items = [x for x in parts if len(x) >= 2 and "集群" not in x]
        if items:
            out.append((s, e, "、".join(items), None))
    return out


_TITLES = ("党组书记", "书记", "主任", "副主任", "院长", "局长", "副局长", "厅长", "副厅长", "部长", "市长", "副市长", "省长",
           "区长", "县长", "主席", "董事长", "总经理", "总裁", "处长", "负责人", "教授", "研究员", "所长", "司长", "专家")
_PERSON = re.compile(r"(?:" + "|".join(sorted(_TITLES, key=len, reverse=True)) + r")[、，]?([\u4e00-\u9fff]{2,3}?)"
                     r"(?=表示|介绍|指出|说|认为|称|强调|透露|提出|坦言|告诉)")


def persons(text: str) -> list[tuple[int, int, str, object]]:
    return [(m.start(1), m.end(1), m.group(1), None) for m in _PERSON.finditer(text)]


def attraction(text: str, start: int, end: int, left: list[str], right: list[str],
               rarity: Callable[[str], float]) -> float:
    """How strongly [start, end) of text is held by the question's words: those the question
    writes before its question word count when found before the span, those after it when found
    after it (either side, less); nearer, rarer and same-clause words count more."""
    score = 0.0
    for side, qwords in (("left", list(reversed(left))), ("right", right)):
        for rank, w in enumerate(qwords[:8]):
            weight = (2.0 if rank == 0 else 1.5 if rank == 1 else 1.0) * min(len(w), 4) / 2 * rarity(w)
            best = 0.0
            for m in re.finditer(re.escape(w), text):
                if m.end() <= start:
                    d, same_side, between = start - m.end(), side == "left", text[m.end():start]
                elif m.start() >= end:
                    d, same_side, between = m.start() - end, side == "right", text[end:m.start()]
                else:
                    continue
                if d > WINDOW:
                    continue
                crossed = len(_CLAUSE_BREAK.findall(between))
                # what the question counts may stand on either side of the number (有846家专精特新企业 /
                # 专精特新企业846家): words after the question word hold from both sides
                factor = 1.0 if same_side or side == "right" else 0.6
                best = max(best, factor * CLAUSE_DECAY ** crossed / (1 + d / 4))
            score += weight * best
    return score


def _in_clause(text: str, s: int, e: int, word: str) -> bool:
    a = max([m.end() for m in _CLAUSE_BREAK.finditer(text, 0, s)] or [0])
    m = _CLAUSE_BREAK.search(text, e)
    b = m.start() if m else len(text)
    return word in text[a:b]


def frame_words(question: str) -> tuple[list[str], list[str]]:
    """The question's content words before and after its question word."""
    m = re.search(r"多少|几|哪|什么|谁|何时|是否|是不是|有没有|吗", question)
    if not m:
        return content_words(question), []
    return content_words(question[:m.start()]), content_words(question[m.end():])


def best_candidates(kind: str, units: list[Unit], frame: QuestionFrame, scorer: Scorer,
                    part: Optional[str] = None, exclude: Callable[[Candidate], bool] = lambda c: False,
                    min_coverage: float = 0.0) -> list[Candidate]:
    """Candidates of the kind in the units, best first."""
    question = part or frame.folded
    left, right = frame_words(question)
    asked_numbers = {n.value for n in find_numbers(question) if n.unit}
    out: list[Candidate] = []
    for u in units:
        if u.score < min_coverage:
            continue
        for s, e, shown, value in spans_of(kind, u.text, frame):
            if kind in ("count", "quantity", "amount", "percent") and value in asked_numbers:
                continue  # 这13个集群 in the question is no answer
            c = Candidate(u, s, e, shown, kind, value)
            if exclude(c):
                continue
            if kind == "quantity" and frame.counted and not _in_clause(u.text, s, e, frame.counted):
                continue  # 多少家上市企业: a number of 企业 that are not 上市 is no answer
            c.score = u.score * 2.0 + attraction(u.text, s, e, left, right, scorer.rarity) * 0.25
            before = u.text[max(0, s - 10):s]
            if frame.cumulative and re.search(r"累计|总数|总量|达到|达|增至|增加到|至此|共有|共", before):
                c.score += 0.5  # a running total is written after 累计, 总数达到, 增至
            if re.search(r"[超逾近]$", before) and re.fullmatch(r"[一二两三四五六七八九十]成|.*分之.*", shown):
                c.score -= 0.5  # a rounded figure (超七成) yields to the exact one (72%)
            if kind == "place" and value is None:
                c.score -= 1.0  # a region word (西部) yields to a named place
            out.append(c)
    out.sort(key=lambda c: -c.score)
    return out
