"""The benchmark's retrieval-quality scoring (bench/quality.py) and its hit@5 target (bench/report.py)."""
from bench import quality
from bench.report import evaluate_targets
from bench.quality import GoldQuestion


def test_questions_about_these_articles_are_corpus_scoped():
    assert GoldQuestion("g:a", "这些文章一共提到河南省哪些集群？").corpus_scoped
    assert GoldQuestion("g:b", "這些報導中哪幾篇是國家級名單？").corpus_scoped
    assert not GoldQuestion("g:c", "青岛市有哪些产业集群入选了首批国家战略性新兴产业集群？").corpus_scoped
    assert not GoldQuestion("g:d", "这个集群的龙头企业是哪家？").corpus_scoped


def test_score_reports_each_set_with_and_without_corpus_scoped_questions():
    qs = [GoldQuestion("gold:q1", "聊城年营收突破1000亿元的产业集群有哪些？", [("d1", 10, 30)]),
          GoldQuestion("gold:q2", "这些文章一共提到哪些集群？", [("d2", 0, 20)]),
          GoldQuestion("gold:q3", "没有证据的问题"),  # not scored
          GoldQuestion("extra:x1", "合肥有哪些集群？", [("d3", 100, 120)])]
    retrieved = {"gold:q1": [("d9", 0, 50), ("d1", 0, 40)],  # rank 2, covers all of 10-30
                 "gold:q2": [("d9", 0, 50)] * 5,
                 "extra:x1": [("d3", 0, 105)]}  # covers 5 of 20 characters: not a hit
    out = quality.score(qs, retrieved)
    assert out["gold"] == {"n": 2, "hit@1": 0.0, "hit@3": 0.5, "hit@5": 0.5}
    assert out["gold-specific"] == {"n": 1, "hit@1": 0.0, "hit@3": 1.0, "hit@5": 1.0}
    assert out["extra"]["hit@5"] == 0.0
    assert out["misses_at_5"] == ["extra:x1", "gold:q2"]


def test_hit5_target_uses_the_document_questions_and_shows_all():
    row = {"size": 5000, "documents": 5015,
           "ours_query": {"quality": {"gold": {"n": 67, "hit@5": 0.9}, "gold-specific": {"n": 60, "hit@5": 0.967}}}}
    target = next(t for t in evaluate_targets({"sizes": [row]}) if t["target"].startswith("retrieval hit@5"))
    assert target["status"] == "met" and target["value"] == 0.967
    assert "0.9 on all 67" in target["figure"]
    row["ours_query"]["quality"]["gold-specific"]["hit@5"] = 0.94
    target = next(t for t in evaluate_targets({"sizes": [row]}) if t["target"].startswith("retrieval hit@5"))
    assert target["status"] == "NOT MET"
