"""Checks made before a command starts working, so that a bad argument is one clear line at once
(not an error per document, or a surprise after minutes of work): questions and dates, output
files that are not ours to overwrite, a folder given as a file, an LLM endpoint nothing listens on."""
from __future__ import annotations

import csv
import json
import os
import stat
import sys
from pathlib import Path

from .errors import InputError

OUT_SAMPLE_BYTES = 64 * 1024 * 1024  # an output file larger than this is not read to check it


def check(args, settings) -> None:
    command = args.command
    if command == "ingest" and not args.paths and not args.rebuild:
        raise InputError("PATH", "give the files or folders to ingest (or --rebuild alone to re-embed the index)")
    if command == "search":
        from .retrieve import check_date, check_query

        check_query(args.query)
        check_date("--from", args.date_from)
        check_date("--to", args.date_to)
    if command == "ask":
        _check_ask(args)
    if command == "extract" and args.out:
        _check_extract_out(args)
    if command == "schema" and args.out:
        _check_writable_target(Path(args.out))
        if not args.force and _nonempty(Path(args.out)) and not _is_schema(Path(args.out)):
            raise InputError(args.out, "exists and is not a JSON schema written by `rag schema`: refusing to "
                                       "overwrite it (choose another --out, or add --force)")
    if _uses_llm(args, settings):
        from .errors import ConfigError
        from .llm import check_key, check_reachable

        try:
            check_reachable(settings.llm)
        except ConfigError as e:
            if getattr(args, "engine", None) != "auto":
                raise
            # auto chose the LLM (jiqun's own settings): it falls back to the offline engine.
            print(f"rag {command}: warning: {e}; using the offline engine", file=sys.stderr, flush=True)
            args.engine = "offline"
            return
        if command == "eval":  # eval records engine errors in its report: a refused key would only show there
            check_key(settings.llm)


def _uses_llm(args, settings) -> bool:
    if not settings.llm.configured:
        return False  # the engines say themselves that they need an endpoint
    engines = args.engine if isinstance(getattr(args, "engine", None), list) else [getattr(args, "engine", None)]
    if args.command == "eval" and not args.engine:
        return settings.llm.chosen  # every available engine runs
    if "auto" in engines and not settings.llm.chosen:
        return False  # auto stays offline: a bare OPENAI_API_KEY is not a choice to send articles out
    return args.command in ("ask", "extract", "eval") and any(e in ("llm", "hybrid", "auto", "all") for e in engines)


def _check_ask(args) -> None:
    from .retrieve import check_query

    if args.question and args.question.strip() and not args.file:
        check_query(args.question, "question")
    if args.file and args.file != "-":
        path = Path(args.file)
        if path.is_dir():
            raise InputError(args.file, "is a folder; --file needs a text file of questions, one per line")
        if path.exists() and not path.is_file():
            raise InputError(args.file, "is not a regular file; --file needs a text file of questions")


# --- output files ------------------------------------------------------------------------------

def _check_writable_target(out: Path) -> None:
    """The file can be created or replaced: its folder exists or can be made, and can be written."""
    if out.is_dir():
        raise InputError(str(out), "is a folder; --out needs a file name")
    if out.exists() and not stat.S_ISREG(out.stat().st_mode):
        raise InputError(str(out), "is not a regular file (a device, pipe or socket); --out needs a file name")
    folder = out.absolute().parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise InputError(str(out), "cannot write: part of the path is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise InputError(str(out), f"cannot write: the folder {folder} is not writable")


def _nonempty(path: Path) -> bool:
    return path.is_file() and path.stat().st_size > 0


def _is_schema(path: Path) -> bool:
    try:
        data = json.loads(path.read_bytes()[:OUT_SAMPLE_BYTES])
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "properties" in data


def _check_extract_out(args) -> None:
    out = Path(args.out)
    _check_writable_target(out)
    if args.force or not _nonempty(out):
        return
    doc_ids = extract_output_documents(out)
    if doc_ids is None:
        raise InputError(args.out, "exists and is not a `rag extract` output: refusing to overwrite it "
                                   "(choose another --out, or add --force)")
    from .load import find_sources, unique_ids

    others = sorted(doc_ids - set(unique_ids(find_sources(args.paths).sources)))
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise InputError(args.out, f"holds the records of {len(others)} document(s) that are not among these inputs "
                                   f"({shown}); a run writes the records of its own inputs only, so they would be "
                                   "dropped: give those files too, choose another --out, or add --force")


def extract_output_documents(path: Path) -> set[str] | None:
    """The documents a `rag extract` output (JSON Lines or CSV) holds records of; None when the
    file is something else."""
    from .extract.batch import CSV_COLUMNS

    try:
        with open(path, "rb") as f:
            data = f.read(OUT_SAMPLE_BYTES + 1)
    except OSError as e:
        raise InputError(str(path), f"cannot read: {(e.strerror or str(e)).lower()}") from None
    if len(data) > OUT_SAMPLE_BYTES:
        return None
    if data.startswith(b"PK\x03\x04"):  # an xlsx workbook: ours when its first sheet has our header
        return _xlsx_documents(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    header = lines[0].strip().lstrip("\ufeff") if lines else ""
    # cluster records (English or Chinese columns, with or without the later columns), or --schema
    # records (doc_id … quotes)
    if header in _csv_headers() or (header.startswith("doc_id,") and header.endswith(",quotes")):
        rows = csv.reader(lines[1:])
        return {row[0].lstrip("'") for row in rows if row and row[0]}
    docs = set()
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if not isinstance(record, dict) or not ({"doc_id", "name", "evidence"} <= set(record)
                                                or {"doc_id", "quotes"} <= set(record)):
            return None
        docs.add(str(record["doc_id"]))
    return docs


def _csv_headers() -> set[str]:
    """The header lines `rag extract --format csv` writes (English or --labels zh; and before the
    engine column was added)."""
    from .export import COLUMN_ZH
    from .extract.batch import CSV_COLUMNS

    later = ("engine", "vetoed")  # columns added after the first releases
    variants = [[c for c in CSV_COLUMNS if c not in drop] for drop in ((), ("engine",), ("vetoed",), later)]
    return {",".join(cols) for v in variants for cols in (v, [COLUMN_ZH.get(c, c) for c in v])}


def _xlsx_documents(data: bytes) -> set[str] | None:
    import io

    try:
        from openpyxl import load_workbook

        ws = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header = ",".join(str(c) for c in next(rows))
    except Exception:
        return None
    if header not in _csv_headers():
        return None
    return {str(r[0]).lstrip("'") for r in rows if r and r[0]}
