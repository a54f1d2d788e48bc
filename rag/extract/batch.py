"""Batch extraction over many files: progress bar, bounded concurrency, resumable output.

With an output file, every finished document (its records, even none) is appended durably to
`<out>.progress.jsonl` (a failed one is not: it runs again), and the run's LLM usage after them; the output file is rewritten atomically from it now and then and at the
end. A killed run therefore loses no finished document, and re-running with the same output skips
documents already done (same file content, same engine). A failing document is reported at the
end and does not stop the others.
"""
from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..errors import InputError, RagError
from ..io import append_line_durably, atomic_write_bytes, atomic_write_text
from ..schemas import ClusterMention

CSV_COLUMNS = ["doc_id", "name", "regions", "province", "level", "program", "industry", "recognised_by",
                "year", "batch", "engine", "evidence_text", "evidence_start", "evidence_end", "vetoed"]
REWRITE_EVERY_S = 2.0


@dataclass
class BatchResult:
    documents: int = 0  # documents finished in this run or an earlier one
    skipped: int = 0  # of which finished by an earlier run
    records: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (path, one-line reason)
    seconds: float = 0.0

    def summary(self) -> str:
        resumed = f" ({self.skipped} already done)" if self.skipped else ""
        return (f"{self.documents} documents{resumed}, {self.records} records, {len(self.failed)} failed, "
                f"{self.seconds:.1f} s")


def csv_row(r: ClusterMention) -> dict:
    d = r.model_dump(mode="json")
    ev = d.pop("evidence")
    d["regions"] = ";".join(d["regions"])
    d.update(evidence_text=ev["text"], evidence_start=ev["start"], evidence_end=ev["end"])
    return d


def generic_row(r) -> dict:
    """A --schema record for CSV: doc_id, the model's fields (lists joined by ;), quotes as JSON."""
    d = r.model_dump(mode="json")
    row = {"doc_id": d.pop("doc_id")}
    quotes = d.pop("quotes", {})
    for k, v in d.items():
        row[k] = ";".join(map(str, v)) if isinstance(v, list) else json.dumps(v, ensure_ascii=False) \
            if isinstance(v, dict) else v
    row["quotes"] = json.dumps(quotes, ensure_ascii=False)
    return row


def render(records: list, fmt: str, header: bool = True, labels: Optional[str] = None,
           record_type: type = ClusterMention):
    """jsonl (text), csv (text: a UTF-8 BOM and the header first, formulas neutralised) or xlsx (bytes);
    records of a --schema model get its own columns."""
    from ..export import to_csv, to_xlsx

    if record_type is ClusterMention:
        columns, rows = CSV_COLUMNS, [csv_row(r) for r in records]
    else:
        columns = ["doc_id", *(f for f in record_type.model_fields if f not in ("doc_id", "quotes")), "quotes"]
        rows = [generic_row(r) for r in records]
    if fmt == "csv":
        return to_csv(rows, columns, labels if record_type is ClusterMention else None, header=header)
    if fmt == "xlsx":
        return to_xlsx(rows, columns, labels if record_type is ClusterMention else None, sheet="clusters")
    return "".join(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n" for r in records)


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


def _fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Progress:
    """The sidecar file of finished documents: one JSON object per line."""

    def __init__(self, out: Path, record_type: type = ClusterMention) -> None:
        self.record_type = record_type
        self.path = out.with_name(out.name + ".progress.jsonl")
        self.done: dict[str, dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self.done[entry["path"]] = entry
                except (ValueError, KeyError, TypeError):
                    continue  # a line cut short by a kill: that document runs again

    def finished(self, key: str, sha: str, engine: str) -> Optional[list[ClusterMention]]:
        entry = self.done.get(key)
        if not entry or entry.get("sha256") != sha or entry.get("engine") != engine:
            return None
        try:
            return [self.record_type.model_validate(r) for r in entry["records"]]
        except Exception:
            return None

    def note(self, entry: dict) -> None:
        """A line about the run (e.g. its LLM usage): it has no "path", so resuming skips it."""
        append_line_durably(self.path, json.dumps(entry, ensure_ascii=False))

    def add(self, key: str, sha: str, engine: str, records: list[ClusterMention]) -> None:
        entry = {"path": key, "sha256": sha, "engine": engine, "records": [r.model_dump(mode="json") for r in records]}
        append_line_durably(self.path, json.dumps(entry, ensure_ascii=False))
        self.done[key] = entry


def run_batch(
    files: list[Path],
    extract: Callable[[Path], list[ClusterMention]],
    engine: str,
    out: Optional[Path],
    fmt: str,
    workers: int = 1,
    progress_bar: bool = False,
    write: Optional[Callable[[str], None]] = None,
    labels: Optional[str] = None,
    status: Optional[Callable[[int, int, str], None]] = None,
    record_type: type = ClusterMention,
) -> BatchResult:
    """Extract from each file; write records to `out` (resumable) or stream them to `write` (stdout)."""
    t0 = time.perf_counter()
    write = write or sys.stdout.write
    result = BatchResult()
    results: dict[int, list[ClusterMention]] = {}
    progress = Progress(out, record_type) if out else None
    keys = [str(f.resolve()) for f in files]
    shas: dict[int, str] = {}
    failed_idx: set[int] = set()
    todo = []
    for i, f in enumerate(files):
        if progress:
            try:
                shas[i] = _fingerprint(f)
            except OSError as e:
                result.failed.append((str(f), _one_line(e)))
                failed_idx.add(i)
                continue
            earlier = progress.finished(keys[i], shas[i], engine)
            if earlier is not None:
                results[i] = earlier
                result.skipped += 1
                continue
        todo.append(i)

    lock = threading.Lock()
    state = {"next": 0, "header": True, "written": 0.0}

    def flush_stream() -> None:
        # Stream in input order: documents that finished early wait for the ones before them.
        while state["next"] < len(files) and (state["next"] in results or _failed(state["next"])):
            recs = results.get(state["next"], [])
            if recs or (fmt == "csv" and state["header"]):
                write(render(recs, fmt, header=state["header"], labels=labels, record_type=record_type))
                state["header"] = False if fmt == "csv" else state["header"]
            state["next"] += 1

    def _failed(i: int) -> bool:
        return i in failed_idx

    def rewrite(force: bool = False) -> None:
        now = time.perf_counter()
        if out and (force or now - state["written"] >= REWRITE_EVERY_S):
            recs = [r for i in range(len(files)) for r in results.get(i, [])]
            data = render(recs, fmt, labels=labels, record_type=record_type)
            (atomic_write_bytes if isinstance(data, bytes) else atomic_write_text)(out, data)
            state["written"] = now

    def finish(i: int, recs: Optional[list[ClusterMention]], error: Optional[str]) -> None:
        with lock:
            if error is not None:
                failed_idx.add(i)
                result.failed.append((str(files[i]), error))
            else:
                results[i] = recs
                if progress:
                    progress.add(keys[i], shas[i], engine, recs)
            if out:
                rewrite()
            else:
                flush_stream()

    def work(i: int):
        try:
            return i, extract(files[i]), None
        except RagError as e:  # an InputError names the file; the report line names it already
            return i, None, e.reason if isinstance(e, InputError) else _one_line(e)
        except Exception as e:  # one bad document must not stop the batch
            return i, None, f"{type(e).__name__}: {_one_line(e)}"

    from ..progress import Status

    bar = Status("extract", len(files), enabled=progress_bar, initial=len(files) - len(todo))
    try:
        if not out:
            flush_stream()
        if workers > 1 and len(todo) > 1:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for fut in as_completed([pool.submit(work, i) for i in todo]):
                    i = fut.result()[0]
                    finish(*fut.result())
                    bar.advance(1, str(files[i]))
        else:
            for i in todo:
                bar.start(str(files[i]))
                finish(*work(i))
                bar.advance(1)
    finally:
        bar.close()
        if out:
            rewrite(force=True)
    result.documents = len(results)
    result.records = sum(len(r) for r in results.values())
    result.seconds = time.perf_counter() - t0
    return result
