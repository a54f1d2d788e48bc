"""The LLM extraction engine: structured output over token-budgeted chunks, then grounding.

The model sees the normalised text (Simplified, no pinyin, no boilerplate) one chunk at a time,
with the title and the text around the chunk as context, and returns names and verbatim quotes
only. Offsets are never taken from the model: each quote (or, failing that, the name) is searched
in the normalised text and mapped back to the original with `ndoc.span`. A record that cannot be
found there is dropped and counted.
"""
from __future__ import annotations

import logging
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from ..chunk import chunk_document, split_sentences
from ..config import Settings
from ..core.chinese import fold
from ..core.types import Chunk, NormalisedDocument
from ..llm import LLM
from ..prompting import load_prompt
from ..schemas import ClusterMention, Evidence, Level

log = logging.getLogger("rag.extract.llm")

CHUNK_TOKENS = 1500
CHUNK_OVERLAP = 120
CONTEXT_CHARS = 300  # normalised text shown before a chunk (list titles, "名单如下：")
MAX_REPLY_TOKENS = 4000
VALIDATION_RETRIES = 2
NAME_SUPPORT = 0.8  # share of the name's characters that must occur in its evidence


def _spec(field: str) -> str:
    return ClusterMention.model_fields[field].description or ""


class ExtractedCluster(BaseModel):
    """One named cluster as the model reports it: no document id, no offsets."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=120, description=_spec("name"))
    evidence: str = Field(
        min_length=2, max_length=400,
        description="A short quote copied character for character from the text you were given (the list item, or the "
                    "clause that names the cluster with its shared head noun); never rewritten, never completed.",
    )
    regions: list[str] = Field(default_factory=list, description=_spec("regions"))
    province: Optional[str] = Field(default=None, description=_spec("province"))
    level: Optional[Level] = Field(default=None, description=_spec("level"))
    program: Optional[str] = Field(default=None, description=_spec("program"))
    industry: Optional[str] = Field(default=None, description=_spec("industry"))
    recognised_by: Optional[str] = Field(default=None, description=_spec("recognised_by"))
    year: Optional[int] = Field(default=None, ge=1949, le=2100, description=_spec("year"))
    batch: Optional[int] = Field(default=None, ge=1, description=_spec("batch"))


class ExtractionReply(BaseModel):
    """Every cluster named in the text part to extract from; an empty list when it names none."""

    model_config = ConfigDict(extra="forbid")

    clusters: list[ExtractedCluster] = Field(description="One entry per named cluster, in order of appearance.")


def field_spec(model: type[BaseModel]) -> str:
    """The model's field descriptions as a bullet list for the system prompt (same text as the schema)."""
    return "\n".join(f"- {name}: {f.description}" for name, f in model.model_fields.items() if f.description)


@dataclass
class ExtractionStats:
    documents: int = 0
    chunks: int = 0
    calls: int = 0  # HTTP requests, retries included
    cache_hits: int = 0
    retries: int = 0  # replies sent back with their validation error
    failed_chunks: int = 0  # chunks with no valid reply after the retries
    kept: int = 0
    dropped_ungrounded: int = 0  # quote and name not found in the source, or name not in its quote
    dropped_invalid: int = 0  # not a cluster name (no 集群 head noun)
    dropped_by_llm: int = 0  # hybrid: offline candidates the model rejected
    added_by_llm: int = 0  # hybrid: grounded clusters the model added to the candidates
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Optional[float] = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


# -- grounding ------------------------------------------------------------------------------------

_HAN = re.compile(r"[\u3400-\u9fff]")
_EDGE = " \t\n,，。；;：:、"
_NAME_NOISE = re.compile(r"[\s\"'“”‘’《》「」『』]")


def name_key(name: str) -> str:
    """Records with the same key are the same cluster of a document."""
    return re.sub(r"[\W_]+", "", fold(name))


def _find(text: str, needle: str, near: tuple[int, int]) -> Optional[tuple[int, int]]:
    """[start, end) of `needle` in `text`, preferring an occurrence inside `near`; whitespace-
    insensitive as a fallback (models drop line breaks)."""
    if not needle:
        return None
    spans = [(m.start(), m.start() + len(needle)) for m in re.finditer(re.escape(needle), text)]
    if not spans:
        chars = [c for c in needle if not c.isspace()]
        if len(chars) < 2:
            return None
        spans = [m.span() for m in re.finditer(r"\s*".join(re.escape(c) for c in chars), text)]
    if not spans:
        return None
    inside = [s for s in spans if near[0] <= s[0] < near[1]]
    return (inside or spans)[0]


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    for s in split_sentences(text):
        if s.start <= start and end <= s.end:
            return s.start, s.end
    return start, end


def _supported(name: str, quote: str) -> bool:
    chars = set(_HAN.findall(name))
    return bool(chars) and len(chars & set(quote)) / len(chars) >= NAME_SUPPORT


def _clean(value: Optional[str]) -> Optional[str]:
    if value is None:
        return None
    v = fold(value).strip(_EDGE)
    return v or None


def ground(ndoc: NormalisedDocument, item: ExtractedCluster, near: tuple[int, int] = (0, 0),
           stats: Optional[ExtractionStats] = None) -> Optional[ClusterMention]:
    """The record with its evidence found in the source and offsets computed here, or None."""
    text = ndoc.text
    name = _NAME_NOISE.sub("", fold(item.name)).strip(_EDGE)
    if "集群" not in name or len(name) < 4:
        if stats:
            stats.dropped_invalid += 1
        return None
    span = _find(text, fold(item.evidence).strip(_EDGE), near)
    if span is None or not _supported(name, text[span[0]:span[1]]):
        named = _find(text, name, near)
        span = _sentence_around(text, *named) if named else None
    if span is None or not _supported(name, text[span[0]:span[1]]):
        if stats:
            stats.dropped_ungrounded += 1
        return None
    start, end = ndoc.span(*span)
    original = ndoc.doc.original
    while start < end and original[start].isspace():
        start += 1
    while end > start and original[end - 1].isspace():
        end -= 1
    if start >= end:
        if stats:
            stats.dropped_ungrounded += 1
        return None
    regions = list(dict.fromkeys(r for r in (_clean(x) for x in item.regions) if r))
    return ClusterMention(
        doc_id=ndoc.doc.doc_id, name=name, regions=regions, province=_clean(item.province), level=item.level,
        program=_clean(item.program), industry=_clean(item.industry), recognised_by=_clean(item.recognised_by),
        year=item.year, batch=item.batch,
        evidence=Evidence(text=original[start:end], start=start, end=end),
    )


def is_grounded(ndoc: NormalisedDocument, m: ClusterMention) -> bool:
    ev = m.evidence
    return m.doc_id == ndoc.doc.doc_id and 0 <= ev.start < ev.end <= len(ndoc.doc.original) \
        and ndoc.doc.original[ev.start:ev.end] == ev.text


_FIELDS = ("regions", "province", "level", "program", "industry", "recognised_by", "year", "batch")


def _filled(m: ClusterMention) -> int:
    return sum(1 for f in _FIELDS if getattr(m, f) not in (None, []))


def merge_mentions(mentions: list[ClusterMention]) -> list[ClusterMention]:
    """Same name -> one record: the most informative mention, its empty fields filled from the others."""
    groups: dict[str, list[ClusterMention]] = {}
    for m in mentions:
        groups.setdefault(name_key(m.name), []).append(m)
    merged = []
    for group in groups.values():
        best = max(group, key=lambda m: (_filled(m), -m.evidence.start))
        update = {f: next((getattr(o, f) for o in group if getattr(o, f) not in (None, [])), getattr(best, f))
                  for f in _FIELDS if getattr(best, f) in (None, [])}
        merged.append(best.model_copy(update=update))
    return sorted(merged, key=lambda m: m.evidence.start)


# -- the engine -----------------------------------------------------------------------------------

def chunk_messages(ndoc: NormalisedDocument, chunk: Chunk, system: str, user_template: str, **extra) -> list[dict]:
    """System + user messages for one chunk: title, date, the text before and after it as context."""
    text = ndoc.text
    before = text[max(0, chunk.norm_start - CONTEXT_CHARS):chunk.norm_start].strip()
    after = text[chunk.norm_end:chunk.norm_end + CONTEXT_CHARS // 2].strip()
    user = user_template.format(
        doc_id=ndoc.doc.doc_id, title=ndoc.doc.title or "（无）", date=ndoc.doc.date or "（无）",
        before=before or "（无）", text=chunk.text, after=after or "（无）", **extra,
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


class LLMExtractor:
    """`extract(ndoc) -> list[ClusterMention]` with an OpenAI-compatible chat model."""

    name = "llm"

    def __init__(self, settings: Optional[Settings] = None, llm: Optional[LLM] = None,
                 chunk_tokens: int = CHUNK_TOKENS, retries: int = VALIDATION_RETRIES,
                 max_reply_tokens: int = MAX_REPLY_TOKENS) -> None:
        settings = settings or Settings()
        self.llm = llm or LLM(settings.llm)
        self.concurrency = max(1, settings.llm.concurrency)
        self.chunk_tokens = chunk_tokens
        self.retries = retries
        self.max_reply_tokens = max_reply_tokens
        self.system = (load_prompt("extract_system.md").replace("{fields}", field_spec(ExtractedCluster))
                       .replace("{rules}", load_prompt("extract_rules.md")))
        self._stats = ExtractionStats()
        self._lock = threading.Lock()

    @property
    def stats(self) -> ExtractionStats:
        s, l = self._stats, self.llm.stats
        s.calls, s.cache_hits = l.requests, l.cache_hits
        s.prompt_tokens, s.completion_tokens, s.cost_usd = l.prompt_tokens, l.completion_tokens, l.cost_usd
        return s

    def chunks(self, ndoc: NormalisedDocument) -> list[Chunk]:
        return chunk_document(ndoc, max_tokens=self.chunk_tokens, overlap_tokens=CHUNK_OVERLAP)

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]:
        chunks = self.chunks(ndoc)
        self._stats.documents += 1
        self._stats.chunks += len(chunks)
        with ThreadPoolExecutor(max_workers=min(self.concurrency, max(1, len(chunks)))) as pool:
            replies = list(pool.map(lambda c: self._ask(ndoc, c), chunks))
        mentions = []
        for chunk, items in zip(chunks, replies):
            for item in items:
                m = ground(ndoc, item, (chunk.norm_start, chunk.norm_end), self._stats)
                if m is not None:
                    mentions.append(m)
        merged = merge_mentions(mentions)
        self._stats.kept += len(merged)
        return merged

    def _ask(self, ndoc: NormalisedDocument, chunk: Chunk) -> list[ExtractedCluster]:
        messages = chunk_messages(ndoc, chunk, self.system, load_prompt("extract_user.md"))
        reply, retries, _ = self.llm.structured(messages, ExtractionReply, name="clusters",
                                                retries=self.retries, max_tokens=self.max_reply_tokens)
        with self._lock:
            self._stats.retries += retries
            self._stats.failed_chunks += reply is None
        if reply is None:
            log.warning("%s chunk %d: no valid reply after %d retries; its clusters are missing",
                        ndoc.doc.doc_id, chunk.index, retries)
            return []
        return reply.clusters
