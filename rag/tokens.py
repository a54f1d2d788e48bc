"""Token counting with tiktoken, offline: the BPE files ship inside the package (rag/data/tiktoken)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data" / "tiktoken"
DEFAULT_ENCODING = "cl100k_base"


@lru_cache(maxsize=4)
def encoding(name: str = DEFAULT_ENCODING):
    """tiktoken reads its files from TIKTOKEN_CACHE_DIR (named by the SHA-1 of their URL) and checks
    their sha256, so pointing it at the shipped folder for this one load is enough."""
    import tiktoken

    saved = os.environ.get("TIKTOKEN_CACHE_DIR")
    os.environ["TIKTOKEN_CACHE_DIR"] = str(DATA_DIR)
    try:
        return tiktoken.get_encoding(name)
    finally:
        if saved is None:
            os.environ.pop("TIKTOKEN_CACHE_DIR", None)
        else:
            os.environ["TIKTOKEN_CACHE_DIR"] = saved


def encoding_for_model(model: str):
    m = model.lower()
    if any(k in m for k in ("gpt-4o", "gpt-4.1", "gpt-5", "o1", "o3", "o4")):
        return encoding("o200k_base")
    return encoding("cl100k_base")


def count_tokens(text: str, name: str = DEFAULT_ENCODING) -> int:
    return len(encoding(name).encode(text, disallowed_special=()))
