"""The offline answerer: deterministic, no model, every answer cited.

answer(question) = parse (frame.py) → retrieve (rag.retrieve) → ground (ground.py: scored
sentences, the stored lists that fit, the clusters it names, its residual words) → answer by
operation (strategies.py) → checked citations → the question's script.

The answer is the short fact (a number with its measure word, a date, a name, a list); the
source sentences are its citations. A question no strategy can answer from the corpus gets
未在文档中找到… with found=False and no citations.
"""
from __future__ import annotations

import re
import time
from functools import lru_cache
from typing import Optional, Sequence

from ..core.chinese import fold, t2s
from ..core.lexicon import program_variants
from ..core.numbers import find_numbers
from ..core.places import strip_suffix
from ..errors import InputError
from ..retrieve import search_for
from ..schemas import Answer, Citation, ListMember, Usage
from . import strategies as S
from .citations import is_valid, make_citation
from .frame import QuestionFrame, kind_of, parse, reframe
from .ground import Ground, Named, find_all_named, find_named, residual_words
from .listops import ListMatch, holding_place, match_lists
from .passages import DocText, Scorer, Unit, content_words, doc_text, score_units, units_for_hits

ENGINE = "offline"
# A sentence about the cluster named just before it (该集群拥有…, 这一集群去年…, 集群内企业…).
_ANAPHOR = re.compile(r"^[-*•\s]*\**\s*(?:[^，。]{0,12}[，,])?(?:该集群|这一集群|这个集群|该产业集群|集群|其|该|这一|此|同时|目前|去年|今年|20\d\d年)")
LIST_ATTRIBUTES = ("notice_end", "notice_start", "period", "length", "validity", "phone", "office", "docno", "body", "date")
LIST_ANSWERS = ("notice_start", "count", "members", "member", "body", "date", "notice_end", "period", "length", "validity", "docno",
                "phone", "office", "year", "level", "place")


@lru_cache(maxsize=1)
def _s2t():
    import opencc

    return opencc.OpenCC("s2t")


class OfflineAnswerer:
    """Answers from an `Index`. Caches the list store, the cluster records and the documents'
    sentences, so keep one instance per index."""

    engine = ENGINE

    def __init__(self, index) -> None:
        self.index = index
        self._docs: dict[str, DocText] = {}
        self._lists = None
        self._named = None
        self._clusters: Optional[dict[str, list]] = None

    # --- caches -----------------------------------------------------------------------

    def doc(self, doc_id: str) -> DocText:
        if doc_id not in self._docs:
            self._docs[doc_id] = doc_text(self.index.normalised(doc_id))
        return self._docs[doc_id]

    @property
    def lists(self):
        if self._lists is None:
            self._lists = self.index.lists()
        return self._lists

    def clusters_of(self, doc_id: str) -> list:
        if self._clusters is None:
            self._clusters = {}
            for r in self.index.clusters():
                self._clusters.setdefault(r.doc_id, []).append(r)
        return self._clusters.get(doc_id, [])

    @property
    def nameable(self) -> list[Named]:
        """Every cluster a question may name: list members (with their list's facts) and cluster
        records (with the facts their article gives)."""
        if self._named is None:
            out: list[Named] = []
            for rec in self.lists:
                facts = {"level": rec.level, "program": rec.program, "year": rec.year, "issuer": rec.issuer}
                out += [Named(m, rec, 0.0, rec.doc_id, facts) for m in rec.members]
            for r in self.index.clusters():
                m = ListMember(position=1, name=r.name, regions=r.regions, industry=r.industry, evidence=r.evidence)
                facts = {"level": r.level, "program": r.program, "year": r.year, "issuer": r.recognised_by}
                out.append(Named(m, None, 0.0, r.doc_id, facts))
            self._named = out
        return self._named

    # --- answering --------------------------------------------------------------------

    def answer(self, question: str, k: int = 6, doc_ids: Optional[Sequence[str]] = None) -> Answer:
        started = time.perf_counter()
        if not question or not question.strip():
            raise InputError("question", "the question is empty")
        g = self.ground(question, k, doc_ids)
        draft = self._draft(g)
        return self._finish(question, g.frame, draft, time.perf_counter() - started)

    def ground(self, question: str, k: int = 6, doc_ids: Optional[Sequence[str]] = None) -> Ground:
        frame = parse(question)
        hits = search_for(self.index, frame.folded, k, list(doc_ids) if doc_ids else None, frame.corpus)
        doc_rank: dict[str, int] = {}
        for h in hits:
            doc_rank.setdefault(h.doc_id, len(doc_rank))
        docs = {h.doc_id: self.doc(h.doc_id) for h in hits}
        units = units_for_hits(hits, docs)
        nameable = [n for n in self.nameable if not doc_ids or n.doc_id in set(doc_ids)]
        named = find_named(frame, nameable)
        frame = reframe(frame, named)
        lists = [r for r in self.lists if not doc_ids or r.doc_id in set(doc_ids)]
        matches = [match_lists(sel, lists, doc_rank, frame.filters.place) if sel.named else [] for sel in frame.lists]
        weak = not any(getattr(frame.lists[0].facts, k) for k in ("program", "year", "batch", "place", "issuer"))
        if not any(matches) and frame.answer in LIST_ATTRIBUTES and weak and hits:
            # 公示截止到哪天？ asked of one notice: its list
            top = [r for r in lists if r.doc_id == hits[0].doc_id]
            matches[0] = [ListMatch(r, 0.0) for r in top[:1]]
        if frame.lists and frame.lists[0].named and not matches[0] and weak and frame.filters.place is not None:
            matches[0] = holding_place(lists, frame.filters.place, doc_rank)  # 邵阳市有哪些集群在名单里
        residual = residual_words(frame, named, frame.parts[0] if frame.parts else None)
        # A sentence must say the question's facts (its residual words and the cluster it names);
        # what names the list (place, year, program) may stand anywhere in the document.
        pool = [u.text for u in units] or [""]
        scorer = Scorer(content_words(_claim_free(frame)), pool)
        said = [w for w in residual if any(w in t for t in pool)]  # residual words no sentence has weigh nothing
        if said:  # half for the question as a whole, half for what it asks beyond naming its list
            facts = Scorer(said + [fold(n.member.industry or "") for n in named[:1]], pool)
            scorer = _Blend(scorer, facts)
        quantities = tuple(n.text for n in find_numbers(frame.folded) if n.unit and n.text[0].isdigit())
        score_units(units, scorer, quantities)
        g = Ground(frame, hits, doc_rank, units, scorer, lists, matches, named, residual, self.doc)
        g.all_named = find_all_named(frame, nameable)
        top = next((u.doc_id for u in units if g.anchored(u)), None)
        if top is not None:
            places = [p for _, _, p in frame.places]
            g.article_clusters = [r for r in self.clusters_of(top)
                                  if not places or any(p.short in r.name or p.full in r.name
                                                       or (p.kind == "province" and r.province == p.full) for p in places)
                                  or not r.regions]
        g.anchored = lambda u: self._anchored(g, u)
        return g

    def _anchored(self, g: Ground, u: Unit) -> bool:
        """The sentence can answer: its document holds the question's places and years, a year the
        question gives its figure (2024年产值) is in the sentence itself, and a cluster the question
        names is the sentence's subject (named in it, or in the sentence before an 该集群)."""
        f = g.frame
        text = self.doc(u.doc_id).ndoc.text
        for y in f.years:
            if str(y) not in text:
                return False
        listed = {m[0].record.year for m in g.matches if m}
        page = self.doc(u.doc_id).ndoc.doc.date
        for y in f.years:
            if y in listed or str(y) in u.text or (f.answer == "date" and f.years):
                continue
            # 今年/去年 in an article dated 2023 say 2023/2022
            if page and (("今年" in u.text or "当年" in u.text) and int(page[:4]) == y
                         or "去年" in u.text and int(page[:4]) - 1 == y):
                continue
            return False
        for _, _, p in f.places:
            if strip_suffix(p.full) not in text and p.full not in text and p.written not in text:
                return False
        for sel in f.lists:  # a program the question names: the article is about it (any written form)
            program = sel.facts.program
            if program and not any(v in text for v, c in program_variants() if c == program) and program not in text:
                return False
        for n in re.findall(r"(\d+)个[^，。？]{0,12}集群", f.folded):  # 45个国家级集群: the article that counts them
            if not re.search(rf"(?<!\d){n}(?!\d)", text):
                return False
        if g.named and f.answer not in ("yesno",):
            if not any(self._about(u, n) for n in g.named):
                return False
        return True

    def _about(self, u: Unit, n: Named) -> bool:
        name = fold(n.member.industry or n.member.name)
        if name in u.text:
            return True
        if not _ANAPHOR.match(u.text):
            return False
        ds = self.doc(u.doc_id)
        before = [s for s in ds.sentences if s.end <= u.start]
        for s in reversed(before[-3:]):
            seg = ds.ndoc.text[s.start:s.end]
            if name in seg:
                return True
            if not _ANAPHOR.match(seg):
                break
        return False

    def _draft(self, g: Ground) -> Optional[S.Draft]:
        f = g.frame
        if f.answer == "yesno":
            return S.document_mentions(g, self.clusters_of) or S.yes_no(g)
        if f.choice:
            return S.choice(g)
        d = S.page_date(g)
        if d:
            return d
        if g.named and f.answer in ("place", "level") and len(g.matches) >= 2:
            d = S.from_named(g)  # 江西和浙江…的眼镜产业集群分别位于哪个区: about the clusters, not the lists
            if d:
                return d
        if len(f.lists) >= 2 and f.filters.superlative and all(g.matches):
            d = S.superlative_per_list(g)
            if d:
                return d
        if len(f.lists) >= 2 and any(m for m in g.matches[1:]):
            d = S.across_lists(g)
            if d:
                return d
        d = S.compare_named(g) or S.corpus_lists(g)
        if d:
            return d
        if f.operation == "argmax" and f.answer == "place" and (f.corpus or not g.best_list):
            d = S.corpus_place_with_most(g, self.index.clusters())
            if d:
                return d
        if f.operation in ("argmax", "argmin") and f.answer in ("member", "members", "place") and f.filters.superlative:
            d = S.table_superlative(g) or S.superlative(g)
            if d:
                return self._more_parts(g, d, answered_figure=True)
        if f.answer == "quantity" and not f.filters.superlative and not f.measure:
            d = S.metric_value(g)  # PUE设计值是多少: a figure with no Chinese measure word
            if d:
                return self._more_parts(g, d)
        if f.answer in ("amount", "percent", "quantity", "place") and not f.filters.superlative:
            d = S.table_cell(g)
            if d:
                return self._more_parts(g, d)
        if g.named and f.answer in ("place", "level", "year", "body", "text", "member") and not (
                f.answer in ("year", "body") and g.residual and not _only_about_recognition(g.residual)):
            d = S.from_named(g)
            if d:
                return self._more_parts(g, d)
        if g.best_list is not None and f.filters.exclude:
            d = S.from_list(g)  # 除甲、乙之外的: the list's other members, or nothing when they are not written
            return self._more_parts(g, d) if d else None
        if g.best_list is not None and f.answer in LIST_ANSWERS + ("text",):
            d = S.from_list(g)
            if d:
                return self._more_parts(g, d)
        if f.asks_list and f.answer in ("count", "members", "member") and not f.cumulative \
                and (not g.residual or f.answer != "count") and not any(g.matches) and _pins_a_list(f):
            return None  # the question names a list the corpus does not hold
        if f.answer in ("members", "member", "count") and not f.cumulative and not g.residual and not _counted(f) and (
                f.corpus or f.filters.place or f.filters.places or f.filters.keyword):
            d = S.from_table(g, self.index.clusters())
            if d:
                return self._more_parts(g, d)
        if f.answer in ("members", "member"):
            d = S.clusters_in_clause(g, self.clusters_of) or S.of_level(g)
            if d:
                return self._more_parts(g, d)
        if f.answer == "company":
            d = S.from_text(g)
            if d:
                return self._more_parts(g, d)
        if f.answer in ("members", "company"):
            d = S.from_enumeration(g)
            if d:
                return self._more_parts(g, d)
        d = S.notice_fact(g) or S.from_text(g)
        return self._more_parts(g, d) if d else None

    def _more_parts(self, g: Ground, d: S.Draft, answered_figure: bool = False) -> S.Draft:
        """The other sub-questions (…多少？同比增长多少？) answered from the text and joined."""
        f = g.frame
        if len(f.parts) < 2:
            return d
        texts, cites = [d.text], list(d.cites)
        for part in f.parts[1:]:
            sub = parse(part)
            if answered_figure and sub.answer in ("amount", "percent", "quantity", "count"):
                continue  # the superlative's answer states the figure (哪个最多？有多少家？)
            if sub.answer == "place" and re.search(r"分别在哪|在哪里|位于哪", f.folded) and f.answer in ("members", "member"):
                continue  # 有哪些…集群？分别在哪里？: the members were answered with their places
            extra = S.from_text(g, part=part, answer=sub.answer)
            if extra and extra.text not in texts:
                texts.append(extra.text)
                cites += extra.cites
        return S.Draft("；".join(texts), cites)

    def _finish(self, question: str, frame: QuestionFrame, draft: Optional[S.Draft], seconds: float) -> Answer:
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
                if is_valid(cit, original) and all((x.doc_id, x.start, x.end) != (cit.doc_id, cit.start, cit.end)
                                                   for x in citations):
                    citations.append(cit)
        if draft is None or not draft.found or not citations:
            text, found, citations = not_found_text(frame.folded), False, []
        else:
            text, found = draft.text, True
        if frame.traditional:
            text = in_question_script(_s2t().convert(text), question)
        return Answer(question=question, answer=text, citations=citations, engine=ENGINE,
                      usage=Usage(seconds=round(seconds, 4)), found=found, kind=kind_of(frame.answer),
                      answer_type=frame.answer)


def _only_about_recognition(words: list[str]) -> bool:
    return all(re.search(r"入选|获评|认定|公布|评为|当选|列入|称号|属于|一级|级别|哪一级", w) for w in words)


class _Blend:
    """The mean coverage of two scorers (the whole question, its residual facts)."""

    def __init__(self, whole: Scorer, facts: Scorer) -> None:
        self.whole, self.facts = whole, facts

    def coverage(self, text: str) -> float:
        return 0.5 * self.whole.coverage(text) + 0.5 * self.facts.coverage(text)

    def rarity(self, word: str) -> float:
        return self.whole.rarity(word)


def _counted(f: QuestionFrame) -> bool:
    """The question writes how many clusters it is about (45个国家级集群): the answer lies in the
    article that counts them, not in the cluster table."""
    return re.search(r"\d+个[^，。？]{0,12}集群", f.folded) is not None


def _pins_a_list(f: QuestionFrame) -> bool:
    """The question names one list precisely enough that no stored list fitting it means the
    corpus does not hold it (a program or list noun, and a place, year or batch)."""
    facts = f.lists[0].facts
    return bool((facts.program or re.search(r"名单|名录", f.folded)) and (facts.place or facts.year or facts.batch or f.places))


def _claim_free(frame: QuestionFrame) -> str:
    """The question without the quantities a yes/no question claims (是否超过20%): those may be
    false, and the sentence to check them against must not be missed for it."""
    if frame.answer != "yesno":
        return frame.folded
    return re.sub(r"(突破|超过|超|达到|高于|低于)(?:了)?[\d.一二两三四五六七八九十百千万亿]+(?:亿元|万元|亿|万|元|%)?", r"\1",
                  frame.folded)


def in_question_script(answer: str, question: str) -> str:
    """Where the question writes a Traditional variant other than OpenCC's (群 not 羣), the
    answer writes it the question's way."""
    mine = {}
    for ch in question:
        if "\u3400" <= ch <= "\u9fff":
            mine.setdefault(t2s(ch), ch)
    return "".join(mine.get(t2s(c), c) if "\u3400" <= c <= "\u9fff" else c for c in answer)


def not_found_text(folded_question: str) -> str:
    topic = re.sub(r"[？?。！!]+$", "", folded_question).strip()
    return f"未在文档中找到关于“{topic}”的信息。"
