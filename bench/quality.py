"""Retrieval quality on the hand-labelled QA: does a retrieved chunk hold the gold evidence?

A question is hit at rank r when the r-th retrieved chunk comes from the evidence's document
and its original span covers more than half of an evidence quote (quotes are located in the
decoded original text, the text every offset in the project points into). Questions without
evidence (not_found) are not scored.

Questions about "these articles" (这些文章中…) ask about whatever the corpus holds. Once
thousands of generated articles sit beside the gold documents, those articles belong to the
right answer and the gold evidence alone no longer is it, so such questions are also scored
apart: `<set>-specific` holds the hit rates of the other questions, whose answer stays in the
gold documents whatever else is indexed.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

ROOT = Path(__file__).resolve().parent.parent
GOLD_SETS = [ROOT / "eval" / "gold", ROOT / "eval" / "extra"]
MIN_COVERAGE = 0.5
KS = (1, 3, 5)
CORPUS_SCOPED = re.compile(r"[这這]些(?:文章|报道|報道|報導|新闻|新聞|材料|文件)")


@dataclass
class GoldQuestion:
    qid: str  # "<set>:<id>"
    question: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (doc_id, start, end) of each evidence quote

    @property
    def corpus_scoped(self) -> bool:
        """Asks about "these articles", i.e. the whole corpus, not about what one document says."""
        return bool(CORPUS_SCOPED.search(self.question))


def gold_documents(folders: Iterable[Path] = GOLD_SETS) -> list[Path]:
    paths = []
    for folder in folders:
        meta = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        docs = (folder / meta["docs"]).resolve()
        paths += sorted(p for p in docs.iterdir() if p.is_file() and not p.name.startswith("."))
    return paths


def gold_questions(folders: Iterable[Path] = GOLD_SETS) -> list[GoldQuestion]:
    """Every question of the gold sets; evidence quotes located in the decoded originals."""
    from rag.load import load_document

    out = []
    for folder in folders:
        originals = {p.stem: None for p in gold_documents([folder])}
        paths = {p.stem: p for p in gold_documents([folder])}
        with open(folder / "qa.jsonl", encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                q = json.loads(line)
                gq = GoldQuestion(f"{folder.name}:{q['id']}", q["question"])
                for ev in q.get("evidence", []):
                    if originals[ev["doc_id"]] is None:
                        originals[ev["doc_id"]] = load_document(paths[ev["doc_id"]]).original
                    start = originals[ev["doc_id"]].find(ev["text"])
                    if start >= 0:
                        gq.spans.append((ev["doc_id"], start, start + len(ev["text"])))
                out.append(gq)
    return out


def covers(chunk: tuple[str, int, int], span: tuple[str, int, int]) -> bool:
    (cdoc, cs, ce), (sdoc, ss, se) = chunk, span
    return cdoc == sdoc and min(ce, se) - max(cs, ss) > MIN_COVERAGE * (se - ss)


def first_hit(q: GoldQuestion, retrieved: list[tuple[str, int, int]]) -> Optional[int]:
    """1-based rank of the first retrieved chunk holding an evidence quote, else None."""
    for rank, chunk in enumerate(retrieved, 1):
        if any(covers(chunk, span) for span in q.spans):
            return rank
    return None


def hit_rates(ranks: list[Optional[int]]) -> dict:
    """{"n": questions scored, "hit@1": ..., "hit@3": ..., "hit@5": ...}"""
    n = len(ranks)
    out: dict = {"n": n}
    for k in KS:
        out[f"hit@{k}"] = round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) if n else None
    return out


def score(questions: list[GoldQuestion], retrieved: dict[str, list[tuple[str, int, int]]]) -> dict:
    """Hit rates per gold set and overall; `retrieved` maps qid -> ranked (doc_id, start, end)."""
    scored = [q for q in questions if q.spans]
    ranks = {q.qid: first_hit(q, retrieved.get(q.qid, [])) for q in scored}
    out = {"all": hit_rates(list(ranks.values()))}
    for name in sorted({q.qid.split(":")[0] for q in scored}):
        in_set = [q for q in scored if q.qid.startswith(name + ":")]
        out[name] = hit_rates([ranks[q.qid] for q in in_set])
        out[f"{name}-specific"] = hit_rates([ranks[q.qid] for q in in_set if not q.corpus_scoped])
    out["misses_at_5"] = sorted(qid for qid, r in ranks.items() if r is None or r > 5)
    return out
