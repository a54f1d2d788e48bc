"""Answer spans inside a sentence: organisations, people, list items, and how strongly a
candidate span is tied to the words of the question around its question word.

A sub-question splits at its question word into a left and a right context (郑州市已有 | 几个 |
国家级战略性新兴产业集群). A candidate in the sentence scores by the question words found near
it on the same side (left words before it, right words after it), the nearest ones — the
"frame" words right next to the question word — counting most.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Optional

from .classify import WH
from .evidence import STOP_TOKENS, _jieba
from ..core.places import find_places

ORG_CORES = (
    "发展和改革委员会|发展改革委|发改委|工业和信息化部|工业和信息化厅|工业和信息化局|工信部|工信厅|工信局|"
    "经济和信息化委员会|经济和信息化厅|经济和信息化局|经信委|经信厅|经信局|科学技术部|科学技术厅|科学技术局|科技部|科技厅|科技局|"
    "商务部|商务厅|商务局|财政部|财政厅|财政局|国资委|国有资产监督管理委员会|人民政府办公厅|人民政府|政府办公厅|政府|国务院|"
    "新闻办公室|新闻办|统计局|市场监督管理局|市场监管总局|中小企业局|农业农村部|农业农村厅|生态环境部|自然资源部|"
    "人力资源和社会保障部|教育部|交通运输部|文化和旅游部|卫生健康委|应急管理部|海关总署|税务总局|"
    "[\u4e00-\u9fa5]{2,10}?(?:委员会|管理委员会|办公室|办公厅|研究院|研究所|联合会|协会|产业处|发展处)"
)
_ORG = re.compile(rf"(?:国家|中央|省|市|县|区)?(?:{ORG_CORES})")
_PREFIX_CHARS = re.compile(r"[\u4e00-\u9fa5]{1,10}$")
_TITLE_WORDS = ("党组书记", "书记", "主任", "副主任", "院长", "局长", "厅长", "部长", "市长", "省长", "区长", "县长", "主席",
                "董事长", "总经理", "总裁", "处长", "负责人", "教授", "研究员", "所长", "司长", "专家")
_PERSON = re.compile(
    rf"(?:{'|'.join(sorted(_TITLE_WORDS, key=len, reverse=True))})[、，]?([\u4e00-\u9fa5]{{2,3}}?)"
    r"(?=表示|介绍|指出|说|认为|称|强调|透露|提出|坦言|告诉)"
)
_ITEM_SPLIT = re.compile(r"[、，,；;/]")
_ITEM_SPLIT_WORDS = re.compile(r"[、，,；;/]|(?<=[\u4e00-\u9fa5])(?:和|与|及|以及)(?=[\u4e00-\u9fa5])")
_COUNT_TAIL = re.compile(r"[\d一二两三四五六七八九十]+[个家条项所座](?:[\u4e00-\u9fa5]{0,4}(?:企业|公司|单位|机构|集群))?$")


def find_orgs(text: str) -> list[tuple[int, int, str]]:
    """Government bodies and organisations, with their place prefix when written
    (郑州市发展和改革委员会, 国家发展改革委, 省工业和信息化厅, 工信部)."""
    out = []
    for m in _ORG.finditer(text):
        s = m.start()
        # extend left over a written place (郑州市 / 河南省 / 西安市) right before the body;
        # a body matched as 市工业和信息化局 may be the tail of 西安市工业和信息化局
        own = 1 if m.group(0)[0] in "省市县区" else 0
        before = text[max(0, s - 12):s + own]
        for ps, pe, place in reversed(find_places(before)):
            if pe == len(before) and place.kind != "zone":
                s = s + own - len(before) + ps
                break
        else:
            if not own and before.endswith(("国家", "省", "市")):
                s -= 2 if before.endswith("国家") else 1
        name = text[s:m.end()]
        # a generic 委员会/办公室 match may start early (2023年郑州市发展和改革委员会): start at its place
        inner = [ps for ps, _, _ in find_places(name) if ps > 0]
        if inner:
            s += inner[0]
            name = text[s:m.end()]
        while name and name[0] in "年月日在由和与及的了是经据对向从将":
            s += 1
            name = name[1:]
        if len(name) < 2 or name in ("政府", "委员会", "办公室") or name.endswith("部门"):
            continue
        out.append((s, m.end(), name))
    return out


def find_persons(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(1), m.end(1), m.group(1)) for m in _PERSON.finditer(text)]


def split_items(text: str) -> list[tuple[int, int]]:
    """Spans of the members of a written list (万华化学、泰和新材等龙头企业 → 万华化学, 泰和新材)."""
    # the members end at 等 (…等龙头企业) or at a count (…4家企业)
    body_end = text.rfind("等") if "等" in text else len(text)
    m = _COUNT_TAIL.search(text[:body_end])
    if m and m.start() > 0:
        body_end = m.start()
    spans, start = [], 0
    # 和/与/及 join two items only when no 、 lists them (泰和新材 stays whole in 万华化学、泰和新材)
    splitter = _ITEM_SPLIT if "、" in text[:body_end] else _ITEM_SPLIT_WORDS
    for sep in splitter.finditer(text[:body_end]):
        spans.append((start, sep.start()))
        start = sep.end()
    spans.append((start, body_end))
    out = []
    for s, e in spans:
        while s < e and text[s] in " “”\"'《》（）()":
            s += 1
        while e > s and text[e - 1] in " “”\"'《》（）()等":
            e -= 1
        if e - s >= 2:
            out.append((s, e))
    return out


@dataclass
class Frame:
    left: list[str]  # content words before the question word, nearest last
    right: list[str]  # content words after it, nearest first
    wh: str

    @property
    def words(self) -> list[str]:
        return self.left + self.right


def frame(segment: str) -> Frame:
    """Split a sub-question at its (first) question word into content words on each side."""
    m = WH.search(segment)
    if not m:
        return Frame(content_words(segment), [], "")
    return Frame(content_words(segment[:m.start()]), content_words(segment[m.end():]), m.group(0))


def content_words(text: str) -> list[str]:
    words = []
    for tok in _jieba().lcut(text):
        if tok in STOP_TOKENS or not re.search(r"[\u3400-\u9fff0-9a-z]", tok):
            continue
        words.append(tok)
    return words


def attraction(text: str, start: int, end: int, fr: Frame, window: int = 40,
               rarity: Optional[Callable[[str], float]] = None) -> float:
    """How strongly the span [start, end) of text is tied to the question's frame words
    (nearer words and, with `rarity`, rarer words count more: 山东 over 战略性新兴产业)."""
    score = 0.0
    for side, words in (("left", list(reversed(fr.left))), ("right", fr.right)):
        for rank, w in enumerate(words[:6]):
            weight = (3.0 if rank == 0 else 1.5 if rank == 1 else 1.0) * min(len(w), 4) / 2
            if side == "left":
                weight *= LEFT_WEIGHT
            if rarity:
                weight *= rarity(w)
            best = 0.0
            for m in re.finditer(re.escape(w), text):
                if m.end() <= start:
                    d, same_side, between = start - m.end(), side == "left", text[m.end():start]
                elif m.start() >= end:
                    d, same_side, between = m.start() - end, side == "right", text[end:m.start()]
                else:
                    continue
                if d > window:
                    continue
                # a word in another clause (across ，；。) says less about this span
                crossed = len(_CLAUSE_BREAK.findall(between))
                best = max(best, (1.0 if same_side else 0.5) * CLAUSE_DECAY ** crossed / (1 + d / 4))
            score += weight * best
    return score


LEFT_WEIGHT = 1.0
CLAUSE_DECAY = 0.5
_CLAUSE_BREAK = re.compile(r"[，,；;。！？!?\n]")


# Verbs a question writes in full that a text often shortens (达到 → 达, 占比 → 占).
SHORT_FORMS = {"达到": "达", "超过": "超", "位居": "居", "居于": "居", "突破了": "突破", "占比": "占", "生产": "产"}


def said(word: str, text: str) -> bool:
    """The word, or its usual short form, is written in text."""
    return word in text or (word in SHORT_FORMS and SHORT_FORMS[word] in text)


def frame_support(text: str, fr: Frame, rarity: Optional[Callable[[str], float]] = None) -> bool:
    """At least one of the words right next to the question word occurs in text: a number
    next to 高新技术企业 does not answer 年营业收入是多少. With `rarity`, words common in the
    candidate sentences (产业) do not count (产业规模 is not answered by 一个产业园)."""
    near = [w for w in fr.left[-2:] + fr.right[:2] if rarity is None or rarity(w) >= 0.6]
    return not near or any(said(w, text) for w in near)


def embedded_in_question(text: str, start: int, end: int, question: str) -> bool:
    """True when the span sits inside a phrase the question writes without it: the text has
    第一批66个国家级 where the question has 第一批国家级, so 66 modifies the phrase and is no answer."""
    before, after = text[max(0, start - 4):start], text[end:end + 4]
    for a in range(len(before), 1, -1):
        for b in range(len(after), 1, -1):
            if before[-a:] + after[:b] in question:
                return True
    return False
