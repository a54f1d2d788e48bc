"""`rag extract --schema package.module:Model`: the user's own record model on the LLM engine,
against the real server (xllamacpp + SmolLM2) through the fault-injecting proxy; canned replies
(known content) are fault injection, as in tests/test_extract_llm.py."""
from __future__ import annotations

import csv
import io
import json

import pytest

from rag.cli import main
from support_llm import MODEL, fault_proxy, llm_server  # noqa: F401  (fixtures)
from support_schema import Statistic

ARTICLE = "襄陽市產業集群發展報告\n2023年，襄陽軸承集群聚集企業120餘家，年產值超過80億元。\n"


@pytest.fixture
def env(monkeypatch, tmp_path, fault_proxy):
    for name in ("OPENAI_BASE_URL", "RAG_LLM_API_KEY", "OPENAI_API_KEY", "RAG_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    for k, v in {"RAG_LLM_BASE_URL": fault_proxy.base_url, "RAG_LLM_MODEL": MODEL, "RAG_LLM_CONCURRENCY": "1",
                 "RAG_LLM_MAX_RETRIES": "0", "RAG_LLM_CACHE": str(tmp_path / "cache"), "RAG_LLM_TIMEOUT": "600",
                 "RAG_LLM_MAX_TOKENS": "160"}.items():
        monkeypatch.setenv(k, v)
    path = tmp_path / "report.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return fault_proxy, path


def run(capsys, *argv):
    code = main(["extract", *argv])
    return code, capsys.readouterr().err


def stat(**kw) -> dict:
    return {"indicator": None, "value": None, "unit": None, "year": None, "place": None, "evidence": None, **kw}


def test_the_real_model_fills_the_users_schema_with_grounded_quotes_or_fails_the_document(capsys, env, tmp_path):
    proxy, path = env
    out = tmp_path / "stats.jsonl"
    code, err = run(capsys, str(path), "--engine", "llm", "--schema", "support_schema:Statistic", "--out", str(out))
    sent = proxy.chat_requests()[0]
    schema = sent["response_format"]["json_schema"]["schema"]
    assert sent["response_format"]["json_schema"]["name"] == "records" and schema["required"] == ["records"]
    assert schema["$defs"]["Statistic"]["required"] == ["indicator", "value", "unit", "year", "place", "evidence"]
    assert "Traceback" not in err and "rag extract: LLM:" in err
    if code == 0:  # schema-valid records whose quotes are exact spans of the original
        for line in out.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            Statistic.model_validate({k: v for k, v in rec.items() if k not in ("doc_id", "quotes")})
            q = rec["quotes"]["evidence"]
            assert ARTICLE[q["start"]:q["end"]] == q["text"] and rec["doc_id"] == "report"
    else:  # the tiny model gave no valid reply: a failed document, nothing written for it
        assert code == 1 and "got no valid LLM reply" in err and out.read_text(encoding="utf-8") == ""


def test_canned_statistics_are_grounded_reasked_and_written_as_jsonl_and_csv(capsys, env, tmp_path):
    proxy, path = env
    examples = tmp_path / "examples.jsonl"
    examples.write_text(json.dumps({"text": "全市规上企业达到350家。", "records": [stat(
        indicator="规上企业", value=350, unit="家", evidence="全市规上企业达到350家")]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    good = stat(indicator="企业数量", value=120, unit="家", year=2023, place="襄阳", evidence="襄阳轴承集群聚集企业120余家")
    invented = stat(indicator="年产值", value=80, unit="亿元", year=2023, evidence="年产值达到80亿元")
    fixed = dict(invented, evidence="年产值超过80亿元")
    proxy.faults.extend([("reply", json.dumps({"records": [good, invented]}, ensure_ascii=False)),
                         ("reply", json.dumps({"records": [good, fixed]}, ensure_ascii=False))])
    out = tmp_path / "stats.jsonl"
    code, err = run(capsys, str(path), "--engine", "llm", "--schema", "support_schema:Statistic",
                    "--examples", str(examples), "--out", str(out))
    assert code == 0, err
    first, second = proxy.chat_requests()
    assert "全市规上企业达到350家" in first["messages"][0]["content"]  # the few-shot example is shown
    feedback = second["messages"][-1]["content"]
    assert "records.1.evidence" in feedback and "年产值达到80亿元" in feedback  # grounding inside the re-ask loop
    recs = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["indicator"], r["value"]) for r in recs] == [("企业数量", 120), ("年产值", 80)]
    for r in recs:
        q = r["quotes"]["evidence"]
        assert ARTICLE[q["start"]:q["end"]] == q["text"] and q["alignment"] == "folded"  # Traditional source
    assert recs[1]["quotes"]["evidence"]["text"] == "年產值超過80億元"

    csv_out = tmp_path / "stats.csv"
    code, err = run(capsys, str(path), "--engine", "llm", "--schema", "support_schema:Statistic",
                    "--examples", str(examples), "--out", str(csv_out))
    assert code == 0, err
    assert csv_out.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM, as every CSV jiqun writes (Excel)
    rows = list(csv.DictReader(io.StringIO(csv_out.read_text(encoding="utf-8-sig"))))
    assert list(rows[0]) == ["doc_id", "indicator", "value", "unit", "year", "place", "evidence", "quotes"]
    assert rows[1]["indicator"] == "年产值" and json.loads(rows[1]["quotes"])["evidence"]["text"] == "年產值超過80億元"
    assert len(proxy.chat_requests()) == 2  # the CSV run read the cached replies


@pytest.mark.parametrize("argv,words", [
    (["--schema", "support_schema:Nope"], "has no Nope"),
    (["--schema", "no_such_module_x:Model"], "cannot import"),
    (["--schema", "json:dumps"], "not a pydantic model"),
    (["--examples", "x.jsonl"], "goes with --schema"),
])
def test_a_bad_schema_or_examples_flag_is_one_line(capsys, env, argv, words):
    _, path = env
    code, err = run(capsys, str(path), "--engine", "llm", *argv)
    assert code != 0 and words in err and err.count("\n") == 1 and "Traceback" not in err
