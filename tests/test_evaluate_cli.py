"""`rag eval` from the command line: one-line errors, and an end-to-end run of the offline engine
on a small gold folder written here (two hand-written articles, one naming no cluster)."""
from __future__ import annotations

import json

import pytest
from support_evaluate import gold_cluster, question, write_gold

from rag.cli import main
from rag.config import Settings
from rag.evaluate.cli import resolve_engines

LLM_ENV = ("RAG_LLM_BASE_URL", "OPENAI_BASE_URL", "RAG_LLM_API_KEY", "OPENAI_API_KEY")


@pytest.fixture(autouse=True)
def no_llm(monkeypatch):
    for name in LLM_ENV:
        monkeypatch.delenv(name, raising=False)


def _one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("rag eval: error: ")
    return err[0]


def test_missing_default_gold_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["eval"]) == 1
    assert "eval/gold: no gold folder here" in _one_error_line(capsys)


def test_llm_engines_need_an_endpoint(tmp_path, capsys):
    assert main(["eval", "--engine", "llm", "--gold", str(tmp_path)]) == 1
    assert "need an OpenAI-compatible endpoint" in _one_error_line(capsys)
    assert main(["eval", "--engine", "all", "--gold", str(tmp_path)]) == 1
    _one_error_line(capsys)


def test_broken_gold_folder_is_a_one_line_error(tmp_path, capsys):
    folder = write_gold(tmp_path, {"a.txt": "甲市钢铁产业集群"}, [gold_cluster("zzz", "甲市钢铁产业集群", "甲市")], [])
    assert main(["eval", "--gold", str(folder), "--report", str(tmp_path / "r")]) == 1
    assert "clusters.jsonl:1: doc_id 'zzz'" in _one_error_line(capsys)


def test_bad_thresholds_file_is_a_one_line_error(tmp_path, capsys):
    folder = write_gold(tmp_path, {"a.txt": "甲市钢铁产业集群"}, [], [])
    assert main(["eval", "--gold", str(folder), "--thresholds", str(tmp_path / "none.json")]) == 1
    assert "thresholds file not found" in _one_error_line(capsys)


# Two articles written for this test (not seeds): a provincial list notice and a feature that
# names no cluster (its gold is empty, so anything extracted from it is a false positive).
NOTICE = """安徽省经济和信息化厅关于公布2024年度安徽省先进制造业集群名单的通知
发布时间：2024-11-20
各市经济和信息化局：
根据《安徽省先进制造业集群培育办法》，经组织申报、专家评审和公示，现将2024年度安徽省先进制造业集群名单公布如下：
1.芜湖市新能源汽车产业集群
2.合肥市新型显示产业集群
3.马鞍山市轨道交通装备产业集群
请各地加大支持力度，推动集群高质量发展。
安徽省经济和信息化厅
2024年11月20日
"""
FEATURE = """集群发展观察：从块状经济到现代产业集群
记者 李明
近年来，各地把产业集群建设作为稳增长的重要抓手。专家表示，培育先进制造业集群需要龙头企业带动、配套企业集聚和公共服务平台支撑。
据统计，全省已有12个省级产业集群，年营业收入合计超过8000亿元。
"""
LIST_ITEMS = ["芜湖市新能源汽车产业集群", "合肥市新型显示产业集群", "马鞍山市轨道交通装备产业集群"]


def _tiny_gold(tmp_path):
    common = dict(province="安徽省", level="provincial", program="先进制造业集群",
                  recognised_by="安徽省经济和信息化厅", year=2024)
    clusters = [gold_cluster("201_anhui_list", name, name, regions=[name.split("市")[0] + "市"],
                             industry=ind, **common)
                for name, ind in zip(LIST_ITEMS, ["新能源汽车", "新型显示", "轨道交通装备"])]
    qa = [
        question("t1", "2024年度安徽省先进制造业集群名单包括哪些集群？", "list", [["芜湖"], ["合肥"], ["马鞍山"]],
                 ["201_anhui_list"], [("201_anhui_list", item) for item in LIST_ITEMS]),
        question("t2", "安徽省先进制造业集群名单由哪个部门公布？", "who", [["安徽省经济和信息化厅", "经济和信息化厅"]],
                 ["201_anhui_list"], [("201_anhui_list", "安徽省经济和信息化厅关于公布2024年度安徽省先进制造业集群名单的通知")]),
        question("t3", "全省已有多少个省级产业集群？", "count", [["12"]], ["202_feature"],
                 [("202_feature", "据统计，全省已有12个省级产业集群")]),
        question("t4", "江西省2024年度先进制造业集群名单有哪些集群？", "not_found"),
    ]
    return write_gold(tmp_path, {"201_anhui_list.txt": NOTICE, "202_feature.txt": FEATURE}, clusters, qa)


def test_offline_eval_end_to_end(tmp_path, monkeypatch, capsys):
    gold = _tiny_gold(tmp_path)
    report = tmp_path / "report"
    monkeypatch.chdir(tmp_path)  # no eval/thresholds.json here: nothing is checked
    assert main(["eval", "--engine", "offline", "--gold", str(gold), "--report", str(report)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("| gold | engine | P | R | F1 |") and "| tiny | offline |" in out
    assert sorted(p.name for p in report.iterdir()) == ["report.html", "report.json", "report.md"]  # index cleaned up

    data = json.loads((report / "report.json").read_text(encoding="utf-8"))
    g = data["gold_sets"][0]
    assert (g["name"], g["documents"], g["clusters"], g["questions"]) == ("tiny", 2, 3, 4)
    ext = g["engines"]["offline"]["extraction"]
    assert [d["doc_id"] for d in ext["documents"]] == ["201_anhui_list", "202_feature"]
    assert ext["summary"]["gold"] == 3
    assert ext["summary"]["predicted"] == sum(d["predicted"] for d in ext["documents"])
    feature = ext["documents"][1]
    assert feature["gold"] == 0 and feature["fp"] == feature["predicted"]
    qa = g["engines"]["offline"]["qa"]
    assert [q["id"] for q in qa["questions"]] == ["t1", "t2", "t3", "t4"]
    assert qa["summary"]["questions"] == 4 and qa["summary"]["seconds_per_question"] > 0
    # retrieval is scored on the three answerable questions only
    assert g["retrieval"]["summary"]["questions"] == 3
    for value in (ext["summary"]["f1"], qa["summary"]["accuracy"], g["retrieval"]["summary"]["hit@5"]):
        assert 0.0 <= value <= 1.0
    assert "| tiny | offline |" in (report / "report.md").read_text(encoding="utf-8")


def test_a_metric_below_its_threshold_fails_the_run(tmp_path, capsys):
    gold = _tiny_gold(tmp_path)
    thresholds = tmp_path / "thresholds.json"
    # F1 can never exceed 1, so this minimum always fails; the hit@5 one always passes
    thresholds.write_text(json.dumps({"tiny": {"offline": {"extraction.f1": 1.5, "retrieval.hit@5": 0.0}}}),
                          encoding="utf-8")
    code = main(["eval", "--gold", str(gold), "--report", str(tmp_path / "r"), "--thresholds", str(thresholds)])
    captured = capsys.readouterr()
    assert code == 1
    failing = [ln for ln in captured.err.splitlines() if ln.startswith("threshold failed:")]
    assert len(failing) == 1 and failing[0].startswith("threshold failed: tiny offline extraction.f1 = ")
    assert failing[0].endswith("< 1.500")
    assert "| tiny | offline |" in captured.out  # the summary is still printed
    assert json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))["thresholds"]["passed"] is False

    assert main(["eval", "--gold", str(gold), "--report", str(tmp_path / "r"), "--thresholds", str(thresholds),
                 "--no-thresholds"]) == 0


def test_default_engines_are_the_available_ones(monkeypatch):
    assert resolve_engines(None, Settings()) == ["offline"]
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert resolve_engines(None, Settings()) == ["offline"]  # another tool's endpoint is not jiqun's choice
    assert resolve_engines(["llm"], Settings()) == ["llm"]  # ... unless asked for by name
    monkeypatch.setenv("RAG_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    assert resolve_engines(None, Settings()) == ["offline", "llm", "hybrid"]
    assert resolve_engines(["hybrid", "offline", "hybrid"], Settings()) == ["hybrid", "offline"]
    assert resolve_engines(["all"], Settings()) == ["offline", "llm", "hybrid"]
