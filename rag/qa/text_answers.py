"""Answers read from the best sentences: the quantity, date, organisation, person, place or
written list that the question's own words point at, cited by its clause."""
from __future__ import annotations

import re
from typing import Optional

from .classify import counted_noun
from .context import MIN_COVERAGE, Context, Draft, question_quantities
from .evidence import Unit
from ..core.numbers import find_dates, find_numbers
from ..core.places import find_places, same_place
from .spans import attraction, embedded_in_question, find_orgs, find_persons, frame, frame_support, split_items
from .table_answers import dedupe


def slot_items(ctx: Context) -> Optional[Draft]:
    """Members of a written list the question asks for (哪些企业入选了头雁企业 → 金帝股份、…)."""
    fr = frame(ctx.q.segments[0] if ctx.q.segments else ctx.q.folded)
    for u in ctx.top_units():
        if u.score < MIN_COVERAGE:
            break
        got = _slot(u.text, fr)
        if not got:
            continue
        s, e = got
        items = [u.text[s + a:s + b] for a, b in split_items(u.text[s:e])]
        items = [re.sub(r"^(?:以|由|在|对|从|把|将|是|有|为)", "", i) for i in items]
        items = [i for i in items if len(i) >= 2]
        if items:
            return Draft("、".join(items) + "。", [ctx.cite_unit(u, ctx.clause_of(u, s))])
    return None


def _slot(text: str, fr) -> Optional[tuple[int, int]]:
    """The text between the question's left words and its right words."""
    best, best_pos = 0.0, None
    for i, w in enumerate(fr.right[:3]):
        # the noun of 哪家企业 / 哪些龙头企业 names what is asked; the text may not repeat it
        asked_type = i == 0 and re.fullmatch(r"(?:龙头|骨干|重点)?(?:企业|公司|单位|部门|机构|集团)", w)
        for m in re.finditer(re.escape(w), text):
            seq, pos = 0.0, m.end()
            for w2 in fr.right[i + 1:i + 4]:  # the question's next words, right after and in order
                at = text.find(w2, pos, pos + 12)
                if at < 0:
                    break
                seq += 1 / (1 + (at - pos) / 2)
                pos = at + len(w2)
            score = seq + (0.5 if asked_type else 1.5 if i == 0 else 1.0 if i == 1 else 0.5)
            if score > best:
                best, best_pos = score, m.start()
    if best_pos is None:
        return _before_left_word(text, fr)
    start = 0
    for w in reversed(fr.left[-2:]):
        p = text.rfind(w, 0, best_pos)
        if p >= 0:
            start = max(start, p + len(w))
    cut = max(text.rfind(c, start, best_pos) for c in "，,；;。：:")
    if cut >= 0:
        start = cut + 1
    end = best_pos
    while start < end and text[start] in "以由在对从把将是有为了的 ":
        start += 1
    while end > start and text[end - 1] in "为了的是等 ":
        end -= 1
    return (start, end) if end - start >= 2 else None


def _before_left_word(text: str, fr) -> Optional[tuple[int, int]]:
    """The list written right before the question's last word when nothing follows the
    question word: 龙头企业有哪些 → 以浪潮集团为代表的…龙头企业 / 以甲、乙等龙头企业."""
    if not fr.left:
        return None
    for hit in re.finditer(re.escape(fr.left[-1]), text):
        cut = max(text.rfind(c, 0, hit.start()) for c in "，,；;。：:")
        start = cut + 1
        m = re.search(r"^(?:以|由|如|像)(.+?)(?:为代表|为龙头|为核心|为引领|等)", text[start:hit.start()])
        if m:
            return start + m.start(1), start + m.end(1)
    return None


def best_quantity(ctx: Context, segment: str, units: list[Unit], used: set,
                  prefer: Optional[float] = None) -> Optional[tuple[float, Unit, object]]:
    """The quantity in `units` the sub-question asks for. `prefer`: a value known from the
    cluster table; a candidate with that value wins when it scores close to the best."""
    cands = quantity_candidates(ctx, segment, units, used)
    if not cands:
        return None
    best = cands[0]
    if prefer is not None:
        agree = [c for c in cands if c[2].value == prefer and c[0] >= 0.6 * best[0]]
        if agree:
            return agree[0]
    return best


def quantity_candidates(ctx: Context, segment: str, units: list[Unit], used: set) -> list[tuple[float, Unit, object]]:
    fr = frame(segment)
    counted = counted_noun(segment)
    wh = re.search(r"多少|(?<!哪)几", segment)
    subjects = [p.short for p in ctx.places if wh and p.short in segment[:wh.start()]]
    given = question_quantities(ctx.q)
    asks_percent = re.search(r"比重|比例|占比|百分之|增长|增速|百分点|%", segment)
    counting = ctx.q.kind == "count"
    out = []
    for u in units:
        for n in find_numbers(u.text):
            if (n.value, n.unit) in given or (u.doc_id, u.start + n.start) in used:
                continue
            if (counting and not n.unit) or u.text[n.end:n.end + 1] in ("号", "〕", "]"):
                continue  # a count has a measure word; 〔2023〕204号 is a file number
            if embedded_in_question(u.text, n.start, n.end, ctx.q.folded):
                continue
            cs, ce = ctx.clause_of(u, n.start)
            around = u.text[ctx.clause_of(u, cs - 2)[0] if cs >= 2 else cs:ce]  # this clause and the one before
            if not frame_support(around, fr, ctx.scorer.rarity):
                continue
            if not counting and re.fullmatch(r"一[个家座所条项]", n.text):
                continue  # 一个产业园: an article, not a figure
            if counted and len(counted) >= 2 and counted not in around and not _same_counted(counted, around):
                continue  # 多少家上市企业 is not answered by 集聚企业3000余家
            if ctx.q.years and _other_year(u.text, cs, ce, ctx.q.years):
                continue  # 2023年的产业规模 is not the 2022年 figure
            pull = attraction(u.text, n.start, n.end, fr, rarity=ctx.scorer.rarity)
            if subjects and any(p in u.text for p in subjects) and not any(p in u.text[:n.start] for p in subjects):
                pull *= 0.3  # 山东入选了几个: the count after 山东, not the list size before it
            elif subjects and not any(p in u.text for p in subjects):
                pull *= 0.5  # 浙江省有几个: not the national total in a sentence without 浙江
            score = pull + 2.0 * u.score
            if ctx.q.measure and n.unit.endswith(ctx.q.measure):
                score += 1.0
            if asks_percent and n.is_percent:
                score += 1.0
            elif asks_percent is None and n.is_percent and fr.wh.startswith(("几", "多少个", "多少家")):
                score -= 1.0
            out.append((score, u, n))
    out.sort(key=lambda t: -t[0])
    return out


def _other_year(text: str, cs: int, ce: int, years: list[int]) -> bool:
    """The clause holding a number (or the one before it) is dated to a year the question does
    not ask about."""
    before = text.rfind("，", 0, max(cs - 1, 0))
    said = {d.year for d in find_dates(text[max(before, 0):ce]) if d.year}
    return bool(said) and not said & set(years)


def _same_counted(noun: str, text: str) -> bool:
    """The counted noun, or the clusters a list question counts, written differently
    (产业集群 / 集群)."""
    return noun in ("产业", "集群") and "集群" in text


def quantity_draft(ctx: Context, units: list[Unit], prefer: Optional[float] = None) -> Optional[Draft]:
    values, quotes, cites, used = [], [], [], set()
    for seg in ctx.q.segments:
        if not re.search(r"多少|几|比重|比例|占比|达到|超过", seg):
            continue
        got = best_quantity(ctx, seg, units, used, prefer)
        if not got or got[0] < 2.0 * MIN_COVERAGE + 0.5:
            continue
        _, u, n = got
        used.add((u.doc_id, u.start + n.start))
        values.append(n.text)
        cs, ce = _context_clause(ctx, u, n.start)
        if u.text[cs:ce] not in quotes:
            quotes.append(u.text[cs:ce])
        cites.append(ctx.cite_unit(u, (cs, ce)))
    if not values:
        return None
    return Draft("；".join(values) + "（原文：" + "……".join(quotes) + "）。", dedupe(cites))


def _context_clause(ctx: Context, u: Unit, pos: int) -> tuple[int, int]:
    """The clause holding pos, with the clause before it when it is too short to read alone
    (…，占比51.4% → 全市工业战略性新兴产业增加值同比增长11.4%，占比51.4%)."""
    cs, ce = ctx.clause_of(u, pos)
    if ce - cs < 8 and cs > 0:
        ps, _ = ctx.clause_of(u, cs - 2)
        cs = ps
    return cs, ce


_ABOUT_THE_PAGE = re.compile(r"(?:报道|文章|消息|新闻|稿件)[^，。？]{0,6}?(?:哪一?天|什么时候|何时|哪一?年)[^，。？]{0,3}?"
                             r"(?:刊发|刊登|发表|发布|发稿|刊出)(?!会)")


def date_in_text(ctx: Context) -> Optional[Draft]:
    """The date (or year) next to the question's words; a report's own date when asked about it."""
    q = ctx.q
    if _ABOUT_THE_PAGE.search(q.folded):
        d = _page_date(ctx)
        if d:
            return d
    fr = frame(q.folded)
    wanted_year = wants_year(q)
    best = None
    for u in ctx.top_units(ratio=0.75):
        for d in find_dates(u.text):
            if (d.year and d.year in q.years and not d.month) or (not wanted_year and not d.month):
                continue
            score = attraction(u.text, d.start, d.end, fr, rarity=ctx.scorer.rarity) + 2.0 * u.score
            score += 1.0 if (d.month and d.day and not wanted_year) or (wanted_year and d.year) else 0.0
            if best is None or score > best[0]:
                best = (score, u, d)
    if best and best[1].score >= MIN_COVERAGE:
        _, u, d = best
        text = f"{d.year}年" if wanted_year and d.year else d.display(_publication_year(ctx, u.doc_id, d))
        return Draft(text + "。", [ctx.cite_unit(u, ctx.clause_of(u, d.start))])
    return None


def wants_year(q) -> bool:
    return bool(re.search(r"哪一?年|什么年份|年份", q.folded)) and not re.search(r"哪一?天|哪一?日|日期", q.folded)


def _page_date(ctx: Context) -> Optional[Draft]:
    """When a report itself appeared: the page's own date, cited where its dateline says it."""
    for u in ctx.top_units(ratio=0.5, limit=6):
        ndoc = ctx.doc(u.doc_id).ndoc
        pub = ndoc.doc.date
        if not pub:
            continue
        y, m, d = int(pub[:4]), int(pub[5:7]), int(pub[8:10])
        for dt in find_dates(ndoc.text):
            if (dt.year, dt.month, dt.day) == (y, m, d):
                return Draft(f"{y}年{m}月{d}日。", [ctx.cite_norm(u.doc_id, dt.start, dt.end)])
    return None


def _publication_year(ctx: Context, doc_id: str, d) -> Optional[int]:
    """A date written without its year belongs to the year of the page's own date."""
    pub = ctx.doc(doc_id).ndoc.doc.date
    if not pub or d.year or not d.month:
        return None
    try:
        y, m, day = int(pub[:4]), int(pub[5:7]), int(pub[8:10])
    except ValueError:
        return None
    return y if (d.month, d.day or 1) <= (m, day) else y - 1


def body_or_person(ctx: Context) -> Optional[Draft]:
    """The organisation (or, for 谁, the person) written next to the question's verb."""
    q = ctx.q
    wants_body = re.search(r"部门|单位|机构", q.folded)
    fr = frame(q.folded)
    finder = find_orgs if wants_body or not re.search(r"谁|哪位", q.folded) else find_persons
    best = None
    for u in ctx.top_units(ratio=0.75):
        for s, e, name in finder(u.text):
            score = attraction(u.text, s, e, fr, rarity=ctx.scorer.rarity) + 2.0 * u.score
            if best is None or score > best[0]:
                best = (score, u, s, e, name)
    if not best or best[1].score < MIN_COVERAGE:
        return None
    _, u, s, e, name = best
    names = [name]
    if re.search(r"哪些|分别", q.folded):  # several bodies written together: 工信部、国家发改委、国资委
        cs, ce = ctx.clause_of(u, s)
        names = [n for a, b, n in finder(u.text) if cs <= a < ce] or names
    names = [_fullest(n, [x for _, _, x in finder(u.text)]) for n in names]
    return Draft("、".join(dict.fromkeys(names)) + "。", [ctx.cite_unit(u, ctx.clause_of(u, s))])


def _fullest(name: str, others: list[str]) -> str:
    """省工业和信息化厅 written earlier in full as 河南省工业和信息化厅: the full form."""
    if name[:1] in "省市县区":
        longer = [o for o in others if o.endswith(name[1:]) and len(o) > len(name)]
        if longer:
            return max(longer, key=len)
    return name


def place_in_text(ctx: Context) -> Optional[Draft]:
    """A place written next to the question's words (not one the question itself names)."""
    q = ctx.q
    fr = frame(q.folded)
    best = None
    for u in ctx.top_units(ratio=0.75):
        for s, e, p in find_places(u.text):
            if any(same_place(p.full, x.full) for x in q.places):
                continue
            score = attraction(u.text, s, e, fr, rarity=ctx.scorer.rarity) + 2.0 * u.score
            if best is None or score > best[0]:
                best = (score, u, s, e)
    if best and best[1].score >= MIN_COVERAGE:
        _, u, s, e = best
        return Draft(u.text[s:e] + "。", [ctx.cite_unit(u, ctx.clause_of(u, s))])
    return None


def superlative(ctx: Context) -> Optional[Draft]:
    """The label with the largest (smallest) count in a written breakdown:
    东部地区30个、中部地区8个 … → 东部地区（30个）."""
    noun = re.search(r"哪[个些一]?(?:个)?([\u4e00-\u9fa5]{2})", ctx.q.folded)
    noun = noun.group(1) if noun else ""
    for u in ctx.top_units(ratio=0.6, limit=6):
        pairs = []
        for n in find_numbers(u.text):
            m = re.search(r"([\u4e00-\u9fa5]{2,8})$", u.text[:n.start])
            if m and n.unit and noun in m.group(1):
                label = re.sub(r"^(?:其中|包括|以及|分别|和|及)", "", m.group(1))
                pairs.append((n.value, label, m.start(1), n))
        if len(pairs) >= 2:
            pick = max(pairs, key=lambda t: t[0]) if ctx.q.superlative == "max" else min(pairs, key=lambda t: t[0])
            value, label, start, n = pick
            return Draft(f"{label}（{n.text}）。", [ctx.cite_unit(u, ctx.clause_of(u, start))])
    return None


def best_sentence(ctx: Context) -> Optional[Draft]:
    """The sentence that says most of what is asked (a single sentence over a longer unit
    that scores about as well)."""
    units = ctx.top_units(ratio=0.9)
    if not units or units[0].score < MIN_COVERAGE:
        return None
    u = next((x for x in units if not (x.pair or x.paragraph)), units[0])
    return Draft(u.text, [ctx.cite_unit(u)])


_LIST_SIZE = re.compile(r"(\d+)个([^，,。；;]{0,24}?)集群(?:的)?名单")
_LEVEL_WORDS = {"national": ("国家", "工信部", "工业和信息化部"), "provincial": ("省级", "省"), "municipal": ("市级",)}


def list_sizes_total(ctx: Context) -> Optional[Draft]:
    """这些文章提到的两份国家级集群名单一共包括多少个集群: the size each document gives for its
    list of the asked level (45个国家先进制造业集群名单, 首批66个…名单), added up."""
    q = ctx.q
    docs = sorted({u.doc_id for u in ctx.units} | set(ctx.anchored or ()))
    found = []
    for doc_id in docs:
        ds = ctx.doc(doc_id)
        text = ds.ndoc.text
        title_end = ds.sentences[0].end if ds.sentences else 0
        matches = list(_LIST_SIZE.finditer(text))
        # a document's first list statement is the one it reports; the body's, over the headline's
        m = next((x for x in matches if x.start() >= title_end and x.group(1) == matches[0].group(1)), None) \
            or (matches[0] if matches else None)
        if m is None:
            continue
        said = text[max(0, m.start() - 12):m.end()]
        levels = [lv for lv, words in _LEVEL_WORDS.items() if any(w in said for w in words)]
        records = [r.level for _, r in ctx.facts.by_doc.get(doc_id, ()) if r.level]
        level = levels[0] if levels else (records[0] if records else None)
        if (not q.levels or level in q.levels) and all(m.group(0) != f.group(0) for _, f in found):
            found.append((doc_id, m))  # one list reported by two articles counts once
    if len(found) < 2:
        return None
    total = sum(int(m.group(1)) for _, m in found)
    parts = "＋".join(f"{m.group(1)}（{m.group(0)}）" for _, m in found)
    return Draft(f"合计{total}个：{parts}。", [ctx.cite_norm(d, m.start(), m.end()) for d, m in found])
