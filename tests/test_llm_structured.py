"""rag/llm/structured.py: re-asks within the model's context, against the real server
(xllamacpp + SmolLM2) through the fault-injecting proxy (canned bad replies are fault injection)."""
from __future__ import annotations

import json

from pydantic import BaseModel, Field

from rag.llm import LLM, count_message_tokens
from rag.llm.structured import excerpt
from support_llm import MODEL, fault_proxy, llm_server, llm_settings  # noqa: F401  (fixtures)


class Word(BaseModel):
    word: str = Field(description="One English word.")
    letters: int = Field(ge=0, description="How many letters the word has.")


QUESTION = [{"role": "user", "content": "Give one word and its letter count."}]


def test_a_reask_sends_the_errors_and_a_short_excerpt_within_the_context(fault_proxy, tmp_path):
    bad = json.dumps({"word": "cat", "letters": "three", "notes": "x" * 6000})
    fault_proxy.faults.extend([("reply", bad), ("reply", '{"word": "cat", "letters": 3}')])
    llm = LLM(llm_settings(fault_proxy.base_url, context=700), cache_dir=tmp_path)
    res = llm.structured(QUESTION, Word, retries=1, max_tokens=4000)
    assert res.value == Word(word="cat", letters=3) and res.retries == 1
    first, second = fault_proxy.chat_requests()
    assert first["max_completion_tokens"] <= 700 - count_message_tokens(QUESTION, MODEL)  # budgeted, not 4000
    shown = second["messages"][1]["content"]
    assert len(shown) < 600 and shown.startswith(bad[:300]) and "中间省略" in shown  # not the 6,000 characters
    assert "letters" in second["messages"][2]["content"]
    assert second["max_completion_tokens"] + count_message_tokens(second["messages"], MODEL) <= 700


def test_no_room_for_a_reask_ends_with_the_error_instead_of_an_overflowing_request(fault_proxy, tmp_path):
    long_question = [{"role": "user", "content": "Give one word and its letter count. " + "word " * 400}]
    fault_proxy.faults.append(("reply", '{"word": 5}'))
    llm = LLM(llm_settings(fault_proxy.base_url, context=512), cache_dir=tmp_path)
    res = llm.structured(long_question, Word, retries=2, max_tokens=64)
    assert res.value is None and "no room in the context to ask again" in res.error
    assert len(fault_proxy.chat_requests()) == 1 and not res.truncated


def test_a_prompt_larger_than_the_context_is_not_sent(fault_proxy, tmp_path):
    llm = LLM(llm_settings(fault_proxy.base_url, context=512), cache_dir=tmp_path)
    res = llm.structured([{"role": "user", "content": "word " * 1000}], Word, max_tokens=64, stop_on_length=True)
    assert res.value is None and res.truncated and "RAG_LLM_CONTEXT=512" in res.error
    assert fault_proxy.chat_requests() == []


def test_a_cut_reply_is_reported_for_splitting_instead_of_reasked(fault_proxy, tmp_path):
    fault_proxy.faults.append(("reply", '{"word": "unfinish', "length"))
    llm = LLM(llm_settings(fault_proxy.base_url), cache_dir=tmp_path)
    res = llm.structured(QUESTION, Word, retries=2, max_tokens=16, stop_on_length=True)
    assert res.value is None and res.truncated and "cut off at the token limit" in res.error
    assert len(fault_proxy.chat_requests()) == 1


def test_an_excerpt_keeps_both_ends():
    text = "A" * 400 + "B" * 400
    short = excerpt(text)
    assert short.startswith("A" * 300) and short.endswith("B" * 150) and len(short) < 500
    assert excerpt("short") == "short"
