"""Writing the index: new and changed files in, unchanged ones skipped, vanished ones pruned.

A batch of changed documents is written in this order, so a document is never half-written:
1. the `dirty` flag is committed in SQLite;
2. Chroma upserts the new chunk vectors (ids `doc_id#i`, metadata carries the file's sha256);
3. one SQLite transaction writes documents, chunks, keyword terms, cluster records;
4. Chroma deletes the ids the documents no longer have.
A crash after 1 leaves Chroma ahead of or behind SQLite; the next ingest sees the flag (or
vector ids that differ from the chunk ids: a new Chroma server, a deleted chroma folder) and
re-embeds what is missing from SQLite's chunks (`_sync_vectors`); `--rebuild` drops the vectors
and re-embeds them all. Until then search ignores vectors whose sha256 does not match the
stored document. Only one process writes at a time (rag/lock.py, taken by Index.open).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Optional

from .chunk import EMBED_MAX_CHARS, chunk_document
from .clean import has_article_text
from .core.types import Chunk, NormalisedDocument
from .embed import fingerprint
from .errors import InputError, RagError, one_line
from .io import transaction
from .keyword import pack_terms, tokenize
from .load import Found, Source, find_sources, free_id, load_document, read_bounded
from .metadata import read_metadata
from .normalise import normalise
from .prepare import NO_ARTICLE_TEXT
from .progress import Status
from .schemas import ClusterMention
from .vectorstore import CHROMA_DIR, forget_local, stored_ids

# Chunks written together. Chroma's upsert has a large fixed cost per call (4,096 vectors:
# 28 s in calls of 32, 8.6 s in calls of 512), so batches are large; the progress bar still
# moves with every slice of embeddings (see ReportingEmbeddings).
BATCH_CHUNKS = 256

# A document's cluster records, or (records, lists): the lists it reports (rag.extract.offline).
Extract = Callable[[NormalisedDocument], object]


def _split_extraction(result) -> tuple[list[ClusterMention], Optional[list]]:
    if hasattr(result, "records") and hasattr(result, "lists"):
        return list(result.records), list(result.lists)
    return list(result), None


@dataclass
class IngestSummary:
    documents: int = 0  # new or changed documents written in this run
    chunks: int = 0  # chunks written in this run
    unchanged: int = 0  # documents already indexed with the same content
    failed: int = 0
    seconds: float = 0.0
    errors: list[tuple[str, str]] = field(default_factory=list)
    pruned: int = 0
    repaired: int = 0  # stored chunks whose missing vectors were embedded again
    unsupported: Counter = field(default_factory=Counter)  # suffix → files in the folders that were not read
    ids: dict[str, str] = field(default_factory=dict)  # source path → document id, for every file of the run

    @property
    def skipped(self) -> int:
        """Files in the folders that were not read (unsupported types)."""
        return sum(self.unsupported.values())

    def line(self) -> str:
        found = Found(unsupported=self.unsupported)
        out = (f"documents: {self.documents}  chunks: {self.chunks}  unchanged: {self.unchanged}  "
               f"{found.skipped_line()}  failed: {self.failed}  seconds: {self.seconds:.1f}")
        out += f"  pruned: {self.pruned}" if self.pruned else ""
        return out + (f"  vectors rebuilt: {self.repaired}" if self.repaired else "")


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
    lists: Optional[list] = None


def _rules_version(extract) -> str:
    """The version of the rules behind `extract` (its `rules_version` attribute, else its name)."""
    owner = getattr(extract, "__self__", extract)
    return str(getattr(owner, "rules_version", getattr(extract, "__qualname__", "extract")))


def _file_sha256(path: Path) -> Optional[str]:
    """sha256 of the file's bytes; None when the loader will refuse the file anyway (too large,
    unreadable, not a regular file)."""
    try:
        return hashlib.sha256(read_bounded(path)).hexdigest()
    except InputError:
        return None


class Ingesting:
    """Index's writing half (a mixin: it works on the Index's SQLite connection and vectors)."""

    batch_chunks = BATCH_CHUNKS

    def ingest(self, paths: Iterable[str | os.PathLike], prune: bool = False, progress: bool = True,
               extract: Optional[Extract] = None, rebuild: bool = False) -> IngestSummary:
        """Index new and changed files; skip unchanged ones (same sha256). `extract` (optional)
        gives the cluster records stored for each written document. Stored chunks whose vectors
        are missing are embedded again; `rebuild` embeds every stored chunk again."""
        t0 = time.perf_counter()
        summary = IngestSummary()
        found = find_sources(paths)
        summary.errors.extend(found.problems)
        summary.unsupported = found.unsupported
        todo = self._plan(found.sources, summary, extract)
        if rebuild:
            self._drop_vectors()
        if rebuild or self._meta("dirty") or todo or self._vectors_missing():
            summary.repaired = self._sync_vectors()
        status = Status("ingest", len(todo), enabled=progress)
        if todo:
            self._vectors()
            self._progress.report = lambda n: status.note(f"embedding {n}/{pending_chunks[0]} chunks")
        batch: list[_Pending] = []
        pending_chunks = [0]
        try:
            for path, doc_id, size, mtime in todo:
                status.start(str(path))
                pending = self._prepare_one(path, doc_id, size, mtime, extract, summary)
                if pending:
                    batch.append(pending)
                status.advance(1)
                if sum(len(p.chunks) for p in batch) >= self.batch_chunks:
                    pending_chunks[0] = sum(len(p.chunks) for p in batch)
                    self._write_batch(batch, summary)
                    status.note(f"{summary.chunks} chunks indexed")
                    batch = []
            if batch:
                pending_chunks[0] = sum(len(p.chunks) for p in batch)
                self._write_batch(batch, summary)
        finally:
            status.close()
            if self._progress:
                self._progress.report = None
        if prune:
            summary.pruned = self._prune()
        if self._meta("dirty"):
            self.keyword_index()  # rebuild the BM25 cache now rather than on the first search
            with transaction(self.conn):
                self.conn.execute("DELETE FROM meta WHERE key = 'dirty'")
        summary.failed = len(summary.errors)
        summary.seconds = time.perf_counter() - t0
        return summary

    def _plan(self, sources: list[Source], summary: IngestSummary, extract: Optional[Extract]):
        """(path, doc_id, size, mtime) of the files to (re)index; counts unchanged files."""
        # Records made by older rules are made again (no re-embedding): the rules' version is stored.
        stale_rules = extract is not None and self._meta("extractor") != _rules_version(extract)
        known = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT d.doc_id, d.path, d.sha256, c.doc_id IS NOT NULL AND NOT ? FROM documents d "
            "LEFT JOIN clusters c USING (doc_id)", (stale_rules,))}
        by_path = {v[0]: k for k, v in known.items()}
        taken: dict[str, str] = {}  # doc_id → resolved path, in this run
        todo = []
        for src in sources:
            f, resolved = src.path, str(src.path.resolve())
            doc_id = by_path.get(resolved) or free_id(src, resolved, known, taken)
            taken[doc_id] = resolved
            summary.ids[str(f)] = doc_id
            try:
                st = f.stat()
            except OSError as e:
                summary.errors.append((str(f), e.strerror or "cannot read"))
                continue
            if doc_id in known:
                old_path, old_sha, has_clusters = known[doc_id]
                if _file_sha256(f) == old_sha:
                    if old_path != resolved:  # the file moved: same content, new place
                        with transaction(self.conn):
                            self.conn.execute("UPDATE documents SET path = ? WHERE doc_id = ?", (resolved, doc_id))
                    if extract is not None and not has_clusters:
                        self._extract_stored(doc_id, f, extract, summary)
                    summary.unchanged += 1
                    continue
            todo.append((f, doc_id, st.st_size, st.st_mtime))
        if stale_rules and not summary.errors:
            with transaction(self.conn):
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('extractor', ?)", (_rules_version(extract),))
        return todo

    def _extract_stored(self, doc_id: str, path: Path, extract: Extract, summary: IngestSummary) -> None:
        """Cluster records for an unchanged document indexed without them (no re-embedding)."""
        try:
            self.set_clusters(doc_id, *_split_extraction(extract(self.normalised(doc_id))))
        except Exception as e:  # the document stays indexed; the next ingest tries again
            summary.errors.append((str(path), f"cluster extraction failed: {one_line(e)}"))

    def _prepare_one(self, path: Path, doc_id: str, size: int, mtime: float, extract: Optional[Extract],
                     summary: IngestSummary) -> Optional[_Pending]:
        try:
            doc = load_document(path, doc_id)
            source_title = doc.title  # kept so `normalised()` can redo exactly this later
            ndoc = normalise(doc)
            if not has_article_text(ndoc.text):
                raise InputError(str(path), NO_ARTICLE_TEXT)
            read_metadata(ndoc)
            chunks = chunk_document(ndoc, max_chars=EMBED_MAX_CHARS)
        except RagError as e:
            summary.errors.append((str(path), e.reason if isinstance(e, InputError) else str(e)))
            return None
        except Exception as e:  # a bug in a pipeline stage: report the file, keep going
            summary.errors.append((str(path), f"could not be processed: {one_line(e)}"))
            return None
        if not chunks:
            summary.errors.append((str(path), "no article text left after removing page boilerplate"))
            return None
        records = lists = None
        if extract is not None:
            try:
                records, lists = _split_extraction(extract(ndoc))
            except Exception as e:  # indexed without records; the next ingest tries extraction again
                summary.errors.append((str(path), f"indexed, but cluster extraction failed: {one_line(e)}"))
        return _Pending(path, size, mtime, source_title, ndoc, chunks, records, lists)

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
            with transaction(self.conn):
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
            self._store_extraction(d.doc_id, p.records, p.lists)

    def _add_vectors(self, chunks: list[Chunk], sha: dict[str, str]) -> None:
        store = self._vectors()
        with self._chroma():
            store.add_texts([c.text for c in chunks], ids=[c.chunk_id for c in chunks],
                            metadatas=[{"doc_id": c.doc_id, "index": c.index, "sha256": sha[c.doc_id]} for c in chunks])

    def _prune(self) -> int:
        """Drop documents whose files are gone. Returns how many."""
        gone = [d for d, path in self.conn.execute("SELECT doc_id, path FROM documents") if not Path(path).exists()]
        self._delete_documents(gone)
        return len(gone)

    def remove(self, doc_ids: Iterable[str]) -> list[str]:
        """Remove documents from the index: chunks, vectors, keyword terms, cluster records and
        lists, in one SQLite transaction (vectors after it; a crash in between is repaired by the
        next ingest, as for any batch). Every id must be indexed, else nothing is removed."""
        doc_ids = list(dict.fromkeys(doc_ids))
        known = {r[0] for r in self.conn.execute("SELECT doc_id FROM documents")}
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise InputError(unknown[0], "no such document in the index (see `rag docs list`)")
        self._delete_documents(doc_ids)
        if self._meta("dirty"):
            self.keyword_index()
            with transaction(self.conn):
                self.conn.execute("DELETE FROM meta WHERE key = 'dirty'")
        return doc_ids

    def _delete_documents(self, doc_ids: list[str]) -> None:
        if not doc_ids:
            return
        ids = [r[0] for d in doc_ids for r in self.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (d,))]
        self._mark_dirty()
        with transaction(self.conn):  # cascades to chunks (and their keyword terms), clusters, lists
            self.conn.executemany("DELETE FROM documents WHERE doc_id = ?", [(d,) for d in doc_ids])
            self._bump_generation()
        if ids:
            with self._chroma():
                self._vectors().delete(ids=ids)

    def _sync_vectors(self) -> int:
        """Make Chroma hold exactly SQLite's chunks (after an interrupted ingest, on a new server,
        after vectors were lost). Returns how many chunks were embedded again."""
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
            return 0
        self._mark_dirty()
        if extra:
            with self._chroma():
                store.delete(ids=extra)
        for s in range(0, len(missing), self.batch_chunks):
            part = missing[s:s + self.batch_chunks]
            chunks = [Chunk(doc_id=r[1], index=r[2], text=r[3], norm_start=0, norm_end=0, start=0, end=0) for r in part]
            self._add_vectors(chunks, {r[1]: r[4] for r in part})
        return len(missing)

    def _vectors_missing(self) -> bool:
        """Whether the vector store lacks some stored chunk's vector (or holds others). Opening a
        local Chroma folder rewrites its files, so a local folder is read without opening it and
        an unchanged corpus leaves it alone. A server is asked: a new, empty server gets this
        index's vectors again."""
        if self.settings.chroma_url:
            return self.vector_count() != self.count_chunks()
        have = stored_ids(self.db / CHROMA_DIR, self._meta("collection"))
        if have is None:  # no readable folder: open it (made again, or a one-line error)
            return self.count_chunks() > 0
        return have != {r[0] for r in self.conn.execute("SELECT chunk_id FROM chunks")}

    def _drop_vectors(self) -> None:
        """Forget every vector (for --rebuild): the collection on a server, the whole local folder
        (which may be damaged beyond opening)."""
        self._mark_dirty()
        if self.settings.chroma_url:
            self._vectors()
            with self._chroma():
                self._client.delete_collection(self._meta("collection"))
        else:
            folder = self.db / CHROMA_DIR
            forget_local(folder)
            shutil.rmtree(folder, ignore_errors=True)
        self._store = self._collection = None

    def _mark_dirty(self) -> None:
        if not self._meta("dirty"):
            with transaction(self.conn):
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('dirty', '1')")

    def _bump_generation(self) -> None:
        self.conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
