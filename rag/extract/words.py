"""Where a cluster name starts, from word structure.

A name is [places][industry][head noun]. Walking left from the head noun over jieba's words
(with part-of-speech tags), a name takes places, nouns, adjectives and noun modifiers; a verb
only inside it, between two name words (粮食加工, 再生资源利用, 输变电配备); a conjunction only
between two nouns (软件和信息服务); a quoted or bracketed part whole (“鞋都”, （环保机械）). It
stops at a function word, pronoun, adverb, numeral, measure word, locative, time word, a verb at
its left edge (入选, 推动, 制定) and at the lexicon's `never_inside` words (名单, 本批, 地区 …).
Because the walk is over words, a name never starts inside a word (生物医药 stays whole).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

from ..core.lexicon import words
from ..core.places import find_places

# jieba part-of-speech tags (ICTCLAS set) by the role they can play in a name.
_NOUN_TAGS = {"n", "nz", "nr", "nrt", "nrfg", "ng", "nt", "j", "l", "i", "eng", "z", "s", "h", "k", "g"}
_MODIFIER_TAGS = {"vn", "an", "a", "b", "ns", "nl"}
_VERB_TAGS = {"v", "vd", "vg", "vi", "vq"}
_OPEN = {"“": "”", "‘": "’", "「": "」", "(": ")", "（": "）", "《": "》"}
_CLOSE = {v: k for k, v in _OPEN.items()}


@lru_cache(maxsize=1)
def _posseg():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    for w in _industry_words():  # 服务外包 is 服务/外包, not 服务/外/包
        if len(w) >= 2:
            jieba.add_word(w, tag="n")
    return jieba.posseg


@lru_cache(maxsize=1)
def _never_inside() -> frozenset[str]:
    return frozenset(words("names", "never_inside"))


@lru_cache(maxsize=1)
def _predicates() -> frozenset[str]:
    """Cue words that are acts, never parts of a name, whatever jieba tags them (印发/nz, 建设/vn)."""
    return frozenset(words("cues", "recognition") + words("cues", "publish") + words("cues", "speech")
                     + words("cues", "creation_verbs") + words("cues", "target_markers") + words("names", "predicate_verbs"))


@lru_cache(maxsize=4096)
def _starts_with_predicate(word: str) -> bool:
    """遴选出, 入选了, 公布的: a predicate with its particle in one word."""
    return len(word) >= 3 and any(word.startswith(p) for p in _predicates() if len(p) >= 2)


@lru_cache(maxsize=1)
def _industry_words() -> frozenset[str]:
    return frozenset(words("names", "industry_verbs") + words("names", "inside_words"))


@lru_cache(maxsize=1)
def _time_words() -> frozenset[str]:
    return frozenset(words("names", "time_words"))


@lru_cache(maxsize=1)
def _lead_noise() -> frozenset[str]:
    return frozenset(words("names", "lead_noise"))


@dataclass
class Token:
    word: str
    tag: str
    start: int
    end: int
    role: str  # place, noun, modifier, verb, conj, open, close, list, stop


@lru_cache(maxsize=4096)
def _cut(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((w, f) for w, f in _posseg().cut(text))


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    from .places import _WORDLIKE_SHORTS, gazetteer

    return frozenset(gazetteer().known - _WORDLIKE_SHORTS)


def tokens(text: str) -> list[Token]:
    """jieba words with their role in a name; gazetteer places override jieba's tags."""
    places = [(s, e) for s, e, _ in find_places(text)]
    known = _place_words()
    out: list[Token] = []
    pos = 0
    for word, tag in _cut(text):
        s, e = pos, pos + len(word)
        pos = e
        if any(a <= s and e <= b for a, b in places) or word in known:
            role = "place"
        elif word in _industry_words():
            role = "noun"
        elif word in _never_inside() or word in _predicates() or _starts_with_predicate(word):
            role = "stop"
        elif word in _OPEN:
            role = "open"
        elif word in _CLOSE:
            role = "close"
        elif word == "、":
            role = "list"
        elif word in ("和", "及", "与", "暨", "以及"):
            role = "conj"
        elif tag == "t" and not (word in _time_words() or any(c.isdigit() for c in word)):
            role = "noun"  # jieba's time words that are no times: 清 (超高清), 新一代
        elif tag in _NOUN_TAGS or tag.startswith("n") or tag in ("zg", "yg", "g") or (word.isascii() and word.isalnum() and not word.isdigit()) \
                or (tag == "mq" and not any(c.isdigit() for c in word)):
            role = "noun"
        elif tag in _MODIFIER_TAGS:
            role = "modifier"
        elif tag in _VERB_TAGS:
            role = "verb"
        else:
            role = "stop"
        out.append(Token(word, tag, s, e, role))
    for i, t in enumerate(out):
        if t.tag == "m" and t.word.isdigit() and i + 1 < len(out) and out[i + 1].tag == "eng" and out[i + 1].start == t.end:
            t.role = "noun"  # 5G, 3D
        if t.tag == "ad" and t.role == "stop" and i + 1 < len(out) and out[i + 1].role in ("noun", "modifier") \
                and t.word not in _never_inside() and t.word not in _predicates():
            t.role = "modifier"  # 正极材料, 高效节能装备: jieba's adverbial adjectives before a noun modify it
        if t.word in ("省", "市", "县", "区", "州", "镇") and i > 0 and out[i - 1].word in ("我", "本", "该", "全", "各", "此"):
            t.role = "stop"  # 我县, 本市: the article's own place, no part of a name
    return out


def name_start(segment: str, allow_list: bool = False) -> int:
    """Offset in `segment` (the text right before a head noun) where the name begins; len(segment)
    when no name precedes the head. With `allow_list`, 、 and conjunctions between names continue
    it (甲市A、乙市B和丙市C 3个产业集群)."""
    toks = tokens(segment)
    i = len(toks) - 1
    start = len(segment)
    while i >= 0:
        t = toks[i]
        if t.role == "close":
            j = _matching_open(toks, i)
            if j is None or _numbering(segment[toks[j].end:t.start]):
                break  # an unmatched bracket, or list numbering: （四）
            start, i = toks[j].start, j - 1
            continue
        if t.role in ("place", "noun", "modifier"):
            start, i = t.start, i - 1
            continue
        if t.role == "verb":
            left = toks[i - 1] if i > 0 else None
            after_name = left is not None and left.role in ("noun", "modifier", "close") and not (
                left.role == "close" and _numbering_before(segment, toks, i - 1))
            # 稀土新材料及应用: a verb joined to an industry by 及/和 is an industry word too
            after_name = after_name or (left is not None and left.role == "conj" and i >= 2
                                        and toks[i - 2].role in ("noun", "modifier"))
            if len(t.word) == 1 and left is not None and left.tag.startswith("d"):
                break  # 不含跨省域: a one-character verb after an adverb is the predicate (泛家居 is a name)
            if start < len(segment) or after_name:
                start, i = t.start, i - 1  # inside the name: 节能环保装备, 运动鞋服, 输变电配备
                continue
            break
        if t.role in ("conj", "list") and start < len(segment):
            left = toks[i - 1] if i > 0 else None
            right = toks[i + 1] if i + 1 < len(toks) else None
            places = left is not None and right is not None and left.role == "place" and right.role == "place"
            if left is not None and left.role in ("place", "noun", "modifier", "close", "verb") and (
                    allow_list or t.role == "conj" or places):  # 郑州市、开封市新能源汽车: one name, two cities
                start, i = t.start, i - 1
                continue
            break
        break
    return _place_start(segment, _trim_lead(segment, start))


def _place_start(segment: str, start: int) -> int:
    """Move the start back over a place the words cut (长株潭: 长/a 株/q 潭/n; 天等县, 周至县)."""
    from .places import gazetteer

    g = gazetteer()
    if 0 < start and segment[:start] in g.known:
        return 0  # the whole cut is a place name (开化, 治多)
    own = g.parse_prefix(segment[start:])
    own_end = start + own.end if own.places else start
    for k in range(max(0, start - 6), start):
        prefix = g.parse_prefix(segment[k:])
        if own_end >= k + prefix.end > start:
            continue  # 认定远安县: the name already starts with a whole place; 定远 is the verb's tail
        if prefix.places and k + prefix.end >= start and (k + prefix.end > start or _placeless_gap(segment, k, start)):
            return k
    return start


def _placeless_gap(segment: str, k: int, start: int) -> bool:
    """Nothing but the place lies between k and the start (the walk stopped at a word the place
    is made of: 治/v 多/m)."""
    from .places import gazetteer

    return gazetteer().parse_prefix(segment[k:start]).end == start - k


def _numbering(inside: str) -> bool:
    return bool(inside) and all(c.isdigit() or c in "一二三四五六七八九十" for c in inside.strip())


def _numbering_before(segment: str, toks: list[Token], i: int) -> bool:
    j = _matching_open(toks, i)
    return j is None or _numbering(segment[toks[j].end:toks[i].start])


def _matching_open(toks: list[Token], i: int):
    want = _CLOSE[toks[i].word]
    for j in range(i - 1, max(-1, i - 12), -1):
        if toks[j].word == want:
            return j
        if toks[j].role == "close":
            return None
    return None


def _trim_lead(segment: str, start: int) -> int:
    """A name does not start with a verb, a conjunction or a level word (入选…, 和…, 国家级…)."""
    changed = True
    while changed and start < len(segment):
        changed = False
        rest = tokens(segment[start:])
        if not rest:
            break
        first = rest[0]
        lone_verb = first.role == "verb" and len(first.word) == 1 and len(rest) > 1 and rest[1].role == "noun"
        if (first.role in ("verb", "conj", "list", "stop") and not lone_verb) or first.word in _lead_noise():
            start += first.end
            changed = True
    return start


def has_content_noun(text: str) -> bool:
    """The industry names a thing: at least one noun that is not a place or a generic word
    (优先保障, 培育壮大县域 have none)."""
    generic = set(words("names", "generic_industry"))
    toks = tokens(text)
    if any(t.role == "noun" and t.word not in generic for t in toks):
        return True
    # 安防监控, 导航设备, 数字出版: trades the tagger reads as verbs, made only of content words
    # and not of policy verbs (优先保障, 培育壮大)
    policy = set(words("names", "policy_verbs")) | set(words("names", "predicate_verbs"))
    return len(toks) >= 2 and all(t.role in ("noun", "modifier", "verb") and t.word not in policy for t in toks) and any(
        t.role in ("modifier", "verb") and len(t.word) >= 2 and t.word not in generic for t in toks)
