"""One strategy per kind of question. Each returns a `Draft` (answer text in Simplified Chinese
plus the spans it rests on) or None when it cannot answer; the caller turns None into the
not-found answer.

List, count, where and yes/no questions about clusters read the cluster table
(rag.qa.table_answers); the rest read the best sentences (rag.qa.text_answers, rag.qa.claims).
"""
from __future__ import annotations

import re
from typing import Optional

from .claims import check_claim, predicate_of
from .clusters import ClusterHit, describe
from .context import MIN_COVERAGE, Context, Draft
from .evidence import Scorer
from .table_answers import (bodies_from_table, cluster_regions, clusters_in_best_clause, count_each_list,
                            documents_reporting, hit_cites, list_draft, membership, most_clusters, sentence_saying,
                            table_hits)
from .text_answers import (best_sentence, body_or_person, date_in_text, list_sizes_total, place_in_text,
                           quantity_draft, slot_items, superlative, wants_year)

_ASKS_CLUSTERS = re.compile(r"哪[些个两三四五六七八九十几\d]*个?(?:产业)?集群|集群(?:有哪些|分别是|是哪些|包括哪些)|有哪些集群|哪些产业集群")
# 集群的龙头企业有哪些 / 哪些企业: a list of something other than clusters
_OTHER_NOUNS = r"企业|公司|单位|部门|机构|城市|地区|项目|平台|园区|产品|政策|措施|举措|基础|优势|特点|任务|目标|领域|支持"
_ASKS_OTHER = re.compile(rf"(?:{_OTHER_NOUNS})(?:有|是|包括)哪些|哪[些几]?(?:家|个|项|条)?(?:{_OTHER_NOUNS})")
_DEFINITION = re.compile(r"^(?:什么是|何为|何谓)(.{2,20}?)[？?]?$|^(.{2,20}?)(?:是什么|指什么|的含义是什么|是指什么)[？?]?$")
_ASKS_LISTS = re.compile(r"哪[一些]?类|哪些名单|什么名单|哪个名单|哪份名单|什么类型|名单里")


def answer_list(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    if ctx.named and _ASKS_LISTS.search(q.folded):  # 超硬材料产业集群出现在哪些名单里
        hits = [ClusterHit(r, list(r.mentions)) for r in ctx.named_rows]
        return list_draft(hits, with_lists=True)
    asks_clusters = (bool(_ASKS_CLUSTERS.search(q.folded)) or ("集群" in q.folded and q.kind == "list")) \
        and not _ASKS_OTHER.search(q.folded)
    if not asks_clusters:  # companies …: a written list; policies, strengths …: the sentence that says most
        abstract = re.search(r"政策|措施|举措|基础|优势|特点|任务|目标|支持", q.folded)
        return (None if abstract else slot_items(ctx)) or best_sentence(ctx)
    residual = ctx.residual_runs()
    if not residual:  # nothing but filters: the table
        hits = table_hits(ctx, named=bool(ctx.named))
        return list_draft(hits, with_lists=q.cross_doc and "名单" in q.folded) if hits else None
    d = clusters_in_best_clause(ctx, residual)
    if d:
        return d
    # the table answers only from documents that also say what the question adds
    # (湖北省实施意见中提到的12个国家级集群 → only a document that mentions 实施意见)
    scorer = Scorer(residual, [ctx.facts.doc_text(d) for d in ctx.docs] or [""])
    hits = [h for h in table_hits(ctx, named=bool(ctx.named))
            if scorer.coverage(ctx.facts.doc_text(h.mentions[0].doc_id)) >= 0.6]
    return list_draft(hits) if hits else None


def answer_count(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    if "分别" in q.folded:
        d = count_each_list(ctx)
        if d:
            return d
    if q.cross_doc and "名单" in q.folded and re.search(r"一共|合计|总共|总计", q.folded):
        d = list_sizes_total(ctx)
        if d:
            return d
    counts_clusters = "集群" in q.folded and (q.measure in (None, "个")) and len(q.segments) == 1
    # the table's count, when the question is only filters (郑州首批市级战略性新兴产业集群一共有几个)
    hits = table_hits(ctx, named=bool(ctx.named)) if counts_clusters and not ctx.residual_runs() else []
    d = quantity_draft(ctx, ctx.top_units(ratio=0.9, limit=4), prefer=float(len(hits)) if hits else None)
    if hits and (d is None or not d.text.startswith(f"{len(hits)}")):
        # the table's count, when some sentence states it (浙江省共有4个集群入选) — not a total
        # from a sentence about something wider (全国共100个集群入选)
        agree = quantity_draft(ctx, [u for u in ctx.units if u.score >= MIN_COVERAGE], prefer=float(len(hits)))
        if agree and agree.text.startswith(f"{len(hits)}"):
            return agree
        if d and ctx.places and re.search(r"全国|全部|总共", d.text):
            d = None  # a national total (全国共100个集群入选) does not count the asked place
    if d or not counts_clusters:
        return d or quantity_draft(ctx, ctx.top_units(ratio=0.7))
    hits = hits or table_hits(ctx, named=bool(ctx.named))
    if hits:
        d = list_draft(hits)
        d.text = f"{len(hits)}个：" + d.text.split("：", 1)[1]
        stated = sentence_saying(ctx, hits[0].mentions[0].doc_id, [f"{len(hits)}个", "集群"], 2)
        if stated:  # the sentence that gives the same count says it best
            d.cites = [stated]
        return d
    return quantity_draft(ctx, ctx.top_units(ratio=0.7))


def answer_numeric(ctx: Context) -> Optional[Draft]:
    return quantity_draft(ctx, ctx.top_units(ratio=0.8))


def answer_when(ctx: Context) -> Optional[Draft]:
    d = date_in_text(ctx)
    if d or not (wants_year(ctx.q) and ctx.named):
        return d
    hits = [ClusterHit(r, [m for m in r.mentions if m.year]) for r in ctx.named_rows]
    hits = [h for h in hits if h.mentions]
    if not hits:
        return None
    m = hits[0].mentions[0]
    return Draft(f"{m.year}年（{describe(m)}）。", hit_cites(hits[:1]))


def answer_who(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    wants_body = re.search(r"部门|单位|机构", q.folded)
    if q.cross_doc or (wants_body and not ctx.top_units()):
        d = bodies_from_table(ctx)
        if d:
            return d
    if not wants_body and re.search(r"企业|公司|龙头", q.folded):
        return slot_items(ctx)
    d = body_or_person(ctx)
    if d is None and re.search(r"公布|发布(?!会)|认定|印发|评定|命名|授牌|组织", q.folded):
        d = bodies_from_table(ctx)  # who published a list the table knows
    return d


def answer_where(ctx: Context) -> Optional[Draft]:
    if _ASKS_CLUSTERS.search(ctx.q.folded):  # 哪些集群的所在地包括郑州: a list
        return answer_list(ctx)
    if ctx.q.superlative:  # 哪个地区的集群数量最多: a written breakdown, else the table's counts
        return superlative(ctx) or most_clusters(ctx) or place_in_text(ctx)
    return cluster_regions(ctx) or place_in_text(ctx)


def answer_yesno(ctx: Context) -> Optional[Draft]:
    q = ctx.q
    # membership of a named cluster in a list: 是否入选…名单 / 是国家级…集群吗 / 是否在…名单中
    asks_list = bool(ctx.programs or q.levels or q.batch is not None or q.years) and bool(
        re.search(r"入选|列入|名单|认定|属于|集群(?:吗)?[？?]?$", predicate_of(q.folded) or q.folded))
    if ctx.named and asks_list:
        d = membership(ctx)
        if d:
            return d
    return check_claim(ctx)


def answer_docs(ctx: Context, titles: dict[str, str]) -> Optional[Draft]:
    return documents_reporting(ctx, titles)


def answer_other(ctx: Context) -> Optional[Draft]:
    m = _DEFINITION.search(ctx.q.folded)
    if m:  # 什么是战略性新兴产业集群: the sentence that says "X是…"
        term = m.group(1) or m.group(2)
        for u in sorted(ctx.units, key=lambda u: (u.pair or u.paragraph, -u.score)):
            at = u.text.find(term + "是")
            if at >= 0 and (at == 0 or u.text[at - 1] in "，,。；;“\"（( "):
                return Draft(u.text, [ctx.cite_unit(u)])
    return best_sentence(ctx)
