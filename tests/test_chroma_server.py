"""The index against a real Chroma server (`chroma run` on a free loopback port)."""
import chromadb
import pytest
from chromadb.config import Settings as ChromaSettings

from rag.cli import main
from rag.errors import ConfigError
from rag.index import Index
from support_chroma import chroma_server, settings_for, tree_digest, write_article, write_articles


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with chroma_server(tmp_path_factory.mktemp("chroma-data")) as url:
        yield url


def _server_ids(url: str, index: Index) -> set[str]:
    host, port = url.rsplit("//", 1)[1].split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    return set(client.get_collection(index._meta("collection")).get(include=[])["ids"])


def test_ingest_and_search_through_the_server(tmp_path, server, capsys, monkeypatch):
    monkeypatch.delenv("RAG_EMBEDDINGS", raising=False)
    docs = tmp_path / "docs"
    write_articles(docs)
    db = tmp_path / "db"
    assert main(["ingest", str(docs), "--db", str(db), "--chroma-url", server, "--no-progress"]) == 0
    assert "documents: 3" in capsys.readouterr().out
    assert not (db / "chroma").exists()  # vectors live on the server, not in the local folder
    with Index.open(settings_for(db, chroma_url=server), create=False) as index:
        assert _server_ids(server, index) == {c.chunk_id for c in index.chunks()}
        hit = index.search("赣州稀土新材料", k=1)[0]
        assert hit.doc_id == "ganzhou_rare_earth" and hit.dense_rank is not None
    # unchanged corpus: nothing re-embedded, local store untouched
    before = tree_digest(db)
    assert main(["ingest", str(docs), "--db", str(db), "--chroma-url", server, "--no-progress"]) == 0
    assert "unchanged: 3" in capsys.readouterr().out and tree_digest(db) == before


def test_changes_and_prune_reach_the_server(tmp_path, server):
    docs = tmp_path / "docs"
    paths = write_articles(docs)
    with Index.open(settings_for(tmp_path / "db", chroma_url=server)) as index:
        index.ingest([docs], progress=False)
        write_article(paths[0], "芜湖机器人产业集群", ["芜湖市机器人产业集群发布人才引进新政。"])
        paths[2].unlink()
        summary = index.ingest([docs], prune=True, progress=False)
        assert (summary.documents, summary.pruned) == (1, 1)
        assert _server_ids(server, index) == {c.chunk_id for c in index.chunks()}
        assert not any(i.startswith("quanzhou_shoes#") for i in _server_ids(server, index))


def test_a_local_index_moved_to_a_server_gets_its_vectors_rebuilt(tmp_path, server):
    write_articles(tmp_path / "docs", ["wuhu_robots", "ganzhou_rare_earth"])
    with Index.open(settings_for(tmp_path / "db")) as index:
        index.ingest([tmp_path / "docs"], progress=False)
    with Index.open(settings_for(tmp_path / "db", chroma_url=server)) as index:
        with pytest.raises(ConfigError, match="holds no vectors"):
            index.search("机器人", k=1)
        summary = index.ingest([tmp_path / "docs"], progress=False)
        assert summary.unchanged == 2
        assert _server_ids(server, index) == {c.chunk_id for c in index.chunks()}
        assert index.search("机器人产业集群入选国家级名单", k=1)[0].doc_id == "wuhu_robots"


def test_a_server_that_goes_away_is_named_in_one_line(tmp_path):
    write_articles(tmp_path / "docs", ["wuhu_robots"])
    with chroma_server(tmp_path / "short-lived") as url:
        index = Index.open(settings_for(tmp_path / "db", chroma_url=url))
        index.ingest([tmp_path / "docs"], progress=False)
    try:
        with pytest.raises(ConfigError) as e:
            index.search("机器人产业集群", k=1)
    finally:
        index.close()
    message = str(e.value)
    assert message.startswith(f"the Chroma server at {url} failed") and "\n" not in message
