"""Run engines over one gold set and score them: extraction per document, retrieval and QA per
question. The index is built once per gold set in a private folder (never the user's index)."""
from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Callable, Optional

from ..config import Settings
from .gold import GoldSet
from .metrics import (
    extraction_summary, qa_summary, retrieval_rank, retrieval_summary, score_document, score_question,
)

EXTRACTION_ENGINES = ("offline", "llm", "hybrid")
QA_ENGINES = ("offline", "llm")  # hybrid is an extraction engine only
RETRIEVE_K = 5
ANSWER_K = 6

Log = Callable[[str], None]


def _error(e: Exception) -> str:
    return f"{type(e).__name__}: {e}".splitlines()[0][:300]


def default_extractor(engine_name: str, settings: Settings):
    from ..extract.engines import get_engine

    return get_engine(engine_name, settings)


def default_answerer(engine_name: str, settings: Settings, index):
    if engine_name == "offline":
        from ..qa.offline import OfflineAnswerer

        return OfflineAnswerer(index)
    from ..qa.llm import LLMAnswerer

    return LLMAnswerer(settings, index)  # capped at ANSWER_MAX_TOKENS, as rag ask


def _spent(engine) -> tuple[int, Optional[float]]:
    """Tokens and dollars an LLM engine reports having spent so far (0 for rule engines; None dollars
    for a model with no price)."""
    stats = getattr(engine, "stats", None)
    tokens = getattr(stats, "prompt_tokens", 0) + getattr(stats, "completion_tokens", 0)
    return tokens, getattr(stats, "cost_usd", 0.0)


def alignment_counts(preds) -> dict[str, int]:
    """How the LLM's quotes were found: exact, folded, sentence (rule-found spans have none)."""
    counts = {"exact": 0, "folded": 0, "sentence": 0}
    for p in preds:
        a = getattr(p.evidence, "alignment", None)
        if a in counts:
            counts[a] += 1
    return counts


class _Quiet:
    def start(self, name: str) -> None:
        pass

    def advance(self, n: int = 1, name=None) -> None:
        pass

    def close(self) -> None:
        pass


def _status(progress, command: str, total: int, unit: str):
    """A rag.progress.Status when `progress` is on, else nothing shown."""
    if not progress:
        return _Quiet()
    from ..progress import Status

    return Status(command, total, unit=unit)


def run_extraction(gold: GoldSet, ndocs: dict, engine, progress: bool = False) -> dict:
    docs = []
    status = _status(progress, "eval", len(ndocs), "documents")
    for doc_id, ndoc in ndocs.items():
        status.start(f"{gold.name}: {doc_id}")
        t0, (tokens0, cost0) = time.perf_counter(), _spent(engine)
        error = None
        try:
            preds = list(engine.extract(ndoc))
        except Exception as e:  # an engine failing on one document is a result, not the end of the run
            preds, error = [], _error(e)
        seconds = time.perf_counter() - t0
        tokens, cost = _spent(engine)
        scored = score_document(doc_id, gold.clusters.get(doc_id, []), preds, ndoc.doc.original)
        spent = None if cost is None or cost0 is None else round(cost - cost0, 8)
        scored.update(seconds=seconds, error=error, tokens=tokens - tokens0, cost_usd=spent,
                      alignment=alignment_counts(preds))
        docs.append(scored)
        status.advance(1)
    status.close()
    return {"summary": extraction_summary(docs), "documents": docs}


def run_qa(gold: GoldSet, answerer, originals: dict[str, str], progress: bool = False) -> dict:
    rows = []
    status = _status(progress, "eval", len(gold.questions), "questions")
    for q in gold.questions:
        status.start(f"{gold.name}: {q.id}")
        t0 = time.perf_counter()
        error = None
        try:
            answer = answerer.answer(q.question, k=ANSWER_K)
        except Exception as e:
            answer, error = None, _error(e)
        row = score_question(q, answer, originals)
        row.update(seconds=time.perf_counter() - t0, error=error)
        rows.append(row)
        status.advance(1)
    status.close()
    return {"summary": qa_summary(rows), "questions": rows}


def run_retrieval(gold: GoldSet, index) -> dict:
    rows = []
    for q in gold.questions:
        if not q.answerable:
            continue
        t0 = time.perf_counter()
        hits = index.search(q.question, RETRIEVE_K)
        rank = retrieval_rank(q, hits)
        rows.append({"id": q.id, "question": q.question, "rank": rank, "seconds": time.perf_counter() - t0,
                     "evidence": [{"doc_id": e.doc_id, "text": e.text} for e in q.evidence],
                     "retrieved": [{"doc_id": h.chunk.doc_id, "start": h.chunk.start, "end": h.chunk.end}
                                   for h in hits]})
    return {"summary": retrieval_summary(rows), "questions": rows}


def _query_cached(embeddings):
    """The same embeddings, each distinct query embedded once: retrieval scoring and every QA
    engine search with the same questions."""
    from langchain_core.embeddings import Embeddings

    from ..embed import fingerprint

    class QueryCached(Embeddings):
        def __init__(self) -> None:
            self.fingerprint = fingerprint(embeddings)
            self._queries: dict[str, list[float]] = {}

        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embeddings.embed_documents(texts)

        def embed_query(self, text: str) -> list[float]:
            if text not in self._queries:
                self._queries[text] = embeddings.embed_query(text)
            return self._queries[text]

    return QueryCached()


def build_index(gold: GoldSet, settings: Settings, folder: Path):
    """A fresh local index of the gold documents (a Chroma server in the settings is not touched)."""
    from ..embed import get_embeddings
    from ..errors import InputError
    from ..extract.engines import get_engine
    from ..index import Index

    private = dataclasses.replace(settings, db=folder, chroma_url=None)
    index = Index.open(private, embeddings=_query_cached(get_embeddings(private)))
    summary = index.ingest([str(p) for p in gold.doc_paths.values()], progress=False,
                           extract=get_engine("offline", private).extract_lists)
    indexed = {d.doc_id for d in index.documents()}
    missing = [d for d in gold.doc_paths if d not in indexed]
    if missing:
        reasons = dict(summary.errors)
        path = str(gold.doc_paths[missing[0]])
        raise InputError(path, f"cannot be indexed for the evaluation: {reasons.get(path, 'not indexed')}")
    return index


def evaluate_gold(gold: GoldSet, engines: list[str], settings: Settings, workdir: Path, log: Log,
                  make_extractor=default_extractor, make_answerer=default_answerer, progress: bool = False) -> dict:
    """Score `engines` on one gold set. The make_* factories build an engine from its name (the
    defaults build what `rag extract` and `rag ask` use)."""
    from ..prepare import prepare

    t0 = time.perf_counter()
    ndocs = {doc_id: prepare(path) for doc_id, path in gold.doc_paths.items()}
    originals = {doc_id: nd.doc.original for doc_id, nd in ndocs.items()}
    result: dict = {
        "name": gold.name, "folder": str(gold.folder), "documents": len(ndocs), "clusters": gold.n_clusters,
        "questions": len(gold.questions), "prepare_seconds": time.perf_counter() - t0,
        "retrieval": None, "engines": {},
    }
    for name in engines:
        t = time.perf_counter()
        result["engines"][name] = {"extraction": run_extraction(gold, ndocs, make_extractor(name, settings), progress),
                                   "qa": None}
        log(f"{gold.name}: {name} extraction of {len(ndocs)} documents in {time.perf_counter() - t:.1f} s")

    qa_engines = [e for e in engines if e in QA_ENGINES]
    if qa_engines and gold.questions:
        t = time.perf_counter()
        index = build_index(gold, settings, workdir / "index")
        result["index_seconds"] = time.perf_counter() - t
        log(f"{gold.name}: index of {len(ndocs)} documents built in {result['index_seconds']:.1f} s")
        t = time.perf_counter()
        result["retrieval"] = run_retrieval(gold, index)
        log(f"{gold.name}: retrieval for {result['retrieval']['summary']['questions']} questions "
            f"in {time.perf_counter() - t:.1f} s")
        for name in qa_engines:
            t = time.perf_counter()
            result["engines"][name]["qa"] = run_qa(gold, make_answerer(name, settings, index), originals, progress)
            log(f"{gold.name}: {name} answered {len(gold.questions)} questions in {time.perf_counter() - t:.1f} s")
        close = getattr(index, "close", None)
        if callable(close):
            close()
    return result
