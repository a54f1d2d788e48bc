"""Cluster-name matching with the tolerance documented in eval/README.md (section 6).

Two names match when, after folding (Traditional→Simplified, pinyin readings, width) and removing
whitespace and punctuation, they are equal (EXACT), differ only in the head noun 产业集群 / 集群 /
特色产业集群 (HEAD), or differ only by a leading place prefix (PLACE): one name carries a place the
other lacks (郑州巩义市铝基新材料… vs 巩义市铝基新材料…), or both carry the same place written
differently (鄭州… vs 郑州市…). Different places are different clusters (郑州高新区超硬材料… is not
河南省超硬材料…). Places are recognised by their admin suffix or because one of the two records lists
them in its regions/province, so no gazetteer is needed.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import product
from typing import Iterable, Optional, Sequence

from ..core.chinese import fold

EXACT, HEAD, PLACE, NONE = 3, 2, 1, 0
QUALITY_NAMES = {EXACT: "exact", HEAD: "head noun", PLACE: "place prefix"}
HEAD_NOUNS = ("特色产业集群", "产业集群", "集群")  # longest first
ADMIN_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "区", "县", "盟", "旗")
REGION_SUFFIXES = ("省", "市", "区", "县")  # stripped before comparing regions (eval/README.md)
_SUFFIX_CHARS = {s for s in ADMIN_SUFFIXES if len(s) == 1}
_SUFFIX_RE = re.compile("(?:" + "|".join(ADMIN_SUFFIXES) + ")$")
PROVINCES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
    "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
    "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门",
)


def canonical(text: str) -> str:
    """Folded text without whitespace or punctuation: the form names are compared in."""
    return "".join(c for c in fold(text) if not c.isspace() and unicodedata.category(c)[0] not in "PSZ")


def strip_head(name: str) -> str:
    for head in HEAD_NOUNS:
        if name.endswith(head) and len(name) > len(head):
            return name[: -len(head)]
    return name


def strip_region(place: str) -> str:
    """郑州市 → 郑州, 金水区 → 金水, 河南省 → 河南 (only when something is left)."""
    place = canonical(place)
    for suffix in REGION_SUFFIXES:
        if place.endswith(suffix) and len(place) > len(suffix):
            return place[: -len(suffix)]
    return place


def region_set(regions: Iterable[str]) -> frozenset[str]:
    return frozenset(strip_region(r) for r in regions if canonical(r))


def _bare(place: str) -> str:
    place = canonical(place)
    m = _SUFFIX_RE.search(place)
    return place[: m.start()] if m and m.start() > 0 else place


def split_places(prefix: str, known: Iterable[str] = ()) -> Optional[list[str]]:
    """Split a name prefix entirely into places (returned bare: 郑州巩义市 → [郑州, 巩义]), or None.

    A piece is a place when it ends in an admin suffix (2–9 characters), when it is a province, when
    it is one of the `known` places (with or without its suffix), or when it abbreviates known
    places one character each (长株潭 for 长沙, 株洲, 湘潭)."""
    if not prefix:
        return []
    known_bare = {b for b in (_bare(k) for k in known) if len(b) >= 2}
    names = known_bare | set(PROVINCES)
    best: list[Optional[list[str]]] = [None] * (len(prefix) + 1)
    best[0] = []
    for i in range(len(prefix)):
        if best[i] is None:
            continue
        for j in range(i + 2, min(len(prefix), i + 9) + 1):
            piece = prefix[i:j]
            if piece[0] in _SUFFIX_CHARS:
                continue
            bare = _bare(piece)
            if bare != piece or bare in names or _abbreviates(piece, known_bare):
                if best[j] is None or len(best[j]) < len(best[i]) + 1:  # the finest split
                    best[j] = best[i] + [bare]
    return best[-1]


def _abbreviates(piece: str, places: set[str]) -> bool:
    """Each character stands for a different one of `places` (广深佛莞, 苏锡通, 成渝)."""
    if not 2 <= len(piece) <= 4 or len(places) < len(piece):
        return False
    holders = [[p for p in places if c in p] for c in piece]
    return any(len(set(choice)) == len(piece) for choice in product(*holders))


def _same_places(a: list[str], b: list[str]) -> bool:
    """Both prefixes name the same place, one possibly with its province (河南省郑州 vs 郑州市)."""
    if "".join(a) == "".join(b):
        return True
    short, long = sorted((a, b), key=len)
    return bool(short) and set(short) <= set(long) and all(p in PROVINCES for p in set(long) - set(short))


def _common_suffix_len(a: str, b: str) -> int:
    n = 0
    while n < min(len(a), len(b)) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def name_match(gold: str, pred: str, places: Iterable[str] = ()) -> int:
    """Match quality of two cluster names; `places` are the regions/provinces both records list."""
    g, p = canonical(gold), canonical(pred)
    if not g or not p:
        return NONE
    if g == p:
        return EXACT
    gc, pc = strip_head(g), strip_head(p)
    if gc == pc:
        return HEAD
    places = list(places)
    n = _common_suffix_len(gc, pc)
    # The shared rest must hold the industry: at least two characters that are not a place.
    rest = gc[len(gc) - n:]
    if n < 2 or split_places(rest, places) is not None:
        return NONE
    g_left, p_left = gc[: len(gc) - n], pc[: len(pc) - n]
    if _bare(g_left) == _bare(p_left):  # 郑州 vs 郑州市
        return PLACE
    g_places, p_places = split_places(g_left, places), split_places(p_left, places)
    if g_places is None or p_places is None:
        return NONE
    if not g_places or not p_places or _same_places(g_places, p_places):
        return PLACE
    return NONE


@dataclass
class Pair:
    gold: int  # index into the gold list
    pred: int  # index into the prediction list
    quality: int


def match_clusters(gold: Sequence, preds: Sequence) -> list[Pair]:
    """One-to-one matching of one document's gold and predicted clusters (objects with name,
    regions and province), greedy by quality: exact pairs first, then head-noun, then place."""
    candidates = []
    for gi, g in enumerate(gold):
        for pi, p in enumerate(preds):
            places = list(g.regions) + list(p.regions) + [x for x in (g.province, p.province) if x]
            q = name_match(g.name, p.name, places)
            if q:
                candidates.append(Pair(gi, pi, q))
    candidates.sort(key=lambda c: (-c.quality, c.gold, c.pred))
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for c in candidates:
        if c.gold not in used_g and c.pred not in used_p:
            used_g.add(c.gold)
            used_p.add(c.pred)
            pairs.append(c)
    return sorted(pairs, key=lambda c: c.gold)
