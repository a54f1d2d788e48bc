"""`LLM`: one chat endpoint with the reply cache, bounded retries, usage accounting and a reply
budget that fits the model's context. Every request is streamed: the read timeout then bounds
each wait for the next bytes, not the whole reply."""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..config import LLMSettings
from ..errors import ConfigError, RagError
from ..schemas import Usage
from .backoff import RETRY_STATUSES, Backoff, WaitTooLong, retry_after
from .cache import ReplyCache, default_cache_dir
from .count import count_message_tokens, count_text_tokens
from .endpoint import chat_model, endpoint_label
from .prices import add_costs, estimate_cost

log = logging.getLogger("rag.llm")

CONTEXT_MARGIN = 16  # tokens kept free of prompt and reply (chat template framing)
MIN_REPLY_TOKENS = 64  # a reply budget below this is no room at all


class LLMError(RagError):
    """A request the endpoint did not answer usefully (after the allowed retries)."""


class ContextOverflow(LLMError):
    """The prompt leaves the model no room for a reply (RAG_LLM_CONTEXT, or the server said so)."""


@dataclass
class Reply:
    text: str
    usage: Usage
    finish_reason: Optional[str] = None
    cache_key: Optional[str] = None


@dataclass
class LLMStats:
    requests: int = 0  # HTTP requests sent, retries included
    cache_hits: int = 0
    retried_errors: int = 0  # timeouts, 429, 5xx, dropped connections and unreadable bodies that were retried
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Optional[float] = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, usage: Usage) -> None:
        with self._lock:
            if usage.cached:
                self.cache_hits += 1
                return
            self.prompt_tokens += usage.prompt_tokens
            self.completion_tokens += usage.completion_tokens
            self.cost_usd = add_costs(self.cost_usd, usage.cost_usd)


class RejectedReply(Exception):
    """A reply the caller's `accept` check refused (it is not cached)."""

    def __init__(self, reply: Reply, error: Exception) -> None:
        super().__init__(str(error))
        self.reply = reply
        self.error = error


class _Retryable(Exception):
    def __init__(self, error: Exception, retry_after: Optional[float]) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry_after = retry_after


class BadBody(Exception):
    """HTTP 200 whose body is not a chat completion (an HTML error page, a proxy's notice, cut JSON)."""


def add_usage(total: Usage, u: Usage) -> None:
    """Sum `u` into `total` (cost None once any part is unknown; cached only if every part was)."""
    total.prompt_tokens += u.prompt_tokens
    total.completion_tokens += u.completion_tokens
    total.total_tokens += u.total_tokens
    total.seconds = round(total.seconds + u.seconds, 3)
    total.cost_usd = add_costs(total.cost_usd, u.cost_usd)
    total.cached = total.cached and u.cached


class LLM:
    """A chat endpoint with cache, bounded retries (settings.max_retries) and usage accounting."""

    def __init__(self, settings: LLMSettings, cache_dir: Optional[Path] | str = "default",
                 backoff: Optional[Backoff] = None, max_tokens: Optional[int] = None, **model_kw) -> None:
        self.settings = settings
        self.model_name = settings.model
        self.endpoint = endpoint_label(settings)
        self.max_tokens = max_tokens
        self.backoff = backoff or Backoff(max_wait=settings.max_wait)
        # Retries are ours (bounded, with jitter, never after streamed output), not the SDK's.
        self.model = chat_model(settings, max_retries=0, **model_kw)
        folder = default_cache_dir() if cache_dir == "default" else cache_dir
        self.cache = ReplyCache(Path(folder)) if folder else None
        self.stats = LLMStats()
        self._response_format_ok = True
        # The server's prompt tokens per token we count (its tokenizer may split Chinese finer):
        # learnt from the usage it reports, so budgets fit its context, not ours.
        self.token_ratio = 1.0
        # One bound for every thread that shares this endpoint: documents extracted in parallel, and
        # the chunks of each, never have more than settings.concurrency requests in flight together.
        self._slots = threading.BoundedSemaphore(max(1, settings.concurrency))

    # -- budgets ------------------------------------------------------------------------------
    def prompt_tokens(self, messages: list[dict]) -> int:
        """The prompt's size as the server will count it (our count times the learnt ratio)."""
        return int(count_message_tokens(messages, self.model_name) * self.token_ratio) + 1

    def reply_budget(self, messages: list[dict], max_tokens: Optional[int]) -> Optional[int]:
        """The reply tokens to ask for: the cap, or less when the context (settings.context) has less
        room after the prompt; None when there is no useful room."""
        cap = max_tokens or self.max_tokens or self.settings.max_tokens
        room = self.settings.context - self.prompt_tokens(messages) - CONTEXT_MARGIN
        budget = min(cap, room)
        return budget if budget >= min(cap, MIN_REPLY_TOKENS) else None

    def _learn_ratio(self, messages: list[dict], reported: Optional[int]) -> None:
        if reported:
            ours = count_message_tokens(messages, self.model_name)
            with self.stats._lock:
                self.token_ratio = max(self.token_ratio, min(8.0, reported / max(1, ours)))

    # -- public -----------------------------------------------------------------------------
    def complete(self, messages: list[dict], *, response_format: Optional[dict] = None,
                 max_tokens: Optional[int] = None, on_token: Optional[Callable[[str], None]] = None,
                 accept: Optional[Callable[[str], object]] = None) -> Reply:
        """One chat completion. Served from the cache when the same request was answered before.
        `accept(text)` may raise to reject a reply: rejected replies are returned but not cached.
        The reply budget is `max_tokens` (default: the LLM's), lowered to what the context has room for."""
        max_tokens = max_tokens or self.max_tokens
        key = self.cache_key(messages, response_format, max_tokens)
        if key and (entry := self.cache.get(key)):
            usage = Usage(prompt_tokens=entry.get("prompt_tokens", 0), completion_tokens=entry.get("completion_tokens", 0),
                          total_tokens=entry.get("prompt_tokens", 0) + entry.get("completion_tokens", 0),
                          cost_usd=0.0, cached=True)
            if accept is None or _accepts(accept, entry["text"]):
                self.stats.add(usage)
                if on_token:
                    on_token(entry["text"])
                return Reply(entry["text"], usage, entry.get("finish_reason"), key)

        budget = self.reply_budget(messages, max_tokens) if max_tokens else None
        if max_tokens and budget is None:
            raise ContextOverflow(f"the prompt ({self.prompt_tokens(messages)} tokens) leaves no room for a reply in "
                                  f"RAG_LLM_CONTEXT={self.settings.context}")
        reply = self._with_retries(messages, response_format, budget, on_token)
        reply.cache_key = key
        self.stats.add(reply.usage)
        if accept is not None:
            try:
                accept(reply.text)
            except ValueError as e:  # pydantic's ValidationError and json errors are ValueErrors
                raise RejectedReply(reply, e) from None
        self.remember(key, reply)
        return reply

    def cache_key(self, messages: list[dict], response_format: Optional[dict], max_tokens: Optional[int]) -> Optional[str]:
        if not self.cache:
            return None
        return ReplyCache.key({"endpoint": self.endpoint, "model": self.model_name, "messages": messages,
                               "params": {"temperature": 0, "max_tokens": max_tokens, "response_format": response_format}})

    def remember(self, key: Optional[str], reply: Reply) -> None:
        if key:
            self.cache.put(key, {"text": reply.text, "finish_reason": reply.finish_reason, "model": self.model_name,
                                 "prompt_tokens": reply.usage.prompt_tokens,
                                 "completion_tokens": reply.usage.completion_tokens})

    def structured(self, messages, schema, **kw):
        """See rag.llm.structured.ask_structured."""
        from .structured import ask_structured

        return ask_structured(self, messages, schema, **kw)

    # -- calls --------------------------------------------------------------------------------
    def _with_retries(self, messages, response_format, max_tokens, on_token) -> Reply:
        attempts = max(0, self.settings.max_retries) + 1
        emitted = [False]

        def emit(text: str) -> None:
            emitted[0] = True
            on_token(text)

        for attempt in range(attempts):
            try:
                return self._call(messages, response_format, max_tokens, emit if on_token else None)
            except _Retryable as r:
                if attempt + 1 >= attempts or emitted[0]:
                    raise LLMError(f"LLM endpoint {self.endpoint} failed after {attempt + 1} attempt(s): "
                                   f"{self._describe(r.error)}") from None
                try:
                    wait = self.backoff.delay(attempt, r.retry_after)
                except WaitTooLong as w:
                    raise LLMError(f"LLM endpoint {self.endpoint} is busy ({self._describe(r.error)}): {w}") from None
                with self.stats._lock:
                    self.stats.retried_errors += 1
                log.warning("LLM request failed (%s); retry %d/%d in %.2fs", self._describe(r.error),
                            attempt + 1, attempts - 1, wait)
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _call(self, messages, response_format, max_tokens, on_token) -> Reply:
        import openai
        from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

        kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
        lc_messages = [kinds[m["role"]](content=m["content"]) for m in messages]
        params: dict = {}
        if max_tokens:
            params["max_tokens"] = max_tokens
        if response_format and self._response_format_ok:
            params["response_format"] = response_format
        with self.stats._lock:
            self.stats.requests += 1
        started = time.monotonic()
        try:
            with self._slots:  # released before any retry waits or re-asks
                text, usage_meta, finish = self._stream(lc_messages, params, on_token)
        except openai.LengthFinishReasonError as e:  # the SDK refuses truncated structured replies
            c = e.completion
            text = (c.choices[0].message.content or "") if c.choices else ""
            u = c.usage
            usage_meta = {"input_tokens": u.prompt_tokens, "output_tokens": u.completion_tokens} if u else None
            finish = "length"
        except openai.APIError as e:
            if response_format and self._response_format_ok and _rejects_response_format(e):
                log.warning("endpoint does not accept json_schema response_format; asking for plain JSON")
                self._response_format_ok = False
                return self._call(messages, response_format, max_tokens, on_token)
            raise self._translate(e) from None
        except (ValueError, KeyError, TypeError, AttributeError, IndexError, AssertionError) as e:
            # The SDK could not read the body as a chat completion (json.JSONDecodeError is a ValueError;
            # its structured-output stream asserts it saw a chunk).
            raise _Retryable(BadBody(f"HTTP 200 with a body that is not a chat completion ({type(e).__name__})"),
                             None) from None
        if not text and finish is None and not usage_meta:
            raise _Retryable(BadBody("HTTP 200 with a body that is not a chat completion (no reply in it)"), None)
        self._learn_ratio(messages, (usage_meta or {}).get("input_tokens"))
        prompt_t = (usage_meta or {}).get("input_tokens") or count_message_tokens(messages, self.model_name)
        completion_t = (usage_meta or {}).get("output_tokens") or count_text_tokens(text, self.model_name)
        usage = Usage(prompt_tokens=prompt_t, completion_tokens=completion_t, total_tokens=prompt_t + completion_t,
                      cost_usd=estimate_cost(self.model_name, prompt_t, completion_t),
                      seconds=round(time.monotonic() - started, 3))
        return Reply(text, usage, finish)

    def _stream(self, lc_messages, params, on_token):
        parts: list[str] = []
        usage_meta, finish = None, None
        for chunk in self.model.stream(lc_messages, **params):
            piece = _content_text(chunk.content)
            if piece:
                parts.append(piece)
                if on_token:
                    on_token(piece)
            if chunk.usage_metadata:
                usage_meta = chunk.usage_metadata
            finish = (chunk.response_metadata or {}).get("finish_reason") or finish
        return "".join(parts), usage_meta, finish

    def _translate(self, e: Exception) -> Exception:
        """openai errors -> _Retryable (timeouts, RETRY_STATUSES, dropped connections) or a one-line RagError."""
        import openai

        where = f"LLM endpoint {self.endpoint}"
        if isinstance(e, openai.APITimeoutError):
            return _Retryable(e, None)
        if isinstance(e, openai.APIConnectionError):
            if _caused_by_refused_connection(e):
                return ConfigError(f"cannot reach {where} (is the server running and RAG_LLM_BASE_URL / "
                                   f"OPENAI_BASE_URL right?)")
            return _Retryable(e, None)
        if isinstance(e, (openai.AuthenticationError, openai.PermissionDeniedError)):
            return ConfigError(f"{where} refused the API key (HTTP {e.status_code}): check OPENAI_API_KEY / RAG_LLM_API_KEY")
        if isinstance(e, openai.NotFoundError):
            return ConfigError(f"{where} has no model '{self.model_name}' or no chat completions route "
                               f"(HTTP 404): check RAG_LLM_MODEL and the base URL (it usually ends in /v1)")
        if isinstance(e, openai.APIStatusError):
            if e.status_code in RETRY_STATUSES:
                return _Retryable(e, retry_after(e))
            if e.status_code == 400 and _exceeds_context(e):
                return ContextOverflow(f"{where}: the prompt does not fit the model's context ({self._describe(e)})")
            return LLMError(f"{where} rejected the request: {self._describe(e)}")
        if isinstance(e, openai.APIResponseValidationError):
            return _Retryable(BadBody(f"HTTP {e.status_code} with a body that is not a chat completion"), None)
        return LLMError(f"{where}: {self._describe(e)}")

    def _describe(self, e: Exception) -> str:
        status = getattr(e, "status_code", None)
        text = getattr(e, "message", None) or str(e) or type(e).__name__
        text = re.sub(r"\s+", " ", text).strip()[:200]
        if self.settings.api_key:
            text = text.replace(self.settings.api_key, "***")
        if isinstance(e, BadBody):
            return text
        return f"HTTP {status}: {text}" if status else f"{type(e).__name__}: {text}"


def _accepts(accept: Callable[[str], object], text: str) -> bool:
    try:
        accept(text)
        return True
    except ValueError:
        return False


def _content_text(content) -> str:
    if isinstance(content, str):
        return content
    return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content or [])


def _caused_by_refused_connection(e: BaseException) -> bool:
    """True when the chain of causes holds the HTTP client's ConnectError (refused, no such host):
    retrying will not help. (The SDK's HTTP client may be httpx or a fork, so match by name.)"""
    seen = 0
    while e is not None and seen < 10:
        if type(e).__name__ == "ConnectError":
            return True
        e, seen = e.__cause__ or e.__context__, seen + 1
    return False


def _rejects_response_format(e) -> bool:
    return getattr(e, "status_code", None) == 400 and "response_format" in (getattr(e, "message", "") or "")


def _exceeds_context(e) -> bool:
    message = (getattr(e, "message", "") or "").lower()
    return "context" in message and any(w in message for w in ("exceed", "too long", "maximum", "length"))
