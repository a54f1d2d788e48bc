"""Token counting with the model's encoding (tiktoken files ship with the package)."""
from __future__ import annotations

from ..tokens import encoding_for_model


def count_message_tokens(messages: list[dict], model: str) -> int:
    """Prompt tokens as OpenAI counts chat messages (content plus ~3 tokens of framing each)."""
    enc = encoding_for_model(model)
    return sum(len(enc.encode(m["content"], disallowed_special=())) + 3 for m in messages) + 3


def count_text_tokens(text: str, model: str) -> int:
    return len(encoding_for_model(model).encode(text, disallowed_special=()))
