"""Numbers, dates and Chinese numerals in normalised text.

`find_numbers` returns every quantity with its measure word (7个, 19万亿元, 52.5%, 三分之二,
170余家, 9.6个百分点, 1,286.4亿元), `find_dates` every date (12月26日, 2024年2月29日, 2022-11-30)
and `find_date_ranges` every period (2024年8月1日至8月7日, 7月10日—14日), each with its span, so
answers can point at the exact characters they came from. Measure words come from the lexicon.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .lexicon import alternation, words

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
_CN = "零〇一二两三四五六七八九十百千万亿"

# Measure words and units a quantity may carry, longest first so 个百分点 wins over 个.
MEASURES = sorted(words("numbers", "measures"), key=len, reverse=True)
_MEASURE = alternation(MEASURES)

_ARABIC = re.compile(
    r"(?<![\d.])(?<!\d,)(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?:/(\d+))?"  # 52.5, 1,286.4, 2/3
    r"(余|多)?(万亿|千亿|百亿|万|亿)?(余|多)?"        # 2200余, 19万亿, 200多
    rf"({_MEASURE})?"
)
_CHINESE = re.compile(rf"([{_CN}]+)(余|多)?({_MEASURE})")
_PERCENT_WORDS = re.compile(rf"百分之([{_CN}]+)")
_FRACTION_WORDS = re.compile(rf"([{_CN}\d]+)分之([{_CN}\d]+)")
_DATE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"|(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})"
    r"|(?P<y3>\d{4})\s*年\s*(?P<m3>\d{1,2})\s*月(?!\s*\d{1,2}\s*[日号])"
    r"|(?P<y4>\d{4})\s*年(?!\s*\d{1,2}\s*月)"
)


@dataclass
class Quantity:
    start: int
    end: int
    text: str
    value: float
    unit: str  # measure word or unit as written ("" when none)

    @property
    def is_percent(self) -> bool:
        return self.unit in ("%", "％", "个百分点", "百分点") or self.text.startswith("百分之")


@dataclass
class Date:
    start: int
    end: int
    text: str
    year: Optional[int]
    month: Optional[int]
    day: Optional[int]

    def display(self, default_year: Optional[int] = None) -> str:
        year = self.year or (default_year if self.month else None)
        parts = []
        if year:
            parts.append(f"{year}年")
        if self.month:
            parts.append(f"{self.month}月")
        if self.day:
            parts.append(f"{self.day}日")
        return "".join(parts) or self.text


def chinese_to_number(text: str) -> Optional[float]:
    """七 → 7, 十三 → 13, 两 → 2, 一百零五 → 105, 三万 → 30000, 十九万亿 → 1.9e13, 二〇二三 → 2023.
    None when the run is not a well-formed numeral."""
    if not text or any(c not in _CN for c in text):
        return None
    if not any(c in SMALL_UNITS or c in BIG_UNITS for c in text):
        # read digit by digit only when it is clearly written that way (二〇二三); 七八 is "7 or 8"
        if len(text) >= 3 or "〇" in text or "零" in text or len(text) == 1:
            return float("".join(str(DIGITS[c]) for c in text))
        return None
    total = 0.0
    section = 0.0
    digit: Optional[int] = None
    last_small = 10_000
    for c in text:
        if c in DIGITS:
            if digit is not None and DIGITS[c] != 0:
                return None
            digit = DIGITS[c] if DIGITS[c] != 0 else None
        elif c in SMALL_UNITS:
            unit = SMALL_UNITS[c]
            if unit >= last_small:
                return None
            section += (1 if digit is None else digit) * unit
            digit, last_small = None, unit
        else:
            section += digit or 0
            if c == "亿":
                total = ((total + section) or 1) * BIG_UNITS[c]
            else:
                total += (section or 1) * BIG_UNITS[c]
            section, digit, last_small = 0.0, None, 10_000
    return total + section + (digit or 0)


def _number(text: str) -> Optional[float]:
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return float(text)
    return chinese_to_number(text)


def find_numbers(text: str) -> list[Quantity]:
    """Every quantity in text, left to right; dates and years are not quantities."""
    taken = [(d.start, d.end) for d in find_dates(text)] + [(r.start, r.end) for r in find_date_ranges(text)]
    found: list[Quantity] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    def add(s: int, e: int, value: Optional[float], unit: str) -> None:
        if value is not None and free(s, e):
            found.append(Quantity(s, e, text[s:e], value, unit))
            taken.append((s, e))

    for m in _PERCENT_WORDS.finditer(text):
        add(m.start(), m.end(), _number(m.group(1)), "%")
    for m in _FRACTION_WORDS.finditer(text):
        num, den = _number(m.group(2)), _number(m.group(1))
        add(m.start(), m.end(), num / den if num is not None and den else None, "")
    for m in _ARABIC.finditer(text):
        value = float(m.group(1).replace(",", ""))
        if m.group(2):
            value = value / float(m.group(2)) if float(m.group(2)) else value
        scale = m.group(4)
        if scale:
            value *= {"万亿": 1e12, "千亿": 1e11, "百亿": 1e10, "万": 1e4, "亿": 1e8}[scale]
        unit = (scale or "") + (m.group(6) or "")
        add(m.start(), m.end(), value, unit)
    for m in _CHINESE.finditer(text):
        run = m.group(1)
        # 一批, 一体化 … are words, not counts: a lone 一 before a measure word is too ambiguous.
        if run == "一" and m.group(3) in ("批", "类", "种", "年", "项", "次", "成"):
            continue
        add(m.start(), m.end(), chinese_to_number(run), m.group(3))
    found.sort(key=lambda q: q.start)
    return found


def find_dates(text: str) -> list[Date]:
    out = []
    for m in _DATE.finditer(text):
        g = m.groupdict()
        year = g["y"] or g["y2"] or g["y3"] or g["y4"]
        month = g["m"] or g["m2"] or g["m3"]
        day = g["d"] or g["d2"]
        y = int(year) if year else None
        if y is not None and not 1900 <= y <= 2100:
            continue
        out.append(Date(m.start(), m.end(), m.group(0), y, int(month) if month else None, int(day) if day else None))
    return out


def same_number(a: str, b: str) -> bool:
    """True when two written numbers mean the same value (7 == 七, 13 == 十三)."""
    va, vb = _number(a), _number(b)
    return va is not None and va == vb


@dataclass
class DateRange:
    start: int
    end: int
    text: str
    first: Date
    last: Date  # month and year filled from the first date when the text leaves them out (—14日)

    def display(self) -> str:
        a, b = self.first, self.last
        left = a.display()
        if b.year and b.year != a.year:
            right = b.display()
        elif b.month:
            right = f"{b.month}月{b.day}日" if b.day else f"{b.month}月"
        else:
            right = f"{b.day}日" if b.day else b.display()
        return f"{left}至{right}"


_RANGE_SEP = re.compile(r"\s*(?:至|到|—+|–|－|-|～|~|〜)\s*")
_PARTIAL_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*[日号]")


def find_date_ranges(text: str) -> list[DateRange]:
    """Periods written as two dates (2024年8月1日至8月7日, 2023年7月10日—14日, 9月20日到26日,
    2024-09-20至2024-09-26). The second date takes its year and month from the first when it
    leaves them out."""
    out = []
    for d in find_dates(text):
        if not d.day:
            continue
        sep = _RANGE_SEP.match(text, d.end)
        if not sep:
            continue
        iso = re.match(r"(\d{4})-(\d{1,2})-(\d{1,2})", text[sep.end():])
        if iso:
            last = Date(sep.end(), sep.end() + iso.end(), iso.group(0), int(iso.group(1)), int(iso.group(2)),
                        int(iso.group(3)))
        else:
            m = _PARTIAL_DATE.match(text, sep.end())
            if not m:
                continue
            year = int(m.group(1)) if m.group(1) else d.year
            month = int(m.group(2)) if m.group(2) else d.month
            last = Date(m.start(), m.end(), m.group(0), year, month, int(m.group(3)))
        if (last.year or 0, last.month or 0, last.day) < (d.year or 0, d.month or 0, d.day):
            continue
        out.append(DateRange(d.start, last.end, text[d.start:last.end], d, last))
    return out
