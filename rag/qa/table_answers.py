"""Answers from the cluster table: the rows a question's filters select, the clusters written
in one clause, per-list counts, issuing bodies, places of named clusters, list membership and
the articles that report a kind of list. Every answer cites the rows' evidence spans."""
from __future__ import annotations

import re
from typing import Optional

from .clusters import ClusterHit, describe
from .context import MIN_COVERAGE, Cite, Context, Draft
from .evidence import Scorer, clauses
from ..core.places import Place, lookup, province_of, same_place, strip_suffix


def table_hits(ctx: Context, named: bool = False) -> list[ClusterHit]:
    """Rows whose records satisfy every filter the question names (and, with `named`, only
    the rows it names), from the documents that hold its anchors."""
    docs = ctx.anchored if ctx.anchored is not None else ctx.doc_ids
    if ctx.doc_ids is not None and docs is not None:
        docs = docs & ctx.doc_ids
    hits = ctx.facts.select(ctx.q, ctx.places, ctx.programs, ctx.named_rows if named else (), docs)
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
        if u.text[e:e + 1] in (":", "："):  # 分别是：… — the list after the colon
            e = len(u.text)
        span = ctx.cite_unit(u, (s, e))
        found = ctx.facts.in_span(u.doc_id, u.text[s:e], (span.start, span.end))
        found = [(r, m) for r, m in found if not ctx.places or any(ctx.facts.in_place(m, p) for p in ctx.places)]
        if found:
            hits = [ClusterHit(r, [m]) for r, m in found]
            return Draft(f"共{len(hits)}个：" + "；".join(h.name for h in hits) + "。", [span])
    return None


def count_each_list(ctx: Context) -> Optional[Draft]:
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
        hits = facts.select(sub, places, programs_in(sub, facts, named), (), ctx.doc_ids)
        if not hits:
            return None
        total += len(hits)
        lines.append(f"{part}：{len(hits)}个")
        doc_id = hits[0].mentions[0].doc_id
        cites.append(sentence_saying(ctx, doc_id, [f"{len(hits)}个", "集群"], 2) or hit_cites(hits[:1])[0])
    return Draft("；".join(lines) + f"；合计{total}个。", cites)


def bodies_from_table(ctx: Context) -> Optional[Draft]:
    hits = [h for h in table_hits(ctx, named=bool(ctx.named)) if any(m.recognised_by for m in h.mentions)]
    if not hits:
        return None
    by_body: dict[str, list] = {}
    for h in hits:
        for m in h.mentions:
            if m.recognised_by:
                by_body.setdefault(m.recognised_by, []).append(m)
    parts = [f"{body}（{describe(ms[0]).replace(body + '公布的', '')}）" for body, ms in by_body.items()]
    cites = []
    for body, ms in by_body.items():  # where the document says who published the list
        said = sentence_saying(ctx, ms[0].doc_id, [body], 1, verbs=r"公布|发布|认定|印发|公示|组织")
        cites.append(said or Cite(ms[0].doc_id, ms[0].evidence.start, ms[0].evidence.end))
    return Draft("；".join(parts) + "。", cites)


def sentence_saying(ctx: Context, doc_id: str, words: list[str], need: int, verbs: str = "") -> Optional[Cite]:
    """The first sentence of a document that writes at least `need` of `words` (and one of
    `verbs`, when given): the citation that states a fact the table holds."""
    ds = ctx.doc(doc_id)
    for sent in ds.sentences:
        text = sent.text
        if sum(1 for w in words if w and w in text) >= need and (not verbs or re.search(verbs, text)):
            return ctx.cite_norm(doc_id, sent.start, sent.end)
    return None


def cluster_regions(ctx: Context) -> Optional[Draft]:
    """The places of the clusters a question names (or of the rows its filters select)."""
    q = ctx.q
    hits = table_hits(ctx, named=True) if ctx.named else (table_hits(ctx) if q.cross_doc or ctx.places else [])
    # places the question writes outside a cluster name are context (位于郑州哪个县级市), not answers
    inside = [(s, e) for _, s, e in ctx.named]
    context_places = [p for p, (s, e) in zip(q.places, place_spans(q)) if not any(a <= s and e <= b for a, b in inside)]
    regions, cites = [], []
    for h in hits:
        for m in h.mentions:
            new = [r for r in m.regions if r not in regions and
                   not any(same_place(r, p.full) or same_place(r, p.written) for p in context_places)]
            if not new:
                continue
            regions += new
            # a sentence that writes the places out (由苏州、无锡、南通三市联合培育), else the mention
            said = sentence_saying(ctx, m.doc_id, [strip_suffix(r) for r in m.regions], 2) if len(m.regions) >= 2 else None
            cites.append(said or Cite(m.doc_id, m.evidence.start, m.evidence.end))
    if regions and re.search(r"哪[一两三四五六七八九十几]?[个些]?省", q.folded):  # 哪两个省市: the provinces
        regions = list(dict.fromkeys(province_of(r) or r for r in regions))
    return Draft("、".join(regions) + "。", dedupe(cites)) if regions else None


def place_spans(q) -> list[tuple[int, int]]:
    """The span of each of q.places (its first mention)."""
    spans = []
    for p in q.places:
        pos = q.folded.find(p.written)
        spans.append((pos, pos + len(p.written)) if pos >= 0 else (-1, -1))
    return spans


def most_clusters(ctx: Context) -> Optional[Draft]:
    """哪个省（城市）的集群最多: the place with the most (fewest) clusters in the table."""
    q = ctx.q
    m = re.search(r"哪[个一]?(?:个)?(省|城市|市)", q.folded)
    if not m or "集群" not in q.folded:
        return None
    by_place: dict[str, list[ClusterHit]] = {}
    for h in table_hits(ctx):
        ms = h.mentions[0]
        if m.group(1) == "省":
            places = [ms.province]
        else:  # every city a cluster lies in (郑州市、开封市新能源汽车产业集群 counts for both)
            places = [r for r in ms.regions if (lookup(r) or lookup(strip_suffix(r)) or Place(r, r, "", None)).kind == "city"]
        for p in places:
            if p:
                by_place.setdefault(p, []).append(h)
    if len(by_place) < 2:
        return None
    pick = (max if q.superlative == "max" else min)(by_place, key=lambda p: len(by_place[p]))
    counts = sorted(((len(v), p) for p, v in by_place.items()), reverse=True)
    if q.superlative == "max" and len(counts) > 1 and counts[0][0] == counts[1][0]:
        return None  # a tie has no answer
    others = "、".join(f"{p}{n}个" for n, p in counts[:5] if p != pick)
    text = f"{pick}（{len(by_place[pick])}个；其次{others}）。" if others else f"{pick}（{len(by_place[pick])}个）。"
    return Draft("在这些文章提到的集群中，" + text, hit_cites(by_place[pick]))


def membership(ctx: Context) -> Optional[Draft]:
    """Is a named cluster on the asked list? Yes when one of its records is; no when its
    record says another list, or the same document lists the asked list without it."""
    q = ctx.q
    rows = ctx.named_rows
    yes = [ClusterHit(r, [m for m in r.mentions if ctx.facts.matches(m, q, ctx.places, ctx.programs)]) for r in rows]
    yes = [h for h in yes if h.mentions]
    if yes:
        m = yes[0].mentions[0]
        return Draft(f"是。{yes[0].name}在{describe(m) or '该名单'}中。", hit_cites(yes))
    row = rows[0]
    m = row.mentions[0]
    said = describe(m)
    # the asked list as the same document gives it (its members, whatever their place)
    listed = [x for _, x in ctx.facts.by_doc.get(m.doc_id, ()) if ctx.facts.matches(x, q, [], ctx.programs)]
    if not (said or listed):
        return None
    if said:
        why = f"文中{row.name}属于{said}"
    else:
        why = f"{row.name}不在文中该名单内（名单所列为{'、'.join(x.name for x in listed[:6])}等）"
    cites = [Cite(m.doc_id, m.evidence.start, m.evidence.end)]
    cites += [Cite(x.doc_id, x.evidence.start, x.evidence.end) for x in listed[:1]]
    return Draft(f"否。{why}。", cites)


def documents_reporting(ctx: Context, titles: dict[str, str]) -> Optional[Draft]:
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


def dedupe(cites: list[Cite]) -> list[Cite]:
    seen, out = set(), []
    for c in cites:
        if (c.doc_id, c.start, c.end) not in seen:
            seen.add((c.doc_id, c.start, c.end))
            out.append(c)
    return out
