"""The index: a SQLite store plus a Chroma collection of chunk vectors (through LangChain).

SQLite (`store.sqlite3` in the DB folder) is the source of truth: documents with their
ORIGINAL text, chunks with their keyword terms, cluster records. Chroma only ranks: every hit
is read back from SQLite, so offsets and text always agree with the stored original.

A batch of changed documents is written in this order, so a document is never half-written:
1. the `dirty` flag is committed in SQLite;
2. Chroma upserts the new chunk vectors (ids `doc_id#i`, metadata carries the file's sha256);
3. one SQLite transaction writes documents, chunks, keyword terms, cluster records;
4. Chroma deletes the ids the documents no longer have.
A crash after 1 leaves Chroma ahead of or behind SQLite; the next ingest sees the flag (or a
vector count that differs from the chunk count, e.g. a new Chroma server) and re-embeds what is
missing from SQLite's chunks (`_sync_vectors`). Until then search ignores vectors whose sha256
does not match the stored document.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import sys
import tempfile
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional, Sequence
from urllib.parse import urlsplit

from .chunk import chunk_document
from .config import Settings
from .core.types import Chunk, Document, NormalisedDocument
from .embed import EmbeddingFailed, ReportingEmbeddings, fingerprint, get_embeddings, safe_url
from .errors import ConfigError, InputError, RagError
from .keyword import VOCAB_SCHEMA, KeywordIndex, Vocabulary, pack_terms, tokenize
from .load import find_files, load_document, max_file_bytes
from .metadata import read_metadata
from .normalise import normalise
from .schemas import ClusterMention

STORE_FILE = "store.sqlite3"
CHROMA_DIR = "chroma"
KEYWORD_FILE = "keyword.npz"
# Chunks written together. Chroma's upsert has a large fixed cost per call (4,096 vectors:
# 28 s in calls of 32, 8.6 s in calls of 512), so batches are large; the progress bar still
# moves with every slice of embeddings (see ReportingEmbeddings).
BATCH_CHUNKS = 256

Extract = Callable[[NormalisedDocument], list[ClusterMention]]

SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS documents (
        doc_id TEXT PRIMARY KEY, path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER, mtime REAL,
        title TEXT, date TEXT, outlet TEXT, url TEXT, encoding TEXT,
        source_title TEXT NOT NULL DEFAULT '',  -- the title the loader found (HTML <title>), for re-normalising
        original TEXT NOT NULL, n_chunks INTEGER NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS chunks (
        chunk_id TEXT PRIMARY KEY, doc_id TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
        idx INTEGER NOT NULL, text TEXT NOT NULL, norm_start INTEGER NOT NULL, norm_end INTEGER NOT NULL,
        orig_start INTEGER NOT NULL, orig_end INTEGER NOT NULL, n_tokens INTEGER NOT NULL, terms BLOB NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id, idx)",
    """CREATE TABLE IF NOT EXISTS clusters (
        doc_id TEXT PRIMARY KEY REFERENCES documents(doc_id) ON DELETE CASCADE, records TEXT NOT NULL)""",
    VOCAB_SCHEMA,
]

_CHUNK_COLUMNS = ("c.doc_id, c.idx, c.text, c.norm_start, c.norm_end, c.orig_start, c.orig_end, c.n_tokens, "
                  "substr(d.original, c.orig_start + 1, c.orig_end - c.orig_start)")


@dataclass
class DocumentInfo:
    doc_id: str
    path: str
    title: str
    date: Optional[str]
    outlet: Optional[str]
    url: Optional[str]
    n_chunks: int = 0


@dataclass
class IngestSummary:
    documents: int = 0  # new or changed documents written in this run
    chunks: int = 0  # chunks written in this run
    skipped: int = 0  # unchanged documents
    failed: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)
    pruned: int = 0

    def line(self) -> str:
        out = (f"documents: {self.documents}  chunks: {self.chunks}  skipped: {self.skipped}  "
               f"failed: {self.failed}  seconds: {self.seconds:.1f}")
        return out + (f"  pruned: {self.pruned}" if self.pruned else "")


@dataclass
class _Pending:
    """A prepared document waiting for its batch to be written."""

    path: Path
    size: int
    mtime: float
    source_title: str
    ndoc: NormalisedDocument
    chunks: list[Chunk]
    records: Optional[list[ClusterMention]]


def _chunk_from_row(r) -> Chunk:
    return Chunk(doc_id=r[0], index=r[1], text=r[2], norm_start=r[3], norm_end=r[4], start=r[5], end=r[6],
                 n_tokens=r[7], original_text=r[8])


def _ensure_writable_dir(db: Path) -> None:
    try:
        db.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=db):
            pass
    except OSError as e:
        raise ConfigError(f"index folder {db} is not writable: {e.strerror or e}") from None


def _file_sha256(path: Path) -> Optional[str]:
    """sha256 of the file's bytes; None when the loader will refuse the file anyway (too large, unreadable)."""
    try:
        if path.stat().st_size > max_file_bytes():
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Index:
    batch_chunks = BATCH_CHUNKS

    def __init__(self, settings: Settings, conn: sqlite3.Connection, embeddings=None) -> None:
        self.settings = settings
        self.db = Path(settings.db)
        self.conn = conn
        self._embeddings = embeddings
        self._store = None  # langchain_chroma.Chroma, opened on first use
        self._progress: Optional[ReportingEmbeddings] = None  # the embeddings the store calls
        self._collection = None  # the same collection, raw chromadb handle
        self._keyword: Optional[KeywordIndex] = None
        self._checked_vectors = False
        self._vocab = Vocabulary(conn)
        self._normalised: OrderedDict[str, NormalisedDocument] = OrderedDict()

    # --- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, embeddings=None, create: bool = True) -> "Index":
        """Open (create) the index in settings.db. `embeddings` overrides the ones the settings
        choose (a LangChain Embeddings)."""
        db = Path(settings.db)
        if not create and not (db / STORE_FILE).exists():
            raise ConfigError(f"no index at {db}: run `rag ingest PATH --db {db}` first")
        if create:  # searching a read-only copy of an index is fine
            _ensure_writable_dir(db)
        try:
            conn = sqlite3.connect(db / STORE_FILE, timeout=30, isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
            if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
                with _transaction(conn):
                    for stmt in SCHEMA:
                        conn.execute(stmt)
                    conn.execute("INSERT INTO meta VALUES ('collection', ?)", (f"jiqun-{uuid.uuid4().hex[:12]}",))
                    conn.execute("INSERT INTO meta VALUES ('generation', '0')")
        except sqlite3.DatabaseError as e:
            raise ConfigError(f"cannot open the index store {db / STORE_FILE}: {e}") from None
        index = cls(settings, conn, embeddings)
        if settings.chroma_url:
            index._vectors()  # fail now, in one line, if the server is unreachable
        return index

    def close(self) -> None:
        self.conn.close()
        self._store = self._collection = None

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _meta(self, key: str, default: Optional[str] = None) -> Optional[str]:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    @property
    def embeddings(self):
        if self._embeddings is None:
            self._embeddings = get_embeddings(self.settings)
        return self._embeddings

    def _vectors(self):
        """The LangChain Chroma store (local folder, or a server with --chroma-url)."""
        if self._store is not None:
            return self._store
        built_with, using = self._meta("embeddings"), fingerprint(self.embeddings)
        if built_with and built_with != using:
            raise ConfigError(f"the index at {self.db} was built with {built_with} embeddings, not {using}: "
                              "set RAG_EMBEDDINGS to match or use another --db")
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        if self.settings.chroma_url:
            host, port, ssl = _parse_chroma_url(self.settings.chroma_url)
            try:
                client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
                client.heartbeat()
            except Exception as e:
                first = str(e).splitlines()[0] if str(e) else type(e).__name__
                raise ConfigError(f"cannot reach the Chroma server at {host}:{port}: {first}") from None
        else:
            client = chromadb.PersistentClient(path=str(self.db / CHROMA_DIR), settings=chroma_settings)
        name = self._meta("collection")
        self._progress = ReportingEmbeddings(self.embeddings)
        self._store = Chroma(client=client, collection_name=name, embedding_function=self._progress,
                             collection_configuration={"hnsw": {"space": "cosine"}})
        self._collection = client.get_collection(name)
        return self._store

    # --- reading ----------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        rows = self.conn.execute(
            "SELECT doc_id, path, title, date, outlet, url, n_chunks FROM documents ORDER BY doc_id")
        return [DocumentInfo(*r) for r in rows]

    def document(self, doc_id: str) -> DocumentInfo:
        row = self.conn.execute("SELECT doc_id, path, title, date, outlet, url, n_chunks FROM documents "
                                "WHERE doc_id = ?", (doc_id,)).fetchone()
        if not row:
            raise InputError(doc_id, "no such document in the index")
        return DocumentInfo(*row)

    def original(self, doc_id: str) -> str:
        row = self.conn.execute("SELECT original FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if not row:
            raise InputError(doc_id, "no such document in the index")
        return row[0]

    def normalised(self, doc_id: str) -> NormalisedDocument:
        """The document re-normalised from its stored original (deterministic; cached)."""
        if doc_id in self._normalised:
            self._normalised.move_to_end(doc_id)
            return self._normalised[doc_id]
        row = self.conn.execute("SELECT path, original, encoding, sha256, source_title FROM documents "
                                "WHERE doc_id = ?", (doc_id,)).fetchone()
        if not row:
            raise InputError(doc_id, "no such document in the index")
        path, original, encoding, sha, source_title = row
        ndoc = normalise(Document(doc_id=doc_id, path=path, original=original, encoding=encoding, sha256=sha,
                                  title=source_title))
        read_metadata(ndoc)
        self._normalised[doc_id] = ndoc
        if len(self._normalised) > 64:
            self._normalised.popitem(last=False)
        return ndoc

    def chunks(self, doc_id: Optional[str] = None) -> list[Chunk]:
        q = f"SELECT {_CHUNK_COLUMNS} FROM chunks c JOIN documents d USING (doc_id)"
        if doc_id is None:
            return [_chunk_from_row(r) for r in self.conn.execute(q + " ORDER BY c.doc_id, c.idx")]
        return [_chunk_from_row(r) for r in self.conn.execute(q + " WHERE c.doc_id = ? ORDER BY c.idx", (doc_id,))]

    def chunks_by_id(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        out: dict[str, Chunk] = {}
        ids = list(chunk_ids)
        for s in range(0, len(ids), 500):
            part = ids[s:s + 500]
            q = (f"SELECT c.chunk_id, {_CHUNK_COLUMNS} FROM chunks c JOIN documents d USING (doc_id) "
                 f"WHERE c.chunk_id IN ({','.join('?' * len(part))})")
            out.update((r[0], _chunk_from_row(r[1:])) for r in self.conn.execute(q, part))
        return out

    def chunk_texts(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """The normalised text of each chunk id (cheaper than chunks_by_id: no original text)."""
        out: dict[str, str] = {}
        ids = list(chunk_ids)
        for s in range(0, len(ids), 500):
            part = ids[s:s + 500]
            q = f"SELECT chunk_id, text FROM chunks WHERE chunk_id IN ({','.join('?' * len(part))})"
            out.update(self.conn.execute(q, part))
        return out

    def clusters(self, doc_id: Optional[str] = None) -> list[ClusterMention]:
        if doc_id is None:
            rows = self.conn.execute("SELECT records FROM clusters ORDER BY doc_id")
        else:
            rows = self.conn.execute("SELECT records FROM clusters WHERE doc_id = ?", (doc_id,))
        return [ClusterMention.model_validate(r) for (records,) in rows for r in json.loads(records)]

    def set_clusters(self, doc_id: str, records: Iterable[ClusterMention]) -> None:
        self.original(doc_id)  # raises for an unknown document
        payload = json.dumps([r.model_dump(mode="json") for r in records], ensure_ascii=False)
        with _transaction(self.conn):
            self.conn.execute("INSERT OR REPLACE INTO clusters (doc_id, records) VALUES (?, ?)", (doc_id, payload))

    def count_chunks(self) -> int:
        return self.conn.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]

    def search(self, query: str, k: int = 5, doc_ids: Optional[Sequence[str]] = None,
               date_from: Optional[str] = None, date_to: Optional[str] = None):
        from .retrieve import search

        return search(self, query, k=k, doc_ids=doc_ids, date_from=date_from, date_to=date_to)

    # --- the two rankings retrieve.py fuses ---------------------------------------------

    def keyword_index(self) -> KeywordIndex:
        """The in-memory BM25 index for the store's current state (disk cache, else rebuilt)."""
        tag = f"{self._meta('collection')}:{self._meta('generation')}"
        if self._keyword is not None and self._keyword.tag == tag:
            return self._keyword
        cached = KeywordIndex.load(self.db / KEYWORD_FILE)
        if cached is None or cached.tag != tag:
            rows = self.conn.execute("SELECT chunk_id, doc_id, terms FROM chunks ORDER BY doc_id, idx")
            cached = KeywordIndex.build(rows, tag)
            try:
                cached.save(self.db / KEYWORD_FILE)
            except OSError:
                pass  # a read-only index still searches; it just rebuilds next time
        self._keyword = cached
        return cached

    def keyword_ranking(self, folded_query: str, n: int, allowed_docs: Optional[set[str]] = None) -> list[str]:
        kw = self.keyword_index()
        term_ids = self._vocab.ids(tokenize(folded_query), add=False)
        return [cid for cid, _ in kw.top(term_ids, n, allowed_docs)]

    def dense_ranking(self, folded_query: str, n: int, allowed_docs: Optional[set[str]] = None) -> list[str]:
        store = self._vectors()
        if not self._checked_vectors:
            if self.count_chunks() and not self.vector_count():
                raise ConfigError(f"the vector store holds no vectors for the index at {self.db}: run `rag ingest` "
                                  "again (with the same --chroma-url) to rebuild them")
            self._checked_vectors = True
        where = None
        if allowed_docs is not None:
            where = {"doc_id": {"$in": sorted(allowed_docs)}}
        with self._chroma():
            vector = self._progress.embed_query(folded_query)
            found = store.similarity_search_by_vector_with_relevance_scores(vector, k=n, filter=where)
        shas = self._shas({d.metadata.get("doc_id") for d, _ in found})
        # A vector whose document changed since (an interrupted ingest) does not rank anything.
        return [d.id for d, _ in found if shas.get(d.metadata.get("doc_id")) == d.metadata.get("sha256")]

    def _describe_failure(self, e: Exception) -> str:
        """One line for a failing embeddings model/endpoint or vector store (no keys, no URL secrets)."""
        if isinstance(e, EmbeddingFailed):
            cause = e.__cause__ or e
            status = getattr(cause, "status_code", None)
            detail = f"HTTP {status}" if status else _one_line(cause)
            name = fingerprint(self.embeddings)
            if name.startswith("openai:"):
                return f"the embeddings endpoint {safe_url(self.settings.embeddings.base_url)} ({name}) failed: {detail}"
            return f"the embeddings ({name}) failed: {detail}"
        where = f"the Chroma server at {safe_url(self.settings.chroma_url)}" if self.settings.chroma_url else "the vector store"
        return f"{where} failed: {_one_line(e)}"

    @contextlib.contextmanager
    def _chroma(self):
        """Around calls into Chroma (and, through it, the embeddings): failures become one line."""
        try:
            yield
        except RagError:
            raise
        except Exception as e:
            raise ConfigError(self._describe_failure(e)) from None

    def vector_count(self) -> int:
        self._vectors()
        with self._chroma():
            return self._collection.count()

    def _shas(self, doc_ids: Iterable[str]) -> dict[str, str]:
        ids = [d for d in doc_ids if d]
        if not ids:
            return {}
        q = f"SELECT doc_id, sha256 FROM documents WHERE doc_id IN ({','.join('?' * len(ids))})"
        return dict(self.conn.execute(q, ids))

    def allowed_docs(self, doc_ids: Optional[Sequence[str]], date_from: Optional[str],
                     date_to: Optional[str]) -> Optional[set[str]]:
        """The documents a search may return; None when unrestricted."""
        if not doc_ids and not date_from and not date_to:
            return None
        rows = self.conn.execute("SELECT doc_id, date FROM documents").fetchall()
        known = {d for d, _ in rows}
        for d in doc_ids or []:
            if d not in known:
                raise InputError(d, "no such document in the index")
        allowed = set(doc_ids) if doc_ids else set(known)
        for doc_id, date in rows:
            if date_from and not (date and date[:len(date_from)] >= date_from):
                allowed.discard(doc_id)
            if date_to and not (date and date[:len(date_to)] <= date_to):
                allowed.discard(doc_id)
        return allowed

    # --- writing ----------------------------------------------------------------------

    def ingest(self, paths: Iterable[str | os.PathLike], prune: bool = False, progress: bool = True,
               extract: Optional[Extract] = None) -> IngestSummary:
        """Index new and changed files; skip unchanged ones (same sha256). `extract` (optional)
        gives the cluster records stored for each written document."""
        t0 = time.perf_counter()
        summary = IngestSummary()
        files, problems = find_files(paths)
        summary.errors.extend(problems)
        todo = self._plan(files, summary, extract)
        # Opening a local Chroma folder rewrites its files, so an unchanged corpus leaves it alone.
        # A server is checked every time: a new, empty server gets this index's vectors again.
        if self._meta("dirty") or todo or (self.settings.chroma_url and self.vector_count() != self.count_chunks()):
            self._sync_vectors()
        bar = _progress_bar(len(todo), progress)
        if todo:
            self._vectors()
            self._progress.report = lambda n: bar.set_postfix_str(f"{summary.chunks + n} chunks", refresh=True)
        batch: list[_Pending] = []
        try:
            for path, size, mtime in todo:
                pending = self._prepare_one(path, size, mtime, extract, summary)
                if pending:
                    batch.append(pending)
                if sum(len(p.chunks) for p in batch) >= self.batch_chunks:
                    self._write_batch(batch, summary)
                    bar.update(len(batch))
                    batch = []
            if batch:
                self._write_batch(batch, summary)
                bar.update(len(batch))
        finally:
            bar.close()
            if self._progress:
                self._progress.report = None
        if prune:
            summary.pruned = self._prune()
        if self._meta("dirty"):
            self.keyword_index()  # rebuild the BM25 cache now rather than on the first search
            with _transaction(self.conn):
                self.conn.execute("DELETE FROM meta WHERE key = 'dirty'")
        summary.failed = len(summary.errors)
        summary.seconds = time.perf_counter() - t0
        return summary

    def _plan(self, files: list[Path], summary: IngestSummary, extract: Optional[Extract]):
        """(path, size, mtime) of the files to (re)index; counts unchanged files as skipped."""
        known = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT d.doc_id, d.path, d.sha256, c.doc_id IS NOT NULL FROM documents d "
            "LEFT JOIN clusters c USING (doc_id)")}
        seen: dict[str, Path] = {}
        todo = []
        for f in files:
            doc_id, resolved = f.stem, f.resolve()
            if doc_id in seen:
                summary.errors.append((str(f), f"duplicate document id '{doc_id}': {seen[doc_id]} has the same "
                                               "file name stem (rename one)"))
                continue
            seen[doc_id] = f
            try:
                st = f.stat()
            except OSError as e:
                summary.errors.append((str(f), e.strerror or "cannot read"))
                continue
            if doc_id in known:
                old_path, old_sha, has_clusters = known[doc_id]
                if old_path != str(resolved) and Path(old_path).exists():
                    summary.errors.append((str(f), f"duplicate document id '{doc_id}': {old_path} is already indexed "
                                                   "under that id (rename one)"))
                    continue
                if _file_sha256(f) == old_sha:
                    if old_path != str(resolved):  # the file moved: same content, new place
                        with _transaction(self.conn):
                            self.conn.execute("UPDATE documents SET path = ? WHERE doc_id = ?", (str(resolved), doc_id))
                    if extract is not None and not has_clusters:
                        self._extract_stored(doc_id, f, extract, summary)
                    summary.skipped += 1
                    continue
            todo.append((f, st.st_size, st.st_mtime))
        return todo

    def _extract_stored(self, doc_id: str, path: Path, extract: Extract, summary: IngestSummary) -> None:
        """Cluster records for an unchanged document indexed without them (no re-embedding)."""
        try:
            self.set_clusters(doc_id, extract(self.normalised(doc_id)))
        except Exception as e:  # the document stays indexed; the next ingest tries again
            summary.errors.append((str(path), f"cluster extraction failed: {_one_line(e)}"))

    def _prepare_one(self, path: Path, size: int, mtime: float, extract: Optional[Extract],
                     summary: IngestSummary) -> Optional[_Pending]:
        try:
            doc = load_document(path)
            source_title = doc.title  # kept so `normalised()` can redo exactly this later
            ndoc = normalise(doc)
            read_metadata(ndoc)
            chunks = chunk_document(ndoc)
        except RagError as e:
            summary.errors.append((str(path), e.reason if isinstance(e, InputError) else str(e)))
            return None
        except Exception as e:  # a bug in a pipeline stage: report the file, keep going
            summary.errors.append((str(path), f"could not be processed: {_one_line(e)}"))
            return None
        if not chunks:
            summary.errors.append((str(path), "no article text left after removing page boilerplate"))
            return None
        records = None
        if extract is not None:
            try:
                records = list(extract(ndoc))
            except Exception as e:  # indexed without records; the next ingest tries extraction again
                summary.errors.append((str(path), f"indexed, but cluster extraction failed: {_one_line(e)}"))
        return _Pending(path, size, mtime, source_title, ndoc, chunks, records)

    def _write_batch(self, batch: list[_Pending], summary: IngestSummary) -> None:
        old_ids = {}
        for p in batch:
            doc_id = p.ndoc.doc.doc_id
            old_ids[doc_id] = [r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
        self._mark_dirty()
        chunks = [c for p in batch for c in p.chunks]
        sha = {p.ndoc.doc.doc_id: p.ndoc.doc.sha256 for p in batch}
        self._add_vectors(chunks, sha)
        terms = [tokenize(c.text) for c in chunks]
        try:
            with _transaction(self.conn):
                self.conn.execute("INSERT OR IGNORE INTO meta VALUES ('embeddings', ?)", (fingerprint(self.embeddings),))
                term_blobs = iter([pack_terms(self._vocab.ids(t, add=True)) for t in terms])
                for p in batch:
                    self._write_document(p, term_blobs)
                self._bump_generation()
        except BaseException:
            self._vocab.forget_cache()
            raise
        stale = [i for p in batch for i in old_ids[p.ndoc.doc.doc_id] if i not in {c.chunk_id for c in p.chunks}]
        if stale:
            with self._chroma():
                self._store.delete(ids=stale)
        summary.documents += len(batch)
        summary.chunks += len(chunks)

    def _write_document(self, p: _Pending, term_blobs) -> None:
        d = p.ndoc.doc
        self.conn.execute("DELETE FROM documents WHERE doc_id = ?", (d.doc_id,))  # cascades to chunks, clusters
        self.conn.execute(
            "INSERT INTO documents (doc_id, path, sha256, size, mtime, title, date, outlet, url, encoding, "
            "source_title, original, n_chunks) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (d.doc_id, str(p.path.resolve()), d.sha256, p.size, p.mtime, d.title, d.date, d.outlet, d.url,
             d.encoding, p.source_title, d.original, len(p.chunks)))
        self.conn.executemany(
            "INSERT INTO chunks (chunk_id, doc_id, idx, text, norm_start, norm_end, orig_start, orig_end, n_tokens, "
            "terms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(c.chunk_id, c.doc_id, c.index, c.text, c.norm_start, c.norm_end, c.start, c.end, c.n_tokens,
              next(term_blobs)) for c in p.chunks])
        if p.records is not None:
            payload = json.dumps([r.model_dump(mode="json") for r in p.records], ensure_ascii=False)
            self.conn.execute("INSERT INTO clusters (doc_id, records) VALUES (?, ?)", (d.doc_id, payload))

    def _add_vectors(self, chunks: list[Chunk], sha: dict[str, str]) -> None:
        store = self._vectors()
        with self._chroma():
            store.add_texts([c.text for c in chunks], ids=[c.chunk_id for c in chunks],
                            metadatas=[{"doc_id": c.doc_id, "index": c.index, "sha256": sha[c.doc_id]} for c in chunks])

    def _prune(self) -> int:
        """Drop documents whose files are gone. Returns how many."""
        gone = [d for d, path in self.conn.execute("SELECT doc_id, path FROM documents") if not Path(path).exists()]
        if not gone:
            return 0
        ids = [r[0] for d in gone for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (d,))]
        self._mark_dirty()
        with _transaction(self.conn):
            self.conn.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in gone])
            self._bump_generation()
        if ids:
            with self._chroma():
                self._vectors().delete(ids=ids)
        return len(gone)

    def _sync_vectors(self) -> None:
        """Make Chroma hold exactly SQLite's chunks (after an interrupted ingest or on a new server)."""
        store = self._vectors()
        with self._chroma():
            have = store.get(include=["metadatas"])
        have_sha = {i: (m or {}).get("sha256") for i, m in zip(have["ids"], have["metadatas"])}
        rows = self.conn.execute("SELECT c.chunk_id, c.doc_id, c.idx, c.text, d.sha256 FROM chunks c "
                                 "JOIN documents d USING (doc_id) ORDER BY c.doc_id, c.idx").fetchall()
        wanted = {r[0] for r in rows}
        extra = [i for i in have_sha if i not in wanted]
        missing = [r for r in rows if have_sha.get(r[0]) != r[4]]
        if not (extra or missing):
            return
        self._mark_dirty()
        if extra:
            with self._chroma():
                store.delete(ids=extra)
        for s in range(0, len(missing), self.batch_chunks):
            part = missing[s:s + self.batch_chunks]
            chunks = [Chunk(doc_id=r[1], index=r[2], text=r[3], norm_start=0, norm_end=0, start=0, end=0) for r in part]
            self._add_vectors(chunks, {r[1]: r[4] for r in part})

    def _mark_dirty(self) -> None:
        if not self._meta("dirty"):
            with _transaction(self.conn):
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('dirty', '1')")

    def _bump_generation(self) -> None:
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (autocommit connection)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self):
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        self.conn.execute("COMMIT" if exc_type is None else "ROLLBACK")
        return False


def _parse_chroma_url(url: str) -> tuple[str, int, bool]:
    p = urlsplit(url if "://" in url else f"http://{url}")
    try:
        port = p.port
    except ValueError:
        port = None
        p = p._replace(netloc="")
    if p.scheme not in ("http", "https") or not p.hostname:
        raise ConfigError(f"--chroma-url must look like http://host:port, not {url!r}")
    return p.hostname, port or (443 if p.scheme == "https" else 8000), p.scheme == "https"


def _one_line(e: BaseException) -> str:
    text = str(e).strip().splitlines()
    return f"{type(e).__name__}: {text[0]}" if text else type(e).__name__


class _NoBar:
    def update(self, n: int = 1) -> None:
        pass

    def set_postfix_str(self, s: str = "", refresh: bool = True) -> None:
        pass

    def close(self) -> None:
        pass


def _progress_bar(total: int, wanted: bool):
    """A tqdm bar on stderr when wanted, worth it, and stderr is a terminal."""
    if not wanted or total < 2 or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="doc", desc="ingest", file=sys.stderr, leave=False)
