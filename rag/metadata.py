"""Document metadata read from the cleaned, normalised text: title, date, outlet, URL."""
from __future__ import annotations

import re

from .core.types import NormalisedDocument

_DATE_PATTERNS = [
    re.compile(r"(?<!\d)(20\d{2}|19\d{2})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2}|19\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日(?:\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?"),
]
_OUTLET = re.compile(r"(?:来源|稿源|出处|转自|转载自)\s*[:：]\s*([^\s|｜,，。]{2,30})")
_OUTLET_BEFORE_TIME = re.compile(r"^(\S{2,20})\s+(?:时间|发布时间|日期)\s*[:：]")
_NEXT_FIELD = re.compile(r"浏览|字号|字体|责任编辑|作者|发布|时间|日期|点击|阅读|编辑")
_URL = re.compile(r"^\s*(https?://\S+)")


def _iso(m: re.Match) -> str | None:
    y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    out = f"{y:04d}-{mo:02d}-{d:02d}"
    if m.group(4):
        out += f"T{int(m.group(4)):02d}:{m.group(5)}:{m.group(6) or '00'}"
    return out


def find_date(text: str) -> str | None:
    """The publication date: the earliest date stated in the first lines, else in the first 3,000 chars."""
    head = "\n".join(text.splitlines()[:8])
    for region in (head, text[:3000]):
        found = []
        for pat in _DATE_PATTERNS:
            for m in pat.finditer(region):
                iso = _iso(m)
                if iso:
                    found.append((m.start(), iso))
                    break
        if found:
            return min(found)[1]
    return None


def _dedupe_title(line: str) -> str:
    words = line.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and words and words[:half] == words[half:]:
        return " ".join(words[:half])
    return line


def read_metadata(ndoc: NormalisedDocument) -> None:
    """Fill title, date, outlet and url on ndoc.doc from its text."""
    from .core.chinese import fold

    doc = ndoc.doc
    lines = [ln.strip() for ln in ndoc.text.splitlines() if ln.strip()]
    # Bylines (date, source) often sit on lines the cleaner drops as page chrome: read those too.
    raw_head = [f for f in (fold(ln) for ln in doc.original[:4000].splitlines()[:30]) if f]
    first_original = next((ln for ln in doc.original.splitlines() if ln.strip()), "")
    m = _URL.match(first_original)
    doc.url = m.group(1) if m else None
    if not doc.title:
        for ln in lines[:12]:
            if len(ln) >= 6 and not _URL.match(ln) and not _DATE_PATTERNS[0].match(ln):
                doc.title = _dedupe_title(ln.lstrip("#").strip())[:200]
                break
    else:
        doc.title = fold(doc.title)[:200]
    doc.date = find_date("\n".join(lines[:8])) or find_date("\n".join(raw_head)) or find_date(ndoc.text)
    doc.outlet = None
    for ln in lines[:6] + raw_head[:15]:  # a byline near the top wins over a 转自 line at the bottom
        m = _OUTLET.search(ln) or _OUTLET_BEFORE_TIME.match(ln)
        if m:
            doc.outlet = _NEXT_FIELD.split(m.group(1))[0] or None
            return
    m = _OUTLET.search("\n".join(lines[:40]))
    if m:
        doc.outlet = _NEXT_FIELD.split(m.group(1))[0] or None
