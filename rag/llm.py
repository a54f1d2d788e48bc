"""OpenAI-compatible chat models: a ChatOpenAI factory, a disk cache of replies, token usage and
cost, backoff with jitter, and structured replies validated (and re-asked) with pydantic.

`LLM` wraps the LangChain model; everything that talks to an endpoint goes through it, so the
cache, retries, usage and error messages behave the same for extraction and QA.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, TypeVar
from urllib.parse import urlsplit

from pydantic import BaseModel, ValidationError

from .config import LLMSettings
from .errors import ConfigError, RagError
from .io import atomic_write_text
from .prompting import load_prompt
from .schemas import Usage
from .tokens import encoding_for_model

log = logging.getLogger("rag.llm")

# The key sent when a base URL is set without one: local servers (llama.cpp, vLLM, Ollama) ignore it.
DUMMY_API_KEY = "not-needed"

# USD per million tokens (input, output). Longest matching prefix wins; unknown models cost None.
# RAG_LLM_PRICE="in,out" overrides the table for the configured model.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o3-mini": (1.10, 4.40),
    "o4-mini": (1.10, 4.40),
    "gpt-3.5-turbo": (0.50, 1.50),
    "deepseek-chat": (0.27, 1.10),
    "deepseek-reasoner": (0.55, 2.19),
    # Qwen on DashScope (international list prices; compatible mode uses the same model names)
    "qwen-max": (1.60, 6.40),
    "qwen-plus": (0.40, 1.20),
    "qwen-turbo": (0.05, 0.20),
    "qwen-flash": (0.05, 0.40),
}

T = TypeVar("T", bound=BaseModel)

# Answers worth asking again: timeout, conflict, rate limit, and the server errors that pass
# (internal error, bad gateway, unavailable, gateway timeout, and the proxies' 520-524, 529).
# 501 Not Implemented, 505 and the like fail the same way every time.
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 521, 522, 523, 524, 529})


class LLMError(RagError):
    """A request the endpoint did not answer usefully (after the allowed retries)."""


def chat_model(settings: LLMSettings, **kw):
    """A LangChain ChatOpenAI for the configured endpoint. `kw` overrides any constructor argument."""
    from langchain_openai import ChatOpenAI

    args = dict(
        model=settings.model,
        api_key=settings.api_key or DUMMY_API_KEY,
        timeout=settings.timeout,
        max_retries=settings.max_retries,
        temperature=0,
        stream_usage=True,
    )
    if settings.base_url:
        args["base_url"] = settings.base_url
    args.update(kw)
    return ChatOpenAI(**args)


def endpoint_label(settings: LLMSettings) -> str:
    """The endpoint as shown to users and used in cache keys: no credentials, no query string."""
    if not settings.base_url:
        return "api.openai.com"
    u = urlsplit(settings.base_url)
    host = u.hostname or ""
    if u.port:
        host += f":{u.port}"
    return f"{u.scheme}://{host}{u.path}".rstrip("/")


def check_reachable(settings: LLMSettings, timeout: float = 5.0) -> None:
    """One line when nothing listens at the endpoint (a TCP connection only: nothing is sent, no key)."""
    import socket

    u = urlsplit(settings.base_url or "https://api.openai.com/v1")
    port = u.port or (443 if u.scheme == "https" else 80)
    where = f"LLM endpoint {endpoint_label(settings)}"
    try:
        socket.create_connection((u.hostname, port), timeout=timeout).close()
    except socket.gaierror:
        raise ConfigError(f"cannot reach {where}: unknown host {u.hostname!r} (check RAG_LLM_BASE_URL / "
                          "OPENAI_BASE_URL)") from None
    except (socket.timeout, TimeoutError):
        raise ConfigError(f"cannot reach {where}: no answer in {timeout:g} s") from None
    except OSError as e:
        raise ConfigError(f"cannot reach {where}: {(e.strerror or str(e)).lower()} (is the server running and "
                          "RAG_LLM_BASE_URL / OPENAI_BASE_URL right?)") from None


def check_key(settings: LLMSettings, timeout: float = 10.0) -> None:
    """One line when the endpoint refuses the key (HTTP 401/403 on GET /models, which costs no
    tokens). Any other answer, including no /models route, passes: the real requests will tell."""
    import urllib.error
    import urllib.request

    base = (settings.base_url or "https://api.openai.com/v1").rstrip("/")
    u = urlsplit(base)
    netloc = u.hostname + (f":{u.port}" if u.port else "")  # credentials in the URL are not sent here
    req = urllib.request.Request(f"{u.scheme}://{netloc}{u.path}/models",
                                 headers={"Authorization": f"Bearer {settings.api_key or DUMMY_API_KEY}"})
    try:
        urllib.request.urlopen(req, timeout=timeout).close()
    except urllib.error.HTTPError as e:
        if e.code in (401, 403):
            raise ConfigError(f"LLM endpoint {endpoint_label(settings)} refused the API key (HTTP {e.code}): check "
                              "OPENAI_API_KEY / RAG_LLM_API_KEY") from None
    except OSError:
        pass  # check_reachable() reports an endpoint that cannot be reached


def price_for(model: str) -> Optional[tuple[float, float]]:
    override = os.environ.get("RAG_LLM_PRICE")
    if override:
        try:
            a, b = (float(x) for x in override.split(","))
            return a, b
        except ValueError:
            raise ConfigError(f"RAG_LLM_PRICE must be 'input,output' USD per million tokens, got {override!r}")
    name = model.lower().rsplit("/", 1)[-1]
    matches = [p for p in PRICES_PER_MTOK if name.startswith(p)]
    return PRICES_PER_MTOK[max(matches, key=len)] if matches else None


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int) -> Optional[float]:
    price = price_for(model)
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1e6, 8)


def count_message_tokens(messages: list[dict], model: str) -> int:
    """Prompt tokens as OpenAI counts chat messages (content plus ~3 tokens of framing each)."""
    enc = encoding_for_model(model)
    return sum(len(enc.encode(m["content"], disallowed_special=())) + 3 for m in messages) + 3


def count_text_tokens(text: str, model: str) -> int:
    return len(encoding_for_model(model).encode(text, disallowed_special=()))


def default_cache_dir() -> Optional[Path]:
    """RAG_LLM_CACHE (a folder, or 'off'), else $XDG_CACHE_HOME/jiqun/llm (~/.cache/jiqun/llm)."""
    env = os.environ.get("RAG_LLM_CACHE")
    if env:
        return None if env.lower() in ("off", "0", "no", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "jiqun" / "llm"


class ReplyCache:
    """One JSON file per reply, named by the sha256 of endpoint + model + messages + params.
    Holds the reply text and token counts only: never a key or a header."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @staticmethod
    def key(request: dict) -> str:
        blob = json.dumps(request, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def get(self, key: str) -> Optional[dict]:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and isinstance(entry.get("text"), str) else None

    def put(self, key: str, entry: dict) -> None:
        atomic_write_text(self._path(key), json.dumps(entry, ensure_ascii=False))


@dataclass
class Reply:
    text: str
    usage: Usage
    finish_reason: Optional[str] = None
    cache_key: Optional[str] = None


@dataclass
class Backoff:
    """Exponential backoff with full jitter; a server's Retry-After wins when it is shorter than `cap`."""

    base: float = 0.5
    cap: float = 20.0

    def delay(self, attempt: int, retry_after: Optional[float] = None) -> float:
        if retry_after is not None and 0 <= retry_after <= self.cap:
            return retry_after
        return random.uniform(0, min(self.cap, self.base * 2 ** attempt))


@dataclass
class LLMStats:
    requests: int = 0  # HTTP requests sent, retries included
    cache_hits: int = 0
    retried_errors: int = 0  # timeouts, 429 and 5xx that were retried
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
            if self.cost_usd is not None:
                self.cost_usd = None if usage.cost_usd is None else round(self.cost_usd + usage.cost_usd, 8)


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


class LLM:
    """A chat endpoint with cache, bounded retries (settings.max_retries) and usage accounting."""

    def __init__(self, settings: LLMSettings, cache_dir: Optional[Path] | str = "default",
                 backoff: Optional[Backoff] = None, max_tokens: Optional[int] = None, **model_kw) -> None:
        self.settings = settings
        self.model_name = settings.model
        self.endpoint = endpoint_label(settings)
        self.max_tokens = max_tokens
        self.backoff = backoff or Backoff()
        # Retries are ours (bounded, with jitter, never after streamed output), not the SDK's.
        self.model = chat_model(settings, max_retries=0, **model_kw)
        folder = default_cache_dir() if cache_dir == "default" else cache_dir
        self.cache = ReplyCache(Path(folder)) if folder else None
        self.stats = LLMStats()
        self._response_format_ok = True
        # One bound for every thread that shares this endpoint: documents extracted in parallel, and
        # the chunks of each, never have more than settings.concurrency requests in flight together.
        self._slots = threading.BoundedSemaphore(max(1, settings.concurrency))

    # -- public -----------------------------------------------------------------------------
    def complete(self, messages: list[dict], *, response_format: Optional[dict] = None,
                 max_tokens: Optional[int] = None, on_token: Optional[Callable[[str], None]] = None,
                 accept: Optional[Callable[[str], object]] = None) -> Reply:
        """One chat completion. Served from the cache when the same request was answered before.
        `accept(text)` may raise to reject a reply: rejected replies are returned but not cached."""
        max_tokens = max_tokens or self.max_tokens
        key = self._cache_key(messages, response_format, max_tokens)
        if key and (entry := self.cache.get(key)):
            usage = Usage(prompt_tokens=entry.get("prompt_tokens", 0), completion_tokens=entry.get("completion_tokens", 0),
                          total_tokens=entry.get("prompt_tokens", 0) + entry.get("completion_tokens", 0),
                          cost_usd=0.0, cached=True)
            if accept is None or _accepts(accept, entry["text"]):
                self.stats.add(usage)
                if on_token:
                    on_token(entry["text"])
                return Reply(entry["text"], usage, entry.get("finish_reason"), key)

        reply = self._with_retries(messages, response_format, max_tokens, on_token)
        reply.cache_key = key
        self.stats.add(reply.usage)
        if accept is not None:
            try:
                accept(reply.text)
            except ValueError as e:  # pydantic's ValidationError and json errors are ValueErrors
                raise RejectedReply(reply, e) from None
        self._remember(key, reply)
        return reply

    def _cache_key(self, messages: list[dict], response_format: Optional[dict], max_tokens: Optional[int]) -> Optional[str]:
        if not self.cache:
            return None
        return ReplyCache.key({"endpoint": self.endpoint, "model": self.model_name, "messages": messages,
                               "params": {"temperature": 0, "max_tokens": max_tokens, "response_format": response_format}})

    def _remember(self, key: Optional[str], reply: Reply) -> None:
        if key:
            self.cache.put(key, {"text": reply.text, "finish_reason": reply.finish_reason, "model": self.model_name,
                                 "prompt_tokens": reply.usage.prompt_tokens,
                                 "completion_tokens": reply.usage.completion_tokens})

    def structured(self, messages: list[dict], schema: type[T], *, name: str = "reply",
                   retries: int = 2, max_tokens: Optional[int] = None) -> tuple[Optional[T], int, Usage]:
        """Ask for JSON matching `schema`; a reply that fails to parse or validate is sent back with
        the error and asked again, at most `retries` times. Returns (object or None, retries used,
        usage summed over the attempts)."""
        response_format = {"type": "json_schema",
                           "json_schema": {"name": name, "schema": strict_json_schema(schema), "strict": True}}
        convo = list(messages)
        total = Usage(cost_usd=0.0, cached=True)
        for attempt in range(retries + 1):
            parsed: list = []
            try:
                reply = self.complete(convo, response_format=response_format, max_tokens=max_tokens,
                                      accept=lambda text: parsed.append(schema.model_validate_json(_strip_fences(text))))
                add_usage(total, reply.usage)
                if attempt:  # the valid reply also answers the original request next time: no re-asking
                    self._remember(self._cache_key(messages, response_format, max_tokens or self.max_tokens), reply)
                return parsed[0], attempt, total
            except RejectedReply as r:
                add_usage(total, r.reply.usage)
                bad = r.reply.text
                error = ("the reply was cut off at the token limit: return fewer, shorter records"
                         if r.reply.finish_reason == "length" else _short_validation_error(r.error))
            if attempt == retries:
                break
            log.info("structured reply rejected (%s), asking again (%d/%d)", error[:120], attempt + 1, retries)
            convo = list(messages) + [
                {"role": "assistant", "content": bad[:4000]},
                {"role": "user", "content": load_prompt("validation_retry.md").replace("{error}", error)},
            ]
        return None, retries, total

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
                wait = self.backoff.delay(attempt, r.retry_after)
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
                if on_token:
                    text, usage_meta, finish = self._stream(lc_messages, params, on_token)
                else:
                    msg = self.model.invoke(lc_messages, **params)
                    text, usage_meta = _content_text(msg.content), msg.usage_metadata
                    finish = (msg.response_metadata or {}).get("finish_reason")
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
                return _Retryable(e, _retry_after(e))
            return LLMError(f"{where} rejected the request: {self._describe(e)}")
        return LLMError(f"{where}: {self._describe(e)}")

    def _describe(self, e: Exception) -> str:
        status = getattr(e, "status_code", None)
        text = getattr(e, "message", None) or str(e) or type(e).__name__
        text = re.sub(r"\s+", " ", text).strip()[:200]
        if self.settings.api_key:
            text = text.replace(self.settings.api_key, "***")
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


def add_usage(total: Usage, u: Usage) -> None:
    """Sum `u` into `total` (cost None once any part is unknown; cached only if every part was)."""
    total.prompt_tokens += u.prompt_tokens
    total.completion_tokens += u.completion_tokens
    total.total_tokens += u.total_tokens
    total.seconds = round(total.seconds + u.seconds, 3)
    total.cost_usd = None if total.cost_usd is None or u.cost_usd is None else round(total.cost_usd + u.cost_usd, 8)
    total.cached = total.cached and u.cached


def _caused_by_refused_connection(e: BaseException) -> bool:
    """True when the chain of causes holds the HTTP client's ConnectError (refused, no such host):
    retrying will not help. (The SDK's HTTP client may be httpx or a fork, so match by name.)"""
    seen = 0
    while e is not None and seen < 10:
        if type(e).__name__ == "ConnectError":
            return True
        e, seen = e.__cause__ or e.__context__, seen + 1
    return False


def _retry_after(e) -> Optional[float]:
    headers = getattr(getattr(e, "response", None), "headers", None) or {}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value:
            try:
                return float(value) * scale
            except ValueError:
                return None
    return None


def _rejects_response_format(e) -> bool:
    return getattr(e, "status_code", None) == 400 and "response_format" in (getattr(e, "message", "") or "")


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.S)


def _strip_fences(text: str) -> str:
    m = _FENCE.match(text)
    return m.group(1) if m else text.strip()


def _short_validation_error(e: Exception) -> str:
    if isinstance(e, ValidationError):
        lines = []
        for err in e.errors()[:8]:
            loc = ".".join(str(p) for p in err.get("loc", ()))
            lines.append(f"{loc or 'reply'}: {err.get('msg')}")
        return "; ".join(lines)
    return re.sub(r"\s+", " ", str(e))[:400]


def strict_json_schema(model: type[BaseModel]) -> dict:
    """The pydantic schema in the subset OpenAI's strict structured outputs accept (and llama.cpp,
    vLLM and Ollama enforce): every property required (optional ones nullable), no extra keys, no
    defaults, no string length bounds (pydantic checks them on the reply). Field descriptions stay:
    they are the spec the model reads."""
    schema = model.model_json_schema()

    def fix(node):
        """`node` is a schema; "properties" and "$defs" map names to schemas (a field may be called title)."""
        if isinstance(node, list):
            for v in node:
                fix(v)
        if not isinstance(node, dict):
            return node
        for unsupported in ("default", "title", "minLength", "maxLength"):  # checked locally instead
            node.pop(unsupported, None)
        if node.get("type") == "object" and "properties" in node:
            node["required"] = list(node["properties"])
            node["additionalProperties"] = False
        for key, v in node.items():
            if key in ("properties", "$defs") and isinstance(v, dict):
                for sub in v.values():
                    fix(sub)
            else:
                fix(v)
        return node

    return fix(schema)
