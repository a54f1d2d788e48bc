"""Character-level folding shared by documents and queries: pinyin readings, t2s, full width."""
from __future__ import annotations

import re
from functools import lru_cache

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
# A pinyin reading pasted after a Han character: 戰(zhàn), 區(qū). Only lowercase syllables
# that look like pinyin, so 人工智能(AI), (記者 王延輝) and (鄭州市、許昌市) survive.
PINYIN_READING = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff])[(（]([a-z" + _TONED + r"]{1,7})[)）]"
)
_SYLLABLE = re.compile(r"^(?:[zcs]h|[bpmfdtnlgkhjqxrzcsyw])?[aeiouv" + _TONED + r"]{1,3}(?:ng|n|r)?$")


def is_pinyin_syllable(s: str) -> bool:
    return bool(_SYLLABLE.match(s))


def pinyin_spans(text: str):
    """Yield (start, end) of each pinyin reading (with its parentheses) in text."""
    for m in PINYIN_READING.finditer(text):
        if is_pinyin_syllable(m.group(1)):
            yield m.start(), m.end()


# Full-width ASCII digits and letters to half width (punctuation keeps its Chinese form).
_FULLWIDTH = {c: c - 0xFEE0 for c in list(range(0xFF10, 0xFF1A)) + list(range(0xFF21, 0xFF3B)) + list(range(0xFF41, 0xFF5B))}


@lru_cache(maxsize=1)
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def t2s(text: str) -> str:
    """Traditional to Simplified. OpenCC t2s can change length on rare phrases; callers that
    need 1:1 mapping use `t2s_same_length`."""
    return _t2s().convert(text)


def t2s_same_length(text: str) -> str:
    """t2s that keeps each character in place (falls back to char-by-char when a phrase rule
    would change the length)."""
    out = _t2s().convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        c = _t2s().convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)


def fold_width(text: str) -> str:
    return text.translate(_FULLWIDTH)


_WS = re.compile(r"[ \t\u3000\u00a0\u2002\u2003\u200b]+")


def fold(text: str) -> str:
    """Fold a query or label the way documents are folded: no pinyin readings, Simplified,
    half-width digits and letters, single spaces."""
    spans = list(pinyin_spans(text))
    if spans:
        parts, last = [], 0
        for s, e in spans:
            parts.append(text[last:s])
            last = e
        parts.append(text[last:])
        text = "".join(parts)
    return _WS.sub(" ", fold_width(t2s(text))).strip()
