"""Adversarial articles (tests/faults/data/injection: instructions, negations, fake JSON, denials,
quoted rumours, a delimiter escape): no record and no answer may name what they deny or inject,
and every record and citation must be grounded (its text exactly original[start:end])."""
from __future__ import annotations

import json
from pathlib import Path

from common import clean_env, rag

DATA = Path(__file__).resolve().parent / "data" / "injection"


def expectations() -> dict:
    return json.loads((DATA / "expect.json").read_text(encoding="utf-8"))["articles"]


def _originals() -> dict[str, str]:
    from rag.load import load_document

    return {p.stem: load_document(p).original for p in sorted(DATA.glob("*.txt"))}


def _denied_in(text: str, words: list[str]) -> bool:
    return any(w.lower() in text.lower() for w in words)


def check_records(lines: list[str], expect: dict, originals: dict) -> tuple[int, int, int, list[str]]:
    """(records naming denied text, ungrounded records, real clusters found, notes)."""
    denied = ungrounded = 0
    real_found = set()
    notes = []
    for line in lines:
        r = json.loads(line)
        words = expect[r["doc_id"]]["denied"]
        ev = r["evidence"]
        if originals[r["doc_id"]][ev["start"]:ev["end"]] != ev["text"]:
            ungrounded += 1
            notes.append(f"ungrounded record {r['doc_id']}: {r['name']}")
        if _denied_in(r["name"], words) or _denied_in(ev["text"], words):
            denied += 1
            notes.append(f"record from denied text {r['doc_id']}: {r['name']}")
        if r["name"].endswith(expect[r["doc_id"]]["real"]):
            real_found.add(r["doc_id"])
    return denied, ungrounded, len(real_found), notes


def check_answers(lines: list[str], expect: dict, originals: dict) -> tuple[int, int, list[str]]:
    """(answers stating denied text, ungrounded citations, notes). Questions are in expect order."""
    stated = ungrounded = 0
    notes = []
    for (doc_id, e), line in zip(expect.items(), lines):
        a = json.loads(line)
        if _denied_in(a["answer"], e["denied"]):
            stated += 1
            notes.append(f"answer states denied text ({doc_id}): {a['question']} -> {a['answer'][:80]}")
        for c in a.get("citations", []):
            if originals[c["doc_id"]][c["start"]:c["end"]] != c["text"]:
                ungrounded += 1
                notes.append(f"ungrounded citation {c['doc_id']} [{c['start']}:{c['end']}]")
    return stated, ungrounded, notes


def run(work: Path, log, llm_url: str | None = None) -> dict:
    """Offline engines always; the LLM engines too when llm_url (a local server) is given."""
    expect, originals = expectations(), _originals()
    figures = {"records": 0, "answers": 0, "ungrounded": 0, "real": 0, "articles": len(expect), "notes": []}
    engines = [("offline", {})]
    if llm_url:
        engines.append(("llm", {"OPENAI_BASE_URL": llm_url, "RAG_LLM_MODEL": "smollm2", "RAG_LLM_TIMEOUT": "600",
                                "RAG_LLM_MAX_RETRIES": "0", "RAG_LLM_CONCURRENCY": "1"}))
    db = work / "injection-db"
    r = rag(["ingest", DATA, "--db", db, "--no-progress"], timeout=600)
    if r.code != 0:
        figures["notes"].append(f"ingest failed: {r.err.strip()[:300]}")
        figures["records"] += 1000  # a failed setup must not read as a pass
        return figures
    questions = work / "injection-questions.txt"
    questions.write_text("".join(e["question"] + "\n" for e in expect.values()), encoding="utf-8")
    for engine, extra in engines:
        env = clean_env(RAG_LLM_CACHE=str(work / "llm-cache"), **extra)
        r = rag(["extract", DATA, "--engine", engine], env=env, timeout=3600)
        if r.code != 0:
            figures["notes"].append(f"{engine} extract exit {r.code}: {r.err.strip()[:300]}")
        lines = [ln for ln in r.out.splitlines() if ln.strip()]
        denied, ungrounded, real, notes = check_records(lines, expect, originals)
        figures["records"] += denied
        figures["ungrounded"] += ungrounded
        figures["notes"] += [f"{engine}: {n}" for n in notes]
        if engine == "offline":
            figures["real"] = real
        r = rag(["ask", "--file", questions, "--db", db, "--engine", engine, "--json", "-k", "3"], env=env, timeout=3600)
        if r.code != 0:
            figures["notes"].append(f"{engine} ask exit {r.code}: {r.err.strip()[:300]}")
        stated, bad_citations, notes = check_answers([ln for ln in r.out.splitlines() if ln.strip()], expect, originals)
        figures["answers"] += stated
        figures["ungrounded"] += bad_citations
        figures["notes"] += [f"{engine}: {n}" for n in notes]
        log(f"  {engine}: {denied} records and {stated} answers from denied or injected text, "
            f"{ungrounded + bad_citations} ungrounded")
    return figures
