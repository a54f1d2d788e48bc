"""Hybrid retrieval: a dense ranking (Chroma, e5 `query: ` prefix), a BM25 ranking (jieba
words + character bigrams) and a phrase ranking of their candidates (the query's longest
verbatim pieces), fused by reciprocal rank. All see the query folded like the documents were
(Simplified, no pinyin readings, half-width digits and letters).

Reciprocal-rank fusion uses ranks only: e5's cosine scores bunch together (0.92 vs 0.915) and
BM25 scores are unbounded, so their raw values cannot be added.
"""
from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Optional, Sequence

from .core.chinese import fold
from .core.types import Chunk
from .errors import ConfigError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from .index import Index

# Measured on the gold sets (eval/gold + eval/extra: 15 documents, 91 answerable questions,
# 83 cluster names used as look-up queries), top-1 document right:
#   BM25 alone 84 / 82, e5 alone 79 / 60, equal-weight RRF (k=60) 81 / 72, these 85 / 79.
# e5-small misranks short name queries (scores bunch together), so BM25 counts three times
# and a small k lets a clear first place count; e5 still breaks close calls and adds recall
# for questions that share few words with the text.
# The phrase ranking matters among many same-topic articles (bench/run.py, 5,000 generated
# articles beside the gold documents): seed questions about one document, hit@5 0.900 -> 0.983
# and hit@1 0.667 -> 0.767; extra 0.875 both; unchanged or better with no distractors. Weight 1
# gains less (0.933), 3 no more (0.967).
RRF_K = 10
DENSE_WEIGHT, KEYWORD_WEIGHT = 1.0, 3.0
PHRASE_WEIGHT = 2.0
CANDIDATES = 50  # each side contributes at least this many ranked chunks
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_WS = re.compile(r"\s+")


MAX_QUERY_CHARS = 2000  # longer is a pasted document, not a question
EMBED_QUERY_CHARS = 480  # what e5 reads of a query in one window (see chunk.EMBED_MAX_CHARS)
_SEARCHABLE = re.compile(r"[^\W_]")  # a letter, digit or CJK character


def check_date(flag: str, value: Optional[str]) -> None:
    """2024, 2024-03 or 2024-03-31, and a real month and day."""
    if not value:
        return
    if _DATE.match(value):
        y, m, d = (value.split("-") + ["01", "01"])[:3]
        try:
            datetime.date(int(y), int(m), int(d))
            return
        except ValueError:
            raise InputError(flag, f"{value} is not a date (month 01-12, a day that month has)") from None
    raise InputError(flag, f"{value!r} must look like 2024, 2024-03 or 2024-03-31")


def check_query(query: str, what: str = "query", allow_punctuation: bool = False) -> str:
    """The query folded like the documents, or a one-line error when there is nothing to search for."""
    if len(query) > MAX_QUERY_CHARS:
        raise InputError(what, f"too long ({len(query):,} characters; at most {MAX_QUERY_CHARS:,})")
    folded = fold(query)
    if not folded:
        raise InputError(what, "nothing to search for (it is empty)")
    if not allow_punctuation and not _SEARCHABLE.search(folded):
        raise InputError(what, f"nothing to search for: {query.strip()[:20]!r} has no words or numbers")
    return folded


@dataclass
class Hit:
    chunk: Chunk
    score: float  # fused reciprocal-rank score
    dense_rank: Optional[int]  # 1-based; None when the dense side did not return the chunk
    keyword_rank: Optional[int]
    title: str = ""
    date: Optional[str] = None

    @property
    def doc_id(self) -> str:
        return self.chunk.doc_id

    @property
    def start(self) -> int:
        return self.chunk.start

    @property
    def end(self) -> int:
        return self.chunk.end

    @property
    def text(self) -> str:
        """The chunk's ORIGINAL text: original[start:end]."""
        return self.chunk.original_text


def fuse(rankings: Sequence[Sequence[str]], weights: Optional[Sequence[float]] = None,
         rrf_k: int = RRF_K) -> list[tuple[str, float, list[Optional[int]]]]:
    """Weighted reciprocal-rank fusion: (id, score, 1-based rank in each ranking or None), best
    first. Ties go to the id ranked best by any side, then to the earlier ranking."""
    weights = list(weights) if weights is not None else [1.0] * len(rankings)
    ranks: dict[str, list[Optional[int]]] = {}
    for side, ranking in enumerate(rankings):
        for r, item in enumerate(ranking, 1):
            ranks.setdefault(item, [None] * len(rankings))
            if ranks[item][side] is None:
                ranks[item][side] = r
    scored = [(item, sum(w / (rrf_k + r) for w, r in zip(weights, rs) if r is not None), rs)
              for item, rs in ranks.items()]
    scored.sort(key=lambda x: (-x[1], min(r for r in x[2] if r is not None),
                               [r if r is not None else 1 << 30 for r in x[2]]))
    return scored


def search(index: "Index", query: str, k: int = 5, doc_ids: Optional[Sequence[str]] = None,
           date_from: Optional[str] = None, date_to: Optional[str] = None) -> list[Hit]:
    if k < 1:
        raise ConfigError(f"the number of results must be at least 1, not {k}")
    for flag, value in (("--from", date_from), ("--to", date_to)):
        check_date(flag, value)
    if date_from and date_to and date_to < date_from[:len(date_to)]:
        raise InputError("--to", f"{date_to} is before --from {date_from}: no document can be in that window")
    folded = check_query(query, allow_punctuation=True)
    if not _SEARCHABLE.search(folded):
        return []  # only punctuation: nothing matches it (the CLI says so before searching)
    if not index.count_chunks():
        raise ConfigError(f"the index at {index.db} is empty: run `rag ingest PATH` first")
    allowed = index.allowed_docs(doc_ids, date_from, date_to)
    if allowed is not None and not allowed:
        return []
    n = max(CANDIDATES, 4 * k)
    dense = index.dense_ranking(folded[:EMBED_QUERY_CHARS], n, allowed)
    keyword = index.keyword_ranking(folded, n, allowed)
    rankings, weights = [dense, keyword], [DENSE_WEIGHT, KEYWORD_WEIGHT]
    if PHRASE_WEIGHT:
        candidates = list(dict.fromkeys(dense + keyword))
        rankings.append(phrase_ranking(folded, index.chunk_texts(candidates), candidates))
        weights.append(PHRASE_WEIGHT)
    fused = fuse(rankings, weights)[: k * 2]  # a few spare in case a chunk vanished meanwhile
    chunks = index.chunks_by_id([cid for cid, _, _ in fused])
    docs = {d: index.document(d) for d in {c.doc_id for c in chunks.values()}}
    hits = []
    for cid, score, (dense_rank, keyword_rank, *_) in fused:
        if cid in chunks and len(hits) < k:
            c = chunks[cid]
            hits.append(Hit(c, score, dense_rank, keyword_rank, docs[c.doc_id].title or "", docs[c.doc_id].date))
    return hits


CROSS_DOC_POOL = 4  # a question about the articles together looks this many times deeper
PER_DOC = 2


def search_for(index: "Index", query: str, k: int, doc_ids: Optional[Sequence[str]] = None,
               across_documents: bool = False) -> list[Hit]:
    """What a question is answered from: the k best hits, or, for a question about the articles
    together (这些文章中…合计), the best chunks of as many articles as possible."""
    if not across_documents:
        return search(index, query, k=k, doc_ids=doc_ids)
    return spread_over_documents(search(index, query, k=CROSS_DOC_POOL * k, doc_ids=doc_ids), k)


def spread_over_documents(hits: list[Hit], k: int, per_doc: int = PER_DOC) -> list[Hit]:
    """k of the hits in rank order, at most per_doc from any one document while other documents
    have hits left; when too few documents match, the remaining hits fill in by rank."""
    taken: list[Hit] = []
    rest: list[Hit] = []
    count: dict[str, int] = {}
    for h in hits:
        if count.get(h.doc_id, 0) < per_doc:
            taken.append(h)
            count[h.doc_id] = count.get(h.doc_id, 0) + 1
        else:
            rest.append(h)
    picked = {id(h) for h in (taken[:k] + rest[: max(0, k - len(taken))])}
    return [h for h in hits if id(h) in picked]


def phrase_ranking(folded_query: str, texts: dict[str, str], candidates: Sequence[str]) -> list[str]:
    """The candidates ranked by how much of the query they contain as whole phrases.

    BM25 scores words and bigrams one by one, so among many articles on the same topic a chunk
    that says "45个国家先进制造业集群名单" in one breath ranks no better than one that has 国家,
    先进制造业, 集群 and 名单 scattered about. Each maximal piece of the query (3 or more
    characters) found verbatim in a chunk scores its length times the summed weight of its
    characters; a query character weighs more the fewer candidates contain it in a piece, so
    the words that tell the candidates apart (实施意见 among many 集群 policies) count most."""
    query = _WS.sub("", folded_query.lower())
    found = []
    for order, cid in enumerate(candidates):
        text = texts.get(cid)
        pieces = query_pieces(query, _WS.sub("", text.lower())) if text else []
        if pieces:
            found.append((order, cid, pieces))
    if not found:
        return []
    covered = [0] * len(query)
    for _, _, pieces in found:
        for start, size in pieces:
            for j in range(start, start + size):
                covered[j] += 1
    weight = [math.log(1 + len(candidates) / c) if c else 0.0 for c in covered]
    scored = [(-sum(size * sum(weight[start:start + size]) for start, size in pieces), order, cid)
              for order, cid, pieces in found]
    return [cid for _, _, cid in sorted(scored)]


def query_pieces(query: str, text: str, shortest: int = 3) -> list[tuple[int, int]]:
    """(start, length) of the query pieces found in text, longest first from left to right."""
    out, i, n = [], 0, len(query)
    while i <= n - shortest:
        if query[i:i + shortest] not in text:
            i += 1
            continue
        size = shortest
        while i + size < n and query[i:i + size + 1] in text:
            size += 1
        out.append((i, size))
        i += size
    return out


def snippet(index: "Index", hit: Hit, query: str, width: int = 80) -> str:
    """About `width` characters of the ORIGINAL text around the best query match, on one line."""
    c = hit.chunk
    ndoc = index.normalised(c.doc_id)
    if ndoc.text[c.norm_start:c.norm_end] != c.text:  # indexed by an older normaliser: no mapping
        return _shorten(_WS.sub(" ", c.original_text).strip(), width)
    text = c.text.lower()
    pos = _longest_common_piece(fold(query).lower()[:64], text)
    a = max(0, pos - width // 4)
    b = min(len(text), a + width)
    a = max(0, b - width)
    s, e = ndoc.span(c.norm_start + a, c.norm_start + b)
    out = _WS.sub(" ", ndoc.doc.original[s:e]).strip()
    return ("…" if a > 0 else "") + out + ("…" if b < len(text) else "")


def _longest_common_piece(query: str, text: str) -> int:
    """Where the longest piece (2+ chars) of the query occurs in text; 0 when none does."""
    for size in range(len(query), 1, -1):
        for start in range(len(query) - size + 1):
            pos = text.find(query[start:start + size])
            if pos >= 0:
                return pos
    return 0


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[:width] + "…"
