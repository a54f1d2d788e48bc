"""`rag extract` (files → cluster records) and `rag clusters` (the cross-document table)."""
from __future__ import annotations

import csv
import io
import json
import sys
import unicodedata
from pathlib import Path

from ..config import Settings
from ..errors import InputError


def _format(args) -> str:
    if args.format:
        return args.format
    if args.out and Path(args.out).suffix.lower() == ".csv":
        return "csv"
    return "jsonl"


def extract_command(args, settings: Settings) -> int:
    from ..load import find_files
    from ..prepare import prepare
    from .batch import run_batch
    from .engines import get_engine, resolve_engine_name

    files, problems = find_files(args.paths)
    if not files:
        path, reason = problems[0] if problems else (", ".join(args.paths), "no files")
        raise InputError(path, reason)
    name = resolve_engine_name(args.engine, settings)
    passes = getattr(args, "passes", None)
    passes = 1 if passes is None else passes
    if passes < 1 or passes > 10:
        raise InputError("--passes", "must be a whole number from 1 to 10")
    record_type, engine_key = None, name
    if getattr(args, "schema", None):
        from .custom import SchemaExtractor, load_examples, load_model

        if name != "llm":
            raise InputError("--schema", "needs the LLM engine (--engine llm, or auto with an endpoint configured)")
        model = load_model(args.schema)
        engine = SchemaExtractor(model, settings, examples=load_examples(args.examples, model), passes=passes)
        record_type, engine_key = engine.record_type, f"llm:{args.schema}"
    elif getattr(args, "examples", None):
        raise InputError("--examples", "goes with --schema package.module:Model")
    else:
        engine = get_engine(name, settings, keep_vetoed=getattr(args, "keep_vetoed", False), passes=passes)
    workers = max(1, settings.llm.concurrency) if name in ("llm", "hybrid") else 1
    out = Path(args.out) if args.out else None
    if out and out.is_dir():
        raise InputError(str(out), "is a folder; --out needs a file name")
    show_bar = not args.no_progress and sys.stderr.isatty()

    kw = {"record_type": record_type} if record_type else {}
    result = run_batch(files, lambda f: engine.extract(prepare(f)), engine_key, out, _format(args), workers, show_bar,
                       **kw)
    result.failed = [(p, r) for p, r in problems] + result.failed
    for path, reason in result.failed:
        print(f"rag extract: error: {path}: {reason}", file=sys.stderr)
    print(f"rag extract: {result.summary()}" + (f" -> {out}" if out else ""), file=sys.stderr)
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


def render_rows(rows, fmt: str) -> str:
    if fmt == "table":
        return render_table(rows)
    if fmt == "jsonl":
        return "".join(json.dumps(r.flat(), ensure_ascii=False) + "\n" for r in rows)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for r in rows:
        d = r.flat()
        d["regions"] = ";".join(d["regions"])
        d["doc_ids"] = ";".join(d["doc_ids"])
        d["evidence"] = " | ".join(f"{e['doc_id']}:{e['start']}-{e['end']} {e['text']}" for e in d["evidence"])
        w.writerow(d)
    return buf.getvalue()


def clusters_command(args, settings: Settings) -> int:
    from ..index import Index
    from .table import build_cluster_table, filter_rows

    with Index.open(settings, create=False) as index:
        records = index.clusters()
    rows = filter_rows(build_cluster_table(records), args.province)
    sys.stdout.write(render_rows(rows, args.format))
    if not records:
        print("rag clusters: the index holds no cluster records (run `rag ingest PATH` first)", file=sys.stderr)
    return 0
