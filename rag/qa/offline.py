"""The offline answerer: deterministic, no model, every answer cited.

answer(question) = classify → retrieve (index.search) → score the retrieved sentences →
keep the documents that hold everything the question names → the strategy for its kind
(rag.qa.answers) → checked citations → the question's script (Simplified or Traditional).
A question none of this can answer gets 未在文档中找到… with found=False and no citations.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Optional, Sequence

from ..errors import InputError
from ..retrieve import search_for
from ..schemas import Answer, Citation, Usage
from . import answers
from .citations import is_valid, make_citation
from .classify import classify
from .clusters import ClusterFacts
from .context import Context, Draft, anchored_docs, programs_in, score_units
from .evidence import DocSentences, Scorer, content_runs, doc_sentences, units_for_hits
from ..core.numbers import find_numbers

ENGINE = "offline"


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


class OfflineAnswerer:
    """Answers from an `Index`. Caches the cluster table and the documents' sentences, so keep
    one instance per index."""

    engine = ENGINE

    def __init__(self, index) -> None:
        self.index = index
        self._facts: Optional[ClusterFacts] = None
        self._docs: dict[str, DocSentences] = {}
        self._titles: Optional[dict[str, str]] = None

    # --- caches -----------------------------------------------------------------------

    def doc(self, doc_id: str) -> DocSentences:
        if doc_id not in self._docs:
            self._docs[doc_id] = doc_sentences(self.index.normalised(doc_id))
        return self._docs[doc_id]

    def text(self, doc_id: str) -> str:
        return self.doc(doc_id).ndoc.text

    @property
    def facts(self) -> ClusterFacts:
        if self._facts is None:
            from ..extract.table import build_cluster_table

            rows = build_cluster_table(self.index.clusters())
            self._facts = ClusterFacts(rows, self.text)
        return self._facts

    @property
    def titles(self) -> dict[str, str]:
        if self._titles is None:
            self._titles = {d.doc_id: d.title for d in self.index.documents()}
        return self._titles

    # --- answering --------------------------------------------------------------------

    def answer(self, question: str, k: int = 6, doc_ids: Optional[Sequence[str]] = None) -> Answer:
        started = time.perf_counter()
        if not question or not question.strip():
            raise InputError("question", "the question is empty")
        ctx = self.context(question, k, doc_ids)
        draft = self._draft(ctx)
        return self._finish(question, ctx, draft, time.perf_counter() - started)

    def context(self, question: str, k: int = 6, doc_ids: Optional[Sequence[str]] = None) -> Context:
        q = classify(question)
        facts = self.facts
        allowed = set(doc_ids) if doc_ids else None
        hits = search_for(self.index, q.folded, k, list(doc_ids) if doc_ids else None, q.cross_doc)
        places = list(q.places)
        for p in facts.extra_places(q.folded):
            if all(p.short != x.short for x in places) and not any(p.short in x.full for x in places):
                places.append(p)
        named = consistent_names(facts, facts.named_in(q.folded), q, places)
        docs = {h.chunk.doc_id: self.doc(h.chunk.doc_id) for h in hits}
        # documents whose clusters the question may be about, beyond the retrieved ones
        related = {m.doc_id for m in facts.candidates(places, [r for r, _, _ in named])} if places or named else set()
        if allowed is not None:
            related &= allowed
        units = units_for_hits(hits, docs)
        scorer = Scorer(content_runs(claim_free(q)), [u.text for u in units])
        score_units(units, scorer, facts, lambda u: docs[u.doc_id].ndoc.span(u.start, u.start)[0])
        programs = programs_in(q, facts, named)
        return Context(
            q=q, units=units, docs=docs, facts=facts, scorer=scorer, places=places, programs=programs,
            named=named, anchored=anchored_docs(q, set(docs) | related, self.text, facts, places, programs),
            doc_ids=allowed, load=self.doc,
        )

    def _draft(self, ctx: Context) -> Optional[Draft]:
        if ctx.anchored is not None and not ctx.anchored and not (ctx.q.kind == "yesno" and ctx.named):
            return None  # nothing holds all the question names (a yes/no about a named cluster can still say no)
        kind = ctx.q.kind
        if kind == "docs":
            return answers.answer_docs(ctx, self.titles)
        strategy = {
            "list": answers.answer_list, "count": answers.answer_count, "numeric": answers.answer_numeric,
            "when": answers.answer_when, "who": answers.answer_who, "where": answers.answer_where,
            "yesno": answers.answer_yesno,
        }.get(kind, answers.answer_other)
        return strategy(ctx)

    def _finish(self, question: str, ctx: Context, draft: Optional[Draft], seconds: float) -> Answer:
        citations: list[Citation] = []
        originals: dict[str, str] = {}
        if draft is not None:
            for c in draft.cites:
                if c.doc_id not in originals:
                    originals[c.doc_id] = self.index.original(c.doc_id)
                original = originals[c.doc_id]
                if not 0 <= c.start < c.end <= len(original):
                    continue
                cit = make_citation(c.doc_id, original, c.start, c.end)
                if is_valid(cit, original) and all((x.doc_id, x.start, x.end) != (cit.doc_id, cit.start, cit.end) for x in citations):
                    citations.append(cit)
        if draft is None or not draft.found or not citations:
            text, found, citations = not_found_text(ctx.q.folded), False, []
        else:
            text, found = draft.text, True
        if ctx.q.traditional:
            text = in_question_script(_s2t().convert(text), question)
        return Answer(question=question, answer=text, citations=citations, engine=ENGINE,
                      usage=Usage(seconds=round(seconds, 4)), found=found, kind=ctx.q.kind)


def consistent_names(facts: ClusterFacts, named: list, q, places: list) -> list:
    """Drop named rows that lie outside the places the question writes beside them:
    聊城有哪些省级新材料产业集群 does not name 郑州登封市新材料…集群."""
    outside = [p for p in places
               if not any(s <= q.folded.find(p.written) < e for _, s, e in named) and q.folded.find(p.written) >= 0]
    if not outside:
        return named
    return [(row, s, e) for row, s, e in named if any(facts.in_place(m, p) for m in row.mentions for p in outside)]


def claim_free(q) -> str:
    """The question without the quantities a yes/no question claims (是否超过20%): those may be
    false, and the sentence to check them against must not be missed for it."""
    if q.kind != "yesno":
        return q.folded
    m = re.search(r"是否|是不是|有没有|能否|可否", q.folded)
    if not m:
        return q.folded
    head, claim = q.folded[:m.end()], q.folded[m.end():]
    for n in reversed(find_numbers(claim)):
        claim = claim[:n.start] + " " + claim[n.end:]
    return head + claim


def in_question_script(answer: str, question: str) -> str:
    """Where the question writes a Traditional variant other than OpenCC's (群 not 羣), the
    answer writes it the question's way."""
    from ..core.chinese import t2s

    mine = {}
    for ch in question:
        if "\u3400" <= ch <= "\u9fff":
            mine.setdefault(t2s(ch), ch)
    return "".join(mine.get(t2s(c), c) if "\u3400" <= c <= "\u9fff" else c for c in answer)


def not_found_text(folded_question: str) -> str:
    topic = re.sub(r"[？?。！!]+$", "", folded_question).strip()
    return f"未在文档中找到关于“{topic}”的信息。"
