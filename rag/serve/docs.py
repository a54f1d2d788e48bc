"""Documents as the API shows them, and removing one from the index."""
from __future__ import annotations

from pathlib import Path

from ..index import Index
from ..io import transaction


def info(index: Index, doc_id: str | None = None) -> list[dict]:
    """Each document's id, title, date, outlet, url, source path, chunks and cluster records."""
    counts = {d: len(index.clusters(d)) for d in ([doc_id] if doc_id else [r[0] for r in index.conn.execute(
        "SELECT doc_id FROM clusters")])}
    docs = [index.document(doc_id)] if doc_id else index.documents()
    return [{"doc_id": d.doc_id, "title": d.title, "date": d.date, "outlet": d.outlet, "url": d.url,
             "source": d.path, "chunks": d.n_chunks, "clusters": counts.get(d.doc_id, 0)} for d in docs]


def remove(index: Index, doc_id: str) -> int:
    """Remove one document (chunks, clusters, lists go with it; then its vectors); the number of
    chunks removed. The same order as ingest's pruning: a crash leaves vectors that the next
    ingest drops, never chunks without a document."""
    index.document(doc_id)  # 404 for an unknown id
    ids = [r[0] for r in index.conn.execute("SELECT chunk_id FROM chunks WHERE doc_id = ?", (doc_id,))]
    index._mark_dirty()
    with transaction(index.conn):
        index.conn.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
        index._bump_generation()
    if ids:
        with index._chroma():
            index._vectors().delete(ids=ids)
    index.keyword_index()  # the BM25 cache for the new state now, not on the next search
    with transaction(index.conn):
        index.conn.execute("DELETE FROM meta WHERE key = 'dirty'")
    return len(ids)


def uploaded_file(uploads: Path, source: str) -> Path | None:
    """The file behind a document when it was uploaded through the server (inside <db>/uploads)."""
    p = Path(source)
    try:
        p.resolve().relative_to(uploads.resolve())
    except ValueError:
        return None
    return p if p.is_file() else None

