"""Helpers for the rag.evaluate tests: small gold folders and predictions written by hand."""
from __future__ import annotations

import json
from pathlib import Path

from rag.schemas import Answer, Citation, ClusterMention, Evidence

CLUSTER_DEFAULTS = {"regions": [], "province": None, "level": None, "program": None, "industry": None,
                    "recognised_by": None, "year": None, "batch": None}


def gold_cluster(doc_id: str, name: str, evidence: str, **fields) -> dict:
    return {"doc_id": doc_id, "name": name, **CLUSTER_DEFAULTS, **fields, "evidence": evidence}


def question(qid: str, text: str, qtype: str, answers=(), doc_ids=(), evidence=()) -> dict:
    return {"id": qid, "question": text, "type": qtype, "answerable": qtype != "not_found",
            "answers": [list(a) for a in answers], "doc_ids": list(doc_ids),
            "evidence": [{"doc_id": d, "text": t} for d, t in evidence]}


def write_gold(root: Path, docs: dict[str, str], clusters: list[dict], qa: list[dict], name: str = "tiny") -> Path:
    """A gold folder root/gold with its articles in root/gold/docs (file name -> text)."""
    folder = root / "gold"
    (folder / "docs").mkdir(parents=True)
    for fname, text in docs.items():
        (folder / "docs" / fname).write_text(text, encoding="utf-8")
    (folder / "gold.json").write_text(json.dumps({"name": name, "docs": "docs", "description": "test gold"},
                                                 ensure_ascii=False), encoding="utf-8")
    for fname, rows in (("clusters.jsonl", clusters), ("qa.jsonl", qa)):
        (folder / fname).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return folder


def mention(doc_id: str, name: str, original: str, quote: str | None = None, **fields) -> ClusterMention:
    """A predicted cluster whose evidence is the first occurrence of `quote` (default: the name)."""
    quote = quote or name
    start = original.find(quote)
    assert start >= 0, f"{quote!r} not in the test text"
    return ClusterMention(doc_id=doc_id, name=name, evidence=Evidence(text=quote, start=start, end=start + len(quote)),
                          **fields)


def answer(text: str, citations: list[tuple[str, str, str]] = (), found: bool = True, tokens: int = 0) -> Answer:
    """An Answer citing (doc_id, original, quote) spans."""
    cits = []
    for doc_id, original, quote in citations:
        start = original.find(quote)
        cits.append(Citation(doc_id=doc_id, start=max(start, 0), end=max(start, 0) + len(quote), text=quote))
    return Answer(question="q", answer=text, citations=cits, engine="test", found=found,
                  usage={"total_tokens": tokens})
