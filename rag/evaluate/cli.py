"""`rag eval`: score every available engine on gold folders, write report.json/.md/.html, print the
summary table, fail when a metric is below its threshold."""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from ..config import Settings
from ..errors import ConfigError, InputError
from .gold import load_gold
from .report import make_report, summary_table, write_reports
from .run import EXTRACTION_ENGINES, evaluate_gold
from .thresholds import check, failure_line, load_thresholds

DEFAULT_GOLD = Path("eval/gold")
DEFAULT_THRESHOLDS = Path("eval/thresholds.json")


def resolve_engines(requested: list[str] | None, settings: Settings) -> list[str]:
    """Default: offline, plus llm and hybrid when jiqun's own settings name an endpoint (a bare
    OPENAI_API_KEY is used only when asked for by name). `all` asks for all three."""
    if not requested:
        return list(EXTRACTION_ENGINES) if settings.llm.chosen else ["offline"]
    names: list[str] = []
    for name in requested:
        for n in (EXTRACTION_ENGINES if name == "all" else [name]):
            if n not in names:
                names.append(n)
    if any(n != "offline" for n in names) and not settings.llm.configured:
        raise ConfigError(
            "engines llm and hybrid need an OpenAI-compatible endpoint: set OPENAI_BASE_URL and/or OPENAI_API_KEY "
            "(or RAG_LLM_BASE_URL / RAG_LLM_API_KEY), or use --engine offline")
    return names


def _gold_dirs(args) -> list[Path]:
    if args.gold:
        return [Path(g) for g in args.gold]
    if not (DEFAULT_GOLD / "gold.json").is_file():
        raise InputError(str(DEFAULT_GOLD), "no gold folder here (run from the project root or pass --gold DIR)")
    return [DEFAULT_GOLD]


def _thresholds(args) -> tuple[dict | None, str | None]:
    if args.no_thresholds:
        return None, None
    if args.thresholds:
        return load_thresholds(args.thresholds), args.thresholds
    if DEFAULT_THRESHOLDS.is_file():
        return load_thresholds(DEFAULT_THRESHOLDS), str(DEFAULT_THRESHOLDS)
    return None, None


def _log(message: str) -> None:
    print(f"rag eval: {message}", file=sys.stderr, flush=True)


def eval_command(args, settings: Settings) -> int:
    engines = resolve_engines(args.engine, settings)
    golds = [load_gold(d) for d in _gold_dirs(args)]
    thresholds, thresholds_file = _thresholds(args)
    report_dir = Path(args.report)
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise InputError(str(report_dir), f"cannot create the report folder ({e.strerror})") from None

    t0 = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory(prefix=".eval-", dir=report_dir, ignore_cleanup_errors=True) as work:
        for i, gold in enumerate(golds):
            results.append(evaluate_gold(gold, engines, settings, Path(work) / str(i), _log,
                                         progress=not getattr(args, "no_progress", False)))
    checks = check(results, thresholds) if thresholds else []
    report = make_report(results, engines, settings, checks, thresholds_file, bool(args.no_thresholds),
                         time.perf_counter() - t0)
    paths = write_reports(report, report_dir)
    _log(f"finished in {report['seconds']:.1f} s; reports: {', '.join(str(p) for p in paths.values())}")
    sys.stdout.write(summary_table(report))
    failures = [c for c in checks if not c["ok"]]
    for c in failures:
        print(failure_line(c), file=sys.stderr)
    return 1 if failures else 0
