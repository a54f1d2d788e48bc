"""OpenAI-compatible chat models, one module per concern:

- `endpoint`: the ChatOpenAI factory, the endpoint's label, reachability and key checks
- `prices`: prices per model and the cost of requests (one sum for extraction and QA)
- `count`: token counting with the model's encoding
- `cache`: the disk cache of replies (never a key)
- `backoff`: retry delays, Retry-After honoured up to RAG_LLM_MAX_WAIT
- `client`: `LLM` (cache, retries, usage, streamed calls, reply budgets within the context)
- `schema` and `structured`: strict JSON schemas, replies validated and re-asked within budget

Everything that talks to an endpoint goes through `LLM`, so the cache, retries, usage and error
messages behave the same for extraction and QA.
"""
from .backoff import RETRY_STATUSES, Backoff, WaitTooLong, retry_after
from .cache import ReplyCache, default_cache_dir
from .client import (LLM, BadBody, ContextOverflow, LLMError, LLMStats, RejectedReply, Reply, add_usage)
from .count import count_message_tokens, count_text_tokens
from .endpoint import DUMMY_API_KEY, chat_model, check_key, check_reachable, endpoint_label
from .prices import PRICES_PER_MTOK, add_costs, estimate_cost, price_for, total_cost
from .schema import short_validation_error, strict_json_schema, strip_fences
from .structured import Structured, ask_structured

__all__ = [
    "RETRY_STATUSES", "Backoff", "WaitTooLong", "retry_after", "ReplyCache", "default_cache_dir", "LLM", "BadBody",
    "ContextOverflow", "LLMError", "LLMStats", "RejectedReply", "Reply", "add_usage", "count_message_tokens",
    "count_text_tokens", "DUMMY_API_KEY", "chat_model", "check_key", "check_reachable", "endpoint_label",
    "PRICES_PER_MTOK", "add_costs", "estimate_cost", "price_for", "total_cost", "short_validation_error",
    "strict_json_schema", "strip_fences", "Structured", "ask_structured",
]
