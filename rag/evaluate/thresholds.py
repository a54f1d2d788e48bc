"""Per-metric minimums: {"<gold set name>": {"<engine>": {"<metric>": minimum}}}.

Metric names are paths into an engine's results: extraction.f1, extraction.grounding,
qa.accuracy, qa.not_found_accuracy, qa.citation_validity, qa.citation_support, retrieval.hit@5 …
Keys starting with "_" are comments. Gold sets and engines without an entry are not checked.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

from ..errors import InputError

SECTIONS = ("extraction", "qa", "retrieval")


def load_thresholds(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise InputError(str(path), "thresholds file not found (or use --no-thresholds)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(str(path), f"not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise InputError(str(path), "must be a JSON object {gold set: {engine: {metric: minimum}}}")
    for gold_name, engines in data.items():
        if gold_name.startswith("_"):
            continue
        if not isinstance(engines, dict):
            raise InputError(str(path), f"{gold_name}: must map engines to metrics")
        for engine, metrics in engines.items():
            if not isinstance(metrics, dict):
                raise InputError(str(path), f"{gold_name}.{engine}: must map metrics to minimums")
            for metric, minimum in metrics.items():
                if metric.split(".", 1)[0] not in SECTIONS or "." not in metric:
                    raise InputError(str(path), f"{gold_name}.{engine}: unknown metric {metric!r} "
                                                f"(use extraction.*, qa.* or retrieval.*)")
                if isinstance(minimum, bool) or not isinstance(minimum, (int, float)):
                    raise InputError(str(path), f"{gold_name}.{engine}.{metric}: minimum must be a number")
    return data


def metric_value(gold_result: dict, engine: str, metric: str) -> Optional[float]:
    """The value of `section.name` for one engine on one gold set (None when not measured)."""
    section, name = metric.split(".", 1)
    if section == "retrieval":
        block = gold_result.get("retrieval")
    else:
        block = (gold_result["engines"].get(engine) or {}).get(section)
    if not block:
        return None
    value = block["summary"].get(name)
    if value is None and "." in name:  # e.g. extraction.fields.year
        outer, inner = name.split(".", 1)
        nested = block["summary"].get(outer)
        value = nested.get(inner) if isinstance(nested, dict) else None
    return value if isinstance(value, (int, float)) else None


def check(results: list[dict], thresholds: dict) -> list[dict]:
    """Every checked metric as {gold, engine, metric, value, minimum, ok}."""
    checks = []
    for gold_result in results:
        for engine, metrics in thresholds.get(gold_result["name"], {}).items():
            if engine.startswith("_") or engine not in gold_result["engines"]:
                continue
            for metric, minimum in metrics.items():
                value = metric_value(gold_result, engine, metric)
                checks.append({"gold": gold_result["name"], "engine": engine, "metric": metric, "value": value,
                               "minimum": minimum, "ok": value is not None and value >= minimum - 1e-9})
    return checks


def failure_line(c: dict) -> str:
    value = "not measured" if c["value"] is None else f"{c['value']:.3f}"
    return f"threshold failed: {c['gold']} {c['engine']} {c['metric']} = {value} < {c['minimum']:.3f}"
