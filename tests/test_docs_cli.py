"""`rag docs list|show|rm` on a real index."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from rag.cli import main
from rag.index import Index
from support_chroma import ARTICLES, settings_for, write_article


@pytest.fixture()
def db(tmp_path):
    site = tmp_path / "site"
    write_article(site / "index.txt", *ARTICLES["wuhu_robots"])
    write_article(site / "a" / "index.txt", *ARTICLES["ganzhou_rare_earth"])
    write_article(site / "b" / "index.txt", *ARTICLES["quanzhou_shoes"])
    db = tmp_path / "db"
    assert main(["ingest", str(site), "--db", str(db), "--no-progress"]) == 0
    return db


def test_docs_list_json_has_id_title_date_path_chunks_clusters(db, tmp_path, capsys):
    capsys.readouterr()
    assert main(["docs", "list", "--json", "--db", str(db)]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == ["a/index", "b/index", "index"]
    for r in rows:
        assert set(r) == {"id", "title", "date", "path", "chunks", "clusters"}
        assert r["path"] == str((tmp_path / "site" / f"{r['id']}.txt").resolve())
        assert r["chunks"] >= 1 and r["date"] == "2024-05-20"
    assert next(r for r in rows if r["id"] == "index")["clusters"] >= 1
    assert main(["docs", "list", "--db", str(db)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split()[:3] == ["id", "title", "date"] and len(table) == 4


def test_docs_show_marks_a_citation_span_with_plain_markers_when_piped(db, capsys):
    with Index.open(settings_for(db), create=False) as index:
        text = index.original("a/index")
    start = text.index("赣州稀土新材料及应用产业集群")
    end = start + len("赣州稀土新材料及应用产业集群")
    capsys.readouterr()
    assert main(["docs", "show", "a/index", "--span", f"{start}:{end}", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "[[赣州稀土新材料及应用产业集群]]" in out and "\x1b[" not in out
    assert out.splitlines()[0].startswith("a/index · 赣州稀土新材料集群年营收再创新高")
    assert main(["docs", "show", "a/index", "--db", str(db)]) == 0
    assert text in capsys.readouterr().out


def test_docs_show_highlights_in_a_terminal(db):
    """On a terminal the span is in reverse video (a real pseudo-terminal, not a flag)."""
    import os

    with Index.open(settings_for(db), create=False) as index:
        text = index.original("index")
    start = text.index("芜湖市")
    from test_progress import open_terminal, read_pty

    leader, follower = open_terminal()
    proc = subprocess.Popen([sys.executable, "-m", "rag", "docs", "show", "index", "--span", f"{start}:{start + 3}",
                             "--db", str(db)], stdout=follower, stderr=subprocess.PIPE, env={**os.environ,
                                                                                           "RAG_CONFIG": "off"})
    out = read_pty(proc, leader, follower).decode("utf-8")
    proc.wait(timeout=60)
    assert proc.returncode == 0 and "\x1b[7m芜湖市\x1b[0m" in out and "[[" not in out


@pytest.mark.parametrize("span, reason", [("5", "START:END"), ("10:5", "not within"), ("0:999999", "not within")])
def test_docs_show_bad_span_or_id_is_one_line(db, capsys, span, reason):
    capsys.readouterr()
    assert main(["docs", "show", "index", "--span", span, "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert reason in err and len(err.strip().splitlines()) == 1
    assert main(["docs", "show", "nope", "--db", str(db)]) == 1
    assert "no such document" in capsys.readouterr().err


def test_docs_rm_removes_chunks_vectors_terms_clusters_and_lists(db, capsys):
    with Index.open(settings_for(db), create=False) as index:
        chunk_ids = [c.chunk_id for c in index.chunks("index")]
        assert index.clusters("index") and index.vector_count() == index.count_chunks()
    capsys.readouterr()
    assert main(["docs", "rm", "index", "--db", str(db)]) == 0
    assert "removed: 1 (index)" in capsys.readouterr().out
    with Index.open(settings_for(db), create=False) as index:
        assert [d.doc_id for d in index.documents()] == ["a/index", "b/index"]
        assert index.chunks("index") == [] and index.clusters("index") == [] and index.lists("index") == []
        assert index.vector_count() == index.count_chunks()
        assert not set(chunk_ids) & set(index._collection.get()["ids"])
        assert all(h.doc_id != "index" for h in index.search("芜湖市机器人及智能装备产业集群", k=10))
        ranked = index.keyword_ranking("芜湖市机器人", 10, None)
        assert all(not c.startswith("index#") for c in ranked)
    # unknown ids: nothing is removed, one line
    assert main(["docs", "rm", "a/index", "nope", "--db", str(db)]) == 1
    assert "nope: no such document" in capsys.readouterr().err
    with Index.open(settings_for(db), create=False) as index:
        assert len(index.documents()) == 2


def test_docs_on_a_missing_index_is_one_line(tmp_path, capsys):
    assert main(["docs", "list", "--db", str(tmp_path / "none")]) == 1
    assert "no index at" in capsys.readouterr().err
