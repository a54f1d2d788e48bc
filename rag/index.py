"""The index: a SQLite store plus a Chroma collection of chunk vectors (through LangChain).

SQLite (`store.sqlite3` in the DB folder) is the source of truth: documents with their
ORIGINAL text, chunks with their keyword terms, cluster records. Chroma only ranks: every hit
is read back from SQLite, so offsets and text always agree with the stored original.

Writing (ingest, crash repair, pruning) is in rag/ingest.py.
"""
from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional, Sequence
from urllib.parse import urlsplit

from .config import Settings, env
from .core.types import Chunk, Document, NormalisedDocument
from .embed import EmbeddingFailed, ReportingEmbeddings, fingerprint, get_embeddings, safe_url
from .errors import ConfigError, InputError, RagError, one_line
from .ingest import Extract, IngestSummary, Ingesting  # noqa: F401  (IngestSummary, Extract: part of this module's API)
from .io import select_in, transaction
from .keyword import VOCAB_SCHEMA, KeywordIndex, Vocabulary, tokenize
from .lock import WriterLock
from .metadata import read_metadata
from .normalise import normalise
from .schemas import ClusterMention, ListRecord
from .vectorstore import CHROMA_DIR, check_server, private_copy, writable_tree

STORE_FILE = "store.sqlite3"
KEYWORD_FILE = "keyword.npz"
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
    """CREATE TABLE IF NOT EXISTS lists (
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
    n_clusters: int = 0  # cluster records stored for the document


def _connect(db: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(db / STORE_FILE, timeout=30, isolation_level=None)
        conn.execute("PRAGMA foreign_keys = ON")
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'meta'").fetchone():
            with transaction(conn):
                for stmt in SCHEMA:
                    conn.execute(stmt)
                conn.execute("INSERT INTO meta VALUES ('collection', ?)", (f"jiqun-{uuid.uuid4().hex[:12]}",))
                conn.execute("INSERT INTO meta VALUES ('generation', '0')")
    except sqlite3.Error as e:
        raise store_error(db, e) from None
    return conn


def _chunk_from_row(r) -> Chunk:
    return Chunk(doc_id=r[0], index=r[1], text=r[2], norm_start=r[3], norm_end=r[4], start=r[5], end=r[6],
                 n_tokens=r[7], original_text=r[8])


def _ensure_writable_dir(db: Path) -> None:
    if db.exists() and not db.is_dir():
        raise ConfigError(f"index folder {db} is a file, not a folder: choose another --db")
    try:
        db.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=db):
            pass
    except OSError as e:
        raise ConfigError(f"index folder {db} is not writable: {e.strerror or e}") from None


def store_error(db: Path, e: sqlite3.Error) -> ConfigError:
    """A failing index store as one line, with what to do about it."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    where = Path(db) / STORE_FILE
    if any(w in text for w in ("malformed", "not a database", "disk image", "file is encrypted")):
        return ConfigError(f"the index store {where} is damaged ({text}): move the folder {db} away and run "
                           f"`rag ingest PATH --db {db}` to build the index again")
    if "readonly" in text or "read-only" in text:
        return ConfigError(f"the index store {where} is read-only ({text}): rag ingest needs to write it")
    return ConfigError(f"cannot use the index store {where}: {text}")


class Index(Ingesting):
    def __init__(self, settings: Settings, conn: sqlite3.Connection, embeddings=None) -> None:
        self.settings = settings
        self.db = Path(settings.db)
        self.conn = conn
        self._embeddings = embeddings
        self._store = None  # langchain_chroma.Chroma, opened on first use
        self._progress: Optional[ReportingEmbeddings] = None  # the embeddings the store calls
        self._collection = None  # the same collection, raw chromadb handle
        self._client = None
        self._keyword: Optional[KeywordIndex] = None
        self._checked_vectors = False
        self._vocab = Vocabulary(conn)
        self._normalised: OrderedDict[str, NormalisedDocument] = OrderedDict()
        self._lock: Optional[WriterLock] = None

    # --- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, settings: Settings, embeddings=None, create: bool = True) -> "Index":
        """Open the index in settings.db: to write (create=True: made if missing, one writer at a
        time) or to read (never waits for a writer). `embeddings` overrides the ones the settings
        choose (a LangChain Embeddings)."""
        db = Path(settings.db)
        if not create and not (db / STORE_FILE).is_file():
            if db.is_file():
                raise ConfigError(f"{db} is a file, not an index folder: give --db the folder `rag ingest` made")
            raise ConfigError(f"no index at {db}: run `rag ingest PATH --db {db}` first")
        lock = None
        if create:  # searching a read-only copy of an index is fine
            _ensure_writable_dir(db)
            lock = WriterLock(db, env().RAG_LOCK_TIMEOUT).acquire()
        try:
            conn = _connect(db)
            index = cls(settings, conn, embeddings)
            index._lock = lock
            if settings.chroma_url:
                index._vectors()  # fail now, in one line, if the server is unreachable
        except BaseException:
            if lock:
                lock.release()
            raise
        return index

    def close(self) -> None:
        self.conn.close()
        self._store = self._collection = None
        if self._lock:
            self._lock.release()
            self._lock = None

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
            check_server(host, port, ssl, f"{host}:{port}")
            try:
                client = chromadb.HttpClient(host=host, port=port, ssl=ssl, settings=chroma_settings)
                client.heartbeat()
            except Exception as e:
                raise ConfigError(f"cannot use the Chroma server at {host}:{port}: {one_line(e)}") from None
        else:
            folder = self.db / CHROMA_DIR
            if not folder.is_dir() and not self._lock:  # a reader does not make an empty store
                raise ConfigError(f"the vector store {folder} is missing: run `rag ingest --rebuild --db {self.db}` "
                                  "to rebuild it from the index store")
            if not self._lock and not writable_tree(folder):
                folder = private_copy(folder)  # opening writes to the folder; a read-only index still searches
            with self._chroma():
                client = chromadb.PersistentClient(path=str(folder), settings=chroma_settings)
        name = self._meta("collection")
        self._progress = ReportingEmbeddings(self.embeddings)
        self._store = Chroma(client=client, collection_name=name, embedding_function=self._progress,
                             collection_configuration={"hnsw": {"space": "cosine"}})
        self._client = client
        self._collection = client.get_collection(name)
        return self._store

    # --- reading ----------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        rows = self.conn.execute(
            "SELECT d.doc_id, d.path, d.title, d.date, d.outlet, d.url, d.n_chunks, "
            "COALESCE(json_array_length(c.records), 0) FROM documents d LEFT JOIN clusters c USING (doc_id) "
            "ORDER BY d.doc_id")
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
        q = (f"SELECT c.chunk_id, {_CHUNK_COLUMNS} FROM chunks c JOIN documents d USING (doc_id) "
             "WHERE c.chunk_id IN ({marks})")
        return {r[0]: _chunk_from_row(r[1:]) for r in select_in(self.conn, q, chunk_ids)}

    def chunk_texts(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """The normalised text of each chunk id (cheaper than chunks_by_id: no original text)."""
        return dict(select_in(self.conn, "SELECT chunk_id, text FROM chunks WHERE chunk_id IN ({marks})", chunk_ids))

    def clusters(self, doc_id: Optional[str] = None) -> list[ClusterMention]:
        if doc_id is None:
            rows = self.conn.execute("SELECT records FROM clusters ORDER BY doc_id")
        else:
            rows = self.conn.execute("SELECT records FROM clusters WHERE doc_id = ?", (doc_id,))
        return [ClusterMention.model_validate(r) for (records,) in rows for r in json.loads(records)]

    def set_clusters(self, doc_id: str, records: Iterable[ClusterMention],
                     lists: Optional[Iterable[ListRecord]] = None) -> None:
        self.original(doc_id)  # raises for an unknown document
        with transaction(self.conn):
            self._store_extraction(doc_id, records, lists)

    def _store_extraction(self, doc_id: str, records: Iterable[ClusterMention],
                          lists: Optional[Iterable[ListRecord]]) -> None:
        payload = json.dumps([r.model_dump(mode="json") for r in records], ensure_ascii=False)
        self.conn.execute("INSERT OR REPLACE INTO clusters (doc_id, records) VALUES (?, ?)", (doc_id, payload))
        if lists is not None:
            payload = json.dumps([r.model_dump(mode="json") for r in lists], ensure_ascii=False)
            self.conn.execute("INSERT OR REPLACE INTO lists (doc_id, records) VALUES (?, ?)", (doc_id, payload))

    def lists(self, doc_id: Optional[str] = None) -> list[ListRecord]:
        """The lists the indexed articles report (one ListRecord per list), in document order."""
        if doc_id is None:
            rows = self.conn.execute("SELECT records FROM lists ORDER BY doc_id")
        else:
            rows = self.conn.execute("SELECT records FROM lists WHERE doc_id = ?", (doc_id,))
        return [ListRecord.model_validate(r) for (records,) in rows for r in json.loads(records)]

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
                raise ConfigError(f"the vector store holds no vectors for the index at {self.db}: run "
                                  f"`rag ingest --rebuild --db {self.db}`"
                                  + (" --chroma-url URL" if self.settings.chroma_url else "") + " to rebuild them")
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
            detail = f"HTTP {status}" if status else one_line(cause)
            name = fingerprint(self.embeddings)
            if name.startswith("openai:"):
                return f"the embeddings endpoint {safe_url(self.settings.embeddings.base_url)} ({name}) failed: {detail}"
            return f"the embeddings ({name}) failed: {detail}"
        if self.settings.chroma_url:
            return f"the Chroma server at {safe_url(self.settings.chroma_url)} failed: {one_line(e)}"
        return (f"the vector store {self.db / CHROMA_DIR} failed ({one_line(e)}): run `rag ingest --rebuild --db "
                f"{self.db}` to rebuild it from the index store")

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
