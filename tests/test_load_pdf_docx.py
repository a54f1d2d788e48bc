"""PDF (text layer) and Word .docx files, generated here with reportlab (the STSong-Light CID font)
and python-docx: loaded, indexed, extracted and cited with offsets into the extracted text."""
from __future__ import annotations

import pytest

from rag.cli import main
from rag.errors import InputError
from rag.load import load_document
from rag.prepare import prepare

TITLE = "关于公布郑州市首批市级战略性新兴产业集群名单的通知"
BODY = [
    "各县（市、区）人民政府，郑州航空港经济综合实验区管委会：",
    "经研究，确定郑州巩义市铝基新材料战略性新兴产业集群、郑州高新区超硬材料战略性新兴产业集群等2个产业集群为首批市级"
    "战略性新兴产业集群，请各地加强组织领导，完善支持政策，推动集群高质量发展。",
    "郑州市发展和改革委员会",
    "2023年12月31日",
]
CLUSTER = "郑州巩义市铝基新材料战略性新兴产业集群"


def make_pdf(path, paragraphs=None, text_layer=True):
    pytest.importorskip("reportlab")
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus.flowables import Flowable

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")

    class Box(Flowable):  # a drawing with no text: what a scanned page looks like to a text extractor
        def wrap(self, *a):
            return 400, 300

        def draw(self):
            self.canv.rect(0, 0, 400, 300, fill=1)

    story = [Paragraph(p, style) for p in (paragraphs or [TITLE, *BODY])] if text_layer else [Box(), Spacer(1, 10)]
    SimpleDocTemplate(str(path), pagesize=A4).build(story)
    return path


def make_docx(path):
    from docx import Document

    doc = Document()
    doc.core_properties.title = TITLE
    doc.add_heading(TITLE, level=1)
    for p in BODY[:2]:
        doc.add_paragraph(p)
    table = doc.add_table(rows=3, cols=3)
    for r, row in enumerate([["序号", "集群名称", "产值（亿元）"], ["1", CLUSTER, "532.7"],
                             ["2", "郑州高新区超硬材料战略性新兴产业集群", "218.4"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    for p in BODY[2:]:
        doc.add_paragraph(p)
    doc.save(str(path))
    return path


def test_pdf_text_is_extracted_with_wrapped_lines_joined(tmp_path):
    doc = load_document(make_pdf(tmp_path / "notice.pdf"))
    assert doc.doc_id == "notice" and doc.encoding == "pdf"
    assert TITLE in doc.original
    # the long sentence wraps over lines in the PDF; the extracted text has it whole
    assert "等2个产业集群为首批市级战略性新兴产业集群" in doc.original
    assert CLUSTER in doc.original


def test_pdf_records_and_offsets_point_into_the_extracted_text(tmp_path):
    from rag.extract.engines import get_engine

    ndoc = prepare(make_pdf(tmp_path / "notice.pdf"))
    records = get_engine("offline").extract(ndoc)
    names = {r.name for r in records}
    assert CLUSTER in names
    for r in records:
        assert ndoc.doc.original[r.evidence.start:r.evidence.end] == r.evidence.text


def test_a_pdf_without_a_text_layer_is_one_line_no_text_layer(tmp_path):
    path = make_pdf(tmp_path / "scan.pdf", text_layer=False)
    with pytest.raises(InputError, match="no text layer") as e:
        load_document(path)
    assert "\n" not in str(e.value)


def test_docx_paragraphs_and_table_cells_in_order(tmp_path):
    doc = load_document(make_docx(tmp_path / "memo.docx"))
    assert doc.encoding == "docx"
    text = doc.original
    assert text.index(TITLE) < text.index(BODY[1]) < text.index("序号 | 集群名称") < text.index(BODY[3])
    assert f"1 | {CLUSTER} | 532.7" in text  # cells kept apart, a line per row


def test_ingest_and_ask_over_pdf_and_docx_cite_the_extracted_text(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    make_pdf(folder / "notice.pdf")
    make_docx(folder / "memo.docx")
    (folder / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / "a.png").write_bytes(b"\x89PNG")
    (folder / "b.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    db = tmp_path / "db"
    assert main(["ingest", str(folder), "--db", str(db), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "documents: 2" in out and "skipped: 3 (.doc ×2, .png ×1)" in out and "failed: 0" in out
    import json

    assert main(["ask", "郑州市首批市级战略性新兴产业集群有哪些？", "--db", str(db), "--engine", "offline", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert "铝基新材料" in answer["answer"] and answer["citations"]
    import rag

    with rag.open(db) as ix:
        for c in answer["citations"]:
            assert ix.text(c["doc_id"])[c["start"]:c["end"]] == c["text"]
        assert {d.doc_id for d in ix.documents()} == {"notice", "memo"}


def test_broken_pdf_and_docx_are_one_line_errors(tmp_path, capsys):
    (tmp_path / "bad.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "bad.docx").write_bytes(b"PK\x03\x04 not a zip")
    code = main(["extract", str(tmp_path / "bad.pdf"), str(tmp_path / "bad.docx"), "--engine", "offline",
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert any("bad.pdf" in ln and "PDF" in ln for ln in err.splitlines())
    assert any("bad.docx" in ln and "not a readable Word .docx" in ln for ln in err.splitlines())
