"""Prices (USD per million tokens) and the cost of a request, one code path for extraction and QA."""
from __future__ import annotations

import os
from typing import Iterable, Optional

from ..errors import ConfigError

# (input, output). Longest matching prefix wins; unknown models cost None.
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


def add_costs(a: Optional[float], b: Optional[float]) -> Optional[float]:
    """The sum of two costs; None (unknown) once either is unknown."""
    return None if a is None or b is None else round(a + b, 8)


def total_cost(costs: Iterable[Optional[float]]) -> Optional[float]:
    """Summed cost of several requests or runs: None when any of them has no price (an unpriced
    model), 0.0 for none at all. Extraction and QA reports both sum with this."""
    total: Optional[float] = 0.0
    for c in costs:
        total = add_costs(total, c)
    return total
