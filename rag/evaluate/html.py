"""report.html: one self-contained page (inline CSS and SVG, no scripts, no external assets)."""
from __future__ import annotations

from html import escape
from typing import Optional, Sequence

from .metrics import FIELDS
from .report import SUMMARY_COLUMNS, fmt, miss_entries, retrieval_misses, summary_value

COLORS = {"offline": "#4e79a7", "llm": "#f28e2b", "hybrid": "#59a14f"}
RATE_COLUMNS = [c for c in SUMMARY_COLUMNS if not c[2].startswith(("seconds", "tokens"))]
CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em auto;max-width:1400px;color:#222;padding:0 1em}
.wide{overflow-x:auto}
h1{font-size:1.6em}h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0;font-size:.85em}
th,td{border:1px solid #ddd;padding:3px 6px;text-align:right}th{background:#f3f3f3}
td:first-child,th:first-child,td.l{text-align:left}
.fail{color:#b00;font-weight:bold}.ok{color:#070}
.legend span{display:inline-block;margin-right:1em}.legend i{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:middle}
ul.misses{font-size:.85em;padding-left:1.2em}ul.misses li{margin:.4em 0}
.kind{display:inline-block;min-width:11em;font-weight:bold;margin-right:.6em}
blockquote{margin:.2em 0 .2em 1em;padding:.2em .6em;border-left:3px solid #ccc;background:#fafafa;white-space:pre-wrap}
svg text{font-size:11px;font-family:inherit}
"""
LABEL_W, BAR_W, BAR_H, GAP = 190, 460, 12, 8


def bar_chart(groups: Sequence[tuple[str, Sequence[tuple[str, Optional[float]]]]], title: str) -> str:
    """Horizontal grouped bars of rates in [0, 1]: one group per label, one bar per engine."""
    height = sum(len(bars) * BAR_H + GAP for _, bars in groups) + 30
    width = LABEL_W + BAR_W + 60
    parts = [f'<svg width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(title)}">']
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        x = LABEL_W + tick * BAR_W
        parts.append(f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 20}" stroke="#e5e5e5"/>'
                     f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" fill="#666">{tick:g}</text>')
    y = 4
    for label, bars in groups:
        mid = y + len(bars) * BAR_H / 2
        parts.append(f'<text x="{LABEL_W - 6}" y="{mid + 4:.1f}" text-anchor="end">{escape(label)}</text>')
        for engine, value in bars:
            color = COLORS.get(engine, "#999")
            if value is None:
                parts.append(f'<text x="{LABEL_W + 4}" y="{y + BAR_H - 2}" fill="#999">{escape(engine)}: n/a</text>')
            else:
                w = max(0.0, min(1.0, value)) * BAR_W
                parts.append(f'<rect x="{LABEL_W}" y="{y}" width="{w:.1f}" height="{BAR_H - 2}" fill="{color}">'
                             f'<title>{escape(engine)} {escape(label)}: {value:.3f}</title></rect>'
                             f'<text x="{LABEL_W + w + 4:.1f}" y="{y + BAR_H - 3}" fill="#333">{value:.2f}</text>')
            y += BAR_H
        y += GAP
    parts.append("</svg>")
    return "".join(parts)


def _legend(engines: Sequence[str]) -> str:
    return '<div class="legend">' + "".join(
        f'<span><i style="background:{COLORS.get(e, "#999")}"></i>{escape(e)}</span>' for e in engines) + "</div>"


def _table(header: Sequence[str], rows: Sequence[Sequence]) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _summary(report: dict) -> str:
    rows = [[escape(g["name"]), escape(e)] + [fmt(summary_value(g, e, s, k), k) for _, s, k in SUMMARY_COLUMNS]
            for g in report["gold_sets"] for e in g["engines"]]
    return _table(["gold", "engine"] + [c[0] for c in SUMMARY_COLUMNS], rows)


def _thresholds(report: dict) -> str:
    checks = report["thresholds"]["checks"]
    if not checks:
        return "<p>No thresholds checked.</p>"
    rows = [[escape(c["gold"]), escape(c["engine"]), escape(c["metric"]), fmt(c["value"]), fmt(c["minimum"]),
             '<span class="ok">ok</span>' if c["ok"] else '<span class="fail">FAIL</span>'] for c in checks]
    return _table(["gold", "engine", "metric", "value", "minimum", ""], rows)


def _gold_section(g: dict) -> str:
    engines = list(g["engines"])
    out = [f"<h2>Gold set {escape(g['name'])}</h2>",
           f"<p>{g['documents']} documents, {g['clusters']} clusters, {g['questions']} questions · "
           f"folder <code>{escape(g['folder'])}</code></p>", _legend(engines)]
    metric_groups = [(label, [(e, summary_value(g, e, s, k)) for e in engines]) for label, s, k in RATE_COLUMNS]
    out += ["<h3>Metrics per engine</h3>", bar_chart(metric_groups, f"metrics per engine, {g['name']}")]
    docs = g["engines"][engines[0]]["extraction"]["documents"]
    doc_groups = [(d["doc_id"], [(e, g["engines"][e]["extraction"]["documents"][i]["f1"]) for e in engines])
                  for i, d in enumerate(docs)]
    out += ["<h3>Extraction F1 per document</h3>", bar_chart(doc_groups, f"F1 per document, {g['name']}")]
    rows = []
    for i, d in enumerate(docs):
        row = [escape(d["doc_id"]), d["gold"]]
        for e in engines:
            x = g["engines"][e]["extraction"]["documents"][i]
            row += ["error" if x.get("error") else x["predicted"], x["tp"], fmt(x["f1"]), fmt(x["seconds"], "seconds")]
        rows.append(row)
    out.append(_table(["document", "gold"] + [f"{e} {k}" for e in engines for k in ("pred", "tp", "F1", "s")], rows))
    field_groups = [(f, [(e, g["engines"][e]["extraction"]["summary"]["fields"][f]) for e in engines]) for f in FIELDS]
    out += ["<h3>Field accuracy on matched clusters</h3>", bar_chart(field_groups, f"field accuracy, {g['name']}")]
    qa_engines = [e for e in engines if g["engines"][e].get("qa")]
    if qa_engines:
        types = sorted({t for e in qa_engines for t in g["engines"][e]["qa"]["summary"]["by_type"]})
        type_groups = [(t, [(e, (g["engines"][e]["qa"]["summary"]["by_type"].get(t) or {}).get("accuracy"))
                            for e in qa_engines]) for t in types]
        out += ["<h3>QA accuracy by question type</h3>", bar_chart(type_groups, f"QA by type, {g['name']}")]
    out.append("<h3>Misses</h3>")
    entries = [(e, *m) for e in engines for m in miss_entries(g, e)] + [("all", *m) for m in retrieval_misses(g)]
    if not entries:
        out.append("<p>None.</p>")
    else:
        items = "".join(
            f'<li><span class="kind" style="color:{COLORS.get(e, "#444")}">{escape(e)} · {escape(kind)}</span>'
            f"{escape(what)}<blockquote>{escape(evidence)}</blockquote></li>" for e, kind, what, evidence in entries)
        out.append(f'<ul class="misses">{items}</ul>')
    return "\n".join(out)


def render_html(report: dict) -> str:
    failed = [c for c in report["thresholds"]["checks"] if not c["ok"]]
    status = (f'<p class="fail">{len(failed)} threshold(s) failed.</p>' if failed
              else '<p class="ok">All checked thresholds pass.</p>' if report["thresholds"]["checks"] else "")
    body = [f"<h1>jiqun evaluation</h1><p>Generated {escape(report['generated'])} · engines: "
            f"{escape(', '.join(report['engines']))}</p>", status,
            "<h2>Summary</h2>", f"<div class=\"wide\">{_summary(report)}</div>", "<h2>Thresholds</h2>", _thresholds(report)]
    body += [_gold_section(g) for g in report["gold_sets"]]
    return ("<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>jiqun evaluation</title>"
            f"<style>{CSS}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")
