from pathlib import Path

import pytest

from rag.errors import InputError
from rag.load import find_sources, decode_bytes, find_files, load_document
from rag.prepare import prepare

TEXT = "許昌市、平頂山市新型電力(特高壓輸變電)裝備產業集群入選2023年河南省先進製造業集群名單。\n"
SIMPLIFIED = "郑州市、开封市新能源汽车产业集群入选省级先进制造业集群名单，郑州市发展和改革委员会公布。\n"


@pytest.mark.parametrize("encoding,text", [
    ("gb18030", SIMPLIFIED), ("gbk", SIMPLIFIED), ("big5", TEXT), ("utf-16", TEXT), ("utf-16-le", SIMPLIFIED),
    ("utf-8-sig", TEXT), ("utf-8", SIMPLIFIED),
])
def test_encodings_detected(tmp_path, encoding, text):
    path = tmp_path / f"doc_{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    doc = load_document(path)
    assert doc.original == text
    assert doc.doc_id == f"doc_{encoding}"


def test_big5_file_normalises_to_simplified(tmp_path):
    path = tmp_path / "big5.txt"
    path.write_bytes(("河南日報\n" + TEXT).encode("big5"))
    assert "许昌市、平顶山市新型电力(特高压输变电)装备产业集群" in prepare(path).text


def test_html_loses_menus_keeps_body():
    ndoc = prepare(Path(__file__).parent / "data" / "web_article.html")
    text = ndoc.text
    assert "岳阳市石油化工产业集群、衡阳市输变电装备产业集群、常德市烟草制品产业集群入选" in text
    assert "政策支持&资金倾斜" in text  # entities decoded
    for junk in ["首页", "分享到", "相关阅读", "株洲轨道交通产业再获大单", "版权所有", "ICP备", "trackPage", "font-size"]:
        assert junk not in text, junk
    assert ndoc.doc.title == "湖南新增3个省级先进制造业集群_湖南日报网"
    assert ndoc.doc.date == "2024-05-16T08:30:00"
    assert ndoc.doc.outlet == "湖南日报"
    i = text.index("岳阳市")
    s, e = ndoc.span(i, i + 3)
    assert ndoc.doc.original[s:e] == "岳阳市"


@pytest.mark.parametrize("content,reason", [
    (b"", "empty file"),
    (b"   \n\t\n", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
])
def test_bad_files_raise_one_line_errors(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError) as e:
        load_document(path)
    assert reason in str(e.value) and str(path) in str(e.value) and "\n" not in str(e.value)


def test_undecodable_bytes(tmp_path):
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes([0x81, 0x20, 0xFE, 0xFF, 0x80, 0x7F] * 400))
    with pytest.raises(InputError, match="undecodable|binary"):
        load_document(path)


def test_a_few_bad_bytes_are_replaced_not_fatal():
    text, enc = decode_bytes("郑州市先进制造业集群名单公布".encode("utf-8") * 50 + b"\xff")
    assert "郑州市" in text and enc.endswith("+replace")


def test_too_large_file(tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_MAX_FILE_MB", "0.01")
    path = tmp_path / "big.txt"
    path.write_text("集群" * 20000, encoding="utf-8")
    with pytest.raises(InputError, match="too large"):
        load_document(path)


def test_find_files_recurses_and_reports_problems(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "b" / "two.html").write_text("<p>x</p>", encoding="utf-8")
    (tmp_path / "a" / "b" / "skip.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "a" / "b" / "old.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    (tmp_path / "a" / "logo.png").write_bytes(b"\x89PNG")
    (tmp_path / "empty").mkdir()
    paths = [tmp_path / "a", tmp_path / "missing.txt", tmp_path / "empty", tmp_path / "a" / "b" / "skip.doc"]
    files, problems = find_files(paths)
    assert sorted(f.name for f in files) == ["one.txt", "two.html"]
    reasons = dict(problems)
    assert "no such file" in reasons[str(tmp_path / "missing.txt")]
    assert "no .txt" in reasons[str(tmp_path / "empty")]
    assert "unsupported" in reasons[str(tmp_path / "a" / "b" / "skip.doc")]
    found = find_sources(paths)
    assert {s.doc_id for s in found.sources} == {"one", "b/two"}
    assert found.skipped_line() == "skipped: 3 (.doc ×2, .png ×1)"
