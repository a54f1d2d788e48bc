"""`rag extract --engine llm|hybrid` end to end against the real server (xllamacpp + SmolLM2)
through the fault-injecting proxy: exit codes, the documents written, the LLM summary line and
its copy in the progress file, and resume running exactly the failed documents.

Where a test needs a known model reply (prose, a cut reply, a veto) the proxy replaces the real
reply's content or answers in the server's place: deliberate fault injection, as in
tests/test_extract_llm.py. The one reply cut at the token limit by the real model is real."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.cli import main
from rag.schemas import ClusterMention
from support_llm import MODEL, fault_proxy, llm_server  # noqa: F401  (fixtures)

ARTICLE = """{city}市公布首批市级先进制造业集群名单
2024年5月10日，{city}市经济和信息化局公布首批市级先进制造业集群名单，共2个。
名单如下：
1.{city}高新区新能源汽车产业集群
2.{city}轴承产业集群
"""
CITIES = ("襄阳", "宜昌", "荆州")


def good(city: str) -> str:
    return json.dumps({"clusters": [{"name": f"{city}轴承产业集群", "evidence": f"2.{city}轴承产业集群"}]},
                      ensure_ascii=False)


@pytest.fixture
def env(monkeypatch, tmp_path, fault_proxy):
    for name in ("OPENAI_BASE_URL", "RAG_LLM_API_KEY", "OPENAI_API_KEY", "RAG_ENGINE"):
        monkeypatch.delenv(name, raising=False)
    settings = {"RAG_LLM_BASE_URL": fault_proxy.base_url, "RAG_LLM_MODEL": MODEL, "RAG_LLM_CONCURRENCY": "1",
                "RAG_LLM_MAX_RETRIES": "1", "RAG_LLM_CACHE": str(tmp_path / "cache"), "RAG_LLM_TIMEOUT": "600",
                "RAG_LLM_MAX_TOKENS": "64"}
    for k, v in settings.items():
        monkeypatch.setenv(k, v)
    return fault_proxy


@pytest.fixture
def docs(tmp_path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, city in enumerate(CITIES):
        (folder / f"{i}_{city}.txt").write_text(ARTICLE.format(city=city), encoding="utf-8")
    return folder


def run(capsys, *argv) -> tuple[int, str]:
    code = main(["extract", *argv])
    return code, capsys.readouterr().err


def records(path: Path) -> list[ClusterMention]:
    return [ClusterMention.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def progress(out: Path) -> tuple[list[dict], list[dict]]:
    lines = [json.loads(x) for x in out.with_name(out.name + ".progress.jsonl").read_text(encoding="utf-8").splitlines()]
    return [x for x in lines if "path" in x], [x["llm_usage"] for x in lines if "llm_usage" in x]


def test_a_document_with_a_failed_chunk_fails_and_only_it_runs_again(capsys, env, docs, tmp_path):
    out = tmp_path / "out.jsonl"
    prose = ("reply", "Sorry, I can only answer in English prose.")
    env.faults.extend([("reply", good("襄阳")), prose, prose, prose, ("reply", good("荆州"))])
    code, err = run(capsys, str(docs), "--engine", "llm", "--out", str(out))
    assert code == 1 and "Traceback" not in err
    failed = [line for line in err.splitlines() if line.startswith("rag extract: error:")]
    assert len(failed) == 1 and "1_宜昌.txt" in failed[0] and "1 of 1 chunk(s) got no valid LLM reply" in failed[0]
    assert {r.doc_id for r in records(out)} == {"0_襄阳", "2_荆州"}
    done, usage = progress(out)
    assert [Path(d["path"]).name for d in done] == ["0_襄阳.txt", "2_荆州.txt"]  # the failed one is not marked done
    summary = next(line for line in err.splitlines() if line.startswith("rag extract: LLM:"))
    assert "5 requests" in summary and "2 re-asks" in summary and "1 failed chunks" in summary
    assert usage[-1]["calls"] == 5 and usage[-1]["failed_chunks"] == 1 and usage[-1]["failed_documents"] == 1
    assert usage[-1]["prompt_tokens"] > 0 and usage[-1]["cost_usd"] is None  # SmolLM2 has no price: unknown

    env.faults.append(("reply", good("宜昌")))
    code, err = run(capsys, str(docs), "--engine", "llm", "--out", str(out))
    assert code == 0, err
    assert "3 documents (2 already done)" in err and len(env.chat_requests()) == 6  # exactly the failed one
    assert sorted(r.doc_id for r in records(out)) == ["0_襄阳", "1_宜昌", "2_荆州"]
    assert progress(out)[1][-1]["calls"] == 1


def test_a_retry_after_beyond_the_max_wait_fails_that_document(capsys, env, docs, tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_LLM_MAX_WAIT", "1")
    out = tmp_path / "out.jsonl"
    env.faults.extend([("reply", good("襄阳")), ("status", 429, {"retry-after": "90"}), ("reply", good("荆州"))])
    code, err = run(capsys, str(docs), "--engine", "llm", "--out", str(out))
    assert code == 1
    failed = [line for line in err.splitlines() if line.startswith("rag extract: error:")]
    assert len(failed) == 1 and "1_宜昌.txt" in failed[0] and "asked to wait 90 s" in failed[0]
    assert "RAG_LLM_MAX_WAIT=1" in failed[0] and env.base_url in failed[0]
    assert {r.doc_id for r in records(out)} == {"0_襄阳", "2_荆州"} and len(env.chat_requests()) == 3


def test_bad_bodies_errors_hangs_and_slow_replies_are_retried_and_counted(capsys, env, docs, tmp_path, monkeypatch):
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "2")
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "2")
    monkeypatch.setenv("RAG_LLM_MAX_WAIT", "5")
    env.faults.extend([("raw", 200, "<html>gateway busy</html>", "text/html"), ("drop",), ("reply", good("襄阳")),
                       ("status", 503), ("stall", 6.0), ("reply", good("宜昌")),  # a hang: 2 s of silence times out
                       ("trickle", 0.3, good("荆州"))])  # ~4 s of reply against a 2 s read timeout: not cut off
    code, err = run(capsys, str(docs), "--engine", "llm", "--out", str(tmp_path / "out.jsonl"))
    assert code == 0, err
    summary = next(line for line in err.splitlines() if line.startswith("rag extract: LLM:"))
    assert "7 requests" in summary and "4 retried errors" in summary and "0 failed chunks" in summary
    assert len(records(tmp_path / "out.jsonl")) == 3


def test_a_reply_cut_at_the_token_limit_splits_the_chunk_and_the_halves_recover_it(capsys, env, tmp_path,
                                                                                     monkeypatch):
    """The first reply is the real model's, cut at RAG_LLM_MAX_TOKENS=16; the halves' are canned."""
    monkeypatch.setenv("RAG_LLM_MAX_TOKENS", "16")
    path = tmp_path / "xy.txt"
    path.write_text(ARTICLE.format(city="襄阳"), encoding="utf-8")
    half1 = json.dumps({"clusters": []})
    half2 = json.dumps({"clusters": [{"name": "襄阳高新区新能源汽车产业集群", "evidence": "1.襄阳高新区新能源汽车产业集群"},
                                     {"name": "襄阳轴承产业集群", "evidence": "2.襄阳轴承产业集群"}]}, ensure_ascii=False)
    env.faults.extend([None, ("reply", half1), ("reply", half2)])
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(path), "--engine", "llm", "--out", str(out))
    assert code == 0, err
    sent = env.chat_requests()
    assert sent[0]["max_completion_tokens"] == 16  # RAG_LLM_MAX_TOKENS
    assert len(sent) == 3 and "1 split chunks" in err and "0 failed chunks" in err
    whole, first, second = (r["messages"][1]["content"].split("【正文片段（从这里抽取）】")[1].split("【后文")[0].strip()
                            for r in sent)
    assert first + second == whole.replace("\n", "") or (first + "\n" + second).replace("\n\n", "\n") == whole
    assert "2.襄阳轴承产业集群" in second and "2.襄阳轴承产业集群" not in first
    assert [r.name for r in records(out)] == ["襄阳高新区新能源汽车产业集群", "襄阳轴承产业集群"]


def test_hybrid_vetoes_need_a_reason_and_are_counted_or_kept_flagged(capsys, env, tmp_path):
    path = tmp_path / "xy.txt"
    path.write_text(ARTICLE.format(city="襄阳"), encoding="utf-8")
    blank = {"regions": [], "province": None, "level": None, "program": None, "industry": None, "recognised_by": None,
             "year": None, "batch": None}
    veto = json.dumps({"checked": [dict(blank, id=1, keep=False, reason="测试：文中只是目标"),
                                   dict(blank, id=2, keep=False, reason=None)], "missing": []}, ensure_ascii=False)
    env.faults.append(("reply", veto))
    out = tmp_path / "out.jsonl"
    code, err = run(capsys, str(path), "--engine", "hybrid", "--out", str(out))
    assert code == 0, err
    assert [r.name for r in records(out)] == ["襄阳轴承产业集群"]  # the veto without a reason is not one
    assert "1 vetoed" in err and progress(out)[1][-1]["vetoes_without_reason"] == 1

    flagged = tmp_path / "flagged.jsonl"
    code, err = run(capsys, str(path), "--engine", "hybrid", "--keep-vetoed", "--out", str(flagged))
    assert code == 0, err
    kept = records(flagged)
    assert [(r.name, r.vetoed) for r in kept] == [("襄阳高新区新能源汽车产业集群", "测试：文中只是目标"),
                                                  ("襄阳轴承产业集群", None)]
    assert len(env.chat_requests()) == 1  # the second run read the cached reply


def test_passes_out_of_range_is_one_line(capsys, docs):
    code, err = run(capsys, str(docs), "--engine", "offline", "--passes", "0")
    assert code != 0 and err.count("\n") == 1 and "--passes" in err and "Traceback" not in err
