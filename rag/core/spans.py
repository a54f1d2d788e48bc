"""Typed span recognisers over normalised text: document numbers, 《titles》, issuing bodies,
offices, phone numbers and ordinals. (Numbers, dates and periods: rag/core/numbers.py; places:
rag/core/places.py.) Each returns `Span`s in text order with [start, end) offsets into the text
it was given, so callers map them to the original themselves.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .lexicon import alternation, body_aliases, body_cores, words
from .numbers import chinese_to_number
from .places import find_places, same_place


@dataclass
class Span:
    start: int
    end: int
    text: str
    kind: str  # docno, title, body, office, phone, ordinal
    value: object = None  # body: its level; ordinal: the 1-based position (-1 = last)


# --- document numbers: 粤工信融资函〔2024〕27号, 渝经信发[2024]41号, 川发改高技（2023）588号 --------------

_BRACKETS = "〔﹝[【（(［"
_CLOSERS = "〕﹞]】）)］"
_DOCNO = re.compile(
    r"([\u4e00-\u9fff]{0,14})\s*[" + re.escape(_BRACKETS) + r"]\s*((?:19|20)\d{2})\s*[" + re.escape(_CLOSERS)
    + r"]\s*(\d{1,5})\s*号"
)
# Words that may stand right before a document number without being part of its issuer code.
_DOCNO_LEAD = re.compile(r"^.*?(?:根据|按照|依据|依照|参照|印发|转发|文号为|文号是|文号|字号|即|见|为|的|和|及|与|以)")


def find_docnos(text: str) -> list[Span]:
    out = []
    for m in _DOCNO.finditer(text):
        code = m.group(1)
        lead = _DOCNO_LEAD.match(code)
        if lead:
            code = code[lead.end():]
        start = m.end(1) - len(code) if code else m.start(0) + (m.group(0).find(m.group(0).lstrip()[0]))
        if not code:
            start = m.start(0) + len(m.group(1))
        out.append(Span(start, m.end(), text[start:m.end()], "docno"))
    return out


# --- titles ------------------------------------------------------------------------------------------

_TITLE = re.compile(r"《([^《》\n]{2,80})》")


def find_titles(text: str) -> list[Span]:
    return [Span(m.start(), m.end(), m.group(0), "title", m.group(1)) for m in _TITLE.finditer(text)]


# --- phone numbers ---------------------------------------------------------------------------------------

_PHONE = re.compile(r"(?<![\d-])(?:(?:0\d{2,3})[-－ ]?)?\d{7,8}(?:[-－]\d{1,5})?(?![\d])|(?<!\d)1[3-9]\d{9}(?!\d)")


def find_phones(text: str) -> list[Span]:
    out = []
    for m in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < 7 or re.fullmatch(r"(?:19|20)\d{2}\d{0,4}", digits):
            continue  # a year or a date written as digits
        out.append(Span(m.start(), m.end(), m.group(0), "phone"))
    return out


# --- issuing bodies and offices --------------------------------------------------------------------------

_BODY = re.compile(r"(?:国家|省|市|区|县|自治区)?(?:" + alternation(c for c, _ in body_cores()) + ")(?!门)")
_LEVEL_OF = dict(body_cores())


def find_bodies(text: str) -> list[Span]:
    """Bodies with the place written before them (广东省工业和信息化厅, 重庆市经济和信息化委员会,
    工业和信息化部, 省工信厅). `value` is the body's level: national, provincial, municipal or None."""
    out = []
    for m in _BODY.finditer(text):
        if re.search(r"(?:各|各设区|各地|有关|相关|所在|当地)(?:市|县|区|省)?$", text[max(0, m.start() - 4):m.start()]):
            continue  # 各设区市工业和信息化局: every such body, not one issuer
        core = m.group(0)
        own = ""
        for prefix in ("自治区", "国家", "省", "市", "区", "县"):
            if core.startswith(prefix) and core[len(prefix):] in _LEVEL_OF:
                own, core = prefix, core[len(prefix):]
                break
        start = m.start()
        level = _LEVEL_OF.get(core) or None
        place = _place_before(text, start + len(own))
        if place is not None:
            p_start, p = place
            start = p_start
            if p.kind == "province":
                level = "provincial" if level != "national" else level
            elif p.kind == "city" and p.full in words("levels", "municipalities"):
                level = "provincial"
            elif p.kind in ("city", "county", "zone"):
                level = "municipal" if level != "national" else level
        elif own in ("省", "自治区"):
            level = "provincial"
        elif own in ("市", "区", "县"):
            level = "municipal"
        elif own == "国家":
            level = "national"
        name = text[start:m.end()]
        out.append(Span(start, m.end(), name, "body", level))
    return out


def _place_before(text: str, end: int) -> Optional[tuple[int, object]]:
    """A province, city or county written right before `end` (河南省|工业和信息化厅)."""
    window_start = max(0, end - 12)
    found = [(s, e, p) for s, e, p in find_places(text[window_start:end]) if e == end - window_start]
    if not found:
        return None
    s, _, p = found[0]
    # a province written before its city (江苏省苏州市工业和信息化局): start at the province
    earlier = [(s2, p2) for s2, e2, p2 in find_places(text[window_start:end]) if e2 == s and p2.kind == "province"]
    if earlier:
        s = earlier[0][0]
    return window_start + s, p


def same_body(a: str, b: str) -> bool:
    """Two written forms of one body (省工信厅 / 河南省工业和信息化厅 / 工业和信息化厅)."""
    a, b = expand_body(a), expand_body(b)
    return a.endswith(b) or b.endswith(a) or strip_level_prefix(a) == strip_level_prefix(b)


def fullest_body(name: str, text: str, province: Optional[str] = None) -> str:
    """The fullest form the text writes for a body named without its place (省科技厅 → 湖北省科学
    技术厅 from the notice's title): one of the given province when the text names bodies of several, none when
    the choice stays ambiguous."""
    own = [p for _, _, p in find_places(name)]
    if own or any(b.value == "national" for b in find_bodies(name)):
        return name  # 河南省工信厅, 工信部 are whole names as written; 省科技厅 lacks its place
    forms: dict[str, Optional[str]] = {}
    for b in find_bodies(text):
        if len(b.text) <= len(name) or not same_body(b.text, name):
            continue
        places = [p for _, _, p in find_places(b.text)]
        place = places[0] if places else None
        if own and (place is None or not same_place(place.full, own[0].full)):
            continue
        if province and place is not None and place.province and place.province != province:
            continue
        forms[b.text] = place.province if place else None
    if not forms or len(set(forms.values())) > 1:
        return name
    return max(forms, key=len)


def body_for_province(name: str, text: str, province: str) -> Optional[str]:
    """`name` when it is not a body of another province than `province`; else the text's body of
    that province at the same level (安徽省经济和信息化厅与河南省工业和信息化厅分别发布…: a cluster
    of Henan is on the Henan body's list), None when the text names none."""
    def province_of_body(b: str) -> Optional[str]:
        places = find_places(b)
        return places[0][2].province if places else None

    theirs = province_of_body(name)
    if theirs is None or theirs == province:
        return name
    level = next((b.value for b in find_bodies(name)), None)
    mine = {b.text for b in find_bodies(text) if b.value == level and province_of_body(b.text) == province}
    return max(mine, key=len) if len(mine) == 1 else None


def expand_body(name: str) -> str:
    for short, full in sorted(body_aliases().items(), key=lambda kv: -len(kv[0])):
        if name.endswith(short) and not name.endswith(full):
            return name[: -len(short)] + full
    return name


def strip_level_prefix(name: str) -> str:
    for prefix in ("自治区", "国家", "省", "市"):
        if name.startswith(prefix) and len(name) > len(prefix) + 2:
            return name[len(prefix):]
    return name


def find_offices(text: str) -> list[Span]:
    """Offices named as contacts: 中小企业处, 产业集群发展处 (never a body's whole name)."""
    out = []
    for m in re.finditer(r"(?<=[\u4e00-\u9fff])[处司](?![理于置在罚分境方长室])", text):
        end = m.end()
        begin = max(0, end - 12)
        piece = text[begin:end]
        # the office starts after its body (…厅, …局, …委, …部), a pronoun or a function word
        cut = max((piece.rfind(c) + 1 for c in "厅局委部向找到的及在、，,：: \n"), default=0)
        for j in (j for j, c in enumerate(piece) if c in "和与" and j >= cut):
            if j - cut <= 1:  # 请与中小企业处: a conjunction after a verb; 融资与服务处 is one office
                cut = j + 1
        name = piece[cut:]
        if len(name) < 3 or name.endswith(("好处", "之处", "到处", "各处", "此处", "出处", "用处", "难处", "益处", "公司")):
            continue
        out.append(Span(end - len(name), end, name, "office"))
    return out


# --- ordinals ------------------------------------------------------------------------------------------------

_CN_NUM = "一二两三四五六七八九十百零〇"
_ORDINAL = re.compile(
    r"第\s*([\d" + _CN_NUM + r"]+)\s*(?:个|位|名|家|项|条)?"
    r"|(?:排名|排|名列|位列|位居|列)(?:在)?(?:第)?([\d" + _CN_NUM + r"]+)(?:位|名)?"
)


def find_ordinals(text: str) -> list[Span]:
    """Positions in a list: 第三个 → 3, 排第七 → 7, 排名第一 → 1, 最后一个 → -1, 首个 → 1."""
    out = []
    for m in _ORDINAL.finditer(text):
        raw = m.group(1) or m.group(2)
        n = int(raw) if raw.isdigit() else chinese_to_number(raw)
        if n:
            out.append(Span(m.start(), m.end(), m.group(0), "ordinal", int(n)))
    last = re.compile(alternation(words("questions", "ordinal_last")))
    for m in last.finditer(text):
        if all(m.start() >= s.end or m.end() <= s.start for s in out):
            out.append(Span(m.start(), m.end(), m.group(0), "ordinal", -1))
    for m in re.finditer(r"首个|第一个|排头|打头", text):
        if all(m.start() >= s.end or m.end() <= s.start for s in out):
            out.append(Span(m.start(), m.end(), m.group(0), "ordinal", 1))
    out.sort(key=lambda s: s.start)
    return out
