"""`rag docs list|show|rm`: what is indexed, a citation viewer, removing documents."""
from __future__ import annotations

import json
import re
import sys

from .errors import InputError

# A span in a terminal: reverse video; piped: plain markers that survive any viewer.
TTY_MARK = ("\x1b[7m", "\x1b[0m")
PLAIN_MARK = ("[[", "]]")
LIST_COLUMNS = ["id", "title", "date", "chunks", "clusters", "path"]


def parse_span(value: str, length: int) -> tuple[int, int]:
    m = re.fullmatch(r"\s*(\d+)\s*:\s*(\d+)\s*", value or "")
    if not m:
        raise InputError("--span", f"{value!r} must be START:END, two character offsets, e.g. 120:158")
    start, end = int(m.group(1)), int(m.group(2))
    if start > end or end > length:
        raise InputError("--span", f"{start}:{end} is not within the document (0:{length}, START <= END)")
    return start, end


def _rows(docs) -> list[dict]:
    return [{"id": d.doc_id, "title": d.title or "", "date": d.date, "chunks": d.n_chunks, "clusters": d.n_clusters,
             "path": d.path} for d in docs]


def docs_command(args, settings) -> int:
    from .api import Index

    with Index(settings) as index:
        if args.docs_command == "list":
            return _list(index, args)
        if args.docs_command == "show":
            return _show(index, args)
        removed = index.remove(args.ids)
    print(f"removed: {len(removed)} ({', '.join(removed)})")
    return 0


def _list(index, args) -> int:
    rows = _rows(index.documents())
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("rag docs: the index holds no documents (run `rag ingest PATH` first)", file=sys.stderr)
        return 0
    from .extract.cli import _pad, _width

    cells = [LIST_COLUMNS] + [[str(r[c]) if r[c] is not None else "" for c in LIST_COLUMNS] for r in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(LIST_COLUMNS) - 1)]
    for row in cells:
        print("  ".join(_pad(v, w) for v, w in zip(row, widths)) + "  " + row[-1])
    return 0


def _show(index, args) -> int:
    info = index.document(args.id)
    text = index.text(args.id)
    out = sys.stdout
    head = " · ".join(x for x in (info.doc_id, info.title, info.date, info.path) if x)
    if args.span:
        start, end = parse_span(args.span, len(text))
        mark = TTY_MARK if out.isatty() else PLAIN_MARK
        line = text.count("\n", 0, start) + 1
        out.write(f"{head}\n[{start}:{end}] line {line}\n\n")
        out.write(text[:start] + mark[0] + text[start:end] + mark[1] + text[end:])
    else:
        out.write(f"{head}\n\n{text}")
    if not text.endswith("\n"):
        out.write("\n")
    return 0
