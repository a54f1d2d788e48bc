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
from ..errors import RagError
from ..llm import LLM
from ..prompting import load_prompt
from ..schemas import ClusterMention, Evidence, Level

log = logging.getLogger("rag.extract.llm")

CHUNK_OVERLAP = 120
CONTEXT_CHARS = 300  # normalised text shown before a chunk (list titles, "名单如下：")
VALIDATION_RETRIES = 2
NAME_SUPPORT = 0.8  # share of the name's characters that must occur in its evidence
MAX_SPLITS = 3  # a chunk whose reply is cut at the token limit is halved at most this many times over
MIN_SPLIT_CHARS = 40  # shorter text is not split further


class ExtractionFailed(RagError):
    """Some chunk of the document got no valid reply: the document is not written (it runs again)."""


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
    failed_documents: int = 0  # documents with a failed chunk: not written, run again next time
    retries: int = 0  # replies sent back with their validation (or grounding) errors
    http_retries: int = 0  # timeouts, 429, 5xx, dropped connections and unreadable bodies retried
    failed_chunks: int = 0  # chunks with no valid reply after the retries (and splits)
    split_chunks: int = 0  # chunks halved after a reply cut at the token limit
    kept: int = 0
    dropped_ungrounded: int = 0  # quote and name not found in the source, or name not in its quote
    dropped_invalid: int = 0  # not a cluster name (no 集群 head noun)
    dropped_by_llm: int = 0  # hybrid: offline candidates the model vetoed, with a reason (kept, flagged, with --keep-vetoed)
    vetoes_without_reason: int = 0  # hybrid: "drop" with no reason given: not a veto, the candidate is kept
    added_by_llm: int = 0  # hybrid: grounded clusters the model added to the candidates
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: Optional[float] = 0.0

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """The one line `rag extract` prints about its LLM use."""
        cost = "cost unknown (no price for the model; set RAG_LLM_PRICE)" if self.cost_usd is None \
            else f"${self.cost_usd:.4f}"
        return (f"LLM: {self.calls} requests ({self.cache_hits} cached replies), {self.prompt_tokens} prompt + "
                f"{self.completion_tokens} completion tokens, {cost}, {self.http_retries} retried errors, "
                f"{self.retries} re-asks, {self.split_chunks} split chunks, {self.failed_chunks} failed chunks, "
                f"{self.dropped_ungrounded} dropped ungrounded, {self.dropped_by_llm} vetoed")


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


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


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
    span, alignment = _find(text, fold(item.evidence).strip(_EDGE), near), "folded"
    if span is None or not _supported(name, text[span[0]:span[1]]):
        named = _find(text, name, near)
        span, alignment = (_sentence_around(text, *named) if named else None), "sentence"
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
    if alignment == "folded" and _compact(item.evidence.strip(_EDGE)) == _compact(original[start:end]):
        alignment = "exact"
    regions = list(dict.fromkeys(r for r in (_clean(x) for x in item.regions) if r))
    return ClusterMention(
        doc_id=ndoc.doc.doc_id, name=name, regions=regions, province=_clean(item.province), level=item.level,
        program=_clean(item.program), industry=_clean(item.industry), recognised_by=_clean(item.recognised_by),
        year=item.year, batch=item.batch,
        evidence=Evidence(text=original[start:end], start=start, end=end, alignment=alignment),
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


def split_chunk(ndoc: NormalisedDocument, chunk: Chunk) -> list[Chunk]:
    """Two halves of a chunk, cut at the sentence end nearest its middle (or mid-text when it is one
    sentence); [] when it is too short to split."""
    a, b = chunk.norm_start, chunk.norm_end
    if b - a < MIN_SPLIT_CHARS:
        return []
    middle = (a + b) // 2
    ends = [a + s.end for s in split_sentences(ndoc.text[a:b]) if a < a + s.end < b]
    cut = min(ends, key=lambda e: abs(e - middle)) if ends else middle
    if not (a + MIN_SPLIT_CHARS // 4 <= cut <= b - MIN_SPLIT_CHARS // 4):
        cut = middle
    halves = []
    for x, y in ((a, cut), (cut, b)):
        start, end = ndoc.span(x, y)
        halves.append(Chunk(doc_id=chunk.doc_id, index=chunk.index, text=ndoc.text[x:y], norm_start=x, norm_end=y,
                            start=start, end=end, original_text=ndoc.doc.original[start:end],
                            metadata=dict(chunk.metadata)))
    return halves


def sentence_naming(text: str, name: str, near: tuple[int, int]) -> Optional[str]:
    """The sentence inside `near` that shares the most characters with `name` (at least half of them)."""
    chars = set(_HAN.findall(fold(name)))
    best, score = None, 0
    for s in split_sentences(text[near[0]:near[1]]):
        n = len(chars & set(s.text))
        if n > score:
            best, score = s.text.strip(), n
    return best if chars and score >= len(chars) / 2 else None


def quote_problems(ndoc: NormalisedDocument, items: list, near: tuple[int, int], field: str = "clusters") -> list[str]:
    """Grounding inside the re-ask loop: every quote the model gave that is not in the text, with
    the sentence it should come from (one line each, for the validation-retry prompt)."""
    problems = []
    for i, it in enumerate(items):
        quote = fold(it.evidence).strip(_EDGE)
        if _find(ndoc.text, quote, near) is not None:
            continue
        sentence = sentence_naming(ndoc.text, it.name, near)
        where = (f"copy the quote character for character from this sentence: 「{sentence[:160]}」" if sentence
                 else "the text does not name this cluster: leave it out")
        problems.append(f"{field}.{i}.evidence: 「{quote[:80]}」 is not in the text; {where}")
    return problems[:8]


class LLMExtractor:
    """`extract(ndoc) -> list[ClusterMention]` with an OpenAI-compatible chat model. A document
    with a chunk that gets no valid reply raises ExtractionFailed (nothing of it is kept)."""

    name = "llm"

    def __init__(self, settings: Optional[Settings] = None, llm: Optional[LLM] = None,
                 chunk_tokens: Optional[int] = None, retries: int = VALIDATION_RETRIES,
                 max_reply_tokens: Optional[int] = None, max_splits: int = MAX_SPLITS, passes: int = 1) -> None:
        settings = settings or Settings()
        self.max_splits = max_splits
        self.passes = max(1, passes)
        self.llm = llm or LLM(settings.llm)
        self.concurrency = max(1, settings.llm.concurrency)
        self.chunk_tokens = chunk_tokens or settings.llm.chunk_tokens
        self.retries = retries
        self.max_reply_tokens = max_reply_tokens or settings.llm.max_tokens
        self.system = (load_prompt("extract_system.md").replace("{fields}", field_spec(ExtractedCluster))
                       .replace("{rules}", load_prompt("extract_rules.md")))
        self._stats = ExtractionStats()
        self._lock = threading.Lock()

    @property
    def stats(self) -> ExtractionStats:
        s, l = self._stats, self.llm.stats
        s.calls, s.cache_hits, s.http_retries = l.requests, l.cache_hits, l.retried_errors
        s.prompt_tokens, s.completion_tokens, s.cost_usd = l.prompt_tokens, l.completion_tokens, l.cost_usd
        return s

    def chunks(self, ndoc: NormalisedDocument, pass_no: int = 0) -> list[Chunk]:
        """The chunks of one pass: pass n (from 0) cuts at 1/(n+1) of the chunk size, so later passes
        read the text in smaller, differently placed pieces (recall passes, merged by name)."""
        size = max(50, self.chunk_tokens // (pass_no + 1))
        return chunk_document(ndoc, max_tokens=size, overlap_tokens=min(CHUNK_OVERLAP, size // 4))

    def count(self, **deltas: int) -> None:
        with self._lock:
            for name, n in deltas.items():
                setattr(self._stats, name, getattr(self._stats, name) + n)

    def fail_if_any(self, ndoc: NormalisedDocument, errors: list[str], n_chunks: int) -> None:
        if errors:
            self.count(failed_documents=1)
            raise ExtractionFailed(f"{len(errors)} of {n_chunks} chunk(s) got no valid LLM reply ({errors[0]}); "
                                   "the document is not written and runs again next time")

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]:
        chunks = [c for n in range(self.passes) for c in self.chunks(ndoc, n)]
        chunks = list({(c.norm_start, c.norm_end): c for c in chunks}.values())  # a cut two passes share: once
        self.count(documents=1, chunks=len(chunks))
        with ThreadPoolExecutor(max_workers=min(self.concurrency, max(1, len(chunks)))) as pool:
            replies = list(pool.map(lambda c: self._ask(ndoc, c), chunks))
        self.fail_if_any(ndoc, [e for _, e in replies if e], len(chunks))
        mentions = []
        for parts, _ in replies:
            for part, items in parts:
                for item in items:
                    m = ground(ndoc, item, (part.norm_start, part.norm_end), self._stats)
                    if m is not None:
                        mentions.append(m)
        merged = merge_mentions(mentions)
        self.count(kept=len(merged))
        return merged

    def _ask(self, ndoc: NormalisedDocument, chunk: Chunk, depth: int = 0):
        """([(chunk or half, clusters)], error or None): a reply cut at the token limit splits the chunk."""
        near = (chunk.norm_start, chunk.norm_end)
        messages = chunk_messages(ndoc, chunk, self.system, load_prompt("extract_user.md"))
        res = self.llm.structured(messages, ExtractionReply, name="clusters", retries=self.retries,
                                  max_tokens=self.max_reply_tokens, stop_on_length=True,
                                  check=lambda r: quote_problems(ndoc, r.clusters, near))
        self.count(retries=res.retries)
        if res.value is not None:
            return [(chunk, res.value.clusters)], None
        halves = split_chunk(ndoc, chunk) if res.truncated and depth < self.max_splits else []
        if halves:
            log.info("%s chunk %d: reply cut at the token limit; asking for each half", ndoc.doc.doc_id, chunk.index)
            self.count(split_chunks=1)
            parts, errors = [], []
            for half in halves:
                p, e = self._ask(ndoc, half, depth + 1)
                parts += p
                errors += [e] if e else []
            return parts, (errors[0] if errors else None)
        self.count(failed_chunks=1)
        log.warning("%s chunk %d: no valid reply (%s)", ndoc.doc.doc_id, chunk.index, res.error)
        return [], f"chunk {chunk.index} at {chunk.start}-{chunk.end}: {res.error[:160]}"
