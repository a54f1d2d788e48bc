"""Exports that open cleanly in Excel: CSV with a UTF-8 BOM, xlsx, Chinese labels, no formulas."""
from __future__ import annotations

import csv
import io

import pytest

from rag.cli import main
from rag.export import neutralise, to_csv
from support_chroma import write_articles

EVIL = "=HYPERLINK(\"http://example.invalid\",\"点这里\")"


@pytest.mark.parametrize("value, shown", [("=1+1", "'=1+1"), ("+86 0371", "'+86 0371"), ("-2.4%", "'-2.4%"),
                                          ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("郑州市", "郑州市"),
                                          (-2.4, -2.4), (None, None)])
def test_cells_that_a_spreadsheet_would_evaluate_are_text(value, shown):
    assert neutralise(value) == shown


def test_csv_has_a_bom_labels_zh_and_neutralised_cells():
    rows = [{"name": EVIL, "level": "national", "year": 2024}, {"name": "芜湖市机器人产业集群", "level": "provincial"}]
    text = to_csv(rows, ["name", "level", "year"], labels="zh")
    assert text.startswith("\ufeff集群名称,级别,年份\n")
    parsed = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert parsed[1] == ["'" + EVIL, "国家级", "2024"] and parsed[2] == ["芜湖市机器人产业集群", "省级", ""]


def test_extract_csv_starts_with_a_bom_and_resumes(tmp_path, capsys):
    docs = write_articles(tmp_path / "in")
    out = tmp_path / "clusters.csv"
    assert main(["extract", str(tmp_path / "in"), "--engine", "offline", "--out", str(out), "--no-progress"]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows and {r["engine"] for r in rows} == {"offline"} and {r["doc_id"] for r in rows} <= {d.stem for d in docs}
    # a second run over the same inputs accepts its own BOM'd output (resumes) and writes the same
    assert main(["extract", str(tmp_path / "in"), "--engine", "offline", "--out", str(out), "--no-progress"]) == 0
    assert out.read_bytes() == data
    assert "already done" in capsys.readouterr().err


def test_extract_to_stdout_csv_has_one_bom_and_one_header(tmp_path, capsys):
    write_articles(tmp_path / "in")
    capsys.readouterr()
    assert main(["extract", str(tmp_path / "in"), "--engine", "offline", "--format", "csv", "--labels", "zh",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff文档,集群名称") and out.count("\ufeff") == 1 and out.count("集群名称,") == 1
    assert "国家级" in out and "national" not in out


def test_extract_xlsx_opens_with_openpyxl(tmp_path, capsys):
    from openpyxl import load_workbook

    write_articles(tmp_path / "in")
    out = tmp_path / "clusters.xlsx"
    assert main(["extract", str(tmp_path / "in"), "--engine", "offline", "--out", str(out), "--labels", "zh",
                 "--no-progress"]) == 0
    ws = load_workbook(out).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("文档", "集群名称") and len(rows) > 1
    header = list(rows[0])
    level = header.index("级别")
    assert {r[level] for r in rows[1:]} <= {"国家级", "省级", "市级", None}
    start, end, quote = header.index("起始位置"), header.index("结束位置"), header.index("原文")
    original = (tmp_path / "in" / f"{rows[1][0]}.txt").read_text(encoding="utf-8")
    assert original[rows[1][start]:rows[1][end]] == rows[1][quote]
    # re-running resumes over its own workbook; a workbook to stdout is one line
    assert main(["extract", str(tmp_path / "in"), "--engine", "offline", "--out", str(out), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["extract", str(tmp_path / "in"), "--engine", "offline", "--format", "xlsx", "--no-progress"]) == 1
    err = capsys.readouterr().err
    assert "needs a file" in err and len(err.strip().splitlines()) == 1


def test_clusters_and_lists_export_csv_and_xlsx(tmp_path, capsys):
    from openpyxl import load_workbook

    write_articles(tmp_path / "in")
    db = tmp_path / "db"
    assert main(["ingest", str(tmp_path / "in"), "--db", str(db), "--no-progress"]) == 0
    capsys.readouterr()
    assert main(["clusters", "--db", str(db), "--format", "csv", "--labels", "zh"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("\ufeff集群名称,") and "国家级" in out
    assert main(["clusters", "--db", str(db), "--format", "xlsx", "--out", str(tmp_path / "c.xlsx")]) == 0
    assert load_workbook(tmp_path / "c.xlsx").active.cell(1, 1).value == "name"
    assert main(["lists", "--db", str(db), "--format", "xlsx", "--out", str(tmp_path / "l.xlsx"), "--labels", "zh"]) == 0
    assert load_workbook(tmp_path / "l.xlsx").active.cell(1, 1).value == "名单"
    assert main(["lists", "--db", str(db), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("\ufeffid,doc_id")


def test_a_formula_reaches_no_workbook_cell():
    """Text that starts like a formula is stored as a string with a leading apostrophe."""
    from openpyxl import load_workbook

    from rag.export import to_xlsx

    rows = [{"doc_id": "evil", "name": "=cmd|' /C calc'!A0", "evidence_text": "-1+1"}]
    ws = load_workbook(io.BytesIO(to_xlsx(rows, ["doc_id", "name", "evidence_text"]))).active
    assert ws.cell(2, 2).value == "'=cmd|' /C calc'!A0" and ws.cell(2, 2).data_type == "s"
    assert ws.cell(2, 3).value == "'-1+1"
