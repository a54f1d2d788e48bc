"""`rag extract` (files → cluster records) and `rag clusters` (the cross-document table)."""
from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

from ..config import Settings
from ..errors import InputError


def _format(args) -> str:
    if args.format:
        return args.format
    suffix = Path(args.out).suffix.lower() if args.out else ""
    return {".csv": "csv", ".xlsx": "xlsx"}.get(suffix, "jsonl")


def extract_command(args, settings: Settings) -> int:
    from ..engine_choice import extractor, stderr_warning
    from ..load import find_sources, unique_ids
    from ..prepare import prepare
    from .batch import run_batch

    found = find_sources(args.paths)
    files, problems = [s.path for s in found.sources], found.problems
    if not files:
        path, reason = problems[0] if problems else (", ".join(args.paths), "no files")
        raise InputError(path, reason)
    ids = dict(zip(files, unique_ids(found.sources)))
    fmt = _format(args)
    if fmt == "xlsx" and not args.out:
        raise InputError("--format xlsx", "a workbook needs a file: add --out FILE.xlsx")
    passes = getattr(args, "passes", None)
    passes = 1 if passes is None else passes
    if passes < 1 or passes > 10:
        raise InputError("--passes", "must be a whole number from 1 to 10")
    record_type = None
    if getattr(args, "schema", None):
        from ..engine_choice import choose
        from .custom import SchemaExtractor, load_examples, load_model

        if choose(args.engine, settings).name != "llm":
            raise InputError("--schema", "needs the LLM engine (--engine llm, or auto with an endpoint configured)")
        if fmt == "xlsx":
            raise InputError("--schema", "records of your own model are written as JSON Lines or CSV, not xlsx")
        model = load_model(args.schema)
        engine = SchemaExtractor(model, settings, examples=load_examples(args.examples, model), passes=passes)
        record_type, name, engine_key = engine.record_type, "llm", f"llm:{args.schema}"
    elif getattr(args, "examples", None):
        raise InputError("--examples", "goes with --schema package.module:Model")
    else:
        engine = extractor(args.engine, settings, stderr_warning("extract"),
                           keep_vetoed=getattr(args, "keep_vetoed", False), passes=passes)
        name = engine_key = engine.name
    workers = max(1, settings.llm.concurrency) if name in ("llm", "hybrid") else 1
    out = Path(args.out) if args.out else None
    if out and out.is_dir():
        raise InputError(str(out), "is a folder; --out needs a file name")
    show_bar = not args.no_progress

    kw = {"record_type": record_type} if record_type else {"labels": args.labels}
    result = run_batch(files, lambda f: engine.extract(prepare(f, ids[f])), engine_key, out, fmt, workers, show_bar, **kw)
    result.failed = [(p, r) for p, r in problems] + result.failed
    for path, reason in result.failed:
        print(f"rag extract: error: {path}: {reason}", file=sys.stderr)
    skipped = f", {found.skipped_line()}" if found.unsupported else ""
    print(f"rag extract: {result.summary()}{skipped}" + (f" -> {out}" if out else ""), file=sys.stderr)
    stats = getattr(engine, "stats", None)
    if stats is not None and hasattr(stats, "summary"):
        print(f"rag extract: {stats.summary()}", file=sys.stderr)
        if out:
            from datetime import datetime, timezone

            from .batch import Progress

            Progress(out).note({"llm_usage": stats.as_dict(), "engine": name, "failed_documents": len(result.failed),
                                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    return 1 if result.failed else 0


# --- rag clusters ------------------------------------------------------------------------------

TABLE_COLUMNS = ["name", "province", "level", "program", "year", "batch", "mentions", "doc_ids"]
CSV_COLUMNS = ["name", "regions", "province", "level", "program", "industry", "recognised_by", "year", "batch",
               "mentions", "doc_ids", "evidence"]


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _pad(s: str, width: int) -> str:
    return s + " " * (width - _width(s))


def render_table(rows) -> str:
    cells = [TABLE_COLUMNS]
    for r in rows:
        d = r.flat()
        cells.append([str(d[c]) if not isinstance(d[c], list) else ",".join(d[c]) for c in TABLE_COLUMNS])
        cells[-1] = ["" if v == "None" else v for v in cells[-1]]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(TABLE_COLUMNS))]
    lines = ["  ".join(_pad(v, w) for v, w in zip(row, widths)).rstrip() for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _spreadsheet_row(r) -> dict:
    d = r.flat()
    d["evidence"] = " | ".join(f"{e['doc_id']}:{e['start']}-{e['end']} {e['text']}" for e in d["evidence"])
    return d


def render_rows(rows, fmt: str, labels: str | None = None):
    """table / jsonl / csv (text; a UTF-8 BOM first) / xlsx (bytes)."""
    from ..export import to_csv, to_xlsx

    if fmt == "table":
        return render_table(rows)
    if fmt == "jsonl":
        return "".join(json.dumps(r.flat(), ensure_ascii=False) + "\n" for r in rows)
    if fmt == "xlsx":
        return to_xlsx([_spreadsheet_row(r) for r in rows], CSV_COLUMNS, labels, sheet="clusters")
    return to_csv([_spreadsheet_row(r) for r in rows], CSV_COLUMNS, labels)


def write_table(data, out: str | None, command: str) -> None:
    """To --out (atomically) or stdout; a workbook only to a file."""
    from ..io import atomic_write_bytes, atomic_write_text

    if isinstance(data, bytes) and not out:
        raise InputError("--format xlsx", f"a workbook needs a file: add --out FILE.xlsx to `rag {command}`")
    if out:
        (atomic_write_bytes if isinstance(data, bytes) else atomic_write_text)(out, data)
    else:
        sys.stdout.write(data)


def clusters_command(args, settings: Settings) -> int:
    from ..api import Index

    with Index(settings) as index:
        records = index.records()
        rows = index.clusters(args.province)
    write_table(render_rows(rows, args.format, args.labels), args.out, "clusters")
    if not records:
        print("rag clusters: the index holds no cluster records (run `rag ingest PATH` first)", file=sys.stderr)
    return 0
