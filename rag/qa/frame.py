"""What a question asks, as a typed frame.

`parse(question)` folds the question (Traditional → Simplified, pinyin readings out) and reads:
- the *answer type* (count, members, member, body, date, period, length, validity, docno, phone,
  office, amount, percent, quantity, place, level, program, year, yesno, definition, text) from
  the lexicon's question words;
- the *lists* it is about: each a `ListSelector` read with the same fact reader that reads list
  headings (rag.extract.facts), so a question and a list describe themselves the same way; two
  lists when it joins two (甲名单和乙名单加起来…);
- the *filters* on a list's members: a place written after the list (名单里湖北有几个), an
  industry keyword (化工类, 跟铝有关, 带“纺织”二字), a name prefix (以“襄阳”开头), a position
  (排第三, 最后一个), a named cluster (陈皮集群);
- the *operation* (lookup, count, list, position, sum, compare, intersect, difference, argmax,
  argmin) and whether it is about the articles together.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from ..core.chinese import fold, t2s
from ..core.lexicon import alternation, words
from ..core.numbers import chinese_to_number, find_dates, find_numbers
from ..core.places import Place, find_places
from ..core.spans import find_bodies, find_ordinals
from ..extract.facts import Facts, read_facts

_PUNCT_END = re.compile(r"[？?。！!；;]+")


@lru_cache(maxsize=None)
def _q(key: str) -> re.Pattern:
    return re.compile(alternation(words("questions", key)))


_CN_BATCH = {c: i + 1 for i, c in enumerate("一二三四五六七八九十")}


@dataclass
class ListSelector:
    """One list a question names: the facts it gives about it (any may be missing)."""

    facts: Facts
    text: str  # the part of the question that names it
    places: list[Place] = field(default_factory=list)  # places written in that part

    @property
    def batches(self) -> list[int]:
        """Every batch the part names (第一批和第二批, 第一、二批, 首批和第三批), in order."""
        found: list[int] = []
        for m in re.finditer(r"首批|第([一二三四五六七八九十\d][一二三四五六七八九十\d、和及与至]*)批", self.text):
            if m.group(1) is None:
                found.append(1)
                continue
            run = re.split(r"[、和及与]", m.group(1))
            if len(run) == 1 and "至" in run[0]:  # 第一至三批
                a, b = (_CN_BATCH.get(x) or (int(x) if x.isdigit() else None) for x in run[0].split("至", 1))
                found += list(range(a, b + 1)) if a and b and a < b else []
                continue
            found += [n for n in ((_CN_BATCH.get(x) or (int(x) if x.isdigit() else None)) for x in run) if n]
        return list(dict.fromkeys(found))

    @property
    def named(self) -> bool:
        """The question names a list (a program, a list noun, a batch or a stage)."""
        f = self.facts
        return bool(f.program or f.batch or f.stage or re.search(alternation(words("cues", "list_nouns")), self.text))


@dataclass
class Filters:
    place: Optional[Place] = None  # members in this place (名单里湖北有几个)
    places: list = field(default_factory=list)  # every place asked for (泰州和扬州的分别是哪个)
    keyword: Optional[str] = None  # members whose name holds it (化工类, 带“纺织”)
    prefix: Optional[str] = None  # members whose name starts with it (以“襄阳”开头)
    position: Optional[int] = None  # 1-based; -1 = last
    superlative: Optional[str] = None  # max | min, with the measure word in `metric`
    level_in_name: Optional[str] = None  # 以镇为单位: members named by a town (镇), district (区) …
    exclude: list = field(default_factory=list)  # 除玉环、温岭之外的: members named by these are left out


@dataclass
class QuestionFrame:
    text: str
    folded: str
    traditional: bool
    answer: str  # the answer type
    operation: str
    lists: list[ListSelector]
    filters: Filters
    places: list[tuple[int, int, Place]]  # every place written, with its span in `folded`
    years: list[int]
    metric: Optional[str] = None  # what a number is of: 营业收入, 专精特新中小企业, 增长
    measure: Optional[str] = None  # the measure word a count or quantity asks for (个, 家, 张)
    counted: Optional[str] = None  # the first word of what it counts (多少家上市企业 → 上市)
    cumulative: bool = False  # 累计, 总数, 截至, 加上首批: a running total, not one list's size
    corpus: bool = False  # about the articles together
    granularity: Optional[str] = None  # for places: province, city, county, town
    parts: list[str] = field(default_factory=list)  # sub-questions (…多少？增长了多少？)
    choice: list[str] = field(default_factory=list)  # 国家级还是省级 / 第一批还是第二批: the options offered

    @property
    def asks_list(self) -> bool:
        return any(s.named for s in self.lists)


# The coarse question kinds `Answer.kind` has always reported, by answer type.
KIND = {"batch": "other", "notice_start": "when", "members": "list", "member": "list", "count": "count", "body": "who", "company": "who", "person": "who",
        "office": "who", "date": "when", "notice_end": "when", "period": "when", "year": "when", "place": "where",
        "amount": "numeric", "percent": "numeric", "quantity": "numeric", "docno": "numeric", "phone": "numeric",
        "length": "when", "validity": "when", "yesno": "yesno", "level": "other", "definition": "other", "text": "other"}


def kind_of(answer_type: str) -> str:
    return KIND.get(answer_type, "other")


def is_traditional(text: str) -> bool:
    han = "".join(c for c in text if "\u3400" <= c <= "\u9fff")
    return bool(han) and t2s(han) != han


def split_parts(folded: str) -> list[str]:
    """Sub-questions: at ？；, and at ，/、/和 between two question words (…多少，同比增长多少)."""
    parts = [p.strip(" ，,") for p in _PUNCT_END.split(folded) if p.strip(" ，,")]
    out = []
    for p in parts:
        hits = [m for m in re.finditer(r"多少|几(?:个|家|年|条)?|哪(?:个|一|些|家|几)|是什么|分别是", p)]
        cut_at = []
        for a, b in zip(hits, hits[1:]):
            gap = p[a.end():b.start() + 1]
            m = re.search(r"[，,]|(?:和|以及)(?=[\u4e00-\u9fff])", gap)
            if m:
                cut_at.append(a.end() + m.start())
        last = 0
        for c in cut_at:
            out.append(p[last:c].strip(" ，,"))
            last = c + 1
        out.append(p[last:].strip(" ，,"))
    return [p for p in out if p]


# --- answer type -----------------------------------------------------------------------------------

_ASK_MEMBERS = re.compile(r"哪些|哪几|哪两个|哪三个|哪四个|有哪|都有|分别是|分别为|列出|点了哪些名|点名了哪些|包括哪|名单(?:中|里)?有什么")
_ASK_ONE = re.compile(r"哪个|哪一个|是哪|叫什么|什么集群|哪家")
_ASK_LEVEL = re.compile(r"哪一级|什么级别|哪个级别|属于哪一级|哪一类|哪类|什么称号|哪种|哪一种")
_ASK_YEAR = re.compile(r"哪一年|哪年|什么年份|哪个年份|哪个年度|哪一年度|什么年度")
_ASK_DATE = re.compile(r"哪天|哪一天|哪日|几月几日|几号|什么时候|何时|什么时间|日期|哪个日子")
_NOTICE_END = re.compile(r"截止|截至哪|到哪天|到什么时候|结束|到几号|何时结束")
_ASK_LENGTH = re.compile(r"多长|多久|几天|几个工作日|多少天|几年|多少年|期限")
_ASK_COUNT = re.compile(r"(?<!哪)(?:几个|几家|几条|几项|几批|几所|几座|几位|几名|几张|几架|几台)|多少个|多少家|多少条|多少项|"
                        r"多少批|多少所|多少座|多少位|多少名|多少张|多少架|多少台|数量|多少(?=集群|产业集群)|有多少(?!亿|万)")
_MEASURE = re.compile(r"(?:几|多少)(万吨|吨|万千瓦|千瓦|亩|平方米|公里|个|家|条|项|批|所|座|位|名|张|架|台|辆|件|卡|场|万卡|次|倍)")
_ASK_AMOUNT = re.compile(alternation(words("numbers", "money")))
_ASK_RATE = re.compile(r"增长|增速|增幅|占比|比重|比例|占全国|占|百分|率|提高|下降|强度")
_ASK_PLACE = re.compile(r"哪[两三四五几]个(?:城市|市|省|地区)|哪个市|哪个区|哪个县|哪个镇|哪个省|哪个城市|哪些市|哪几个市|哪两个市|哪两个城市|哪些城市|哪个县级市|"
                        r"哪个区县|哪个地区|在哪|哪里|什么地方|涉及哪|包括哪几个|哪个高新区|哪个园区|哪个省份|哪些地区")
_DEFINITION = re.compile(r"什么是|是什么意思|如何定义|怎么定义|怎样定义|指什么|是指什么|的定义|什么叫|什么形态|含义")


def answer_type(q: str) -> str:
    if re.search(r"是否|是不是|有没有|能否|可否|会不会|吗[？?]?$", q):
        return "yesno"
    if _q("docno").search(q):
        return "docno"
    if re.search(r"电话|联系方式|号码", q):
        return "phone"
    if re.search(r"处室|哪个处|哪个科室", q):
        return "office"
    if "有效期" in q:
        return "validity"
    if re.search(r"公示", q) and re.search(r"从哪[一]?天到哪[一]?天|起止|起讫|从.{0,4}到", q):
        return "period"
    if re.search(r"公示", q) and re.search(r"开始|起始|哪天起|从哪[一]?天", q):
        return "notice_start"
    if re.search(r"公示", q) and _NOTICE_END.search(q):
        return "notice_end"
    if re.search(r"公示期|公示时间|公示期间|公示期限", q) and (_ASK_LENGTH.search(q) or _ASK_DATE.search(q)):
        return "length" if _ASK_LENGTH.search(q) else "period"
    if _DEFINITION.search(q):
        return "definition"
    if re.search(r"第几批|哪一批|哪批", q):
        return "batch"
    measure = _MEASURE.search(q)
    if measure and measure.group(1) not in ("个", "家", "条", "项", "批", "所", "座", "位", "名") and not _ASK_RATE.search(q[measure.end():]):
        return "quantity"  # 多少万吨, 多少卡, 多少架
    if _ASK_YEAR.search(q):
        return "year"
    if _ASK_DATE.search(q):
        return "date"
    if _ASK_LENGTH.search(q) and not _ASK_COUNT.search(q):
        return "length"
    if re.search(r"哪个部门|哪个单位|哪个机构|哪家单位|哪些部门|什么部门|什么单位|什么机构|牵头单位|谁发|谁公布|谁发布|"
                 r"由谁|谁认定|谁组织|哪个机关|哪个委|哪个厅|哪个局", q):
        return "body"
    if re.search(r"龙头|哪家企业|哪些企业|哪家公司|哪些公司|以哪|促进机构|哪家机构", q):
        return "company"
    if _ASK_LEVEL.search(q):
        return "level"
    if _ASK_PLACE.search(q) and not re.search(r"集群有哪|哪些集群|哪个集群|哪几个集群", q):
        return "place"
    if re.search(r"(?:增长|增速|增幅|占比|比重|百分比|占全国|占全省|比例|强度)[^，。？]{0,6}(?:多少|几成)", q):
        return "percent"
    if _ASK_COUNT.search(q):
        m = _MEASURE.search(q)
        # counting clusters (几个集群, 多少个) is a count; 多少家企业, 多少张卡 is a quantity the text states
        if m and m.group(1) != "个" and not re.search(r"集群", q[m.end():m.end() + 16]):
            return "quantity"
        if m and m.group(1) == "个" and re.search(r"^[\u4e00-\u9fff]{0,6}(?:企业|机架|园区|项目|产业链|平台|中心|基地)", q[m.end():]):
            return "quantity"
        return "count"
    if re.search(r"多少|几成|几倍", q):
        if re.search(r"(?:增长|增速|增幅|占比|比重|百分比|占全国|占全省|占|强度|比例)[^，。？]{0,6}(?:多少|几成)", q) or (
                _ASK_RATE.search(q) and not _ASK_AMOUNT.search(q)):
            return "percent"
        if _ASK_AMOUNT.search(q):
            return "amount"
        return "quantity"
    m = _ASK_MEMBERS.search(q)
    if m:
        after = q[m.end():m.end() + 8]
        before = q[max(0, m.start() - 8):m.start()]
        if re.match(r"^[\u4e00-\u9fff]{0,4}(?:企业|公司)", after):
            return "company"
        if re.match(r"^[\u4e00-\u9fff]{0,4}(?:政策|措施|举措|任务|目标|优势|特点|支持|要求|条件|方面|领域|环节|问题|做法|经验)", after) \
                and "集群" not in after[:4]:
            return "text"  # 有哪些支持政策: a description, not a list of clusters
        del before
        return "members"
    if _ASK_ONE.search(q) or find_ordinals(q):
        return "member"
    if re.search(r"谁", q):
        return "body"
    return "text"


# --- lists, filters, operation -----------------------------------------------------------------------


_LIST_END = re.compile(r"名单|名录|榜单|公示|通知")
_AFTER_LIST = re.compile(r"(?:名单|名录|榜单|公示|集群)(?:中|里|内|当中|里面|之中)")
_JOIN = re.compile(r"和|与|跟|及|、|以及")


def _list_parts(folded: str) -> list[str]:
    """The parts of the question that each name one list (two when it joins two lists with 和)."""
    from ..extract.facts import _programs

    programs = _programs(folded)
    than = re.search(r"(?:的数量|的个数|的总数|的规模)?比", folded)
    if than and (programs and programs[0][0] < than.start() or _LIST_END.search(folded[:than.start()])) and (
            _LIST_END.search(folded[than.end():]) or _programs(folded[than.end():])):
        return [folded[:than.start()], folded[than.end():]]  # 甲…的数量比乙名单少几个
    but = re.search(r"[、，,]?(?:但|而|却)(?:是)?", folded)
    if but and programs and (_LIST_END.search(folded[but.end():]) or _programs(folded[but.end():])):
        return [folded[:but.start()], folded[but.end():]]
    if len(programs) == 1:
        # 湖南第二批和福建第一批省级先进制造业集群: two lists sharing one program
        head = folded[:programs[0][0]]
        m = re.search(r"(.+?)(?:和|与|跟|及)(.+)$", head)
        if m and find_places(m.group(1)) and find_places(m.group(2)):
            shared = folded[programs[0][0]:]
            level = re.search(r"(?:省级|市级|国家级)$", m.group(2))
            return [m.group(1) + (level.group(0) if level else "") + shared, m.group(2) + shared]
    if len(programs) >= 2:
        parts, last = [], 0
        for a, b in zip(programs, programs[1:]):
            gap = folded[a[1]:b[0]]
            m = _JOIN.search(gap)
            if not m and re.search(r"进|入选|在|出现|列入|加上|算上|相比", gap):
                # 甲…集群，最后有几个进了乙…名单; 甲…的数量，加上乙…: the clause break parts them
                m = re.search(r"[，,](?:再)?(?:加上|算上)?", gap)
            if m and not re.search(r"集群(?:中|里)", gap[: m.start()]):
                cut = a[1] + m.start()
                parts.append(folded[last:cut])
                last = cut + len(m.group(0))
        if parts:
            return parts + [folded[last:]]
    if len(re.findall(r"名单|名录", folded)) >= 2:
        first = re.search(r"名单|名录", folded)
        rest = folded[first.end():]
        m = _JOIN.search(rest)
        if m:
            cut = first.end() + m.start()
            return [folded[:cut], folded[cut + len(m.group(0)):]]
        # 甲名单中，有哪些集群也进了乙名单: the second list is named after the first one's end
        return [folded[:first.end()], rest]
    return [folded]


def _filters(folded: str, lists: list[ListSelector], places: list[tuple[int, int, Place]]) -> Filters:
    f = Filters()
    but = re.search(r"除(?:了)?((?:[\u4e00-\u9fff]{2,10}[、和及与])*[\u4e00-\u9fff]{2,10}?)(?:之外|以外|外|，|,)", folded)
    if but:  # 除玉环、温岭、黄岩之外的另外三个: the members the question already names, not a filter
        f.exclude = [w for w in re.split(r"[、和及与]", but.group(1)) if len(w) >= 2]
        places = [(s, e, p) for s, e, p in places if not (but.start() <= s < but.end())]
    # a place written after the list's words (名单里湖北有几个, 中，沧州市有哪些集群) filters its members
    after = _AFTER_LIST.search(folded)
    owner_places = {s.facts.place for s in lists if s.facts.place}
    for s, e, p in places:
        if p.full in owner_places and not (after and s >= after.end()):
            continue
        if after and s >= after.end():
            f.place = p
            break
        if any(p.full == (sel.facts.place or "") for sel in lists):
            continue
        if re.search(r"^(?:市|的)?(?:这次|此次|本次|今年|去年|一共|总共|共)?(?:有几|有哪|入选|上榜|的集群|的是哪|参与|有多少|牵头|那个|哪个|哪|在|有)",
                     folded[e:e + 10]) or \
                re.search(r"(?:位于|地处|落户|在|属于|包括|涉及|含|分布在|来自)$", folded[max(0, s - 3):s]):
            f.place = p
            break
    if f.place is not None:
        for s, e, p in places:
            if p.full != f.place.full and re.match(r"(?:和|、|与|及)", folded[e:e + 1]) or (
                    f.place and re.search(r"(?:和|、|与|及)$", folded[max(0, s - 1):s])):
                if all(p.full != q.full for q in f.places):
                    f.places.append(p)
        if f.places and all(f.place.full != q.full for q in f.places):
            f.places.insert(0, f.place)
    quoted = re.search(r"[“\"「]([^”\"」]{1,8})[”\"」]", folded)
    if quoted and re.search(r"开头|打头", folded[quoted.end():quoted.end() + 6]):
        f.prefix = quoted.group(1)
    elif quoted and re.search(r"带|含|有|包含", folded[max(0, quoted.start() - 4):quoted.start()]):
        f.keyword = quoted.group(1)
    else:
        m = re.search(r"(?:跟|和|与)([\u4e00-\u9fff]{1,6}?)(?:有关|相关)|([\u4e00-\u9fff]{2})(?:类|领域)|"
                      r"以([\u4e00-\u9fff]{2,8}?)为主导产业", folded)
        if m:
            f.keyword = next(g for g in m.groups() if g)
    unit = re.search(r"以(镇|区|县|市|乡|街道)为单位", folded)
    if unit:
        f.level_in_name = unit.group(1)
    ordinals = [o for o in find_ordinals(folded) if not re.match(r"第.批", folded[o.start:o.end + 1])]
    ordinals = [o for o in ordinals if not re.match(r"(?:[、和及与至][一二三四五六七八九十\d])*批", folded[o.end:])]  # 第一、二批
    if ordinals:
        f.position = ordinals[0].value
    plain = re.sub(r"第一批|第一名单", "", folded)
    if re.search(alternation(words("questions", "superlative_min")), plain):
        f.superlative = "min"
    elif re.search(alternation(words("questions", "superlative_max")), plain):
        f.superlative = "max"
    measured = re.search(r"产值|营收|收入|增速|增长|规模|企业|数量|最多|最少", folded)
    if f.superlative and f.position == 1:
        if measured:
            f.position = None  # 产值排名第一: a superlative over a measure, not a list position
        else:
            f.superlative = None  # 名单排第一的: the first item
    if f.superlative and not measured and not re.search(r"最多|最少|最大|最小|最高|最低|最快|最慢", folded):
        f.superlative = None
    return f


def _operation(folded: str, answer: str, lists: list[ListSelector], filters: Filters) -> str:
    if len(lists) >= 2:
        if re.search(r"没出现|没有出现|没进|未进|落选|但没|没有进|不在", folded):
            return "difference"
        if re.search(r"也进|也入选|同时|都在|也在|又进|进了|最后有几个|出现在", folded):
            return "intersect"
        if re.search(r"更多|更少|哪个多|哪个少|哪份|哪个省|多几个|少几个|多多少|少多少|相差|差多少|更长|更短", folded):
            return "compare"
        return "sum"
    if re.search(r"也进了|也入选了|也在|同时入选|最后有几个进了|出现在.{0,20}名单", folded):
        return "intersect"
    if filters.superlative and answer in ("member", "members", "place", "amount", "percent", "quantity"):
        return "argmax" if filters.superlative == "max" else "argmin"
    if filters.position is not None:
        return "position"
    if answer == "count":
        return "count"
    if answer == "members":
        return "list"
    return "lookup"


def _metric(folded: str) -> Optional[str]:
    m = re.search(r"((?:主导产业|规上|规模以上)?(?:营业收入|营收|产值|收入|总产值|销售额|增加值)|专精特新[\u4e00-\u9fff]{0,6}企业|"
                  r"[\u4e00-\u9fff]{0,6}企业|增速|增长|增幅|占比|比重|研发投入强度|配套率)", folded)
    return m.group(1) if m else None


def parse(question: str) -> QuestionFrame:
    folded = fold(question)
    parts = split_parts(folded)
    answer = answer_type(parts[0] if parts else folded)
    places = question_places(folded)
    lists = []
    for part in _list_parts(folded):
        facts = read_facts(part)
        lists.append(ListSelector(facts, part, [p for _, _, p in find_places(part)]))
    filters = _filters(folded, lists, places)
    measure = _MEASURE.search(folded)
    years = sorted({d.year for d in find_dates(folded) if d.year})
    frame = QuestionFrame(
        text=question, folded=folded, traditional=is_traditional(question), answer=answer,
        operation=_operation(folded, answer, lists, filters), lists=lists, filters=filters,
        places=places, years=years, metric=_metric(folded), measure=measure.group(1) if measure else None,
        cumulative=bool(re.search(alternation(words("questions", "cumulative")), parts[0] if parts else folded)),
        corpus=bool(re.search(alternation(words("questions", "corpus")), folded)),
        granularity=_granularity(folded), parts=parts,
    )
    if measure:
        frame.counted = _counted_word(folded[measure.end():])
    options = _choice(folded)
    if options:  # 是省级还是国家级名单: a level (or batch) chosen from the two offered, not a list
        frame.choice = options
        frame.answer = "batch" if all(_BATCH_WORD.fullmatch(o) for o in options) else "level"
        frame.operation = "lookup"
        frame.lists = [ListSelector(read_facts(re.sub(r"(?:国家级|省级|市级|第.批|首批)(?:还是)?", "", folded)), folded, [])]
    return frame


_LEVEL_WORD = re.compile(r"国家级|省级|市级|自治区级")
_BATCH_WORD = re.compile(r"第[一二三四五六七八九十\d]+批|首批")


def _choice(folded: str) -> list[str]:
    m = re.search(r"(国家级|省级|市级|自治区级|第[一二三四五六七八九十\d]+批|首批)(?:名单|集群)?还是(?:在)?"
                  r"(国家级|省级|市级|自治区级|第[一二三四五六七八九十\d]+批|首批)", folded)
    if not m:
        return []
    a, b = m.group(1), m.group(2)
    same = (_LEVEL_WORD.fullmatch(a) and _LEVEL_WORD.fullmatch(b)) or (_BATCH_WORD.fullmatch(a) and _BATCH_WORD.fullmatch(b))
    return [a, b] if same else []


def _counted_word(after: str) -> Optional[str]:
    """The first content word of what a quantity question counts (上市企业 → 上市)."""
    from .passages import content_words

    head = re.split(r"[，,。？?；;]|(?:和|以及)(?=多少|几)", after, maxsplit=1)[0]
    head = re.sub(r"^(?:的)?", "", head)
    words = [w for w in content_words(head) if len(w) >= 2 and w not in ("集群", "产业集群", "企业", "公司")]
    return words[0] if words else None


def reframe(frame: QuestionFrame, named: list) -> QuestionFrame:
    """Read the lists again with the names of the clusters the question names blanked out: their
    head nouns (…童车特色产业集群) are no facts about a list."""
    if not named:
        return frame
    text = frame.folded
    for n in named:
        name = fold(n.member.name)
        industry = fold(n.member.industry or "")
        at = text.find(industry) if industry else -1
        if at < 0:
            continue
        m = re.match(r"[\u4e00-\u9fff（）()]{0,14}?(?:产业集群|集群)", text[at + len(industry):])
        end = at + len(industry) + (m.end() if m else 0)
        start = at
        for s, e, _ in frame.places:
            if e <= at and at - e <= 4:
                start = min(start, s)
        text = text[:start] + " " * (end - start) + text[end:]
        del name
    lists = [ListSelector(read_facts(part), part, [p for _, _, p in find_places(part)]) for part in _list_parts(text)]
    frame.lists = lists
    frame.operation = _operation(frame.folded, frame.answer, lists, frame.filters)
    return frame


def _granularity(folded: str) -> Optional[str]:
    m = re.search(r"哪(?:个|些|几个|两个|一个)?(县级市|市|区|县|镇|省|城市|地区|区县)", folded)
    if not m:
        return None
    return {"县级市": "county", "市": "city", "城市": "city", "区": "county", "县": "county", "区县": "county",
            "镇": "town", "省": "province", "地区": "city"}[m.group(1)]


def question_places(folded: str) -> list[tuple[int, int, Place]]:
    """Places in a question: as in texts, and county-level cities by their bare short name
    (昆山, 晋江, 义乌), which questions use where articles write 昆山市."""
    found = find_places(folded)
    taken = [(s, e) for s, e, _ in found]
    from ..extract.places import _WORDLIKE_SHORTS, gazetteer

    g = gazetteer()
    for short, options in g.county_shorts.items():
        if short in _WORDLIKE_SHORTS or len(short) < 2:
            continue
        for m in re.finditer(re.escape(short), folded):
            if any(not (m.end() <= a or m.start() >= b) for a, b in taken):
                continue
            p = options[0]
            found.append((m.start(), m.end(), Place(short, p.name, "county", p.province, p.city)))
            taken.append(m.span())
    found.sort(key=lambda t: t[0])
    return found


def question_numbers(folded: str) -> list[float]:
    """The quantities a question writes itself (这13个集群): never its answer."""
    return [n.value for n in find_numbers(folded) if n.unit]


def bodies_in(folded: str) -> list[str]:
    return [b.text for b in find_bodies(folded)]


def to_number(raw: str) -> Optional[float]:
    return float(raw) if raw.isdigit() else chinese_to_number(raw)
