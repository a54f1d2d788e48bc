"""Metric arithmetic: per-document extraction scores, per-question QA scores, and their totals.

Everything returns plain dicts (JSON-ready); rates are None when there is nothing to rate.
"""
from __future__ import annotations

from typing import Optional, Sequence

from ..llm.prices import total_cost
from .answers import citation_supported, citation_valid, holds_quote, missing_items, too_long
from .gold import GoldCluster, GoldQuestion
from .match import QUALITY_NAMES, canonical, match_clusters, region_set, strip_region

FIELDS = ("regions", "province", "level", "program", "industry", "recognised_by", "year", "batch")
HIT_KS = (1, 3, 5)


def rate(num: int, den: int) -> Optional[float]:
    return num / den if den else None


def prf(tp: int, fp: int, fn: int) -> dict:
    """Precision, recall, F1. With nothing predicted and nothing to find, all three are 1."""
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def _text(v) -> Optional[str]:
    return canonical(v) if isinstance(v, str) and canonical(v) else None


def field_equal(name: str, gold, pred) -> bool:
    g, p = getattr(gold, name), getattr(pred, name)
    if name == "regions":
        return region_set(g) == region_set(p)
    if name == "province":
        return (strip_region(g) if g else None) == (strip_region(p) if p else None)
    if name in ("program", "industry", "recognised_by"):
        return _text(g) == _text(p)
    return g == p


def grounded(pred, original: str) -> bool:
    """The evidence is a non-empty verbatim slice of the original text at its offsets."""
    ev = pred.evidence
    return bool(ev.text) and 0 <= ev.start < ev.end <= len(original) and original[ev.start:ev.end] == ev.text


def _record(c, **extra) -> dict:
    d = {"name": c.name}
    d.update(extra)
    return d


def score_document(doc_id: str, gold: Sequence[GoldCluster], preds: Sequence, original: str) -> dict:
    """Matches, misses, false positives, field agreement and grounding for one document."""
    pairs = match_clusters(gold, preds)
    matched_g = {p.gold for p in pairs}
    matched_p = {p.pred for p in pairs}
    matches = []
    for pair in pairs:
        g, p = gold[pair.gold], preds[pair.pred]
        fields = {f: field_equal(f, g, p) for f in FIELDS}
        matches.append({
            "gold": g.name, "predicted": p.name, "quality": QUALITY_NAMES[pair.quality], "fields": fields,
            "field_errors": {f: {"gold": _plain(getattr(g, f)), "predicted": _plain(getattr(p, f))}
                             for f, ok in fields.items() if not ok},
        })
    n_grounded = sum(grounded(p, original) for p in preds)
    tp, fp, fn = len(pairs), len(preds) - len(pairs), len(gold) - len(pairs)
    return {
        "doc_id": doc_id, "gold": len(gold), "predicted": len(preds), "tp": tp, "fp": fp, "fn": fn,
        **prf(tp, fp, fn),
        "grounded": n_grounded, "grounding": rate(n_grounded, len(preds)),
        "matches": matches,
        "missed": [_record(g, evidence=g.evidence) for i, g in enumerate(gold) if i not in matched_g],
        "false_positives": [
            _record(p, evidence=p.evidence.text, start=p.evidence.start, end=p.evidence.end, grounded=grounded(p, original))
            for i, p in enumerate(preds) if i not in matched_p
        ],
        "ungrounded": [_record(p, evidence=p.evidence.text, start=p.evidence.start, end=p.evidence.end)
                       for p in preds if not grounded(p, original)],
    }


def _plain(v):
    return list(v) if isinstance(v, (list, tuple)) else v


def extraction_summary(docs: Sequence[dict]) -> dict:
    """Micro-averaged totals over scored documents (score_document results)."""
    tp, fp, fn = (sum(d[k] for d in docs) for k in ("tp", "fp", "fn"))
    n_pred = sum(d["predicted"] for d in docs)
    n_matched = sum(len(d["matches"]) for d in docs)
    fields = {f: rate(sum(m["fields"][f] for d in docs for m in d["matches"]), n_matched) for f in FIELDS}
    known = [v for v in fields.values() if v is not None]
    seconds = sum(d.get("seconds", 0.0) for d in docs)
    return {
        "documents": len(docs), "gold": tp + fn, "predicted": n_pred, "tp": tp, "fp": fp, "fn": fn,
        **prf(tp, fp, fn),
        "fields": fields, "field_accuracy": sum(known) / len(known) if known else None,
        "grounding": rate(sum(d["grounded"] for d in docs), n_pred),
        "errors": sum(1 for d in docs if d.get("error")),
        "seconds": seconds, "seconds_per_document": seconds / len(docs) if docs else None,
        "tokens_per_document": sum(d.get("tokens", 0) for d in docs) / len(docs) if docs else None,
        "cost_usd": total_cost(d.get("cost_usd", 0.0) for d in docs),
        "alignment": {k: sum(d.get("alignment", {}).get(k, 0) for d in docs) for k in ("exact", "folded", "sentence")},
    }


def answer_cost(usage) -> Optional[float]:
    """What one answer cost: 0.0 without a request (rules, a refusal before any call, the cache, an
    engine error), else the request's cost, None for a model with no price. Summed by total_cost
    like extraction's, so both read null for an unpriced model."""
    if usage is None or usage.cached or not usage.total_tokens:
        return 0.0
    return usage.cost_usd


def score_question(q: GoldQuestion, answer, originals: dict[str, str]) -> dict:
    """One question against an Answer (or None when the engine failed on it)."""
    text = answer.answer if answer is not None else ""
    found = bool(answer is not None and answer.found)
    missing = missing_items(text, q.answers) if q.answerable else []
    # a padded answer (the fact plus its source sentence) breaks the answer contract: wrong
    long = bool(q.answerable and found and too_long(text, q.answers))
    correct = (found and not missing and not long) if q.answerable else (answer is not None and not found)
    quotes = [(e.doc_id, e.text) for e in q.evidence]
    citations = []
    for c in (answer.citations if answer is not None else []):
        cit = {"doc_id": c.doc_id, "start": c.start, "end": c.end, "text": c.text,
               "valid": citation_valid(c.doc_id, c.start, c.end, c.text, originals)}
        if q.answerable and found:
            cit["supported"] = citation_supported(c.doc_id, c.start, c.end, c.text, originals.get(c.doc_id),
                                                  q.doc_ids, quotes, q.answers)
        citations.append(cit)
    usage = answer.usage if answer is not None else None
    return {
        "id": q.id, "type": q.type, "question": q.question, "answerable": q.answerable,
        "answer": text, "found": found, "correct": correct, "missing": missing, "too_long": long,
        "expected": q.answers, "evidence": [{"doc_id": d, "text": t} for d, t in quotes],
        "citations": citations,
        "tokens": usage.total_tokens if usage is not None else 0,
        "cached": bool(usage is not None and usage.cached),
        "cost_usd": answer_cost(usage),
        "supported": answer.supported if answer is not None else None,
    }


def qa_summary(rows: Sequence[dict]) -> dict:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    cits = [c for r in rows for c in r["citations"]]
    supp = [c["supported"] for c in cits if "supported" in c]
    by_type: dict[str, dict] = {}
    for r in rows:
        t = by_type.setdefault(r["type"], {"questions": 0, "correct": 0})
        t["questions"] += 1
        t["correct"] += int(r["correct"])
    for t in by_type.values():
        t["accuracy"] = rate(t["correct"], t["questions"])
    seconds = sum(r.get("seconds", 0.0) for r in rows)
    tokens = sum(r["tokens"] for r in rows)
    return {
        "questions": len(rows),
        "accuracy": rate(sum(r["correct"] for r in answerable), len(answerable)),
        "not_found_accuracy": rate(sum(r["correct"] for r in unanswerable), len(unanswerable)),
        "overall_accuracy": rate(sum(r["correct"] for r in rows), len(rows)),
        "false_refusals": sum(1 for r in answerable if not r["found"]),
        "false_refusal_rate": rate(sum(1 for r in answerable if not r["found"]), len(answerable)),
        "too_long": sum(1 for r in answerable if r.get("too_long")),
        "declined_unanswerable": sum(1 for r in unanswerable if r["correct"]),
        "cross_doc_accuracy": by_type.get("cross_doc", {}).get("accuracy"),
        "citations": len(cits),
        "citation_validity": rate(sum(c["valid"] for c in cits), len(cits)),
        "citation_support": rate(sum(supp), len(supp)),
        "errors": sum(1 for r in rows if r.get("error")),
        "unsupported_answers": sum(1 for r in rows if r.get("supported") is False),  # LLM: not counted as found
        "by_type": dict(sorted(by_type.items())),
        "seconds": seconds, "seconds_per_question": seconds / len(rows) if rows else None,
        "tokens_per_question": tokens / len(rows) if rows else None,
        "cached_answers": sum(1 for r in rows if r.get("cached")),  # replies from the LLM cache: fast, free
        "cost_usd": total_cost(r.get("cost_usd", 0.0) for r in rows),
    }


def retrieval_rank(q: GoldQuestion, hits: Sequence) -> Optional[int]:
    """1-based rank of the first hit that holds (most of) a gold evidence quote of the question."""
    for rank, hit in enumerate(hits, 1):
        chunk = hit.chunk
        if chunk.doc_id in q.doc_ids and any(e.doc_id == chunk.doc_id and holds_quote(chunk.original_text, e.text)
                                             for e in q.evidence):
            return rank
    return None


def retrieval_summary(rows: Sequence[dict]) -> dict:
    """rows: {"id", "rank"} for answerable questions."""
    out: dict = {"questions": len(rows)}
    for k in HIT_KS:
        out[f"hit@{k}"] = rate(sum(1 for r in rows if r["rank"] is not None and r["rank"] <= k), len(rows))
    out["mrr"] = sum(1 / r["rank"] for r in rows if r["rank"]) / len(rows) if rows else None
    seconds = sum(r.get("seconds", 0.0) for r in rows)
    out["seconds_per_question"] = seconds / len(rows) if rows else None
    return out
