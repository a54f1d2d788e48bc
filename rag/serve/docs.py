"""Documents as the API shows them (the index's `documents()`, as `rag docs list`)."""
from __future__ import annotations

from pathlib import Path

from ..index import Index


def info(index: Index, doc_id: str | None = None) -> list[dict]:
    """Each document's id, title, date, outlet, url, source path, chunks and cluster records."""
    docs = index.documents()
    if doc_id is not None:
        index.document(doc_id)  # 404 for an unknown id
        docs = [d for d in docs if d.doc_id == doc_id]
    return [{"doc_id": d.doc_id, "title": d.title, "date": d.date, "outlet": d.outlet, "url": d.url,
             "source": d.path, "chunks": d.n_chunks, "clusters": d.n_clusters} for d in docs]


def uploaded_file(uploads: Path, source: str) -> Path | None:
    """The file behind a document when it was uploaded through the server (inside <db>/uploads)."""
    p = Path(source)
    try:
        p.resolve().relative_to(uploads.resolve())
    except ValueError:
        return None
    return p if p.is_file() else None
