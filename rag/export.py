"""Tables out: rows for pandas, CSV that Excel opens cleanly, xlsx.

- CSV starts with a UTF-8 byte-order mark, so Excel on a Chinese Windows reads it as UTF-8.
- `--format xlsx` writes a workbook with openpyxl (one sheet, a bold header row).
- `labels="zh"` gives Chinese column names and level names (国家级/省级/市级).
- A cell starting with = + - @ (or a tab / carriage return) is written with a leading apostrophe,
  so a spreadsheet shows it as text and never runs it as a formula (CSV and formula injection).
  Numbers stay numbers.
"""
from __future__ import annotations

import csv
import dataclasses
import io
from typing import Iterable, Optional, Sequence

from .errors import RagError

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

LEVEL_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级"}
COLUMN_ZH = {
    "doc_id": "文档", "name": "集群名称", "regions": "地区", "province": "省份", "level": "级别", "program": "类别",
    "industry": "产业", "recognised_by": "认定机构", "year": "年份", "batch": "批次", "engine": "引擎",
    "evidence_text": "原文", "evidence_start": "起始位置", "evidence_end": "结束位置", "evidence": "原文依据",
    "mentions": "提及次数", "doc_ids": "文档", "id": "名单", "title": "标题", "issuer": "发布机构", "date": "日期",
    "doc_number": "文号", "notice_period": "公示期", "validity": "有效期", "stated_count": "所列数量",
    "written": "列出数量", "stage": "阶段", "contact_phone": "联系电话", "members": "成员", "path": "来源文件",
    "outlet": "媒体", "url": "网址", "n_chunks": "文本块", "n_clusters": "集群数", "chunks": "文本块",
    "clusters": "集群数",
}


def neutralise(value):
    """A cell a spreadsheet will not evaluate: text starting with = + - @ gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ";".join(str(v) for v in value)
    return value


def flat_row(record) -> dict:
    """One record as a flat dict: pydantic models and dataclasses; a ClusterMention's evidence as
    evidence_text / evidence_start / evidence_end; a cluster-table row or list as `rag clusters` /
    `rag lists` print them."""
    from .schemas import ClusterMention, ListRecord

    if isinstance(record, ClusterMention):
        from .extract.batch import csv_row

        return csv_row(record)
    if isinstance(record, ListRecord):
        from .extract.lists_cli import flat

        return flat(record)
    if hasattr(record, "chunk") and hasattr(record, "doc_id"):  # a search hit
        return {"doc_id": record.doc_id, "chunk": record.chunk.chunk_id, "score": record.score, "start": record.start,
                "end": record.end, "text": record.text, "title": record.title, "date": record.date}
    if hasattr(record, "flat") and callable(record.flat):
        return record.flat()
    if hasattr(record, "model_dump"):
        return record.model_dump(mode="json")
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        d = {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}
        return {k: (v.chunk_id if k == "chunk" and hasattr(v, "chunk_id") else v) for k, v in d.items()}
    if isinstance(record, dict):
        return dict(record)
    raise RagError(f"cannot make a table row of a {type(record).__name__}")


def flat_rows(records: Iterable) -> list[dict]:
    return [flat_row(r) for r in records]


def labelled(rows: list[dict], columns: Sequence[str], labels: Optional[str]) -> tuple[list[str], list[list]]:
    """(header, cells) with labels applied: `zh` translates column and level names."""
    header = [COLUMN_ZH.get(c, c) for c in columns] if labels == "zh" else list(columns)
    cells = []
    for row in rows:
        out = []
        for c in columns:
            v = row.get(c)
            if labels == "zh" and c == "level" and v in LEVEL_ZH:
                v = LEVEL_ZH[v]
            out.append(neutralise(_cell(v)))
        cells.append(out)
    return header, cells


def to_csv(rows: list[dict], columns: Sequence[str], labels: Optional[str] = None, bom: bool = True,
           header: bool = True) -> str:
    head, cells = labelled(rows, columns, labels)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if header:
        w.writerow(head)
    w.writerows(cells)
    return (BOM if bom and header else "") + buf.getvalue()


def to_xlsx(rows: list[dict], columns: Sequence[str], labels: Optional[str] = None, sheet: str = "jiqun") -> bytes:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Font
    except ImportError:
        raise RagError("--format xlsx needs openpyxl: pip install openpyxl") from None
    head, cells = labelled(rows, columns, labels)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(head)
    for c in ws[1]:
        c.font = Font(bold=True)
    for row in cells:
        ws.append(row)
    ws.freeze_panes = "A2"
    for i, name in enumerate(head, 1):
        width = max([len(str(name))] + [len(str(r[i - 1])) for r in cells[:200]])
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, max(8, width * 1.6))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
