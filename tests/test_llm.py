"""rag/llm.py against a real OpenAI-compatible server (xllamacpp + SmolLM2, tests/support_llm.py).

HTTP errors, stalls and malformed replies come from the fault-injecting proxy in front of the
real server: that part is deliberate fault injection, everything else is the real server."""
from __future__ import annotations

import json
import time

import pytest
from pydantic import BaseModel, Field

from rag.config import LLMSettings
from rag.errors import ConfigError
from rag.llm import (DUMMY_API_KEY, LLM, Backoff, LLMError, ReplyCache, chat_model, count_message_tokens,
                     WaitTooLong, endpoint_label, estimate_cost, price_for, strict_json_schema)
from support_llm import fault_proxy, free_port, llm_server, llm_settings  # noqa: F401  (fixtures)

FAST = Backoff(base=0.01, cap=0.05)
HELLO = [{"role": "user", "content": "Say hello."}]


def all_text(folder) -> str:
    return "".join(p.read_text(encoding="utf-8") for p in folder.rglob("*") if p.is_file())


# -- the factory ---------------------------------------------------------------------------------

def test_chat_model_round_trip_honours_the_token_limit(llm_server):
    model = chat_model(llm_settings(llm_server.base_url), max_tokens=8)
    msg = model.invoke("Say hello.")
    assert isinstance(msg.content, str)
    assert msg.usage_metadata["output_tokens"] <= 8
    assert msg.response_metadata["finish_reason"] in ("stop", "length")


def test_chat_model_carries_settings_and_sends_a_dummy_key_without_one():
    s = LLMSettings(base_url="http://127.0.0.1:9/v1", api_key=None, model="qwen2.5", timeout=7, max_retries=2)
    m = chat_model(s)
    assert m.openai_api_key.get_secret_value() == DUMMY_API_KEY
    assert (m.model_name, m.max_retries, m.openai_api_base) == ("qwen2.5", 2, "http://127.0.0.1:9/v1")
    assert m.request_timeout == (7, 7, 7, 7)  # connect, read between streamed bytes, write, pool
    keyed = chat_model(LLMSettings(base_url=None, api_key="sk-abc", model="gpt-4o-mini"))
    assert keyed.openai_api_key.get_secret_value() == "sk-abc"


def test_endpoint_label_drops_credentials_and_query():
    s = LLMSettings(base_url="https://user:pw@llm.example.com:8443/v1/?token=abc", api_key="k")
    assert endpoint_label(s) == "https://llm.example.com:8443/v1"
    assert endpoint_label(LLMSettings(base_url=None, api_key="k")) == "api.openai.com"


# -- usage and cost ------------------------------------------------------------------------------

def test_cost_uses_the_longest_matching_price_and_none_when_unknown(monkeypatch):
    monkeypatch.delenv("RAG_LLM_PRICE", raising=False)
    assert price_for("gpt-4o-mini-2024-07-18") == (0.15, 0.60)
    assert price_for("gpt-4o") == (2.50, 10.00)
    assert estimate_cost("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
    assert estimate_cost("smollm2", 1000, 1000) is None
    monkeypatch.setenv("RAG_LLM_PRICE", "1,2")
    assert estimate_cost("smollm2", 1_000_000, 500_000) == pytest.approx(2.0)
    monkeypatch.setenv("RAG_LLM_PRICE", "cheap")
    with pytest.raises(ConfigError):
        price_for("smollm2")


def test_prompt_tokens_are_counted_with_the_models_encoding():
    msgs = [{"role": "system", "content": "你是助手。"}, {"role": "user", "content": "郑州有哪些产业集群？"}]
    n = count_message_tokens(msgs, "gpt-4o-mini")
    assert 3 + 2 * 3 + 5 < n < 60
    assert count_message_tokens(msgs + [{"role": "user", "content": "再说一遍"}], "gpt-4o-mini") > n


# -- cache ---------------------------------------------------------------------------------------

def test_second_identical_call_is_served_from_the_cache(fault_proxy, tmp_path):
    llm = LLM(llm_settings(fault_proxy.base_url, api_key="sk-test-secret-42"), cache_dir=tmp_path, max_tokens=8)
    first = llm.complete(HELLO)
    second = llm.complete(HELLO)
    assert len(fault_proxy.chat_requests()) == 1
    assert not first.usage.cached and first.usage.completion_tokens > 0
    assert second.usage.cached and second.text == first.text
    assert second.usage.prompt_tokens == first.usage.prompt_tokens
    assert llm.stats.requests == 1 and llm.stats.cache_hits == 1
    llm.complete([{"role": "user", "content": "Say goodbye."}])
    assert len(fault_proxy.chat_requests()) == 2
    stored = all_text(tmp_path)
    assert first.text in stored and "sk-test-secret-42" not in stored and "Authorization" not in stored


def test_cache_key_covers_model_messages_and_params():
    base = {"endpoint": "e", "model": "m", "messages": HELLO, "params": {"max_tokens": 8}}
    keys = {ReplyCache.key(base), ReplyCache.key({**base, "model": "m2"}),
            ReplyCache.key({**base, "params": {"max_tokens": 9}}),
            ReplyCache.key({**base, "messages": [{"role": "user", "content": "x"}]})}
    assert len(keys) == 4 and ReplyCache.key(dict(base)) in keys


def test_cache_can_be_switched_off(monkeypatch, fault_proxy):
    monkeypatch.setenv("RAG_LLM_CACHE", "off")
    llm = LLM(llm_settings(fault_proxy.base_url), max_tokens=4)
    llm.complete(HELLO)
    llm.complete(HELLO)
    assert llm.cache is None and len(fault_proxy.chat_requests()) == 2


# -- streaming -----------------------------------------------------------------------------------

def test_streamed_tokens_add_up_to_the_reply(fault_proxy, tmp_path):
    llm = LLM(llm_settings(fault_proxy.base_url), cache_dir=tmp_path, max_tokens=12)
    pieces: list[str] = []
    reply = llm.complete(HELLO, on_token=pieces.append)
    assert fault_proxy.chat_requests()[0]["stream"] is True
    assert len(pieces) > 1 and "".join(pieces) == reply.text
    assert reply.usage.completion_tokens > 0


# -- retries and errors --------------------------------------------------------------------------

def test_429_and_5xx_are_retried_with_backoff(fault_proxy, tmp_path):
    fault_proxy.faults.extend([("status", 503), ("status", 429, {"retry-after-ms": "5"})])
    llm = LLM(llm_settings(fault_proxy.base_url, max_retries=2), cache_dir=tmp_path, backoff=FAST, max_tokens=4)
    reply = llm.complete(HELLO)
    assert len(fault_proxy.chat_requests()) == 3
    assert llm.stats.retried_errors == 2 and llm.stats.requests == 3
    assert reply.usage.completion_tokens > 0


def test_retries_are_bounded_and_end_in_one_line(fault_proxy, tmp_path):
    fault_proxy.faults.extend([("status", 500)] * 3)
    llm = LLM(llm_settings(fault_proxy.base_url, max_retries=1), cache_dir=tmp_path, backoff=FAST, max_tokens=4)
    with pytest.raises(LLMError) as e:
        llm.complete(HELLO)
    assert len(fault_proxy.chat_requests()) == 2
    assert "\n" not in str(e.value) and "500" in str(e.value) and "2 attempt" in str(e.value)


def test_a_timeout_is_retried(fault_proxy, tmp_path):
    LLM(llm_settings(fault_proxy.base_url), cache_dir=None, max_tokens=1).complete(HELLO)  # warm, prompt cached
    fault_proxy.faults.append(("stall", 60.0))
    llm = LLM(llm_settings(fault_proxy.base_url, timeout=3.0, max_retries=1), cache_dir=tmp_path, backoff=FAST,
              max_tokens=1)
    assert llm.complete(HELLO).usage.completion_tokens > 0
    assert len(fault_proxy.chat_requests()) == 3 and llm.stats.retried_errors == 1


def test_a_dropped_connection_is_retried(fault_proxy, tmp_path):
    fault_proxy.faults.append(("drop",))
    llm = LLM(llm_settings(fault_proxy.base_url, max_retries=1), cache_dir=tmp_path, backoff=FAST, max_tokens=1)
    assert llm.complete(HELLO).usage.completion_tokens > 0
    assert len(fault_proxy.chat_requests()) == 2 and llm.stats.retried_errors == 1


def test_auth_failure_is_a_one_line_config_error_without_the_key(fault_proxy, tmp_path):
    fault_proxy.faults.append(("status", 401))
    llm = LLM(llm_settings(fault_proxy.base_url, api_key="sk-very-secret", max_retries=3), cache_dir=tmp_path,
              backoff=FAST)
    with pytest.raises(ConfigError) as e:
        llm.complete(HELLO)
    msg = str(e.value)
    assert "401" in msg and "API key" in msg and "sk-very-secret" not in msg and "\n" not in msg
    assert len(fault_proxy.chat_requests()) == 1  # never retried


def test_unreachable_endpoint_is_a_config_error(tmp_path):
    llm = LLM(llm_settings(f"http://127.0.0.1:{free_port()}/v1", max_retries=3), cache_dir=tmp_path, backoff=FAST)
    with pytest.raises(ConfigError, match="cannot reach"):
        llm.complete(HELLO)


def test_backoff_is_jittered_capped_and_honours_retry_after():
    b = Backoff(base=0.5, cap=4.0)
    delays = [b.delay(3) for _ in range(200)]
    assert all(0 <= d <= 4.0 for d in delays) and len(set(delays)) > 100
    assert b.delay(0, retry_after=1.5) == 1.5
    assert b.delay(0, retry_after=60) == 60  # the server's wait is honoured beyond the jitter cap ...
    with pytest.raises(WaitTooLong, match="RAG_LLM_MAX_WAIT=120"):  # ... up to max_wait (RAG_LLM_MAX_WAIT)
        b.delay(0, retry_after=121)


# -- structured replies ----------------------------------------------------------------------------

class Word(BaseModel):
    word: str = Field(description="One English word.")
    letters: int = Field(ge=0, description="How many letters the word has.")


class Titled(BaseModel):
    title: str = Field(max_length=10, description="A field that happens to be called title.")
    words: list[Word] = Field(default_factory=list)


def test_strict_schema_requires_every_field_and_forbids_extras():
    schema = strict_json_schema(Word)
    assert schema["required"] == ["word", "letters"] and schema["additionalProperties"] is False
    assert schema["properties"]["word"]["description"] == "One English word."
    assert "default" not in json.dumps(schema)
    titled = strict_json_schema(Titled)
    assert titled["required"] == ["title", "words"] and "maxLength" not in titled["properties"]["title"]
    assert titled["$defs"]["Word"]["required"] == ["word", "letters"]
    from rag.extract.llm import ExtractionReply

    text = json.dumps(strict_json_schema(ExtractionReply))
    assert "maxLength" not in text and "minLength" not in text and '"maximum": 2100' in text


def test_structured_reply_is_schema_valid(fault_proxy, tmp_path):
    llm = LLM(llm_settings(fault_proxy.base_url), cache_dir=tmp_path)
    res = llm.structured([{"role": "user", "content": "Give one word and its letter count."}],
                         Word, retries=1, max_tokens=40)
    obj, usage = res.value, res.usage
    sent = fault_proxy.chat_requests()[0]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["word", "letters"]
    assert sent["max_completion_tokens"] == 40
    assert isinstance(obj, Word) or (res.error and res.value is None)  # a value, or the reason there is none
    assert usage.prompt_tokens > 0


def test_a_malformed_reply_is_sent_back_with_its_error_and_not_cached(fault_proxy, tmp_path):
    fault_proxy.faults.append(("reply", '{"word": "cat", "letters": "three"}'))
    llm = LLM(llm_settings(fault_proxy.base_url), cache_dir=tmp_path)
    question = [{"role": "user", "content": "Give one word and its letter count."}]
    res = llm.structured(question, Word, retries=1, max_tokens=40)
    first, second = fault_proxy.chat_requests()[:2]
    assert res.retries == 1 and len(fault_proxy.chat_requests()) == 2
    assert second["messages"][:1] == first["messages"]
    assert second["messages"][1] == {"role": "assistant", "content": '{"word": "cat", "letters": "three"}'}
    assert "letters" in second["messages"][2]["content"] and "integer" in second["messages"][2]["content"]
    assert '"three"' not in all_text(tmp_path)
    assert isinstance(res.value, Word) or "letters" in res.error


# -- waits, bodies and slow servers ---------------------------------------------------------------

def test_a_retry_after_is_honoured_up_to_the_max_wait(fault_proxy, tmp_path):
    fault_proxy.faults.append(("status", 429, {"retry-after": "2"}))
    llm = LLM(llm_settings(fault_proxy.base_url, max_retries=1, max_wait=5), cache_dir=tmp_path, max_tokens=2)
    t0 = time.monotonic()
    llm.complete(HELLO)
    assert time.monotonic() - t0 >= 2.0 and llm.stats.retried_errors == 1 and len(fault_proxy.chat_requests()) == 2


def test_a_retry_after_beyond_the_max_wait_fails_in_one_line(fault_proxy, tmp_path):
    fault_proxy.faults.append(("status", 429, {"retry-after": "300"}))
    llm = LLM(llm_settings(fault_proxy.base_url, max_retries=3, max_wait=1), cache_dir=tmp_path, max_tokens=2)
    t0 = time.monotonic()
    with pytest.raises(LLMError) as e:
        llm.complete(HELLO)
    msg = str(e.value)
    assert "asked to wait 300 s" in msg and "RAG_LLM_MAX_WAIT=1" in msg and fault_proxy.base_url in msg
    assert "\n" not in msg and time.monotonic() - t0 < 5 and len(fault_proxy.chat_requests()) == 1


@pytest.mark.parametrize("body,ctype", [("<html><body>502 upstream busy</body></html>", "text/html"),
                                        ('{"choices": [', "application/json")])
def test_http_200_with_a_body_that_is_not_a_completion_is_retried_and_named(fault_proxy, tmp_path, body, ctype):
    fault_proxy.faults.append(("raw", 200, body, ctype))
    llm = LLM(llm_settings(fault_proxy.base_url, max_retries=1), cache_dir=tmp_path, backoff=FAST, max_tokens=2)
    assert isinstance(llm.complete(HELLO).text, str)
    assert llm.stats.retried_errors == 1 and len(fault_proxy.chat_requests()) == 2

    fault_proxy.faults.append(("raw", 200, body, ctype))
    once = LLM(llm_settings(fault_proxy.base_url, max_retries=0), cache_dir=None, max_tokens=3)
    with pytest.raises(LLMError) as e:
        once.complete(HELLO)
    msg = str(e.value)
    assert fault_proxy.base_url in msg and "not a chat completion" in msg and "\n" not in msg


def test_a_slow_server_that_keeps_sending_is_not_cut_off(fault_proxy, tmp_path):
    """RAG_LLM_TIMEOUT bounds the silence between streamed bytes, not the whole reply: ~3.3 s of
    reply at 0.3 s a piece passes a 2 s timeout; a silence of 5 s does not."""
    slow = "慢慢地说完这一整句话，一共有三十多个字，分成好几块发送。" * 2
    fault_proxy.faults.append(("trickle", 0.3, slow))
    llm = LLM(llm_settings(fault_proxy.base_url, timeout=2.0), cache_dir=None, max_tokens=4)
    t0 = time.monotonic()
    assert llm.complete(HELLO).text == slow
    assert time.monotonic() - t0 > 3.0 and llm.stats.retried_errors == 0
    fault_proxy.faults.append(("trickle", 5.0, "太慢"))
    with pytest.raises(LLMError, match="failed after 1 attempt"):
        llm.complete([{"role": "user", "content": "Say hi."}])
