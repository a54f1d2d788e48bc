"""Which engine answers or extracts, and consent to send articles to an LLM.

`auto` uses an LLM only when jiqun's own settings name one (RAG_LLM_BASE_URL, RAG_LLM_API_KEY, or a
profile in the config file): a bare OPENAI_API_KEY / OPENAI_BASE_URL exported for other tools is used
only with an explicit `--engine llm`. When `auto` picked the LLM and the endpoint fails, the work
falls back to the offline engine with a one-line warning; every answer and record names its engine.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Callable, Optional

from .errors import ConfigError, RagError

Warn = Callable[[str], None]

NEEDS_ENDPOINT = ("engine '{name}' needs an OpenAI-compatible endpoint: set RAG_LLM_BASE_URL and/or RAG_LLM_API_KEY "
                  "(or OPENAI_BASE_URL / OPENAI_API_KEY), choose a config-file profile with --profile, "
                  "or use --engine offline")


@dataclass
class EngineChoice:
    name: str  # the engine that runs: offline, llm or hybrid
    requested: str  # as asked: offline, llm, hybrid or auto
    fallback: bool = False  # auto chose the LLM: fall back to offline when the endpoint fails


def choose(requested: str, settings, allowed=("offline", "llm", "hybrid")) -> EngineChoice:
    if requested == "auto":
        if settings.llm.chosen:
            return EngineChoice("llm", "auto", fallback=True)
        return EngineChoice("offline", "auto")
    if requested not in allowed:
        raise ConfigError(f"unknown engine '{requested}' ({', '.join(allowed)}, auto)")
    if requested in ("llm", "hybrid") and not settings.llm.configured:
        raise ConfigError(NEEDS_ENDPOINT.format(name=requested))
    return EngineChoice(requested, requested)


def stderr_warning(command: str) -> Warn:
    return lambda message: print(f"rag {command}: warning: {message}", file=sys.stderr, flush=True)


def endpoint_failed(e: BaseException) -> bool:
    """An error that says the LLM endpoint does not work (not a bad question or a bad file)."""
    from .errors import InputError

    return isinstance(e, RagError) and not isinstance(e, InputError)


class FallbackAnswerer:
    """The LLM answerer; once its endpoint fails, the offline answerer (warned once)."""

    def __init__(self, primary, make_offline: Callable[[], object], warn: Warn) -> None:
        self.primary, self.make_offline, self.warn = primary, make_offline, warn
        self.offline = None

    def answer(self, question: str, **kw):
        if self.offline is None:
            try:
                return self.primary.answer(question, **kw)
            except Exception as e:
                if not endpoint_failed(e):
                    raise
                self.warn(f"the LLM endpoint failed ({e}); answering with the offline engine")
                self.offline = self.make_offline()
        kw.pop("stream", None)
        kw.pop("out", None)
        return self.offline.answer(question, **kw)


class LabelledExtractor:
    """An extractor whose records carry its engine's name; with `fallback`, the offline extractor
    takes over (warned once) when the LLM endpoint fails."""

    def __init__(self, primary, name: str, fallback: Optional[Callable[[], object]] = None,
                 warn: Optional[Warn] = None) -> None:
        self.primary, self.name, self.make_offline, self.warn = primary, name, fallback, warn
        self.offline = None

    @property
    def stats(self):
        """The primary engine's LLM usage, read when asked (it grows as documents are extracted)."""
        return getattr(self.primary, "stats", None)

    def extract(self, ndoc):
        if self.offline is None:
            try:
                return _label(self.primary.extract(ndoc), self.name)
            except Exception as e:
                if self.make_offline is None or not endpoint_failed(e):
                    raise
                if self.offline is None:
                    if self.warn:
                        self.warn(f"the LLM endpoint failed ({e}); extracting with the offline engine")
                    self.offline = self.make_offline()
        return _label(self.offline.extract(ndoc), "offline")


def _label(records, engine: str):
    records = list(records)
    for r in records:
        r.engine = engine
    return records


def answerer(requested: str, settings, index, warn: Optional[Warn] = None, max_tokens: Optional[int] = None):
    """The answerer for `requested` (offline, llm or auto) over an open index."""
    from .qa.offline import OfflineAnswerer

    choice = choose(requested, settings, allowed=("offline", "llm"))
    if choice.name == "offline":
        return OfflineAnswerer(index)
    from .llm import LLM
    from .qa.llm import LLMAnswerer

    llm = LLM(settings.llm, max_tokens=max_tokens) if max_tokens else None
    primary = LLMAnswerer(settings, index, llm=llm)
    if not choice.fallback:
        return primary
    return FallbackAnswerer(primary, lambda: OfflineAnswerer(index), warn or stderr_warning("ask"))


def extractor(requested: str, settings, warn: Optional[Warn] = None, **engine_options) -> LabelledExtractor:
    """The extractor for `requested` (offline, llm, hybrid or auto); its records name their engine.
    `engine_options` (keep_vetoed, passes) go to the LLM and hybrid engines."""
    from .extract.engines import get_engine

    choice = choose(requested, settings)
    primary = get_engine(choice.name, settings, **engine_options)
    fallback = (lambda: get_engine("offline", settings)) if choice.fallback else None
    return LabelledExtractor(primary, choice.name, fallback, warn or stderr_warning("extract"))
