"""Place names in questions and texts, from the project gazetteer (rag/data/places.json).

Provinces and prefecture-level cities match by full or short name (河南省/河南, 郑州市/郑州).
County-level names match by full name, or by short name right after their city (郑州金水) —
a bare two-character county name (朝阳, 长安, 和平) is too often an ordinary word.
Development zones (郑州高新区, 西安经开区) match as the city plus the zone word; towns (北滘镇,
盛泽镇), which the gazetteer does not list, match by their suffix right after a place.
`within(a, b)` says whether place a lies in place b (昆山市 in 苏州市 in 江苏省).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .lexicon import words
from .places_data import places_data

ZONE_WORDS = tuple(sorted(words("places", "zone_words"), key=len, reverse=True))
TOWN_SUFFIXES = tuple(words("places", "town_suffixes"))
# Words that name the whole country or a region, never a province or city filter.
NOT_PLACES = set(words("places", "not_places"))
_TOWN = re.compile(r"([\u4e00-\u9fff]{1,3})(" + "|".join(TOWN_SUFFIXES) + ")")


@dataclass(frozen=True)
class Place:
    written: str
    full: str  # 郑州市, 河南省, 郑州高新区, 北滘镇
    kind: str  # province, city, county, zone, town
    province: Optional[str]
    city: Optional[str] = None

    @property
    def short(self) -> str:
        return strip_suffix(self.full)


def strip_suffix(name: str) -> str:
    """郑州市 → 郑州, 河南省 → 河南, 金水区 → 金水 (names of two characters keep their suffix)."""
    for suffix in ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市", "区", "县", "州"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@dataclass
class _Gazetteer:
    names: dict[str, Place]  # written form → place
    pattern: Optional[re.Pattern]


@lru_cache(maxsize=1)
def _gazetteer() -> _Gazetteer:
    names: dict[str, Place] = {}
    data = places_data()
    for full, short in data.get("provinces", {}).items():
        for w in (full, short):
            names.setdefault(w, Place(w, full, "province", full))
    city_short: dict[str, str] = {}
    for full, short, province in data.get("cities", []):
        city_short[full] = short
        for w in (full, short):
            if w not in NOT_PLACES:
                names.setdefault(w, Place(w, full, "city", province, full))
    for alias, full in data.get("aliases", {}).items():
        base = names.get(full)
        if base:
            names.setdefault(alias, Place(alias, full, base.kind, base.province, base.city))
    counties = data.get("counties", [])
    for row in counties:
        full, short, city, province = row[:4]
        if len(full) >= 3 or full.endswith("县"):  # 城区, 郊区, 矿区 are county names and ordinary words; 蠡县 is not
            names.setdefault(full, Place(full, full, "county", province, city))
    for row in counties:  # counties renamed since (宁乡县 → 宁乡市, 永年县 → 永年区): the stem with another suffix
        full, short, city, province = row[:4]
        stem = full[:-1]
        if full[-1] in "县市" and len(stem) >= 2:
            for suffix in "市区县":
                names.setdefault(stem + suffix, Place(stem + suffix, stem + suffix, "county", province, city))
        for prefix in {city, city_short.get(city, city)}:
            if prefix and short and prefix != short:
                names.setdefault(prefix + short, Place(prefix + short, full, "county", province, city))
    words = sorted(names, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(w) for w in words)) if words else None
    return _Gazetteer(names, pattern)


def lookup(name: str) -> Optional[Place]:
    return _gazetteer().names.get(name)


def find_places(text: str) -> list[tuple[int, int, Place]]:
    """Non-overlapping place mentions, longest first, left to right. A city followed by a
    zone word becomes one zone place (郑州高新区)."""
    g = _gazetteer()
    if g.pattern is None:
        return []
    out = []
    for m in g.pattern.finditer(text):
        place = g.names[m.group(0)]
        end = m.end()
        if place.kind == "county" and place.written != place.full and text.startswith(place.full[-1], end):
            end += 1  # 郑州金水 + 区
            place = Place(text[m.start():end], place.full, place.kind, place.province, place.city)
        if place.kind in ("city", "county"):
            for zone in ZONE_WORDS:
                if text.startswith(zone, end):
                    city_short = strip_suffix(place.city or place.full)
                    place = Place(text[m.start():end + len(zone)], city_short + zone, "zone", place.province, place.city)
                    end += len(zone)
                    break
        out.append((m.start(), end, place))
        if place.kind in ("city", "county", "zone"):
            town = _TOWN.match(text, end)
            if town and not g.pattern.match(text, end):
                out.append((end, town.end(), Place(town.group(0), town.group(0), "town", place.province,
                                                   place.city or (place.full if place.kind == "city" else None))))
    out.sort(key=lambda t: t[0])
    return out


def within(inner: Place, outer: Place) -> bool:
    """True when `inner` lies in `outer` (or is it): 昆山市 within 苏州市 and 江苏省."""
    if same_place(inner.full, outer.full):
        return True
    if outer.kind == "province":
        return inner.province == outer.full
    if outer.kind == "city":
        return bool(inner.city) and same_place(inner.city, outer.full) and inner.kind != "city"
    return False


def province_of(name: str) -> Optional[str]:
    """The province of a written place name (郑州 → 河南省, 河南 → 河南省), when known."""
    p = lookup(name) or lookup(strip_suffix(name))
    return p.province if p else None


def same_place(a: str, b: str) -> bool:
    """郑州市 == 郑州, 河南省 == 河南; a zone matches its full written form only."""
    return strip_suffix(a) == strip_suffix(b)
