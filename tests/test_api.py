"""The Python API (`import rag`) end to end on real parts: the seeds, a real Chroma folder, files
written here."""
from __future__ import annotations

import warnings

import pytest

import rag
from support_chroma import SEED_000, SEED_002, SEEDS, write_article, ARTICLES


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch, tmp_path):
    for name in ("RAG_DB", "RAG_CHROMA_URL", "RAG_EMBEDDINGS", "RAG_ENGINE", "RAG_LLM_BASE_URL", "RAG_LLM_API_KEY",
                 "OPENAI_BASE_URL", "OPENAI_API_KEY", "RAG_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAG_CONFIG", "off")


def test_the_api_is_importable_and_listed():
    from rag import Index, extract, open, to_dataframe  # noqa: F401

    assert {"open", "extract", "to_dataframe", "Index"} <= set(dir(rag))
    import importlib

    importlib.import_module("rag.extract.engines")  # the subpackage is imported: rag.extract still extracts
    assert callable(rag.extract) and callable(extract)


def test_api_end_to_end_on_the_seeds(tmp_path):
    ix = rag.open(tmp_path / "db")
    summary = ix.ingest(SEEDS)
    assert (summary.documents, summary.failed) == (5, 0)
    docs = {d.doc_id: d for d in ix.documents()}
    assert set(docs) == {p.stem for p in SEEDS.glob("*.txt")}
    assert docs[SEED_002].n_chunks > 0 and docs[SEED_002].n_clusters > 0
    assert docs[SEED_002].path == str((SEEDS / f"{SEED_002}.txt").resolve())

    answer = ix.ask("郑州市首批市级战略性新兴产业集群有哪些？", engine="offline")
    assert answer.engine == "offline" and "铝基新材料" in answer.answer and answer.citations
    for c in answer.citations:
        assert ix.text(c.doc_id)[c.start:c.end] == c.text

    hits = ix.search("郑州巩义市铝基新材料", k=3)
    assert hits and hits[0].doc_id == SEED_000

    records = rag.extract(SEEDS, engine="offline")
    assert records and not records.failed
    assert {r.engine for r in records} == {"offline"}
    assert {r.doc_id for r in records} <= set(docs)
    stored = ix.records(SEED_000)
    assert {r.name for r in stored} == {r.name for r in records if r.doc_id == SEED_000}

    clusters_before = ix.clusters()
    assert any(SEED_000 in row.doc_ids for row in clusters_before)
    assert ix.remove(SEED_000) == [SEED_000]
    assert SEED_000 not in {d.doc_id for d in ix.documents()}
    assert all(h.doc_id != SEED_000 for h in ix.search("郑州巩义市铝基新材料", k=10))
    assert not any(SEED_000 in row.doc_ids for row in ix.clusters())
    assert all(r.doc_id != SEED_000 for r in ix.lists())
    with pytest.raises(rag.RagError, match="no such document"):
        ix.remove(SEED_000)
    ix.close()

    # a second handle on the same folder sees the same state, and a re-ingest brings the file back
    again = rag.open(tmp_path / "db")
    assert again.ingest(SEEDS).documents == 1
    assert len(again.documents()) == 5
    again.close()


def test_to_dataframe_of_records_rows_lists_and_documents(tmp_path):
    pd = pytest.importorskip("pandas")
    records = rag.extract(SEEDS / f"{SEED_002}.txt", engine="offline")
    df = rag.to_dataframe(records)
    assert isinstance(df, pd.DataFrame) and len(df) == len(records)
    assert {"doc_id", "name", "level", "engine", "evidence_text", "evidence_start", "evidence_end"} <= set(df.columns)
    original = (SEEDS / f"{SEED_002}.txt").read_text(encoding="utf-8")
    row = df.iloc[0]
    assert original[row.evidence_start:row.evidence_end] == row.evidence_text
    with rag.open(tmp_path / "db") as ix:
        ix.ingest(SEEDS / f"{SEED_002}.txt")
        assert list(rag.to_dataframe(ix.documents())["doc_id"]) == [SEED_002]
        assert "members" in rag.to_dataframe(ix.lists()).columns
        assert len(rag.to_dataframe(ix.clusters())) == len(ix.clusters())


def test_a_crawl_with_three_index_html_files_gets_three_ids(tmp_path):
    site = tmp_path / "site"
    pages = {"index": "wuhu_robots", "a/index": "ganzhou_rare_earth", "b/index": "quanzhou_shoes"}
    for doc_id, article in pages.items():
        title, paragraphs = ARTICLES[article]
        path = site / f"{doc_id}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<html><head><title>{title}</title></head><body><h1>{title}</h1>"
                        + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>", encoding="utf-8")
    (site / "style.css").write_text("p{}", encoding="utf-8")
    with rag.open(tmp_path / "db") as ix:
        summary = ix.ingest(site)
        assert (summary.documents, summary.failed) == (3, 0), summary.errors
        assert "skipped: 1 (.css ×1)" in summary.line()
        assert sorted(d.doc_id for d in ix.documents()) == ["a/index", "b/index", "index"]
        assert ix.ingest(site).unchanged == 3  # stable: the same ids again
        for d in ix.documents():
            assert d.path == str((site / f"{d.doc_id}.html").resolve())
    records = rag.extract(site, engine="offline")
    assert {r.doc_id for r in records} <= {"index", "a/index", "b/index"}
    assert len({r.doc_id for r in records}) >= 2


def test_an_html_table_question_is_answered_from_a_cell(tmp_path):
    page = tmp_path / "table.html"
    page.write_text(
        "<html><head><title>2024年某省重点产业集群主要指标</title></head><body>"
        "<h1>2024年某省重点产业集群主要指标</h1><p>发布时间：2024-03-01</p>"
        "<p>全省重点产业集群主要指标如下表所示。</p>"
        "<table><tr><th>序号</th><th>集群名称</th><th>产值（亿元）</th><th>增长（%）</th></tr>"
        "<tr><td>1</td><td>合肥市新能源汽车产业集群</td><td>2310.5</td><td>18.2</td></tr>"
        "<tr><td>2</td><td>芜湖市机器人及智能装备产业集群</td><td>532.7</td><td>12.5</td></tr>"
        "<tr><td>3</td><td>滁州市光伏产业集群</td><td>998.1</td><td>25.4</td></tr></table>"
        "</body></html>", encoding="utf-8")
    with rag.open(tmp_path / "db") as ix:
        ix.ingest(page)
        text = ix.text("table")
        assert "芜湖市机器人及智能装备产业集群 | 532.7 | 12.5" in text  # cells kept apart, a line per row
        answer = ix.ask("芜湖市机器人及智能装备产业集群的产值是多少？", engine="offline")
        assert "532.7" in answer.answer, answer
        assert answer.citations and all(text[c.start:c.end] == c.text for c in answer.citations)
        assert any("532.7" in c.text for c in answer.citations)


def test_extract_reports_failed_files_without_stopping(tmp_path):
    good = write_article(tmp_path / "in" / "good.txt", *ARTICLES["wuhu_robots"])
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = rag.extract(tmp_path / "in", engine="offline")
    assert records and {r.doc_id for r in records} == {good.stem}
    assert [p for p, _ in records.failed] == [str(tmp_path / "in" / "empty.txt")]
    assert any("empty" in str(w.message) for w in caught)
