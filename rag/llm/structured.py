"""Structured replies: JSON matching a pydantic model, validated (and checked by the caller, e.g.
that every quote is in the source) and asked again with the errors, within the model's context.

A re-ask sends the validation errors and a short excerpt of the bad reply, never the whole reply,
and its reply budget is what the context has room for. A reply cut off at the token limit is not
re-asked when the caller can split its input instead (`stop_on_length`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Generic, Optional, TypeVar

from pydantic import BaseModel

from ..prompting import load_prompt
from ..schemas import Usage
from .client import LLM, ContextOverflow, RejectedReply, add_usage
from .schema import short_validation_error, strict_json_schema, strip_fences

log = logging.getLogger("rag.llm")

T = TypeVar("T", bound=BaseModel)

EXCERPT_HEAD, EXCERPT_TAIL = 300, 150  # characters of a bad reply shown back to the model
LENGTH_ERROR = "the reply was cut off at the token limit: return fewer, shorter records"


@dataclass
class Structured(Generic[T]):
    value: Optional[T]
    retries: int = 0  # re-asks sent with the errors
    usage: Usage = field(default_factory=lambda: Usage(cost_usd=0.0, cached=True))
    truncated: bool = False  # no value because a reply was cut at the token limit (or the prompt had no room)
    error: str = ""  # why there is no value (or what the caller's check still finds in it), one line


def excerpt(text: str) -> str:
    """The start and the end of a bad reply: enough for the model to see what it did."""
    if len(text) <= EXCERPT_HEAD + EXCERPT_TAIL + 20:
        return text
    return f"{text[:EXCERPT_HEAD]}\n…（中间省略 {len(text) - EXCERPT_HEAD - EXCERPT_TAIL} 个字符）…\n{text[-EXCERPT_TAIL:]}"


def reask_messages(llm: LLM, messages: list[dict], bad: str, error: str, max_tokens: Optional[int]) -> Optional[list[dict]]:
    """The conversation for a re-ask that fits the context: with an excerpt of the bad reply, else
    without it; None when even the errors alone leave no room for a reply."""
    feedback = {"role": "user", "content": load_prompt("validation_retry.md").replace("{error}", error)}
    for shown in (excerpt(bad), "（回复过长，已省略）"):
        convo = list(messages) + [{"role": "assistant", "content": shown}, feedback]
        if llm.reply_budget(convo, max_tokens) is not None:
            return convo
    return None


def ask_structured(llm: LLM, messages: list[dict], schema: type[T], *, name: str = "reply", retries: int = 2,
                   max_tokens: Optional[int] = None, check: Optional[Callable[[T], list[str]]] = None,
                   stop_on_length: bool = False) -> Structured[T]:
    """Ask for JSON matching `schema`. A reply that fails to parse or validate, or for which
    `check(obj)` returns problems, is sent back with them, at most `retries` times. A reply that
    passes validation but not the check is still the value when the retries run out."""
    response_format = {"type": "json_schema",
                       "json_schema": {"name": name, "schema": strict_json_schema(schema), "strict": True}}
    result: Structured[T] = Structured(None)

    def accept(text: str) -> None:
        parsed.append(schema.model_validate_json(strip_fences(text)))

    convo = list(messages)
    for attempt in range(retries + 1):
        parsed: list = []
        try:
            reply = llm.complete(convo, response_format=response_format, max_tokens=max_tokens, accept=accept)
        except ContextOverflow as e:
            result.truncated, result.error = attempt == 0, str(e)
            return result
        except RejectedReply as r:
            add_usage(result.usage, r.reply.usage)
            bad = r.reply.text
            cut = r.reply.finish_reason == "length"
            result.error = LENGTH_ERROR if cut else short_validation_error(r.error)
            if cut and stop_on_length:
                result.truncated = True
                return result
        else:
            # A schema-valid reply is cached as it is; the caller's check (quotes in the source) may
            # still send it back. If every attempt fails the check, the last valid reply is the value.
            add_usage(result.usage, reply.usage)
            bad, problems = reply.text, (check(parsed[0]) if check else [])
            result.value = parsed[0]
            if not problems:
                if attempt:  # the accepted reply also answers the original request next time: no re-asking
                    llm.remember(llm.cache_key(messages, response_format, max_tokens or llm.max_tokens), reply)
                result.error = ""
                return result
            result.error = "; ".join(problems)[:900]
        if attempt == retries:
            break
        next_convo = reask_messages(llm, messages, bad, result.error, max_tokens)
        if next_convo is None:
            result.error += " (no room in the context to ask again)"
            break
        log.info("structured reply rejected (%s), asking again (%d/%d)", result.error[:120], attempt + 1, retries)
        convo = next_convo
        result.retries += 1
    return result
