"""The cluster table as CSV (with a BOM, so Excel on a Chinese Windows reads it) and as XLSX."""
from __future__ import annotations

import io

from ..extract.cli import CSV_COLUMNS, render_rows

_FORMULA = ("=", "+", "-", "@")


def clusters_csv(rows) -> bytes:
    return ("\ufeff" + render_rows(rows, "csv")).encode("utf-8")


def _cell(value):
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value  # never a formula in a spreadsheet
    return value


def clusters_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "clusters"
    ws.append(CSV_COLUMNS)
    for r in rows:
        d = r.flat()
        d["evidence"] = " | ".join(f"{e['doc_id']}:{e['start']}-{e['end']} {e['text']}" for e in d["evidence"])
        ws.append([_cell(d[c]) for c in CSV_COLUMNS])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
