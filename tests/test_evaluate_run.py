"""evaluate_gold with the LLM engine against a real OpenAI-compatible server (llama.cpp serving
SmolLM2-135M from tests/support_llm.py). The model cannot read Chinese, so this checks that the
engines run side by side and report time and tokens, not their scores. Replies are capped at a few
tokens (the engines' own max-token settings) to keep the test short on two cores. The hybrid engine
goes through exactly the same extraction path as llm, so it is left out (it would cost another
~4,000 prompt tokens); choosing engines, hybrid included, is tested in test_evaluate_cli.py."""
from __future__ import annotations

from pathlib import Path

from support_evaluate import gold_cluster, question, write_gold
from support_llm import MODEL, llm_server, llm_settings  # noqa: F401  (llm_server is a fixture)

from rag.config import Settings
from rag.evaluate.gold import load_gold
from rag.evaluate.report import summary_table
from rag.evaluate.run import default_answerer, default_extractor, evaluate_gold

NOTICE = ("安徽省经济和信息化厅关于公布2024年度安徽省先进制造业集群名单的通知\n"
          "现将名单公布如下：\n1.芜湖市新能源汽车产业集群\n2.合肥市新型显示产业集群\n")


def test_offline_and_llm_side_by_side(tmp_path: Path, llm_server):
    from rag.extract.llm import LLMExtractor
    from rag.llm import LLM
    from rag.qa.llm import LLMAnswerer

    items = ["芜湖市新能源汽车产业集群", "合肥市新型显示产业集群"]
    folder = write_gold(tmp_path, {"a.txt": NOTICE}, [gold_cluster("a", n, n) for n in items], [
        question("t1", "名单由哪个部门公布？", "who", [["经济和信息化厅"]], ["a"], [("a", "安徽省经济和信息化厅")]),
    ])
    settings = Settings()
    # a generous timeout: on a busy 2-core machine the ~2,000-token extraction prompt alone can take a minute
    settings.llm = llm_settings(llm_server.base_url, timeout=300.0)
    cache = tmp_path / "llm-cache"

    def extractor(name, s):
        llm = LLM(s.llm, cache_dir=cache, max_tokens=24)
        if name == "llm":
            return LLMExtractor(s, llm=llm, retries=0, max_reply_tokens=24, max_splits=0)
        return default_extractor(name, s)

    def answerer(name, s, index):
        if name == "llm":
            return LLMAnswerer(s, index, llm=LLM(s.llm, cache_dir=cache, max_tokens=24))
        return default_answerer(name, s, index)

    logs: list[str] = []
    result = evaluate_gold(load_gold(folder), ["offline", "llm"], settings, tmp_path / "work", logs.append,
                           make_extractor=extractor, make_answerer=answerer)

    assert list(result["engines"]) == ["offline", "llm"]
    llm_qa = result["engines"]["llm"]["qa"]["summary"]
    assert llm_qa["questions"] == 1 and llm_qa["errors"] == 0
    assert llm_qa["tokens_per_question"] > 0  # usage as reported by the real server
    doc = result["engines"]["llm"]["extraction"]["documents"][0]
    # 24 reply tokens cannot hold the JSON: the chunk has no valid reply, so the document is an error
    assert "got no valid LLM reply" in doc["error"] and doc["seconds"] > 0 and doc["tokens"] > 0
    # one code path for cost: the test model has no price, so both read null (not 0.0 for extraction)
    assert result["engines"]["llm"]["extraction"]["summary"]["cost_usd"] is None and doc["cost_usd"] is None
    assert llm_qa["cost_usd"] is None
    assert result["engines"]["offline"]["extraction"]["summary"]["cost_usd"] == 0.0
    assert result["engines"]["offline"]["extraction"]["documents"][0]["tokens"] == 0
    assert any("llm answered 1 questions" in line for line in logs)
    report = {"gold_sets": [result]}
    rows = summary_table(report).splitlines()[2:]
    assert [r.split(" | ")[1] for r in rows] == ["offline", "llm"]


def test_eval_asks_llm_questions_with_the_same_answer_cap_as_rag_ask():
    from rag.qa.llm import ANSWER_MAX_TOKENS

    settings = Settings()
    settings.llm = llm_settings("http://127.0.0.1:9/v1")
    answerer = default_answerer("llm", settings, object())
    assert answerer.llm.max_tokens == ANSWER_MAX_TOKENS == 800


def test_costs_sum_to_null_once_any_part_has_no_price():
    from rag.evaluate.metrics import answer_cost
    from rag.llm import total_cost
    from rag.schemas import Usage

    assert total_cost([0.001, 0.002]) == 0.003 and total_cost([]) == 0.0 and total_cost([0.1, None]) is None
    assert answer_cost(Usage(total_tokens=10, cost_usd=None)) is None  # an unpriced model
    assert answer_cost(Usage()) == 0.0  # no request: rules, or a refusal before any call
    assert answer_cost(Usage(total_tokens=10, cost_usd=None, cached=True)) == 0.0
