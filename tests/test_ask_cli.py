"""`rag ask` (rag/qa/cli.py) through the real command entry point, on the QA test index
(tests/support_qa.py). The LLM engine runs against a real local OpenAI-compatible server
(xllamacpp + SmolLM2, tests/support_llm.py); the model cannot read Chinese, so that test checks
the protocol (engine, JSON shape, checked citations), not the content."""
from __future__ import annotations

import io
import json
import shutil
import sys

import pytest

from rag.cli import main
from rag.core.chinese import fold
from rag.index import Index
from support_llm import MODEL, fault_proxy, free_port, llm_server  # noqa: F401  (fixtures)
from support_qa import qa_db, settings_for

QUESTION = "郑州市首批市级战略性新兴产业集群有哪些？"


@pytest.fixture(scope="module")
def db():
    return str(qa_db())


@pytest.fixture(scope="module")
def originals(db):
    with Index.open(settings_for(db), create=False) as index:
        return {d.doc_id: index.original(d.doc_id) for d in index.documents()}


@pytest.fixture(autouse=True)
def no_llm_endpoint(monkeypatch, tmp_path):
    for name in ("RAG_LLM_BASE_URL", "OPENAI_BASE_URL", "RAG_LLM_API_KEY", "OPENAI_API_KEY", "RAG_ENGINE", "RAG_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RAG_LLM_CACHE", str(tmp_path / "llm-cache"))


def run(capsys, *argv):
    code = main(["ask", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def assert_cited(record, originals):
    assert record["citations"]
    for c in record["citations"]:
        assert originals[c["doc_id"]][c["start"]:c["end"]] == c["text"]


def test_json_prints_the_answer_record(capsys, db, originals):
    code, out, err = run(capsys, QUESTION, "--db", db, "--engine", "offline", "--json")
    assert code == 0, err
    record = json.loads(out)
    assert {"question", "answer", "citations", "engine", "usage"} <= set(record)
    assert record["question"] == QUESTION and record["engine"] == "offline" and record["found"] is True
    assert "铝基新材料" in record["answer"]
    assert_cited(record, originals)


def test_terminal_shows_the_answer_then_numbered_sources(capsys, db, originals):
    code, out, _ = run(capsys, "45个国家级集群中新材料领域有几个？", "--db", db, "--engine", "offline")
    assert code == 0
    lines = out.splitlines()
    assert "7" in lines[0] and lines[-1] == "(engine: offline)"
    sources = [line for line in lines if line.startswith("[")]
    assert sources and sources[0].startswith("[1] 001_e95a1a6b2c1b2f2b [")
    doc_id, span = sources[0].split()[1:3]
    start, end = map(int, span.strip("[]").split(":"))
    quote = sources[0].split("「", 1)[1].rstrip("」")
    assert " ".join(originals[doc_id][start:end].split()) == quote


def test_batch_from_stdin_as_json_lines_in_order(capsys, monkeypatch, db, originals):
    questions = ["这些文章一共提到河南省哪些集群？", "", "江苏省有哪些集群入选了45个国家先进制造业集群名单？", "  ",
                 "哪个部门公布了45个国家先进制造业集群名单？"]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(questions) + "\n"))
    code, out, err = run(capsys, "--file", "-", "--db", db, "--engine", "offline", "--json")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in records] == [q for q in questions if q.strip()]
    assert "兰考品牌家居" in records[0]["answer"] and "巩义" in records[0]["answer"]
    assert records[1]["found"] is False and records[1]["citations"] == []
    assert "工业和信息化部" in fold(records[2]["answer"]) or "工信部" in fold(records[2]["answer"])
    assert_cited(records[0], originals)
    assert_cited(records[2], originals)


def test_batch_file_in_the_terminal(capsys, tmp_path, db):
    path = tmp_path / "questions.txt"
    path.write_text("山东入选了几个战略性新兴产业集群？\n\n鄭州市首批市級戰略性新興產業集群有哪些？\n", encoding="utf-8")
    code, out, _ = run(capsys, "--file", str(path), "--db", db, "--engine", "offline", "-k", "4")
    assert code == 0
    blocks = out.split("问：")[1:]
    assert [b.splitlines()[0] for b in blocks] == ["山东入选了几个战略性新兴产业集群？", "鄭州市首批市級戰略性新興產業集群有哪些？"]
    assert "7" in blocks[0].splitlines()[1]
    assert "鄭州" in blocks[1]  # a Traditional question, a Traditional answer


def test_doc_filter(capsys, db):
    code, out, _ = run(capsys, QUESTION, "--db", db, "--engine", "offline", "--json", "--doc", "002_b967bf1f7fac3d42")
    assert code == 0 and json.loads(out)["found"] is False


@pytest.mark.parametrize("argv, message", [
    (["  "], "question is empty"),
    ([], "question is empty"),
    (["问题", "--doc", "no_such_doc"], "no_such_doc"),
    (["问题", "--engine", "llm"], "needs an OpenAI-compatible endpoint"),
    (["--file", "/nonexistent/questions.txt"], "no such file"),
])
def test_bad_input_is_one_line_and_exit_1(capsys, db, argv, message):
    code, out, err = run(capsys, *argv, "--db", db)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("rag ask: error:") and message in err


def test_missing_or_empty_index(capsys, tmp_path):
    code, _, err = run(capsys, QUESTION, "--db", str(tmp_path / "nothing"), "--engine", "offline")
    assert code == 1 and err.startswith("rag ask: error: no index") and err.count("\n") == 1
    Index.open(settings_for(tmp_path / "empty")).close()
    code, _, err = run(capsys, QUESTION, "--db", str(tmp_path / "empty"), "--engine", "offline")
    assert code == 1 and "has no documents" in err and err.count("\n") == 1


def test_unreachable_llm_endpoint_is_one_line(capsys, monkeypatch, db):
    monkeypatch.setenv("RAG_LLM_BASE_URL", f"http://127.0.0.1:{free_port()}/v1")
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "5")
    code, out, err = run(capsys, QUESTION, "--db", db, "--json", "--engine", "llm")
    assert code == 1 and out == ""
    assert err.startswith("rag ask: error:") and err.count("\n") == 1 and "Traceback" not in err
    # auto picked the LLM (jiqun's own setting): it warns in one line and answers offline
    code, out, err = run(capsys, QUESTION, "--db", db, "--json")
    assert code == 0 and json.loads(out)["engine"] == "offline"
    assert err.startswith("rag ask: warning:") and err.count("\n") == 1 and "offline" in err


def test_llm_engine_against_a_real_server(capsys, monkeypatch, tmp_path, db, llm_server):  # noqa: F811
    local = shutil.copytree(db, tmp_path / "db")
    monkeypatch.setenv("RAG_LLM_BASE_URL", llm_server.base_url)
    monkeypatch.setenv("RAG_LLM_MODEL", MODEL)
    monkeypatch.setenv("RAG_LLM_MAX_RETRIES", "0")
    monkeypatch.setenv("RAG_LLM_TIMEOUT", "120")
    monkeypatch.setattr("rag.qa.llm.ANSWER_MAX_TOKENS", 24)  # the shape is under test, not the prose
    code, out, err = run(capsys, QUESTION, "--db", str(local), "--engine", "llm", "--json", "-k", "1")
    assert code == 0, err
    record = json.loads(out)
    assert record["engine"] == "llm" and record["question"] == QUESTION
    with Index.open(settings_for(local), create=False) as index:
        for c in record["citations"]:
            assert index.original(c["doc_id"])[c["start"]:c["end"]] == c["text"]


def test_an_unsupported_llm_answer_is_flagged_in_json_and_on_the_terminal(capsys, monkeypatch, db, fault_proxy):
    """The proxy in front of the real server replaces the reply with an invented count."""
    monkeypatch.setenv("RAG_LLM_BASE_URL", fault_proxy.base_url)
    monkeypatch.setenv("RAG_LLM_MODEL", MODEL)
    fault_proxy.faults.append(("reply", "首批市级战略性新兴产业集群共99个[1]。"))
    code, out, err = run(capsys, QUESTION, "--db", db, "--engine", "llm", "--json", "-k", "2")
    assert code == 0, err
    record = json.loads(out)
    assert record["supported"] is False and record["found"] is False and "99" in record["unsupported"]
    code, out, err = run(capsys, QUESTION, "--db", db, "--engine", "llm", "-k", "2")  # same request: cached
    assert code == 0, err
    assert "注意：答案中的 " in out and "99" in out.split("注意：")[1] and "未见于所引原文" in out
    assert len(fault_proxy.chat_requests()) == 1
