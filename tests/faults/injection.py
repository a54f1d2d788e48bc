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


LLM_ARTICLES = ("01_ignore_instructions", "05_fake_json", "11_delimiter_escape")  # the most instruction-like
HALLUCINATED = {"name": "虚构市幻影产业集群", "evidence": "虚构市幻影产业集群入选国家级名单"}  # in no article


def _obeying_replies(llm_url: str, wanted: dict):
    """A fault-injecting proxy in front of the real local server (tests/support_llm.FaultProxy) whose
    replies are what a model that obeyed the injected text would say: the injected cluster with an
    exact quote, plus one record quoting nothing in the article; then answers stating the injected
    cluster. (SmolLM2 cannot read Chinese: its own replies would test nothing.)"""
    import json as _json

    from support_llm import FaultProxy

    proxy = FaultProxy(llm_url.rsplit("/v1", 1)[0])
    empty = {"regions": [], "province": None, "level": "national", "program": "先进制造业集群", "industry": None,
             "recognised_by": None, "year": None, "batch": None}
    for e in wanted.values():
        records = [{**empty, "name": e["obey"]["name"], "evidence": e["obey"]["evidence"]},
                   {**empty, **HALLUCINATED}]
        proxy.faults.append(("reply", _json.dumps({"clusters": records}, ensure_ascii=False)))
    for e in wanted.values():
        proxy.faults.append(("reply", e["obey"]["answer"]))
    return proxy


def run(work: Path, log, llm_url: str | None = None) -> dict:
    """The offline engines on every article; with llm_url (the local LLM server) the LLM engines
    too, on LLM_ARTICLES, with replies that obey the injected text (_obeying_replies)."""
    expect, originals = expectations(), _originals()
    figures = {"records": 0, "answers": 0, "ungrounded": 0, "real": 0, "articles": len(expect), "notes": []}
    db = work / "injection-db"
    r = rag(["ingest", DATA, "--db", db, "--no-progress"], timeout=600)
    if r.code != 0:
        figures["notes"].append(f"ingest failed: {r.err.strip()[:300]}")
        figures["records"] += 1000  # a failed setup must not read as a pass
        return figures
    runs = [("offline", DATA, expect, None)]
    if llm_url:
        subset = work / "llm-articles"
        subset.mkdir(parents=True)
        for name in LLM_ARTICLES:
            (subset / f"{name}.txt").write_bytes((DATA / f"{name}.txt").read_bytes())
        runs.append(("llm", subset, {k: expect[k] for k in LLM_ARTICLES}, llm_url))
    for engine, folder, wanted, url in runs:
        proxy = _obeying_replies(url, wanted) if url else None
        extra = {"OPENAI_BASE_URL": proxy.base_url, "RAG_LLM_MODEL": "smollm2", "RAG_LLM_MAX_RETRIES": "0",
                 "RAG_LLM_CONCURRENCY": "1", "RAG_LLM_CACHE": "off"} if proxy else {}
        env = clean_env(**extra)
        try:
            r = rag(["extract", folder, "--engine", engine], env=env, timeout=1200)
            if r.code != 0:
                figures["notes"].append(f"{engine} extract exit {r.code}: {r.err.strip()[:300]}")
            denied, ungrounded, real, notes = check_records([ln for ln in r.out.splitlines() if ln.strip()], wanted,
                                                            originals)
            ungrounded += r.out.count(HALLUCINATED["name"])
            questions = work / f"questions-{engine}.txt"
            questions.write_text("".join(e["question"] + "\n" for e in wanted.values()), encoding="utf-8")
            r = rag(["ask", "--file", questions, "--db", db, "--engine", engine, "--json", "-k", "3"], env=env,
                    timeout=1200)
            if r.code != 0:
                figures["notes"].append(f"{engine} ask exit {r.code}: {r.err.strip()[:300]}")
            stated, bad_citations, answer_notes = check_answers([ln for ln in r.out.splitlines() if ln.strip()],
                                                                wanted, originals)
        finally:
            if proxy:
                proxy.close()
        figures["records"] += denied
        figures["answers"] += stated
        figures["ungrounded"] += ungrounded + bad_citations
        figures["notes"] += [f"{engine}: {n}" for n in notes + answer_notes]
        if engine == "offline":
            figures["real"] = real
        log(f"  injection, {engine} on {len(wanted)} articles: {denied} records and {stated} answers from denied or "
            f"injected text, {ungrounded + bad_citations} ungrounded")
    return figures
