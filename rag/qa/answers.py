"""One strategy per kind of question. Each returns a `Draft` (answer text in Simplified Chinese
plus the spans it rests on) or None when it cannot answer; the caller turns None into the
not-found answer.

List, count, where and yes/no questions about clusters read the cluster table; everything
else reads the best sentences: the quantity, date, organisation or list the question's own
words point at.
"""
from __future__ import annotations

import re
from typing import Optional

from .classify import counted_noun
from .clusters import ClusterHit, describe
from .context import Cite, Context, Draft, question_quantities
from .evidence import Scorer, Unit, clauses
from .numbers import find_dates, find_numbers
from .places import find_places, same_place
from .spans import _content_words, attraction, embedded_in_question, find_orgs, find_persons, frame, frame_support, split_items

MIN_COVERAGE = 0.5  # of the question's weighted content, for an answer read from one sentence
YES_COVERAGE = 0.6  # a yes/no read from a sentence; every word of the claim must be there too
_ASKS_CLUSTERS = re.compile(r"哪[些个两三四五六七八九十几\d]*个?(?:产业)?集群|集群(?:有哪些|分别是|是哪些|包括哪些)|有哪些集群|哪些产业集群")
_ASKS_LISTS = re.compile(r"哪[一些]?类|哪些名单|什么名单|哪个名单|哪份名单|什么类型|名单里")
_NEGATION = re.compile(r"不是|并非|未|没有|不属于|不在|非")


# --- cluster table ----------------------------------------------------------------------

def table_hits(ctx: Context, strict: bool = True, named: bool = False) -> list[ClusterHit]:
    docs = ctx.anchored if ctx.anchored is not None else ctx.doc_ids
    if ctx.doc_ids is not None and docs is not None:
        docs = docs & ctx.doc_ids
    hits = ctx.facts.select(ctx.q, ctx.places, ctx.programs, ctx.named_rows if named else (), docs, strict)
    hits.sort(key=lambda h: (h.mentions[0].doc_id, h.mentions[0].evidence.start))
    return hits


def hit_cites(hits: list[ClusterHit]) -> list[Cite]:
    return [Cite(m.doc_id, m.evidence.start, m.evidence.end) for h in hits for m in h.mentions]


def list_draft(hits: list[ClusterHit], with_lists: bool = False) -> Draft:
    items = []
    for h in hits:
        item = h.name
        if with_lists:
            lists = sorted({describe(m) for m in h.mentions if describe(m)})
            if lists:
                item += "（" + "；".join(lists) + "）"
        items.append(item)
    return Draft(f"共{len(items)}个：" + "；".join(items) + "。", hit_cites(hits))


# --- list -------------------------------------------------------------------------------

def answer_list(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    if ctx.named and _ASKS_LISTS.search(q.folded):
        hits = [ClusterHit(r, list(r.mentions)) for r in ctx.named_rows]
        return list_draft(hits, with_lists=True)
    asks_clusters = bool(_ASKS_CLUSTERS.search(q.folded)) or ("集群" in q.folded and q.kind == "list")
    residual = ctx.residual_runs() if asks_clusters else ["*"]
    if asks_clusters and not residual:
        hits = table_hits(ctx, named=bool(ctx.named))
        if hits:
            return list_draft(hits, with_lists=q.cross_doc and "名单" in q.folded)
        return None
    if asks_clusters:
        d = clusters_in_best_clause(ctx, residual)
        if d:
            return d
        # the table answers only from documents that also say what the question adds
        # (湖北省实施意见中提到的12个国家级集群 → only a document that mentions 实施意见)
        scorer = Scorer(residual, [ctx.facts.doc_text(d) for d in ctx.docs] or [""])
        hits = [h for h in table_hits(ctx, named=bool(ctx.named))
                if scorer.coverage(ctx.facts.doc_text(h.mentions[0].doc_id)) >= 0.6]
        return list_draft(hits) if hits else None
    return slot_items(ctx)


def clusters_in_best_clause(ctx: Context, residual: list[str]) -> Optional[Draft]:
    """Clusters written in the clause that says what the question adds to the filters
    (年营收突破1000亿元 → the clause naming the clusters with that revenue)."""
    scorer = Scorer(residual, [u.text for u in ctx.units])
    for u in ctx.top_units(ratio=0.7):
        spans = clauses(u.text)
        scored = sorted(((scorer.coverage(u.text[s:e]), s, e) for s, e in spans), reverse=True)
        if not scored or scored[0][0] < MIN_COVERAGE:
            continue
        cov, s, e = scored[0]
        if u.text[e:e + 1] in (":", "：") or u.text.rstrip().endswith((":", "：")) and e >= len(u.text.split("\n")[0]) - 1:
            e = len(u.text)
        span = ctx.cite_unit(u, (s, e))
        found = ctx.facts.in_span(u.doc_id, u.text[s:e], (span.start, span.end))
        found = [(r, m) for r, m in found if not ctx.places or any(ctx.facts.in_place(m, p) for p in ctx.places)]
        if found:
            hits = [ClusterHit(r, [m]) for r, m in found]
            return Draft(f"共{len(hits)}个：" + "；".join(h.name for h in hits) + "。", [span])
    return None


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
        for m in re.finditer(re.escape(w), text):
            seq, pos = 0.0, m.end()
            for w2 in fr.right[i + 1:i + 4]:  # the question's next words, right after and in order
                at = text.find(w2, pos, pos + 12)
                if at < 0:
                    break
                seq += 1 / (1 + (at - pos) / 2)
                pos = at + len(w2)
            score = seq + (1.5 if i == 0 else 1.0 if i == 1 else 0.5)
            if score > best:
                best, best_pos = score, m.start()
    if best_pos is None:
        return None
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


# --- quantities ---------------------------------------------------------------------------

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
            around = u.text[max(0, cs - 12):ce + 12]
            if not frame_support(around, fr):
                continue
            if counted and len(counted) >= 2 and counted not in around and not _same_counted(counted, around):
                continue  # 多少家上市企业 is not answered by 集聚企业3000余家
            pull = attraction(u.text, n.start, n.end, fr, rarity=ctx.scorer.rarity)
            if subjects and any(p in u.text for p in subjects) and not any(p in u.text[:n.start] for p in subjects):
                pull *= 0.3  # 山东入选了几个: the count after 山东, not the list size before it
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
    return Draft("；".join(values) + "（原文：" + "……".join(quotes) + "）。", _dedupe(cites))


def _context_clause(ctx: Context, u: Unit, pos: int) -> tuple[int, int]:
    """The clause holding pos, with the clause before it when it is too short to read alone
    (…，占比51.4% → 全市工业战略性新兴产业增加值同比增长11.4%，占比51.4%)."""
    cs, ce = ctx.clause_of(u, pos)
    if ce - cs < 8 and cs > 0:
        ps, _ = ctx.clause_of(u, cs - 2)
        cs = ps
    return cs, ce


def answer_numeric(ctx: Context) -> Optional[Draft]:
    return quantity_draft(ctx, ctx.top_units(ratio=0.8))


def answer_count(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    if "分别" in q.folded:
        d = _count_each_list(ctx)
        if d:
            return d
    counts_clusters = "集群" in q.folded and (q.measure in (None, "个")) and len(q.segments) == 1
    # the table's count, when the question is only filters (郑州首批市级战略性新兴产业集群一共有几个)
    hits = table_hits(ctx, named=bool(ctx.named)) if counts_clusters and not ctx.residual_runs() else []
    d = quantity_draft(ctx, ctx.top_units(ratio=0.9, limit=4), prefer=float(len(hits)) if hits else None)
    if d or not counts_clusters:
        return d or quantity_draft(ctx, ctx.top_units(ratio=0.7))
    hits = hits or table_hits(ctx, named=bool(ctx.named))
    if hits:
        d = list_draft(hits)
        d.text = f"{len(hits)}个：" + d.text.split("：", 1)[1]
        return d
    return quantity_draft(ctx, ctx.top_units(ratio=0.7))


def _count_each_list(ctx: Context) -> Optional[Draft]:
    """甲名单、乙名单和丙名单分别列出了多少个集群？合计多少个？ — each list counted on the table."""
    from .classify import classify
    from .context import programs_in

    head = re.split(r"[，,]?分别", ctx.q.folded)[0]
    parts: list[str] = []
    for piece in re.split(r"、|和|及", head):
        if parts and not re.search(r"集群|名单", parts[-1]):
            parts[-1] += piece
        else:
            parts.append(piece)
    parts = [p for p in parts if re.search(r"集群|名单", p)]
    if len(parts) < 2:
        return None
    facts, lines, cites, total = ctx.facts, [], [], 0
    for part in parts:
        sub = classify(part)
        named = facts.named_in(sub.folded)
        places = list(sub.places) + [p for p in facts.extra_places(sub.folded) if all(p.short != x.short for x in sub.places)]
        hits = facts.select(sub, places, programs_in(sub, facts, named), (), ctx.doc_ids, True)
        if not hits:
            return None
        total += len(hits)
        lines.append(f"{part}：{len(hits)}个")
        cites += hit_cites(hits[:1])
    return Draft("；".join(lines) + f"；合计{total}个。", cites)


# --- when / who / where -----------------------------------------------------------------------

_ABOUT_THE_PAGE = re.compile(r"(?:报道|文章|消息|新闻|稿件)[^，。？]{0,6}?(?:哪一?天|什么时候|何时|哪一?年)[^，。？]{0,3}?"
                             r"(?:刊发|刊登|发表|发布|发稿|刊出)(?!会)")


def answer_when(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    if _ABOUT_THE_PAGE.search(q.folded):
        d = _page_date(ctx)
        if d:
            return d
    wants_year = re.search(r"哪一?年|什么年份|年份", q.folded) and not re.search(r"哪一?天|哪一?日|日期", q.folded)
    fr = frame(q.folded)
    best = None
    for u in ctx.top_units(ratio=0.75):
        for d in find_dates(u.text):
            if (d.year and d.year in q.years and not d.month) or (not wants_year and not d.month):
                continue
            score = attraction(u.text, d.start, d.end, fr, rarity=ctx.scorer.rarity) + 2.0 * u.score
            score += 1.0 if (d.month and d.day and not wants_year) or (wants_year and d.year) else 0.0
            if best is None or score > best[0]:
                best = (score, u, d)
    if best and best[1].score >= MIN_COVERAGE:
        _, u, d = best
        text = f"{d.year}年" if wants_year and d.year else d.display(_publication_year(ctx, u.doc_id, d))
        return Draft(text + "。", [ctx.cite_unit(u, ctx.clause_of(u, d.start))])
    if wants_year and ctx.named:
        hits = [ClusterHit(r, [m for m in r.mentions if m.year]) for r in ctx.named_rows]
        hits = [h for h in hits if h.mentions]
        if hits:
            m = hits[0].mentions[0]
            return Draft(f"{m.year}年（{describe(m)}）。", hit_cites(hits[:1]))
    return None


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


def answer_who(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    wants_body = re.search(r"部门|单位|机构", q.folded)
    if q.cross_doc or (wants_body and not ctx.top_units()):
        d = _bodies_from_table(ctx)
        if d:
            return d
    if not wants_body and re.search(r"企业|公司|龙头", q.folded):
        return slot_items(ctx)
    fr = frame(q.folded)
    finder = find_orgs if wants_body or not re.search(r"谁|哪位", q.folded) else find_persons
    best = None
    for u in ctx.top_units(ratio=0.75):
        for s, e, name in finder(u.text):
            score = attraction(u.text, s, e, fr, rarity=ctx.scorer.rarity) + 2.0 * u.score
            if best is None or score > best[0]:
                best = (score, u, s, e, name)
    if best and best[1].score >= MIN_COVERAGE:
        _, u, s, e, name = best
        names = [name]
        if re.search(r"哪些|分别", q.folded):  # several bodies written together: 工信部、国家发改委、国资委
            cs, ce = ctx.clause_of(u, s)
            names = [n for a, b, n in finder(u.text) if cs <= a < ce] or names
        names = [_fullest(n, [x for _, _, x in finder(u.text)]) for n in names]
        return Draft("、".join(dict.fromkeys(names)) + "。", [ctx.cite_unit(u, ctx.clause_of(u, s))])
    return _bodies_from_table(ctx)


def _fullest(name: str, others: list[str]) -> str:
    """省工业和信息化厅 written earlier in full as 河南省工业和信息化厅: the full form."""
    if name[:1] in "省市县区":
        longer = [o for o in others if o.endswith(name[1:]) and len(o) > len(name)]
        if longer:
            return max(longer, key=len)
    return name


def _bodies_from_table(ctx: Context) -> Optional[Draft]:
    hits = [h for h in table_hits(ctx, named=bool(ctx.named)) if any(m.recognised_by for m in h.mentions)]
    if not hits:
        return None
    by_body: dict[str, list] = {}
    for h in hits:
        for m in h.mentions:
            if m.recognised_by:
                by_body.setdefault(m.recognised_by, []).append(m)
    parts = [f"{body}（{describe(ms[0]).replace(body + '公布的', '')}）" for body, ms in by_body.items()]
    cites = [Cite(ms[0].doc_id, ms[0].evidence.start, ms[0].evidence.end) for ms in by_body.values()]
    return Draft("；".join(parts) + "。", cites)


def answer_where(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    if _ASKS_CLUSTERS.search(q.folded):
        return answer_list(ctx)
    hits = table_hits(ctx, named=True) if ctx.named else (table_hits(ctx) if q.cross_doc or ctx.places else [])
    # places the question writes outside a cluster name are context (位于郑州哪个县级市), not answers
    inside = [(s, e) for _, s, e in ctx.named]
    context_places = [p for p, (s, e) in zip(q.places, _place_spans(q)) if not any(a <= s and e <= b for a, b in inside)]
    regions, cites = [], []
    for h in hits:
        for m in h.mentions:
            for r in m.regions:
                if not any(same_place(r, p.full) or same_place(r, p.written) for p in context_places) and r not in regions:
                    regions.append(r)
            cites.append(Cite(m.doc_id, m.evidence.start, m.evidence.end))
    if regions:
        return Draft("、".join(regions) + "。", _dedupe(cites))
    if q.superlative:
        d = _superlative(ctx)
        if d:
            return d
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


def _place_spans(q) -> list[tuple[int, int]]:
    """The span of each of q.places (its first mention)."""
    spans = []
    for p in q.places:
        pos = q.folded.find(p.written)
        spans.append((pos, pos + len(p.written)) if pos >= 0 else (-1, -1))
    return spans


def _superlative(ctx: Context) -> Optional[Draft]:
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


# --- yes / no -----------------------------------------------------------------------------

def answer_yesno(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    # membership of a named cluster in a list: 是否入选…名单 / 是国家级…集群吗 / 是否在…名单中
    asks_list = bool(ctx.programs or q.levels or q.batch or q.years) and bool(
        re.search(r"入选|列入|名单|认定|属于|集群(?:吗)?[？?]?$", _predicate(q.folded) or q.folded))
    if ctx.named and asks_list:
        rows = ctx.named_rows
        yes = [ClusterHit(r, [m for m in r.mentions if ctx.facts.matches(m, q, ctx.places, ctx.programs, True)]) for r in rows]
        yes = [h for h in yes if h.mentions]
        if yes:
            m = yes[0].mentions[0]
            return Draft(f"是。{yes[0].name}在{describe(m) or '该名单'}中。", hit_cites(yes))
        row = rows[0]
        m = row.mentions[0]
        said = describe(m)
        # the asked list as the same document gives it (its members, whatever their place)
        listed = [x for _, x in ctx.facts.by_doc.get(m.doc_id, ()) if ctx.facts.matches(x, q, [], ctx.programs, True)]
        if said or listed:
            if said:
                why = f"文中{row.name}属于{said}"
            else:
                why = f"{row.name}不在文中该名单内（名单所列为{'、'.join(x.name for x in listed[:6])}等）"
            cites = [Cite(m.doc_id, m.evidence.start, m.evidence.end)]
            cites += [Cite(x.doc_id, x.evidence.start, x.evidence.end) for x in listed[:1]]
            return Draft(f"否。{why}。", cites)
    predicate = _predicate(q.folded)
    for u in ctx.top_units():
        if u.score < YES_COVERAGE:
            break
        asked = find_numbers(predicate)
        in_sentence = [b for b in find_numbers(u.text) if any(_comparable(a, b) for a in asked)]
        if asked and not in_sentence:
            continue  # this sentence states no such quantity (20% vs 3000亿元)
        if asked and all(any(a.value == b.value for b in in_sentence) for a in asked):
            # the window around the asked number (福建省共有4个集群入选)
            pos = next(b.start for b in in_sentence if b.value == asked[0].value)
            s, e = _best_window(ctx, u, must_hold=pos)
        else:
            s, e = _best_window(ctx, u)
        said = u.text[s:e]
        cite = [ctx.cite_unit(u, (s, e))]
        stated = [b for b in find_numbers(said) if any(_comparable(a, b) for a in asked)]
        if asked and stated and not all(any(_holds(predicate, a, b) for b in stated) for a in asked):
            return Draft("否。原文：" + said + "。", cite)  # 是否突破两千亿元 — the text says 千亿元
        words = [w for w in _content_words(predicate) if not find_numbers(w)]
        if asked:  # 超过/突破/以上 … were checked on the numbers
            words = [w for w in words if not re.fullmatch(_COMPARATIVES, w)]
        if any(not _said(w, u.text) for w in words):
            return None  # the text does not say what is asked (居全国第二 when it says 首位)
        neg = _NEGATION.search(said) and not _NEGATION.search(q.folded)
        return Draft(("否。" if neg else "是。") + "原文：" + said + "。", cite)
    return None


_COMPARATIVES = r"超过|突破|高于|多于|大于|达到|达|不少于|不低于|低于|少于|不到|不足|不超过|小于|以上|以下|以内"


def _holds(predicate: str, asked, stated) -> bool:
    """Does the stated quantity make the claim true? 是否超过10% with 12.3% → yes."""
    before = predicate[:asked.start]
    if re.search(r"(?:超过|突破|高于|多于|大于|达到|达|不少于|不低于)了?$", before) or predicate[asked.end:].startswith(("以上", "多")):
        return stated.value >= asked.value
    if re.search(r"(?:低于|少于|不到|不足|不超过|小于)了?$", before) or predicate[asked.end:].startswith(("以下", "以内")):
        return stated.value <= asked.value
    return stated.value == asked.value


def _comparable(a, b) -> bool:
    """Two quantities of one kind: both percentages, or the same last measure character."""
    if a.is_percent or b.is_percent:
        return a.is_percent and b.is_percent
    return (a.unit[-1:] or "") == (b.unit[-1:] or "")


def _predicate(question: str) -> str:
    """What a yes/no question asks to be true: the words after 是否 (占比过半, 居全国首位)."""
    m = re.search(r"是否|是不是|有没有|能否|可否", question)
    return re.sub(r"[？?。！!吗呢]+$", "", question[m.end():]) if m else ""


# Verbs a question writes in full that a text often shortens (达到 → 达).
_SHORT_VERBS = {"达到": "达", "超过": "超", "位居": "居", "居于": "居", "位于": "位于", "突破了": "突破"}


def _said(word: str, text: str) -> bool:
    return word in text or (word in _SHORT_VERBS and _SHORT_VERBS[word] in text) or word.isdigit()


def _best_window(ctx: Context, u: Unit, must_hold: Optional[int] = None) -> tuple[int, int]:
    """The clause, or two neighbouring clauses, of a sentence that say most of the question."""
    spans = clauses(u.text)
    windows = spans + [(a[0], b[1]) for a, b in zip(spans, spans[1:])]
    if must_hold is not None:
        windows = [w for w in windows if w[0] <= must_hold < w[1]] or windows
    best = max(windows, key=lambda w: (round(ctx.scorer.coverage(u.text[w[0]:w[1]]), 3), -(w[1] - w[0])))
    return best


# --- documents and the rest -----------------------------------------------------------------

def answer_docs(ctx: Context, titles: dict[str, str]) -> Optional[Draft]:
    """Which articles: the documents whose clusters are on the asked kind of list, or whose
    title names it."""
    hits = table_hits(ctx)
    docs = {m.doc_id for h in hits for m in h.mentions}
    level_words = {"national": ("国家", "全国", "工信部", "国家发展改革委"), "provincial": ("省",), "municipal": ("市级",)}
    for doc_id, title in titles.items():
        if ctx.q.levels and all(any(w in title for w in level_words[lv]) for lv in ctx.q.levels) and "名单" in title:
            if not any(m.level and m.level not in ctx.q.levels for _, m in ctx.facts.by_doc.get(doc_id, ())):
                docs.add(doc_id)
    if ctx.doc_ids is not None:
        docs &= ctx.doc_ids
    if not docs:
        return None
    parts = [f"{d}《{titles.get(d, d)}》" for d in sorted(docs)]
    cites = []
    for d in sorted(docs):
        ds = ctx.doc(d)
        title = titles.get(d, "")
        if title:
            pos = ds.ndoc.text.find(title)
            if pos >= 0:
                cites.append(ctx.cite_norm(d, pos, pos + len(title)))
    return Draft("；".join(parts) + "。", cites)


def answer_other(ctx: Context) -> Optional[Draft]:
    units = ctx.top_units()
    if not units or units[0].score < MIN_COVERAGE:
        return None
    u = units[0]
    return Draft(u.text, [ctx.cite_unit(u)])


def _dedupe(cites: list[Cite]) -> list[Cite]:
    seen, out = set(), []
    for c in cites:
        if (c.doc_id, c.start, c.end) not in seen:
            seen.add((c.doc_id, c.start, c.end))
            out.append(c)
    return out

