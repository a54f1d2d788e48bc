"""Every written cluster name in a normalised document, in text order (repeats included).

For each head noun containing 集群 (the lexicon's [heads]):
1. *sense* — 集群 of computing (算力集群, Kubernetes集群, 万卡集群), drones or registration is no
   industrial cluster; 集群 followed by 处, 〔, 现场会 … is part of another word;
2. *modality* — a target or plan (力争到2027年打造…), a denial (…并非产业集群, 纯属杜撰) or text
   shaped like an instruction to a machine states no cluster;
3. *boundaries* — the name's start from word structure (words.py); a compressed list
   (甲、乙等4个产业集群, 甲和乙2个产业集群) gives one candidate per member;
4. *shape* — a list item, a table cell or a name inside a sentence (which decides its evidence).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..core.lexicon import alternation, words
from ..core.types import NormalisedDocument
from .names import HEAD_RE, ParsedName, minimal_head, name_start, parse_name, trim_trailing
from .places import gazetteer
from .words import tokens

_HEAD = re.compile(r"集群")
_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_CLAUSE_END = re.compile(r"[，,。！？；!?;：:\n]")
_COUNT = r"(?:\d+|[一二两三四五六七八九十]+)"
# The tail of a compressed list before the shared head noun: 等, 等4个, 2个, then list attributes
# (省级, 新材料) that are not part of the members' names.
_LIST_TAIL = re.compile(r"(?:等\s*(?:(?P<c1>" + _COUNT + r")\s*[个大])?|(?P<c2>" + _COUNT + r")\s*[个大])(?P<attrs>[\u4e00-\u9fff]{0,10})$")
# A list item's marker: 1. / 1、/ (一) / 一、/ - / a table row (| 1 | …) / a bare number cell (1宝鸡市…).
ITEM = re.compile(r"\s*(?:#{1,6}\s*)?(?:\d{1,3}\s*[.、．)）]|[（(][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}、|[-*•·●◆■]+|"
                  r"\|(?:\s*\d{1,3}\s*\|)?|\d{1,3}\s*(?=[\u4e00-\u9fff]))\s*")
_PAREN_LIST = re.compile(r"\s*[(（]([^()（）\n]{2,80})[)）]")
_PLACE_SUFFIX = re.compile(r"(?:市|县|区|州|盟|旗|开发区|高新区|经开区|新区|园区|基地)$")
_CN_NUM = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
# Characters a name may contain; anything else (punctuation, newline, space) ends it.
_NAME_CHAR = re.compile(r"[\u4e00-\u9fffA-Za-z0-9、()（）·“”]")


@dataclass
class Candidate:
    """One written mention of a cluster in the normalised text."""

    parsed: ParsedName
    start: int  # the name (or list member) in the normalised text
    end: int  # end of the head noun (or of the parenthesised place list)
    evidence: tuple[int, int]  # normalised span quoted as evidence
    regions: list[str]
    list_item: bool = False
    attrs: str = ""  # list attributes of a compressed list (省级新材料)
    facts: object = None  # set by the extractor: the facts of the sentence or list it stands in
    recognised: bool = False
    list_id: Optional[str] = None
    extra: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.parsed.name


_LIST_WORDS = frozenset(words("names", "lead_noise") + ["省级", "市级", "县级", "国家级", "重点", "首批"])


def _list_attrs(attrs: str) -> bool:
    """Words between 等/N个 and the head noun that qualify the list (省级新材料, 国家级), not a clause."""
    return not attrs or not any(t.role in ("stop", "verb") and t.word not in _LIST_WORDS for t in tokens(attrs))


@lru_cache(maxsize=1)
def _creation_words() -> frozenset[str]:
    return frozenset(words("cues", "creation_verbs"))


# --- sense and modality ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    return {
        "sense": re.compile(alternation(words("sense", "computing") + words("sense", "other"))),
        "denial": re.compile(alternation(words("cues", "denials"))),
        "injection": re.compile(alternation(words("cues", "injections")), re.IGNORECASE),
        "marker": re.compile(alternation(words("cues", "target_markers"))),
        "creation": re.compile("(?:" + alternation(words("cues", "creation_verbs")) + ")(?!了)"),
        "not_after": re.compile(alternation(words("heads", "not_after"))),
        "attributive": re.compile(alternation(words("heads", "attributive_after"))),
    }


def other_sense(name_text: str, clause: str, bare_head: bool) -> bool:
    """集群 of servers, GPUs, containers, drones … : a bare 集群 whose name or clause holds such a
    word. (An 产业集群 of drones or computing power is an industrial cluster.)"""
    sense = _patterns()["sense"]
    return bare_head and bool(sense.search(name_text) or sense.search(clause))


def is_target(sentence_before_mention: str) -> bool:
    """力争创建甲、乙等10个国家级产业集群: clusters that do not exist yet."""
    p = _patterns()
    marker = p["marker"].search(sentence_before_mention)
    return bool(marker and p["creation"].search(sentence_before_mention, marker.start()))


def _aims_at(text: str, head_end: int) -> bool:
    """甲、乙等6个集群创建国家级先进制造业集群: the clusters are named as aiming at a list."""
    m = _patterns()["creation"].match(text, head_end)
    aim = m is not None and re.match(r"(?:国家级|省级|市级|世界级|国家|全国|千亿级|万亿级|[一二两三四五六七八九十\d]+个)",
                                     text[m.end():m.end() + 4]) is not None
    return aim or re.match(r"(?:争创|冲刺|晋级|迈向)", text[head_end:head_end + 2]) is not None


_CLAIM = re.compile(r"(?:称|宣称|声称|表述为|宣传|网传|传言|传闻|消息|说法|一则)[，,：:]?[“\"]?$")


def _quoted_claim(text: str, start: int, end: int) -> bool:
    """A name inside a quoted claim the article reports and then denies (有企业称“甲集群为…”。经核实，
    上述集群不属于本次名单; 一则“甲集群入选…”的消息…纯属杜撰)."""
    line_start = text.rfind("\n", 0, start) + 1
    opened = text.rfind("“", line_start, start)
    if opened < 0 or text.rfind("”", opened, start) >= 0:
        return False
    closed = text.find("”", end)
    if closed < 0:
        return False
    claim = bool(_CLAIM.search(text[max(line_start, opened - 6):opened + 1])) or text.startswith(
        ("的消息", "的说法", "的传言", "的传闻", "的报道", "消息", "说法", "传言", "传闻"), closed + 1)
    after = text[closed:closed + 160]
    return claim and is_denied(after)


def is_denied(sentence: str) -> bool:
    """The sentence denies a cluster or a membership (…并非产业集群, 纯属杜撰, 不属于本次名单)."""
    return _patterns()["denial"].search(sentence) is not None


def _line_around(text: str, start: int, end: int) -> str:
    """The paragraph holding a mention: an instruction block (【指令】…。请将“甲集群”列为…) spans sentences."""
    s = text.rfind("\n", 0, start) + 1
    e = text.find("\n", end)
    return text[s:len(text) if e < 0 else e]


def is_instruction(line: str) -> bool:
    """Text shaped like an instruction to a machine or like data for one: never an article's fact."""
    return bool(_patterns()["injection"].search(line) or re.search(r"[{\[]\s*\"[a-z_]+\"\s*:", line))


# --- finding ---------------------------------------------------------------------------------------


def _to_int(count: Optional[str]) -> Optional[int]:
    if not count:
        return None
    if count.isdigit():
        return int(count)
    if count == "十":
        return 10
    if count.startswith("十"):
        return 10 + _CN_NUM.get(count[1:], 0)
    if count.endswith("十"):
        return _CN_NUM.get(count[0], 0) * 10
    return _CN_NUM.get(count)


def _left_boundary(text: str, head_start: int, floor: int) -> int:
    i = head_start
    while i > floor and _NAME_CHAR.match(text[i - 1]):
        i -= 1
    # A name never starts inside an unclosed parenthesis: (记者 …) or a place list before it.
    depth = 0
    for k in range(head_start - 1, i - 1, -1):
        c = text[k]
        if c in ")）":
            depth += 1
        elif c in "(（":
            if depth == 0:
                return k + 1
            depth -= 1
    # nor after an unmatched closing quote: 称“…”产业集群 (the quote is the text's, not the name's)
    if text.count("”", i, head_start) > text.count("“", i, head_start):
        i = text.rfind("”", i, head_start) + 1
    return i


def _in_book_title(text: str, pos: int) -> bool:
    line_start = text.rfind("\n", 0, pos) + 1
    opened = text.rfind("《", line_start, pos)
    return opened >= 0 and text.rfind("》", opened, pos) < 0


def _paren_regions(text: str, end: int, near: Optional[str]) -> tuple[list[str], int]:
    """The place list in parentheses right after a name: (郑州市、许昌市…)."""
    m = _PAREN_LIST.match(text, end)
    if not m:
        return [], end
    g = gazetteer()
    items = [x.strip() for x in re.split(r"[、，,;；]", m.group(1)) if x.strip()]
    regions = []
    for item in items:
        prefix = g.parse_prefix(item, near)
        if prefix.end == len(item) and prefix.places:
            regions.extend(prefix.regions)
        elif _PLACE_SUFFIX.search(item) and 2 <= len(item) <= 12 and all("\u4e00" <= c <= "\u9fff" for c in item):
            regions.append(item)
        else:
            return [], end
    return regions, m.end()


@lru_cache(maxsize=1)
def _joined_industries() -> re.Pattern:
    return re.compile(alternation(words("names", "joined_industries")))


_CONJUNCTION_RANK = {"和": 0, "及": 1, "与": 2}  # 和 joins members more often than 及/与


def _split_members(text: str, count: Optional[int]) -> list[tuple[int, str]]:
    """Members of a compressed list with their offsets. 、 separates members; 和/及/与 only when the
    count asks for more members (有色金属和农副产品加工2个产业集群), never otherwise (精品板材和合金钢管
    is one member). The cuts chosen leave known industry terms whole (纺织服装和软件和信息服务2个 →
    纺织服装 | 软件和信息服务) and prefer 和, then the earliest conjunction."""
    members, pos = [], 0
    for part in text.split("、"):
        if part:
            members.append((pos, part))
        pos += len(part) + 1
    if not count or len(members) >= count:
        return members
    cuts = []  # (rank, offset in text) of every conjunction that may separate two members
    for off, part in members:
        protected = [m.span() for m in _joined_industries().finditer(part)]
        for m in re.finditer("[和及与]", part):
            if any(a <= m.start() < b for a, b in protected):
                continue
            cuts.append((_CONJUNCTION_RANK[m.group(0)], off + m.start()))
    chosen: list[int] = []
    for _, at in sorted(cuts):
        if len(chosen) == count - len(members):
            break
        if _pieces_ok(members, sorted(chosen + [at])):
            chosen.append(at)
    out = []
    for off, part in members:
        bounds = [off] + [at + 1 for at in sorted(chosen) if off <= at < off + len(part)]
        ends = [at for at in sorted(chosen) if off <= at < off + len(part)] + [off + len(part)]
        out += [(a, text[a:b]) for a, b in zip(bounds, ends)]
    return out


def _pieces_ok(members: list[tuple[int, str]], cuts: list[int]) -> bool:
    """Every piece the cuts leave has at least two characters."""
    for off, part in members:
        edges = [off - 1] + [at for at in cuts if off <= at < off + len(part)] + [off + len(part)]
        if any(b - a - 1 < 2 for a, b in zip(edges, edges[1:])):
            return False
    return True


def _clause_end(text: str, pos: int, limit: int = 40) -> int:
    m = _CLAUSE_END.search(text, pos)
    end = m.start() if m else len(text)
    return end if end - pos <= limit else pos


def _clause_around(text: str, a: int, b: int) -> str:
    s = max(text.rfind(c, 0, a) for c in "，,。！？；!?;：:\n") + 1
    m = _CLAUSE_END.search(text, b)
    return text[s:m.start() if m else len(text)]


def _sentence_around(text: str, a: int, b: int) -> tuple[int, int]:
    s = max(text.rfind(c, 0, a) for c in "。！？；!?;\n") + 1
    m = _SENTENCE_END.search(text, b)
    return s, (m.start() if m else len(text))


def _slogan(text: str, start: int, end: int, parsed: ParsedName) -> bool:
    """“锦绣集群”: a quoted figure of speech with no place."""
    return (not parsed.prefix.places and start > 0 and text[start - 1] in "“‘「\""
            and end < len(text) and text[end] in "”’」\"")


def _head_at(text: str, m: re.Match) -> tuple[int, str]:
    head_end = m.end()
    head_m = HEAD_RE.search(text, max(0, head_end - 12), head_end)
    head_start = head_m.start() if head_m else m.start()
    return head_start, text[head_start:head_end]


def find_candidates(ndoc: NormalisedDocument) -> list[Candidate]:
    """Every cluster name written in the document, in text order (repeats included)."""
    text = ndoc.text
    p = _patterns()
    out: list[Candidate] = []
    floor = 0
    for m in _HEAD.finditer(text):
        head_end = m.end()
        head_start, head = _head_at(text, m)
        left = _left_boundary(text, head_start, floor)
        floor = head_end
        raw = text[left:head_start]
        if not raw or raw.endswith("、") or _in_book_title(text, head_start) or p["not_after"].match(text, head_end):
            continue
        s_start, s_end = _sentence_around(text, left, head_end)
        sentence = text[s_start:s_end]
        clause = _clause_around(text, left, head_end)
        if (is_target(text[s_start:left] + raw) or _aims_at(text, head_end) or is_denied(sentence)
                or is_instruction(_line_around(text, left, head_end))):
            continue
        if other_sense(raw, clause, head == "集群"):
            continue
        found = _compressed(text, left, raw, head, head_end) or _single(text, left, raw, head, head_end)
        if not found:
            _share_series_attributes(text, out, raw, head, left)
        found = [c for c in found if not _attributive_generic(text, c, head_end)
                 and not _governed_by_creation(text, c.start) and not _quoted_claim(text, c.start, head_end)]
        floor = max([floor] + [c.end for c in found])  # after a place list in parentheses, too
        out.extend(c for c in found if not _slogan(text, c.start, head_end, c.parsed))
    return out


def _attributive_generic(text: str, c: Candidate, head_end: int) -> bool:
    """集群培育的典型经验, 集群企业, 设立集群专项子基金: 集群 modifies the next noun. Without a place
    that is no name; with one, an industry that ends in a predicate (…基金设立) is none either."""
    if c.list_item or c.attrs:
        return False  # items and members of a counted list (钢铁和化工2个产业集群年营收…) are named
    after = text[head_end:head_end + 8]
    nxt = next(iter(tokens(re.split(r"[^\u4e00-\u9fffA-Za-z]", after, maxsplit=1)[0])), None) if after else None
    noun_next = nxt is not None and nxt.role == "noun"
    if not c.parsed.prefix.places:
        return _patterns()["attributive"].match(text, head_end) is not None or noun_next
    last = tokens(c.parsed.industry)[-1:] if c.parsed.industry else []
    return bool(last) and last[0].role == "verb" and noun_next


def _governed_by_creation(text: str, start: int) -> bool:
    """建设X产业集群, 打造X集群, 培育壮大X集群: the name is the object of a plan's verb."""
    before = re.split(r"[，,。；;：:！!？?\n、（(]", text[max(0, start - 12):start])[-1]
    toks = tokens(before)
    for i in range(len(toks) - 1, -1, -1):
        t = toks[i]
        if t.role == "place" or len(before) - t.start > 9:
            return False
        if t.word in _creation_words():
            # 建设千亿级机器人产业集群, 打造国内领先的…集群 — but not 已建成…, 建设了…
            # 联合培育的成渝地区…集群: a verb right before 的 describes an existing cluster
            done = before[:t.start].endswith(("已", "已经", "业已")) or before.startswith(("了", "的"), t.end)
            return not done
    return False


def _share_series_attributes(text: str, found: list[Candidate], raw: str, head: str, left: int) -> None:
    """甲集群、乙集群和丙集群等国家级集群: the closing 等…集群 qualifies every name of the series."""
    tail = _LIST_TAIL.search(raw)
    if not tail or raw[: tail.start()].strip("、和及与 ") or not _list_attrs(tail.group("attrs")):
        return
    end = left
    for c in reversed(found):
        if text[c.end:end].strip("、和及与 "):
            break
        c.attrs = c.attrs or tail.group("attrs") + head
        end = c.start


def _compressed(text: str, left: int, raw: str, head: str, head_end: int) -> list[Candidate]:
    tail = _LIST_TAIL.search(raw)
    if not tail:
        return []
    attrs = tail.group("attrs")
    if not _list_attrs(attrs):
        return []  # …等4个 attributes are list words (省级新材料), not a clause (…等4个入选)
    members_text = raw[: tail.start()]
    start = name_start(members_text, allow_list=True)
    count = _to_int(tail.group("c1") or tail.group("c2"))
    shared = minimal_head(head)
    found = []
    for off, member in _split_members(members_text[start:], count):
        body = trim_trailing(member)
        lead = name_start(body) if body else 0
        parsed = parse_name(body[lead:], shared)
        if parsed is None:
            continue
        m_start = left + start + off + lead
        found.append(Candidate(parsed, m_start, m_start + len(body) - lead, (0, 0), parsed.regions,
                               attrs=attrs + head))
    if not found:
        return []
    ev_start = found[0].start
    ev_end = _clause_end(text, head_end)
    for c in found:
        c.evidence = (ev_start, max(ev_end, head_end))
    return found


def _single(text: str, left: int, raw: str, head: str, head_end: int) -> list[Candidate]:
    start = name_start(raw)
    body = trim_trailing(raw[start:])
    if not body or body != raw[start:]:
        return []  # 链条完善和集群治理: 集群 here is a noun of its own, not the head of a name
    parsed = parse_name(body, head)
    if parsed is None:
        return []
    name_pos = left + start
    unparsed = body[parsed.prefix.end:]
    if "、" in unparsed:
        # 电子信息、生物医药产业集群 without 等: a compressed list after all.
        return _as_list(text, left + start, body, head, head_end)
    regions, end = _paren_regions(text, head_end, parsed.province)
    regions = parsed.regions + [r for r in regions if r not in parsed.regions]
    series = text[head_end:head_end + 1] == "、" or text[name_pos - 1:name_pos] == "、"
    ev_end = end if series or end > head_end else max(end, _clause_end(text, end))
    line_start = text.rfind("\n", 0, name_pos) + 1
    item = ITEM.match(text, line_start)
    # Numbered or bulleted items, colon lists, table cells and names standing alone between
    # separators (甲集群；乙集群；) are list items; a series inside a sentence only quotes short.
    list_item = (bool(item and item.end() >= name_pos - 2) or ":" in text[line_start:name_pos]
                 or "：" in text[line_start:name_pos] or stands_alone(text, name_pos, end))
    if list_item:
        ev_end = end
    return [Candidate(parsed, name_pos, end, (name_pos, ev_end), regions, list_item=list_item)]


_CELL_BEFORE = re.compile(r"(?:^|[，,。；;\n|\t]|\s)\s*(?:\d{1,3}\s*[.、．]?)?\s*$")
_CELL_AFTER = re.compile(r"\s*(?:$|[，,。；;\n|\t]|\s|—|-)")


def stands_alone(text: str, start: int, end: int) -> bool:
    """A name alone in its clause or table cell: 甲集群；乙集群；, | 1 | 甲集群 | — |, or a cell of a
    table flattened into one line (… 2 甲集群 甲市 装备 3 乙集群 …)."""
    before = text[max(0, start - 8):start]
    if not _CELL_BEFORE.search(before) and start > 0:
        return False
    return _CELL_AFTER.match(text, end) is not None


def _as_list(text: str, pos: int, body: str, head: str, head_end: int) -> list[Candidate]:
    shared = minimal_head(head)
    found = []
    for off, member in _split_members(body, None):
        parsed = parse_name(trim_trailing(member), shared)
        if parsed is not None:
            found.append(Candidate(parsed, pos + off, pos + off + len(member), (0, 0), parsed.regions, attrs=head))
    if len(found) < 2:
        return []
    for c in found:
        c.evidence = (pos, max(head_end, _clause_end(text, head_end)))
    return found
