"""Chinese numerals to Arabic digits, so 七个 scores like 7个 and 十三 like 13."""
from __future__ import annotations

import re

DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}
NUMERAL_RUN = re.compile(f"[{''.join(DIGITS)}{''.join(UNITS)}]+")


def chinese_to_int(text: str) -> int:
    """Value of a run of Chinese numerals: 七 → 7, 十三 → 13, 四十五 → 45, 两 → 2, 一百零五 → 105,
    二〇二三 → 2023 (digit by digit when no unit is written). Raises ValueError for a malformed run."""
    if not text or any(c not in DIGITS and c not in UNITS for c in text):
        raise ValueError(f"not a Chinese numeral: {text!r}")
    if not any(c in UNITS for c in text):
        return int("".join(str(DIGITS[c]) for c in text))
    total, digit, last_unit = 0, None, 10_000
    for c in text:
        if c in DIGITS:
            if digit is not None and DIGITS[c] != 0:
                raise ValueError(f"two digits in a row in {text!r}")
            digit = DIGITS[c] if DIGITS[c] != 0 else None
        else:
            unit = UNITS[c]
            if unit >= last_unit:
                raise ValueError(f"units out of order in {text!r}")
            total += (1 if digit is None else digit) * unit
            digit, last_unit = None, unit
    return total + (digit or 0)


def arabicise(text: str) -> str:
    """Replace every well-formed run of Chinese numerals with Arabic digits (万 and 亿 stay as
    written: 十九万亿 → 19万亿). Runs that do not parse are left alone."""

    def convert(m: re.Match) -> str:
        try:
            return str(chinese_to_int(m.group(0)))
        except ValueError:
            return m.group(0)

    return NUMERAL_RUN.sub(convert, text)
