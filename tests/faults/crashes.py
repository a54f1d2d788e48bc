"""kill -9 at random moments of `rag extract --out` and `rag ingest`, then the same command again.

extract: the resumed output must hold every record of an uninterrupted run exactly once.
ingest: the resumed index must be consistent (tests/faults/common.index_problem) and hold exactly
the chunks of an uninterrupted run."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

from common import KNOWN_DOC, RAG, ROOT, clean_env, index_problem, rag


def make_corpus(folder: Path, n_generated: int, with_seeds: bool) -> Path:
    """Generated same-topic articles (bench/generate.py: .txt/.md/.html, GBK, Big5, UTF-16 ...),
    plus the seeds when asked, in one folder."""
    from bench.generate import generate_corpus

    staging = folder.parent / f".{folder.name}-gen"
    generate_corpus(staging, n_generated, seed=14)
    folder.mkdir(parents=True)
    for p in staging.iterdir():
        if p.suffix in (".txt", ".md", ".html"):
            shutil.copy(p, folder / p.name)
    if with_seeds:
        for p in (ROOT / "seeds").glob("*.txt"):
            shutil.copy(p, folder / p.name)
    return folder


def _lines(path: Path) -> Counter:
    return Counter(ln for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()) if path.exists() else Counter()


def _progress_lines(path: Path) -> int:
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except OSError:
        return 0


def _kill_when(proc: subprocess.Popen, ready) -> bool:
    """SIGKILL the process (and its children) once ready() is true; False when it finished first."""
    while proc.poll() is None:
        if ready():
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True
        time.sleep(0.001)
    return False


def extract_crashes(work: Path, points: int, rng: random.Random, log) -> tuple[int, int, list[str]]:
    """(exactly-once runs, kills that landed, problems)."""
    corpus = make_corpus(work / "extract-corpus", 120, with_seeds=False)
    n_docs = len(list(corpus.iterdir()))
    ref = work / "extract-ref.jsonl"
    t0 = time.perf_counter()
    r = rag(["extract", corpus, "--engine", "offline", "--out", ref, "--no-progress"])
    total = time.perf_counter() - t0
    if r.code != 0:
        return 0, 0, [f"reference run failed: {r.err.strip()[:300]}"]
    reference = _lines(ref)
    good = landed = 0
    problems = []
    attempts = 0
    while landed < points and attempts < points * 4:
        attempts += 1
        out = work / f"extract-{attempts}" / "out.jsonl"
        out.parent.mkdir()
        progress = out.with_name(out.name + ".progress.jsonl")
        proc = subprocess.Popen(RAG + ["extract", str(corpus), "--engine", "offline", "--out", str(out), "--no-progress"],
                                env=clean_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        if attempts % 2:  # after a random number of finished documents
            target = rng.randrange(0, n_docs)
            killed = _kill_when(proc, lambda: _progress_lines(progress) >= target)
            moment = f"after {target} documents"
        else:  # at a random time of the run, start-up included
            after = rng.uniform(0, total)
            at = time.perf_counter() + after
            killed = _kill_when(proc, lambda: time.perf_counter() >= at)
            moment = f"{after:.2f} s in"
        if not killed:
            continue
        landed += 1
        r = rag(["extract", corpus, "--engine", "offline", "--out", out, "--no-progress"])
        got = _lines(out)
        if r.code == 0 and got == reference:
            good += 1
        else:
            dup = sum(v - 1 for v in got.values() if v > 1)
            problems.append(f"extract killed {moment}: exit {r.code}, {sum(got.values())} records vs "
                            f"{sum(reference.values())}, {dup} duplicated, {len(reference - got)} missing")
        log(f"  extract kill {landed}: {moment} -> {'ok' if not problems or good == landed else problems[-1]}")
    return good, landed, problems


def _chunks(db: Path) -> dict[str, str]:
    conn = sqlite3.connect(f"file:{db / 'store.sqlite3'}?mode=ro", uri=True)
    try:
        return dict(conn.execute("SELECT chunk_id, text FROM chunks"))
    finally:
        conn.close()


def ingest_crashes(work: Path, points: int, rng: random.Random, log) -> tuple[int, int, list[str]]:
    """(consistent runs, kills that landed, problems)."""
    corpus = make_corpus(work / "ingest-corpus", 2, with_seeds=True)
    ref_db = work / "ingest-ref"
    t0 = time.perf_counter()
    r = rag(["ingest", corpus, "--db", ref_db, "--no-progress"], timeout=600)
    total = time.perf_counter() - t0
    if r.code != 0:
        return 0, 0, [f"reference ingest failed: {r.err.strip()[:300]}"]
    reference = _chunks(ref_db)
    good = landed = 0
    problems = []
    attempts = 0
    while landed < points and attempts < points * 4:
        attempts += 1
        db = work / f"ingest-{attempts}"
        if attempts % 3 == 0:  # an index that already holds part of the corpus: kill an incremental run
            part = work / f"ingest-part-{attempts}"
            part.mkdir()
            for p in sorted(corpus.iterdir())[::2]:
                shutil.copy(p, part / p.name)
            rag(["ingest", part, "--db", db, "--no-progress"], timeout=600)
            shutil.rmtree(part)
        proc = subprocess.Popen(RAG + ["ingest", str(corpus), "--db", str(db), "--no-progress"], env=clean_env(),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        start = time.perf_counter()
        at = start + rng.uniform(0.2, total)
        if not _kill_when(proc, lambda: time.perf_counter() >= at):
            continue
        landed += 1
        moment = f"{at - start:.1f} s into {'an incremental' if attempts % 3 == 0 else 'a new'} ingest"
        r = rag(["ingest", corpus, "--db", db, "--no-progress"], timeout=600)
        problem = None
        if r.code != 0:
            problem = f"resumed ingest exit {r.code}: {r.err.strip()[:200]}"
        else:
            problem = index_problem(db)
            if not problem and _chunks(db) != reference:
                problem = "chunks differ from an uninterrupted ingest"
        if problem:
            problems.append(f"ingest killed {moment}: {problem}")
        else:
            good += 1
        log(f"  ingest kill {landed}: {moment} -> {problem or 'ok'}")
    assert KNOWN_DOC in {k.split('#')[0] for k in reference}
    return good, landed, problems
