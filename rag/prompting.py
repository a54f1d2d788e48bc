"""Prompt files from prompts/ (package rag.prompts)."""
from __future__ import annotations

from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=None)
def load_prompt(name: str) -> str:
    """Read prompts/<name> (e.g. 'extract_system.md')."""
    return resources.files("rag.prompts").joinpath(name).read_text(encoding="utf-8")
