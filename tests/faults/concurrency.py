"""Two writers and several readers on one index at once, repeated: every process must succeed (the
second writer waits for the first), readers must answer throughout, and the index must end
consistent with every document once. One round runs against a `chroma run` server."""
from __future__ import annotations

import re
import shutil
import subprocess
import threading
import time
from pathlib import Path

from common import KNOWN_DOC, KNOWN_QUESTION, RAG, ROOT, clean_env, index_problem, rag

READERS = 3
PAUSE_S = 1.0  # between one reader's searches: the 2-core machine still has room for the writers


def _reader(db: Path, url: str | None, stop: threading.Event, results: list) -> None:
    extra = ["--chroma-url", url] if url else []
    while True:
        r = rag(["search", KNOWN_QUESTION, "--db", db, "-k", "3", "--json", *extra], timeout=120)
        results.append(r.code == 0 and f'"doc_id": "{KNOWN_DOC}"' in r.out or f"exit {r.code}: {r.err.strip()[:200]}")
        if stop.wait(PAUSE_S):
            return


def _server_vectors(url: str, db: Path) -> int:
    import sqlite3

    import chromadb
    from chromadb.config import Settings

    conn = sqlite3.connect(db / "store.sqlite3")
    name = conn.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone()[0]
    conn.close()
    host, port = url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=Settings(anonymized_telemetry=False))
    return client.get_collection(name).count()


def one_round(work: Path, seeded: Path, corpus: Path, url: str | None) -> tuple[list[str], bool, int]:
    """(problems seen in one round, whether the second writer waited, reads)."""
    db = work / "db"
    extra = ["--chroma-url", url] if url else []
    if url:  # the server's index starts with the one article the readers look for
        r = rag(["ingest", ROOT / "seeds" / f"{KNOWN_DOC}.txt", "--db", db, "--no-progress", *extra], timeout=600)
        if r.code != 0:
            return [f"seeding the server index failed: {r.err.strip()[:200]}"], False, 0
    else:
        shutil.copytree(seeded, db)
    stop, reads = threading.Event(), []
    readers = [threading.Thread(target=_reader, args=(db, url, stop, reads)) for _ in range(READERS)]
    for t in readers:
        t.start()
    writers = [subprocess.Popen(RAG + ["ingest", str(corpus), "--db", str(db), "--no-progress", *extra], env=clean_env(),
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outs = [w.communicate(timeout=900) for w in writers]
    stop.set()
    for t in readers:
        t.join()
    problems = [f"writer exit {w.returncode}: {err.strip()[:300]}" for w, (_, err) in zip(writers, outs) if w.returncode]
    problems += [f"reader {r}" for r in reads if r is not True]
    written = sum(int(m.group(1)) for out, _ in outs for m in [re.search(r"documents: (\d+)", out)] if m)
    n_docs = len(list(corpus.iterdir()))
    if written != n_docs:
        problems.append(f"the writers wrote {written} documents between them, not {n_docs} once")
    waited = any("waiting for" in err for _, err in outs)  # the writers overlapped (usual, not certain)
    p = index_problem(db, chroma_url=url)
    if p:
        problems.append(f"index: {p}")
    elif url:
        import sqlite3

        chunks = sqlite3.connect(db / "store.sqlite3").execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        if _server_vectors(url, db) != chunks:
            problems.append("server vectors differ from the stored chunks")
    return problems, waited, len(reads)


def run(work: Path, seeded: Path, corpus: Path, rounds: int, log) -> tuple[int, list[str], int, int]:
    """(rounds run, problems, rounds in which the second writer waited, reads). The last round
    uses a Chroma server."""
    from support_chroma import chroma_server

    problems: list[str] = []
    waits = reads = 0
    for i in range(rounds):
        folder = work / f"round-{i}"
        folder.mkdir(parents=True)
        t0 = time.perf_counter()
        if i == rounds - 1:
            with chroma_server(folder / "chroma-data") as url:
                found, waited, n = one_round(folder, seeded, corpus, url)
        else:
            found, waited, n = one_round(folder, seeded, corpus, None)
        problems += [f"round {i + 1}: {p}" for p in found]
        waits, reads = waits + waited, reads + n
        log(f"  concurrency round {i + 1}{' (Chroma server)' if i == rounds - 1 else ''}: "
            f"{'ok' if not found else found}, {n} reads, {'a writer waited' if waited else 'no overlap'}, "
            f"{time.perf_counter() - t0:.0f} s")
    return rounds, problems, waits, reads
