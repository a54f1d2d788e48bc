"""The cluster table as CSV (UTF-8 with a BOM) and XLSX, through rag.export (formula cells
neutralised), with the columns of `rag clusters --format csv`."""
from __future__ import annotations

from ..export import to_csv, to_xlsx
from ..extract.cli import CSV_COLUMNS


def _flat(rows) -> list[dict]:
    out = []
    for r in rows:
        d = r.flat()
        d["evidence"] = " | ".join(f"{e['doc_id']}:{e['start']}-{e['end']} {e['text']}" for e in d["evidence"])
        out.append(d)
    return out


def clusters_csv(rows, labels=None) -> bytes:
    return to_csv(_flat(rows), CSV_COLUMNS, labels=labels).encode("utf-8")


def clusters_xlsx(rows, labels=None) -> bytes:
    return to_xlsx(_flat(rows), CSV_COLUMNS, labels=labels, sheet="clusters")
