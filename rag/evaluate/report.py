"""report.json (everything) and report.md (tables for a CI summary or a PR comment)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..io import atomic_write_text
from .metrics import FIELDS

# (label, section, summary key) of the summary table; section "retrieval" is per gold set.
SUMMARY_COLUMNS = [
    ("P", "extraction", "precision"),
    ("R", "extraction", "recall"),
    ("F1", "extraction", "f1"),
    ("fields", "extraction", "field_accuracy"),
    ("grounding", "extraction", "grounding"),
    ("QA acc", "qa", "accuracy"),
    ("not-found", "qa", "not_found_accuracy"),
    ("cross-doc", "qa", "cross_doc_accuracy"),
    ("false ref.", "qa", "false_refusal_rate"),
    ("cit. valid", "qa", "citation_validity"),
    ("cit. support", "qa", "citation_support"),
    ("hit@1", "retrieval", "hit@1"),
    ("hit@3", "retrieval", "hit@3"),
    ("hit@5", "retrieval", "hit@5"),
    ("s/doc", "extraction", "seconds_per_document"),
    ("s/question", "qa", "seconds_per_question"),
    ("tokens/doc", "extraction", "tokens_per_document"),
    ("tokens/q", "qa", "tokens_per_question"),
]
MAX_TEXT = 160


def summary_value(gold_result: dict, engine: str, section: str, key: str) -> Optional[float]:
    if section == "retrieval":
        block = gold_result.get("retrieval") if (gold_result["engines"][engine].get("qa")) else None
    else:
        block = gold_result["engines"][engine].get(section)
    return block["summary"].get(key) if block else None


def fmt(value, key: str = "") -> str:
    if value is None:
        return "–"
    if key.startswith("seconds"):
        return f"{value:.3f}"
    if key.startswith("tokens"):
        return f"{value:.0f}"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def short(text: str, limit: int = MAX_TEXT) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cell(text) -> str:
    return short(text).replace("|", "\\|")


def _table(header: list[str], rows: list[list]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def summary_table(report: dict) -> str:
    rows = []
    for g in report["gold_sets"]:
        for engine in g["engines"]:
            rows.append([g["name"], engine] + [fmt(summary_value(g, engine, s, k), k) for _, s, k in SUMMARY_COLUMNS])
    return "\n".join(_table(["gold", "engine"] + [c[0] for c in SUMMARY_COLUMNS], rows)) + "\n"


def _threshold_lines(report: dict) -> list[str]:
    checks = report["thresholds"]["checks"]
    if not checks:
        return ["No thresholds checked" + (" (--no-thresholds)." if report["thresholds"]["disabled"] else ".")]
    rows = [[c["gold"], c["engine"], c["metric"], fmt(c["value"]), fmt(c["minimum"]), "ok" if c["ok"] else "**FAIL**"]
            for c in checks]
    return _table(["gold", "engine", "metric", "value", "minimum", ""], rows)


def _extraction_lines(g: dict) -> list[str]:
    engines = list(g["engines"])
    docs = [d["doc_id"] for d in g["engines"][engines[0]]["extraction"]["documents"]]
    header = ["document", "gold"] + [f"{e} {k}" for e in engines for k in ("pred", "tp", "F1", "s")]
    rows = []
    for i, doc_id in enumerate(docs):
        row = [doc_id, g["engines"][engines[0]]["extraction"]["documents"][i]["gold"]]
        for e in engines:
            d = g["engines"][e]["extraction"]["documents"][i]
            row += [d["predicted"] if not d.get("error") else "error", d["tp"], fmt(d["f1"]), fmt(d["seconds"], "seconds")]
        rows.append(row)
    field_rows = [[f] + [fmt(g["engines"][e]["extraction"]["summary"]["fields"][f]) for e in engines] for f in FIELDS]
    return (["", "#### Extraction per document", ""] + _table(header, rows)
            + ["", "#### Field accuracy on matched clusters", ""] + _table(["field"] + engines, field_rows))


def _qa_type_lines(g: dict) -> list[str]:
    engines = [e for e in g["engines"] if g["engines"][e].get("qa")]
    if not engines:
        return []
    types = sorted({t for e in engines for t in g["engines"][e]["qa"]["summary"]["by_type"]})
    rows = []
    for t in types:
        row = [t]
        for e in engines:
            bt = g["engines"][e]["qa"]["summary"]["by_type"].get(t)
            row.append(f"{bt['correct']}/{bt['questions']}" if bt else "–")
        rows.append(row)
    return ["", "#### QA by question type (correct/questions)", ""] + _table(["type"] + engines, rows)


def miss_entries(g: dict, engine: str) -> list[tuple[str, str, str]]:
    """(kind, what, evidence) for every miss of one engine on one gold set."""
    out = []
    res = g["engines"][engine]
    for d in res["extraction"]["documents"]:
        if d.get("error"):
            out.append(("extraction error", d["doc_id"], d["error"]))
        for m in d["missed"]:
            out.append(("missed cluster", f"{d['doc_id']}: {m['name']}", m["evidence"]))
        for m in d["false_positives"]:
            out.append(("false positive", f"{d['doc_id']}: {m['name']}", m["evidence"]))
        for m in d["ungrounded"]:
            out.append(("ungrounded evidence", f"{d['doc_id']}: {m['name']} [{m['start']}, {m['end']})", m["evidence"]))
        for m in d["matches"]:
            for f, v in m["field_errors"].items():
                out.append(("wrong field", f"{d['doc_id']}: {m['gold']} {f}", f"gold {v['gold']!r}, predicted {v['predicted']!r}"))
    if res.get("qa"):
        for q in res["qa"]["questions"]:
            if q.get("error"):
                out.append(("QA error", f"{q['id']} {q['question']}", q["error"]))
            elif not q["correct"]:
                if q["answerable"]:
                    wanted = (" / ".join("|".join(item) for item in q["missing"])
                              or ("(refused)" if not q["found"] else "nothing, but the answer is too long"))
                    ev = "; ".join(e["text"] for e in q["evidence"])
                    out.append(("wrong answer", f"{q['id']} {q['question']} — missing {wanted}; answered: {q['answer']}", ev))
                else:
                    out.append(("answered a not-found question", f"{q['id']} {q['question']}", q["answer"]))
            for c in q["citations"]:
                if not c["valid"]:
                    out.append(("invalid citation", f"{q['id']} {c['doc_id']} [{c['start']}, {c['end']})", c["text"]))
                elif c.get("supported") is False:
                    out.append(("unsupported citation", f"{q['id']} {c['doc_id']} [{c['start']}, {c['end']})", c["text"]))
    return out


def retrieval_misses(g: dict) -> list[tuple[str, str, str]]:
    if not g.get("retrieval"):
        return []
    return [("retrieval miss (not in top 5)", f"{r['id']} {r['question']}", "; ".join(e["text"] for e in r["evidence"]))
            for r in g["retrieval"]["questions"] if r["rank"] is None]


def render_markdown(report: dict) -> str:
    lines = ["# jiqun evaluation", "", f"Generated {report['generated']} · engines: {', '.join(report['engines'])}", "",
             "## Summary", "", summary_table(report).rstrip(), "", "## Thresholds", ""]
    lines += _threshold_lines(report)
    for g in report["gold_sets"]:
        lines += ["", f"## Gold set `{g['name']}` ({g['documents']} documents, {g['clusters']} clusters, "
                      f"{g['questions']} questions)"]
        lines += _extraction_lines(g) + _qa_type_lines(g)
        lines += ["", "#### Misses", ""]
        entries = [(e, *m) for e in g["engines"] for m in miss_entries(g, e)] + [("all", *m) for m in retrieval_misses(g)]
        if not entries:
            lines.append("None.")
        for engine, kind, what, evidence in entries:
            lines.append(f"- **{engine}** {kind}: {short(what)} — evidence: «{short(evidence)}»")
    return "\n".join(lines) + "\n"


def make_report(results: list[dict], engines: list[str], settings, checks: list[dict], thresholds_file: Optional[str],
                disabled: bool, seconds: float) -> dict:
    """The whole report; settings are summarised without secrets (no keys, no URLs)."""
    from datetime import datetime, timezone

    from .. import __version__

    return {
        "tool": "jiqun", "version": __version__,
        "generated": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": seconds, "engines": engines,
        "settings": {"embeddings": settings.embeddings.provider, "llm_configured": settings.llm.configured,
                     "llm_model": settings.llm.model if settings.llm.configured else None},
        "thresholds": {"file": thresholds_file, "disabled": disabled, "checks": checks,
                       "passed": all(c["ok"] for c in checks)},
        "gold_sets": results,
    }


def write_reports(report: dict, folder: Path) -> dict[str, Path]:
    from .html import render_html

    folder.mkdir(parents=True, exist_ok=True)
    paths = {"json": folder / "report.json", "md": folder / "report.md", "html": folder / "report.html"}
    atomic_write_text(paths["json"], json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    atomic_write_text(paths["md"], render_markdown(report))
    atomic_write_text(paths["html"], render_html(report))
    return paths
