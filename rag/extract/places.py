"""Place names at the front of a cluster name: provinces, cities, counties, development zones and
multi-city abbreviations (广深佛莞, 长株潭), from the gazetteer in rag/data/places.json.

`parse_prefix(text)` reads as many places as it can from the start of `text` and says where the
rest (the industry) begins; `province_of(places)` names the one province they lie in, if any.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..core.lexicon import words
from ..core.places_data import places_data

# Development zones with a generic name: written with their city (郑州高新区, 永州经济技术开发区).
ZONE_SUFFIXES = (
    "高新技术产业开发区", "经济技术开发区", "高新技术开发区", "综合保税区", "航空港经济综合实验区", "航空港区",
    "高新区", "经开区", "开发区", "新片区", "新区", "经济区", "示范区", "保税区", "自贸区", "工业园区", "园区", "港区", "基地",
)
# Suffixes that make a zone even without a known city in front (东湖高新区); 园区/基地 need one.
_STRONG_ZONES = ("高新技术产业开发区", "经济技术开发区", "高新技术开发区", "航空港区", "高新区", "经开区", "开发区", "新片区",
                 "新区", "经济区", "示范区")
_ADMIN_SUFFIX = re.compile(r"[\u4e00-\u9fff]{1,8}?(?:自治州|自治县|自治旗|地区|林区|市|县|区|旗|盟|州)$")
# Words ending in 市/区 that are not places.
_NOT_PLACES = re.compile(r"(?:城市|都市|超市|门市|股市|楼市|上市|夜市|集市|全市|本市|我市|该市|各市|园区|社区|景区|"
                         r"城区|山区|库区|湾区|片区|厂区|街区|辖区|矿区|市区|郊区|老区|灾区|产区|专区|示范区|功能区|集聚区)$")
_CONNECTORS = "、，,和与及暨"
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
# County names that are also words starting an industry (资源循环利用, 通道设备): only with 县/市.
_WORDLIKE_SHORTS = {"资源", "通道", "新兴", "新建", "开化", "新化", "和平", "永和", "平安", "安全", "清新", "高新"}
_GENERIC_OWN = {"产业", "工业", "经济", "科技", "创新", "发展", "综合", "现代", "示范", "先行", "国家", "全国", "核心", "重点"}
_NOT_TOWNS = {"城镇", "乡镇", "村镇", "小镇", "重镇", "名镇", "强镇", "集镇", "特色小镇", "城乡", "下乡", "老乡", "家乡", "故乡", "他乡"}
_TOWN = re.compile(r"([\u4e00-\u9fff]{1,3})(街道|镇|乡)")
_REGION_TAIL = re.compile(r"^(?:地区|区域|一体化|都市圈|城市群|经济圈|大湾区|片区)")


@dataclass(frozen=True)
class Place:
    name: str  # as it goes into `regions`: 郑州市, 巩义市, 郑州高新区; provinces: 河南省
    kind: str  # province | city | county | zone
    province: Optional[str] = None
    city: Optional[str] = None  # the prefecture a county or zone belongs to


@dataclass
class Prefix:
    places: list[Place] = field(default_factory=list)
    end: int = 0  # where the rest of the text (the industry) starts

    @property
    def province(self) -> Optional[str]:
        return province_of(self.places)

    @property
    def regions(self) -> list[str]:
        return regions_of(self.places)


class Gazetteer:
    def __init__(self, data: dict) -> None:
        self.provinces: dict[str, str] = data["provinces"]  # full → short
        self.province_by_short = {short: full for full, short in self.provinces.items()}
        self.cities: dict[str, list[Place]] = {}  # full or short → places
        for full, short, province in data["cities"]:
            place = Place(full, "city", province, full)
            for key in {full, short}:
                if len(key) >= 2:
                    self.cities.setdefault(key, []).append(place)
        for alias, full in data["aliases"].items():
            self.cities.setdefault(alias, []).extend(p for p in self.cities.get(full, []) if p.name == full)
        self.aliases: dict[str, str] = data["aliases"]
        self.counties: dict[str, list[Place]] = {}
        self.county_shorts: dict[str, list[Place]] = {}
        for full, short, city, province in data["counties"]:
            place = Place(full, "county", province, city or None)
            self.counties.setdefault(full, []).append(place)
            # Bare short names are used for counties and county-level cities (兰考, 巩义), not for
            # districts, whose short names are everyday words too often (长安, 光明, 新华).
            if len(short) >= 2 and not full.endswith(("区", "旗")) and short not in self.provinces.values():
                self.county_shorts.setdefault(short, []).append(place)
        self.abbreviations: dict[str, list[str]] = data["abbreviations"]
        # Districts by short name, known only right after their city (宜昌猇亭, 郑州金水).
        self.district_shorts: dict[tuple[str, str], Place] = {}
        for full, short, city, province in data["counties"]:
            if city and len(short) >= 2 and full.endswith(("区", "县", "市")):
                self.district_shorts.setdefault((city, short), Place(full, "county", province, city))
        self.province_abbreviations = {
            "冀": "河北省", "豫": "河南省", "鲁": "山东省", "晋": "山西省", "皖": "安徽省", "赣": "江西省", "闽": "福建省",
            "粤": "广东省", "湘": "湖南省", "苏": "江苏省", "浙": "浙江省", "鄂": "湖北省", "桂": "广西壮族自治区", "琼": "海南省", "川": "四川省", "蜀": "四川省", "黔": "贵州省", "滇": "云南省", "陕": "陕西省",
            "陇": "甘肃省", "辽": "辽宁省", "港": "香港特别行政区", "澳": "澳门特别行政区",
        }
        keys = list(self.provinces) + list(self.province_by_short) + list(self.cities) + list(self.counties) + list(self.county_shorts)
        self._max_len = max(len(k) for k in keys)
        self._known = set(keys)

    @property
    def known(self) -> set[str]:
        """Every place name and short name the gazetteer holds."""
        return self._known

    # --- lookups --------------------------------------------------------------------------

    def province(self, text: str) -> Optional[str]:
        """河南省 / 河南 → 河南省."""
        if text in self.provinces:
            return text
        return self.province_by_short.get(text)

    def city(self, text: str) -> Optional[Place]:
        found = self.cities.get(text)
        return found[0] if found else None

    def lookup_region(self, name: str, near: Optional[str] = None) -> Optional[Place]:
        """A place written with its suffix (or a city without it), for parenthesised place lists."""
        if name in self.cities:
            return self.cities[name][0]
        if name in self.counties:
            return _pick(self.counties[name], near)
        return None

    # --- prefix parsing --------------------------------------------------------------------

    def parse_prefix(self, text: str, province_hint: Optional[str] = None) -> Prefix:
        """Read places from the start of `text`: 浙江省温州市瑞安市…, 郑州高新区…, 郑州市、开封市…, 广深佛莞…"""
        out = Prefix()
        i = 0
        n = len(text)
        while i < n:
            step = self._place_at(text, i, out.places, province_hint)
            if step is None:
                break
            place_list, j = step
            out.places.extend(place_list)
            i = j
            out.end = i
            # A connector continues the place list only when another place follows it.
            if i < n and text[i] in _CONNECTORS:
                nxt = self._place_at(text, i + 1, out.places, province_hint)
                if nxt is None:
                    break
                i += 1
        return out

    def _place_at(self, text: str, i: int, before: list[Place], hint: Optional[str]):
        zone = self._zone_at(text, i, before)
        if zone:
            return zone
        for length in range(min(self._max_len, len(text) - i), 1, -1):
            piece = text[i:i + length]
            if piece not in self._known:
                continue
            rest = text[i + length:]
            province = self.province(piece)
            if province and (piece == province or not rest.startswith(("市", "区", "县"))):
                j = i + length + (1 if rest.startswith("省") and piece != province else 0)
                kind = "city" if province in MUNICIPALITIES else "province"
                return [Place(province, kind, province, province if kind == "city" else None)], j
            if piece in self.cities:
                city = _pick(self.cities[piece], _context_province(before, hint))
                if piece in self.aliases:  # 湘西州, 湘西自治州: keep the form written
                    city = Place(piece, "city", city.province, piece)
                return [city], i + length
            if piece in self.counties:
                return [_pick(self.counties[piece], _context_province(before, hint), _context_city(before))], i + length
            if piece in self.county_shorts and piece not in _WORDLIKE_SHORTS:
                county = _pick(self.county_shorts[piece], _context_province(before, hint), _context_city(before))
                if before and county.province != _context_province(before, hint):
                    continue  # 江阴市资源循环利用: 资源县 lies in another province
                if rest[:1] in ("市", "县", "区") and county.name != piece + rest[0]:
                    # renamed since the gazetteer was made (邵东县 → 邵东市), or written short (秀山县 for
                    # 秀山土家族苗族自治县): keep the name as written
                    return [Place(piece + rest[0], "county", county.province, county.city)], i + length + 1
                return [county], i + length
        below = self._below_county_at(text, i, before)
        if below:
            return below
        unknown = self._unknown_admin_at(text, i)
        if unknown:
            return unknown
        return self._region_at(text, i) or self._abbreviation_run_at(text, i)

    def _below_county_at(self, text: str, i: int, before: list[Place]):
        """After a city: one of its districts by short name (宜昌猇亭 → 猇亭区); after a city, county
        or zone: a town, township or street the gazetteer does not list (北滘镇, 盛泽镇)."""
        city = _context_city(before)
        if city:
            for length in (3, 2):
                place = self.district_shorts.get((city, text[i:i + length]))
                if place and not text.startswith(("镇", "乡"), i + length):
                    return [place], i + length
        if not before or before[-1].kind in ("city", "county", "zone"):
            m = _TOWN.match(text, i)
            last = before[-1] if before else None
            if m and not before and len(m.group(1)) == 3 and i > 0 and "\u4e00" <= text[i - 1] <= "\u9fff":
                m = _TOWN.match(text, i + 1) and None  # 其中西樵镇: a town's own name has two characters here
            if m and m.group(1) not in self._known and (before or (len(m.group(1)) >= 2 and m.group(0) not in _NOT_TOWNS)):
                town = Place(m.group(0), "town", last.province if before else None,
                             (last.city or last.name) if before else None)
                return [town], i + m.end() - m.start()
        return None

    def _region_at(self, text: str, i: int):
        """湘南, 苏北, 皖北, 粤东: a part of a province, written as its one-character name and a
        direction. It is a place prefix but no region of its own (the cities follow in brackets)."""
        if text[i:i + 1] in self.province_abbreviations and text[i + 1:i + 2] in ("东", "南", "西", "北", "中"):
            return [Place(text[i:i + 2], "region", self.province_abbreviations[text[i]])], i + 2
        return None

    def _zone_at(self, text: str, i: int, before: list[Place]):
        """郑州高新区, 西安航天基地, 永州经济技术开发区, 东湖高新区: a zone, optionally after its city."""
        window = text[i:i + 16]
        city, own_start = None, 0
        for length in range(min(5, len(window)), 1, -1):
            found = self.cities.get(window[:length]) or self.counties.get(window[:length]) or self.county_shorts.get(window[:length])
            if found:
                city, own_start = found[0], length
                if window[:length] in self.aliases:  # 红河州经开区: the city as written
                    city = Place(window[:length], "city", city.province, window[:length])
                break
        for suffix in ZONE_SUFFIXES:
            k = window.find(suffix, own_start)
            if k < 0:
                continue
            own = window[own_start:k]
            strong = suffix in _STRONG_ZONES
            if len(own) > (3 if strong else 2) or not (own == "" or _is_han(own)):
                continue
            if city is None and (not strong or len(own) < 2 or own in self._known or own in _GENERIC_OWN
                                 or _NOT_PLACES.match(own + suffix)
                                 or any(own[k:k + n] in self._known for n in (2, 3) for k in range(1, len(own) - n + 1))
                                 or any((own[k:] + suffix) in self.counties for k in range(1, len(own)))):
                continue  # 省石家庄高新区, 有浦东新区: a known place inside is no zone name of its own
            if city is not None and own == "" and suffix in ("园区", "港区", "基地"):
                continue  # too vague without a proper name of its own
            name = window[:k] + suffix
            zone = Place(name, "zone", city.province if city else None, city.name if city else None)
            places = [] if city is None or any(p.name == city.name for p in before) else [city]
            return places + [zone], i + len(name)
        return None

    def _unknown_admin_at(self, text: str, i: int):
        """A place missing from the gazetteer but written with its suffix (a county renamed a city),
        two characters then 市/县/旗, followed by another place or a connector."""
        m = re.match(r"[\u4e00-\u9fff]{2}(?:市|县|旗)", text[i:])
        if not m or _NOT_PLACES.search(m.group(0)):
            return None
        j = i + m.end()
        if j < len(text) and (text[j] in _CONNECTORS or text[j:j + 2] in self._known):
            return [Place(m.group(0), "county")], j
        return None

    def _abbreviation_place(self, name: str) -> Optional[Place]:
        if name in self.cities:
            return self.cities[name][0]
        if name in self.counties:
            return self.counties[name][0]
        return None

    def _abbreviation_run_at(self, text: str, i: int):
        """Two or more one-character city abbreviations: 广深佛莞, 长株潭, 成渝(地区), 京津冀."""
        j = i
        while j < len(text) and (text[j] in self.abbreviations or text[j] in self.province_abbreviations):
            j += 1
        if j - i < 2 or j >= len(text):
            return None
        options = [[p for p in map(self._abbreviation_place, self.abbreviations[c]) if p]
                   for c in text[i:j] if c in self.abbreviations]
        if len(options) < 2 or not all(options):
            return None  # 临港: one city's character and Hong Kong's is no pair of neighbouring cities
        # A character shared by several cities (长 = 长沙 or 长春) takes the others' province.
        sure = {o[0].province for o in options if len(o) == 1 and o[0].province not in MUNICIPALITIES}
        places = [next((p for p in o if p.province in sure), o[0]) for o in options]
        provinces = {p.province for p in places if p.province not in MUNICIPALITIES}
        if len(provinces) > 1:
            return None  # 合成 (合肥 + 成都) is a word, not a pair of neighbouring cities
        m = _REGION_TAIL.match(text[j:])
        return places, j + (m.end() if m else 0)


def _is_han(s: str) -> bool:
    return bool(s) and all("\u4e00" <= c <= "\u9fff" for c in s)


def _context_province(before: list[Place], hint: Optional[str]) -> Optional[str]:
    for p in reversed(before):
        if p.province:
            return p.province
    return hint


def _context_city(before: list[Place]) -> Optional[str]:
    for p in reversed(before):
        if p.kind == "city":
            return p.name
    return None


def _pick(options: list[Place], province: Optional[str] = None, city: Optional[str] = None) -> Place:
    if city:
        for p in options:
            if p.city == city:
                return p
    if province:
        for p in options:
            if p.province == province:
                return p
    return options[0]


def stem(name: str) -> str:
    """郑州市 → 郑州, 郑州高新区 → 郑州高新, 河南省 → 河南 (the form places are compared in)."""
    for suffix in ("特别行政区", "自治区", "自治州", "省", "市", "区", "县"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def same_or_outer(fewer: list[Place], more: list[Place]) -> bool:
    """True when `more` names the places of `fewer` plus only their province or city:
    瑞安市… and 浙江省温州市瑞安市… are one cluster; 广州市… and 广州增城区… are not."""
    mine = {stem(p.name) for p in fewer}
    outer = mine | {stem(x) for p in fewer for x in (p.city, p.province) if x}
    theirs = {stem(p.name) for p in more}
    return mine <= theirs and theirs <= outer


def province_of(places: list[Place]) -> Optional[str]:
    """The single province all places lie in; None when they span several or none is known."""
    provinces = {p.province for p in places if p.province}
    return provinces.pop() if len(provinces) == 1 else None


def regions_of(places: list[Place]) -> list[str]:
    """Region names in order of appearance, provinces left out, each place once; a zone's city
    comes before the zone (郑州高新区 → 郑州市, 郑州高新区)."""
    out: list[str] = []
    municipalities = set(words("levels", "municipalities"))
    for i, p in enumerate(places):
        if p.kind in ("province", "region"):
            continue
        if p.name in municipalities and any(q.kind != "city" and q.city == p.name for q in places[i + 1:]):
            continue  # 北京市顺义区: a municipality is the province; its district is the region
        if p.kind == "zone" and p.city and p.city not in out:
            out.append(p.city)
        if p.name not in out:
            out.append(p.name)
    return out


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer(places_data())
