"""Yes/no questions checked against a sentence: every word of the claim must be written there,
and a claimed quantity must hold for the stated one (是否超过10% with 12.3% → yes;
是否突破两千亿元 with 突破千亿元 → no)."""
from __future__ import annotations

import re
from typing import Optional

from .context import Context, Draft
from .evidence import Unit, clauses
from ..core.numbers import find_numbers
from .spans import content_words
from .spans import said as written_in

YES_COVERAGE = 0.6  # a yes/no read from a sentence; every word of the claim must be there too
_NEGATION = re.compile(r"不是|并非|未|没有|不属于|不在|非")


def check_claim(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    predicate = predicate_of(q.folded)
    asked = find_numbers(predicate)
    # A claimed quantity is checked against the sentences that state one of its kind, even when a
    # sentence without it covers a little more of the question (突破3000亿元 beside 增长12.3%).
    for u in ctx.top_units(ratio=0.0 if asked else 0.85):
        if u.score < YES_COVERAGE:
            break
        in_sentence = [b for b in find_numbers(u.text) if any(_comparable(a, b) for a in asked)]
        if asked and not in_sentence:
            continue  # this sentence states no such quantity (20% vs 3000亿元)
        if asked and all(any(a.value == b.value for b in in_sentence) for a in asked):
            # the window around the asked number (福建省共有4个集群入选)
            pos = next(b.start for b in in_sentence if b.value == asked[0].value)
            s, e = _best_window(ctx, u, must_hold=pos)
        else:
            s, e = _best_window(ctx, u)
        said = u.text[s:e]
        cite = [ctx.cite_unit(u, (s, e))]
        stated = [b for b in find_numbers(said) if any(_comparable(a, b) for a in asked)]
        if asked and stated and not all(any(_holds(predicate, a, b) for b in stated) for a in asked):
            return Draft("否。原文：" + said + "。", cite)  # 是否突破两千亿元 — the text says 千亿元
        words = [w for w in content_words(predicate) if not find_numbers(w)]
        if asked:  # 超过/突破/以上 … were checked on the numbers
            words = [w for w in words if not re.fullmatch(_COMPARATIVES, w)]
        if any(not _said(w, u.text) for w in words):
            return None  # the text does not say what is asked (居全国第二 when it says 首位)
        neg = _NEGATION.search(said) and not _NEGATION.search(q.folded)
        return Draft(("否。" if neg else "是。") + "原文：" + said + "。", cite)
    return None


_COMPARATIVES = r"超过|突破|高于|多于|大于|达到|达|不少于|不低于|低于|少于|不到|不足|不超过|小于|以上|以下|以内"


def _holds(predicate: str, asked, stated) -> bool:
    """Does the stated quantity make the claim true? 是否超过10% with 12.3% → yes."""
    before = predicate[:asked.start]
    if re.search(r"(?:超过|突破|高于|多于|大于|达到|达|不少于|不低于)了?$", before) or predicate[asked.end:].startswith(("以上", "多")):
        return stated.value >= asked.value
    if re.search(r"(?:低于|少于|不到|不足|不超过|小于)了?$", before) or predicate[asked.end:].startswith(("以下", "以内")):
        return stated.value <= asked.value
    return stated.value == asked.value


def _comparable(a, b) -> bool:
    """Two quantities of one kind: both percentages, or the same last measure character."""
    if a.is_percent or b.is_percent:
        return a.is_percent and b.is_percent
    return (a.unit[-1:] or "") == (b.unit[-1:] or "")


def predicate_of(question: str) -> str:
    """What a yes/no question asks to be true: the words after 是否 (占比过半, 居全国首位)."""
    m = re.search(r"是否|是不是|有没有|能否|可否", question)
    return re.sub(r"[？?。！!吗呢]+$", "", question[m.end():]) if m else ""


def _said(word: str, text: str) -> bool:
    return written_in(word, text) or word.isdigit()


def _best_window(ctx: Context, u: Unit, must_hold: Optional[int] = None) -> tuple[int, int]:
    """The clause, or two neighbouring clauses, of a sentence that say most of the question."""
    spans = clauses(u.text)
    windows = spans + [(a[0], b[1]) for a, b in zip(spans, spans[1:])]
    if must_hold is not None:
        windows = [w for w in windows if w[0] <= must_hold < w[1]] or windows
    best = max(windows, key=lambda w: (round(ctx.scorer.coverage(u.text[w[0]:w[1]]), 3), -(w[1] - w[0])))
    return best
