"""`rag ingest` and `rag search`."""
from __future__ import annotations

import json
import sys


def ingest_command(args, settings) -> int:
    from .api import Index

    summary = Index(settings).ingest(args.paths, prune=args.prune, progress=not args.no_progress,
                                     rebuild=args.rebuild)
    for path, reason in summary.errors:
        print(f"rag ingest: error: {path}: {reason}", file=sys.stderr)
    print(summary.line())
    return 0 if summary.failed == 0 else 1


def search_rows(index, query: str, k: int = 5, doc_ids=None, date_from=None, date_to=None) -> list[dict]:
    """The hits of `rag search --json` (and of the server's GET /api/search)."""
    from .retrieve import snippet

    hits = index.search(query, k=k, doc_ids=doc_ids, date_from=date_from, date_to=date_to)
    return [{"doc_id": h.doc_id, "chunk": h.chunk.chunk_id, "score": round(h.score, 6), "start": h.start,
             "end": h.end, "text": h.text, "snippet": snippet(index, h, query), "title": h.title,
             "date": h.date} for h in hits]


def search_command(args, settings) -> int:
    from .index import Index

    with Index.open(settings, create=False) as index:
        rows = search_rows(index, args.query, args.k, args.doc, args.date_from, args.date_to)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("no results", file=sys.stderr)
    for rank, r in enumerate(rows, 1):
        head = " · ".join(x for x in (r["title"], r["date"]) if x)
        print(f"{rank}. {r['doc_id']}  [{r['start']}:{r['end']}]  score {r['score']:.4f}  {head}")
        print(f"   {r['snippet']}")
    return 0
