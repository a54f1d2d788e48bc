"""Threshold files: validation, checks, failure lines."""
import json

import pytest
from test_evaluate_report import tiny_results

from rag.errors import InputError
from rag.evaluate.thresholds import check, failure_line, load_thresholds, metric_value


def test_checks_pass_and_fail_per_metric():
    checks = check([tiny_results()], {
        "tiny": {"offline": {"extraction.f1": 0.5, "qa.citation_validity": 1.0, "retrieval.hit@1": 0.5,
                             "extraction.fields.level": 1.0},
                 "llm": {"qa.accuracy": 0.9}},  # not run: not checked
        "other": {"offline": {"extraction.f1": 1.0}},  # another gold set: not checked
    })
    assert [(c["metric"], c["ok"]) for c in checks] == [
        ("extraction.f1", True), ("qa.citation_validity", True), ("retrieval.hit@1", False), ("extraction.fields.level", True)]
    assert failure_line(checks[2]) == "threshold failed: tiny offline retrieval.hit@1 = 0.000 < 0.500"


def test_a_metric_that_was_not_measured_fails():
    checks = check([tiny_results()], {"tiny": {"hybrid": {"qa.accuracy": 0.1}}})
    assert checks[0]["ok"] is False and "not measured" in failure_line(checks[0])
    assert metric_value(tiny_results(), "hybrid", "qa.accuracy") is None


@pytest.mark.parametrize("content, message", [
    ("{", "not valid JSON"),
    ('{"seeds": {"offline": {"f1": 0.5}}}', "unknown metric"),
    ('{"seeds": {"offline": {"extraction.f1": "high"}}}', "must be a number"),
    ('{"seeds": [1]}', "must map engines"),
])
def test_bad_threshold_files(tmp_path, content, message):
    path = tmp_path / "t.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        load_thresholds(path)


def test_missing_file_and_comments(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_thresholds(tmp_path / "nope.json")
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"_comment": "x", "seeds": {"offline": {"extraction.f1": 0.5}}}), encoding="utf-8")
    assert load_thresholds(path)["seeds"]["offline"]["extraction.f1"] == 0.5


def test_project_thresholds_file_is_valid_and_strict_where_it_must_be():
    from pathlib import Path

    data = load_thresholds(Path(__file__).resolve().parent.parent / "eval" / "thresholds.json")
    seeds = data["seeds"]["offline"]
    assert seeds["qa.citation_validity"] == 1.0 and seeds["extraction.grounding"] == 1.0
    assert {"extraction.f1", "qa.accuracy", "qa.not_found_accuracy", "retrieval.hit@5"} <= set(seeds)
