"""Metric arithmetic on a tiny hand-made gold set and hand-made predictions."""
from types import SimpleNamespace

import pytest
from support_evaluate import answer, gold_cluster, mention

from rag.evaluate.gold import GoldCluster, GoldQuestion
from rag.evaluate.metrics import (
    extraction_summary, prf, qa_summary, retrieval_rank, retrieval_summary, score_document, score_question,
)
from rag.schemas import ClusterMention, Evidence

DOC_A = ("近日，2023年河南省先进制造业集群名单公示。洛阳市现代农机装备制造业集群、漯河市现代食品产業集群、"
         "南阳市中医药产业集群入选。")
DOC_B = "本文介绍产业集群建设的一般经验，未提及具体集群。"


def _gold(doc_id, name, evidence, **f):
    return GoldCluster.model_validate(gold_cluster(doc_id, name, evidence, **f))


GOLD_A = [
    _gold("a", "洛阳市现代农机装备制造业集群", "洛阳市现代农机装备制造业集群", regions=["洛阳市"], province="河南省",
          level="provincial", year=2023),
    _gold("a", "漯河市现代食品产业集群", "漯河市现代食品产業集群", regions=["漯河市"], province="河南省",
          level="provincial", year=2023),
    _gold("a", "南阳市中医药产业集群", "南阳市中医药产业集群", regions=["南阳市"], province="河南省",
          level="provincial", year=2023),
]


@pytest.fixture
def scored():
    preds_a = [
        # exact, all fields right
        mention("a", "洛阳市现代农机装备制造业集群", DOC_A, regions=["洛阳"], province="河南", level="provincial", year=2023),
        # Traditional head noun folded, year wrong
        mention("a", "漯河市现代食品产業集群", DOC_A, regions=["漯河市"], province="河南省", level="provincial", year=2024),
        # not a cluster
        mention("a", "河南省先进制造业集群", DOC_A, province="河南省"),
    ]
    # an empty-gold document: its one prediction is a false positive
    preds_b = [mention("b", "产业集群建设", DOC_B)]
    return [score_document("a", GOLD_A, preds_a, DOC_A), score_document("b", [], preds_b, DOC_B)]


def test_precision_recall_f1_per_document(scored):
    a, b = scored
    assert (a["tp"], a["fp"], a["fn"]) == (2, 1, 1)
    assert a["precision"] == pytest.approx(2 / 3) and a["recall"] == pytest.approx(2 / 3)
    assert a["f1"] == pytest.approx(2 / 3)
    assert [m["name"] for m in a["missed"]] == ["南阳市中医药产业集群"]
    assert [m["name"] for m in a["false_positives"]] == ["河南省先进制造业集群"]
    assert (b["tp"], b["fp"], b["fn"]) == (0, 1, 0)
    assert b["precision"] == 0.0 and b["f1"] == 0.0


def test_micro_totals_and_field_accuracy(scored):
    s = extraction_summary(scored)
    assert (s["tp"], s["fp"], s["fn"]) == (2, 2, 1)
    assert s["precision"] == pytest.approx(0.5)
    assert s["recall"] == pytest.approx(2 / 3)
    assert s["f1"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert s["fields"]["regions"] == 1.0 and s["fields"]["province"] == 1.0
    assert s["fields"]["year"] == 0.5
    assert s["fields"]["batch"] == 1.0  # null = null
    assert s["grounding"] == 1.0


def test_wrong_field_is_reported_with_both_values(scored):
    match = next(m for m in scored[0]["matches"] if m["gold"].startswith("漯河"))
    assert match["field_errors"] == {"year": {"gold": 2023, "predicted": 2024}}


def test_empty_document_with_no_prediction_is_perfect():
    d = score_document("b", [], [], DOC_B)
    assert (d["precision"], d["recall"], d["f1"]) == (1.0, 1.0, 1.0)
    assert d["grounding"] is None


def test_prf_with_nothing_predicted():
    assert prf(0, 0, 3) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


def test_grounding_counts_spans_that_are_not_verbatim():
    good = mention("a", "南阳市中医药产业集群", DOC_A)
    shifted = ClusterMention(doc_id="a", name="洛阳市现代农机装备制造业集群",
                             evidence=Evidence(text="洛阳市现代农机装备制造业集群", start=0, end=14))
    normalised = ClusterMention(doc_id="a", name="漯河市现代食品产业集群",  # Simplified text at Traditional offsets
                                evidence=Evidence(text="漯河市现代食品产业集群", start=DOC_A.find("漯河"),
                                                  end=DOC_A.find("漯河") + 11))
    d = score_document("a", GOLD_A, [good, shifted, normalised], DOC_A)
    assert d["grounded"] == 1 and d["grounding"] == pytest.approx(1 / 3)
    assert {u["name"] for u in d["ungrounded"]} == {"洛阳市现代农机装备制造业集群", "漯河市现代食品产业集群"}
    assert d["tp"] == 3  # grounding does not change name matching


def _q(**kw):
    base = {"id": "q1", "question": "哪些?", "type": "list", "answerable": True, "answers": [["洛阳"], ["漯河"]],
            "doc_ids": ["a"], "evidence": [{"doc_id": "a", "text": "洛阳市现代农机装备制造业集群、漯河市现代食品產業集群"}]}
    base.update(kw)
    return GoldQuestion.model_validate(base)


def test_question_scores():
    originals = {"a": DOC_A}
    q = _q()
    nf = _q(id="q2", type="not_found", answerable=False, answers=[], doc_ids=[], evidence=[])
    right = score_question(q, answer("洛阳和漯河两个集群", [("a", DOC_A, "洛阳市现代农机装备制造业集群")]), originals)
    half = score_question(q, answer("只有洛阳", [("a", DOC_A, "南阳市中医药产业集群")]), originals)
    refused = score_question(q, answer("资料中没有答案", found=False), originals)
    nf_ok = score_question(nf, answer("资料中没有答案", found=False), originals)
    nf_bad = score_question(nf, answer("有十个", [("a", DOC_A, "并不存在的引文")]), originals)
    failed = score_question(q, None, originals)
    assert right["correct"] and not half["correct"] and not refused["correct"] and not failed["correct"]
    assert half["missing"] == [["漯河"]]
    assert half["citations"][0]["supported"] is False and right["citations"][0]["supported"] is True
    assert nf_ok["correct"] and not nf_bad["correct"]
    assert nf_bad["citations"][0]["valid"] is False and "supported" not in nf_bad["citations"][0]

    s = qa_summary([right, half, refused, nf_ok, nf_bad, failed])
    assert s["accuracy"] == pytest.approx(1 / 4)
    assert s["not_found_accuracy"] == pytest.approx(1 / 2)
    assert s["overall_accuracy"] == pytest.approx(2 / 6)
    assert s["false_refusals"] == 2  # the refusal and the failed call (no answer at all)
    assert s["citations"] == 3 and s["citation_validity"] == pytest.approx(2 / 3)
    assert s["citation_support"] == pytest.approx(1 / 2)
    assert s["by_type"]["list"] == {"questions": 4, "correct": 1, "accuracy": 0.25}


def _hit(doc_id, text):
    return SimpleNamespace(chunk=SimpleNamespace(doc_id=doc_id, original_text=text))


def test_retrieval_rank_and_hits():
    q = _q()
    hits = [_hit("b", DOC_B), _hit("a", "……洛阳市现代农机装备制造业集群、漯河市现代食品產業集群、南阳……"), _hit("a", DOC_A)]
    assert retrieval_rank(q, hits) == 2
    assert retrieval_rank(q, [_hit("b", DOC_A)]) is None  # the right text in the wrong document
    s = retrieval_summary([{"id": "1", "rank": 1}, {"id": "2", "rank": 2}, {"id": "3", "rank": 4}, {"id": "4", "rank": None}])
    assert (s["hit@1"], s["hit@3"], s["hit@5"]) == (0.25, 0.5, 0.75)
    assert s["mrr"] == pytest.approx((1 + 0.5 + 0.25) / 4)
