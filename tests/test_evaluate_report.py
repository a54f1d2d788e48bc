"""report.json / report.md / report.html from results scored on hand-made inputs."""
import json
import re

import pytest
from support_evaluate import answer, gold_cluster, mention

from rag.config import Settings
from rag.evaluate.gold import GoldCluster, GoldQuestion
from rag.evaluate.metrics import (
    extraction_summary, qa_summary, retrieval_summary, score_document, score_question,
)
from rag.evaluate.report import make_report, render_markdown, summary_table, write_reports
from rag.evaluate.thresholds import check

DOC = "甲市钢铁产业集群和乙市化工产业集群入选省级名单。<script>alert(1)</script>"


def tiny_results() -> dict:
    """A gold-set result as rag.evaluate.run.evaluate_gold returns it, scored from hand-made predictions."""
    gold = [GoldCluster.model_validate(gold_cluster("a", "甲市钢铁产业集群", "甲市钢铁产业集群", level="provincial")),
            GoldCluster.model_validate(gold_cluster("a", "乙市化工产业集群", "乙市化工产业集群"))]
    offline = [score_document("a", gold, [mention("a", "甲市钢铁产业集群", DOC, level="provincial"),
                                          mention("a", "<script>alert(1)</script>", DOC)], DOC)]
    hybrid = [score_document("a", gold, [mention("a", "甲市钢铁产业集群", DOC), mention("a", "乙市化工产业集群", DOC)], DOC)]
    for d in offline + hybrid:
        d.update(seconds=0.01, error=None)
    q = GoldQuestion.model_validate({
        "id": "q1", "question": "哪些集群入选?", "type": "list", "answerable": True, "answers": [["钢铁"], ["化工"]],
        "doc_ids": ["a"], "evidence": [{"doc_id": "a", "text": "甲市钢铁产业集群和乙市化工产业集群入选省级名单"}]})
    rows = [score_question(q, answer("钢铁", [("a", DOC, "甲市钢铁产业集群")], tokens=0), {"a": DOC})]
    rows[0].update(seconds=0.02, error=None)
    return {
        "name": "tiny", "folder": "tiny/gold", "documents": 1, "clusters": 2, "questions": 1,
        "retrieval": {"summary": retrieval_summary([{"id": "q1", "rank": 2}]),
                      "questions": [{"id": "q1", "question": q.question, "rank": 2, "evidence": [], "retrieved": []}]},
        "engines": {
            "offline": {"extraction": {"summary": extraction_summary(offline), "documents": offline},
                        "qa": {"summary": qa_summary(rows), "questions": rows}},
            "hybrid": {"extraction": {"summary": extraction_summary(hybrid), "documents": hybrid}, "qa": None},
        },
    }


@pytest.fixture
def report():
    results = [tiny_results()]
    checks = check(results, {"tiny": {"offline": {"extraction.f1": 0.4, "qa.accuracy": 0.9}}})
    return make_report(results, ["offline", "hybrid"], Settings(), checks, "thresholds.json", False, 1.5)


def test_summary_table_has_one_row_per_engine(report):
    table = summary_table(report).splitlines()
    assert table[0].startswith("| gold | engine | P | R | F1 |")
    assert len(table) == 4
    offline = table[2].split(" | ")
    assert offline[:5] == ["| tiny", "offline", "0.500", "0.500", "0.500"]
    hybrid = table[3].split(" | ")
    assert hybrid[4] == "1.000" and "–" in hybrid  # no QA for the hybrid engine


def test_markdown_lists_misses_with_evidence_and_threshold_failures(report):
    md = render_markdown(report)
    assert "missed cluster: a: 乙市化工产业集群 — evidence: «乙市化工产业集群»" in md
    assert "wrong answer: q1 哪些集群入选? — missing 化工" in md
    assert "| tiny | offline | qa.accuracy | 0.000 | 0.900 | **FAIL** |" in md
    assert "#### QA by question type" in md and "| list | 0/1 |" in md


def test_reports_are_written_and_html_is_self_contained(tmp_path, report):
    paths = write_reports(report, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["report.html", "report.json", "report.md"]
    data = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert data["gold_sets"][0]["engines"]["offline"]["extraction"]["documents"][0]["missed"][0]["name"] == "乙市化工产业集群"
    assert data["thresholds"]["passed"] is False
    html = paths["html"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.count("<svg") >= 3
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # evidence is escaped, never markup


def test_no_secrets_in_reports(tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-secret-value")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://user:pw@127.0.0.1:9/v1")
    rep = make_report([tiny_results()], ["offline"], Settings(), [], None, True, 0.1)
    paths = write_reports(rep, tmp_path)
    for p in paths.values():
        text = p.read_text(encoding="utf-8")
        assert "sk-test-secret-value" not in text and "user:pw" not in text
