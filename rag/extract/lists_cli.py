"""`rag lists`: the lists the indexed articles report, one row per list."""
from __future__ import annotations

import json
import sys

from ..config import Settings
from ..schemas import ListRecord

COLUMNS = ["id", "doc_id", "title", "issuer", "date", "doc_number", "notice_period", "validity", "stated_count",
           "written", "year", "batch", "level", "program", "stage", "province", "contact_phone", "members"]
TABLE_COLUMNS = ["id", "issuer", "date", "doc_number", "year", "batch", "level", "program", "stage", "stated_count",
                 "written", "notice_period"]


def flat(r: ListRecord) -> dict:
    d = r.model_dump(mode="json", exclude={"members", "evidence"})
    p = r.notice_period
    d["notice_period"] = (f"{p.start or ''}~{p.end or ''}" + (f" ({p.length})" if p.length else "")) if p else None
    d["written"] = len(r.members)
    d["members"] = [m.name for m in r.members]
    return d


def _spreadsheet_row(r: ListRecord) -> dict:
    d = flat(r)
    d["members"] = "、".join(d["members"])
    return d


def render(records: list[ListRecord], fmt: str, labels: str | None = None):
    """table / jsonl / csv (text; a UTF-8 BOM first) / xlsx (bytes)."""
    from ..export import to_csv, to_xlsx

    if fmt == "jsonl":
        return "".join(json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n" for r in records)
    if fmt == "csv":
        return to_csv([_spreadsheet_row(r) for r in records], COLUMNS, labels)
    if fmt == "xlsx":
        return to_xlsx([_spreadsheet_row(r) for r in records], COLUMNS, labels, sheet="lists")
    from .cli import _pad, _width

    out = []
    for r in records:
        d = flat(r)
        out.append(f"{r.id}  {r.title or ''}")
        facts = [(c, d[c]) for c in TABLE_COLUMNS[1:] if d.get(c) not in (None, "")]
        width = max((_width(c) for c, _ in facts), default=0)
        out += [f"  {_pad(c, width)}  {v}" for c, v in facts]
        out += [f"  {m.position:>3}. {m.name}" + (f"  ({'、'.join(m.regions)})" if m.regions else "") for m in r.members]
        out.append("")
    return "\n".join(out)


def lists_command(args, settings: Settings) -> int:
    from ..api import Index
    from .cli import write_table

    with Index(settings) as index:
        records = index.lists()
    if args.doc:
        records = [r for r in records if r.doc_id in set(args.doc)]
    write_table(render(records, args.format, args.labels), args.out, "lists")
    if not records:
        print("rag lists: the index holds no lists (run `rag ingest PATH` first)", file=sys.stderr)
    return 0
