"""`rag eval` from the command line: one-line errors, and an end-to-end run of the offline engine
on a small gold folder written here (two hand-written articles, one naming no cluster)."""
from __future__ import annotations

import json

import pytest
from support_evaluate import gold_cluster, question, write_gold

from rag.cli import main

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
