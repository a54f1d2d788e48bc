"""Extraction engines behind one small interface: `engine.extract(ndoc) -> list[ClusterMention]`.

offline: deterministic rules (rag.extract.offline), no network.
llm: an OpenAI-compatible chat model with structured output (rag.extract.llm).
hybrid: the LLM checks and completes the offline engine's candidates (rag.extract.hybrid).
auto: llm when jiqun's own settings name an endpoint (never a bare OPENAI_API_KEY), offline otherwise.
"""
from __future__ import annotations

from typing import Protocol

from ..config import Settings
from ..core.types import NormalisedDocument
from ..errors import ConfigError
from ..schemas import ClusterMention


class Extractor(Protocol):
    name: str

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]: ...


def resolve_engine_name(name: str, settings: Settings) -> str:
    """auto: llm only when jiqun's own settings name an endpoint (rag/engine_choice.py)."""
    from ..engine_choice import choose

    return choose(name, settings).name


def get_engine(name: str, settings: Settings | None = None, keep_vetoed: bool = False, passes: int = 1) -> Extractor:
    settings = settings or Settings()
    name = resolve_engine_name(name, settings)
    if name == "offline":
        from .offline import OfflineExtractor

        return OfflineExtractor()
    if name == "llm":
        from .llm import LLMExtractor

        return LLMExtractor(settings, passes=passes)
    if name == "hybrid":
        from .hybrid import HybridExtractor

        return HybridExtractor(settings, keep_vetoed=keep_vetoed)
    raise ConfigError(f"unknown engine '{name}' (offline, llm, hybrid, auto)")
