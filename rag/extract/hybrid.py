"""The hybrid engine: the offline rules propose, the LLM checks.

For each chunk the model sees the text and the offline candidates found in it, and answers with a
keep/drop decision per candidate, values for the fields a candidate lacks, and any cluster the
rules missed. Candidates keep their rule-found names and evidence (the model only fills empty
fields); added clusters go through the same grounding as the LLM engine. A chunk whose reply never
validates keeps its candidates unchanged.
"""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from ..config import Settings
from ..core.chinese import fold
from ..core.types import Chunk, NormalisedDocument
from ..llm import LLM
from ..prompting import load_prompt
from ..schemas import ClusterMention, Level
from .llm import (ExtractedCluster, ExtractionStats, LLMExtractor, _clean, _spec, chunk_messages, field_spec,
                  ground, is_grounded, merge_mentions, name_key)

log = logging.getLogger("rag.extract.hybrid")

_FILL = " Fill it only when the candidate has no value and the text states one; otherwise null."


class CandidateCheck(BaseModel):
    """The verdict on one candidate, plus values for the fields it lacks."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(description="The candidate's number in the candidate list.")
    keep: bool = Field(description="true when the text really names this cluster under the rules above; false for a "
                                   "generic phrase, a count, a target or plan, an event or document name, or boilerplate.")
    regions: list[str] = Field(default_factory=list, description=_spec("regions") + " Only when the candidate has none; else [].")
    province: Optional[str] = Field(default=None, description=_spec("province") + _FILL)
    level: Optional[Level] = Field(default=None, description=_spec("level") + _FILL)
    program: Optional[str] = Field(default=None, description=_spec("program") + _FILL)
    industry: Optional[str] = Field(default=None, description=_spec("industry") + _FILL)
    recognised_by: Optional[str] = Field(default=None, description=_spec("recognised_by") + _FILL)
    year: Optional[int] = Field(default=None, ge=1949, le=2100, description=_spec("year") + _FILL)
    batch: Optional[int] = Field(default=None, ge=1, description=_spec("batch") + _FILL)


class HybridReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    checked: list[CandidateCheck] = Field(description="One entry per candidate, by id.")
    missing: list[ExtractedCluster] = Field(
        description="Clusters the text part names that no candidate covers; [] when the candidates are complete.")


_FILLABLE = ("province", "level", "program", "industry", "recognised_by", "year", "batch")


def complete_candidate(m: ClusterMention, check: CandidateCheck) -> ClusterMention:
    """The candidate with its empty fields filled from the model's check (its own values win)."""
    update = {}
    if not m.regions and check.regions:
        update["regions"] = list(dict.fromkeys(r for r in (_clean(x) for x in check.regions) if r))
    for f in _FILLABLE:
        value = getattr(check, f)
        if getattr(m, f) is None and value is not None:
            update[f] = _clean(value) if isinstance(value, str) else value
    return m.model_copy(update=update)


def _same_cluster(a: str, b: str) -> bool:
    """Same name, or one is the other with a place prefix (聊城钢铁产业集群 / 钢铁产业集群)."""
    ka, kb = name_key(a), name_key(b)
    return ka == kb or ka.endswith(kb) or kb.endswith(ka)


def _describe(i: int, m: ClusterMention) -> str:
    shown = {"id": i, "name": m.name, "evidence": fold(m.evidence.text)}
    shown.update({f: getattr(m, f) for f in ("regions",) + _FILLABLE})
    return json.dumps(shown, ensure_ascii=False)


class HybridExtractor:
    """`extract(ndoc) -> list[ClusterMention]`: offline candidates, checked and completed by an LLM."""

    name = "hybrid"

    def __init__(self, settings: Optional[Settings] = None, llm: Optional[LLM] = None, proposer=None,
                 **llm_extractor_kw) -> None:
        settings = settings or Settings()
        if proposer is None:
            from .offline import OfflineExtractor

            proposer = OfflineExtractor()
        self.proposer = proposer
        self.inner = LLMExtractor(settings, llm=llm, **llm_extractor_kw)  # chunking, grounding, stats
        # Starts with the same rules as the LLM engine's prompt, so servers can reuse a cached prefix.
        self.system = (load_prompt("hybrid_system.md").replace("{fields}", field_spec(CandidateCheck))
                       .replace("{missing_fields}", field_spec(ExtractedCluster))
                       .replace("{rules}", load_prompt("extract_rules.md")))
        self._lock = threading.Lock()

    @property
    def llm(self) -> LLM:
        return self.inner.llm

    @property
    def stats(self) -> ExtractionStats:
        return self.inner.stats

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]:
        stats = self.inner._stats
        proposed = self.proposer.extract(ndoc)
        candidates = [m for m in proposed if is_grounded(ndoc, m)]
        stats.dropped_ungrounded += len(proposed) - len(candidates)
        chunks = self.inner.chunks(ndoc)
        stats.documents += 1
        stats.chunks += len(chunks)
        owned: list[list[ClusterMention]] = [[] for _ in chunks]
        unowned = []
        for m in candidates:
            home = next((i for i, c in enumerate(chunks) if c.start <= m.evidence.start < c.end), None)
            (owned[home] if home is not None else unowned).append(m)

        with ThreadPoolExecutor(max_workers=min(self.inner.concurrency, max(1, len(chunks)))) as pool:
            replies = list(pool.map(lambda pair: self._ask(ndoc, *pair), zip(chunks, owned)))

        kept, added = list(unowned), []
        for chunk, mine, reply in zip(chunks, owned, replies):
            if reply is None:
                kept.extend(mine)
                continue
            checks = {c.id: c for c in reply.checked}
            for i, m in enumerate(mine, 1):
                check = checks.get(i)
                if check is not None and not check.keep:
                    stats.dropped_by_llm += 1
                    continue
                kept.append(complete_candidate(m, check) if check else m)
            for item in reply.missing:
                g = ground(ndoc, item, (chunk.norm_start, chunk.norm_end), stats)
                if g is not None and not any(_same_cluster(g.name, k.name) for k in candidates):
                    added.append(g)
        added = merge_mentions(added)
        stats.added_by_llm += len(added)
        result = sorted(kept + added, key=lambda m: m.evidence.start)
        stats.kept += len(result)
        return result

    def _ask(self, ndoc: NormalisedDocument, chunk: Chunk, mine: list[ClusterMention]) -> Optional[HybridReply]:
        listed = "\n".join(_describe(i, m) for i, m in enumerate(mine, 1)) or "（无）"
        messages = chunk_messages(ndoc, chunk, self.system, load_prompt("hybrid_user.md"), candidates=listed)
        reply, retries, _ = self.llm.structured(messages, HybridReply, name="checked_clusters",
                                                retries=self.inner.retries, max_tokens=self.inner.max_reply_tokens)
        with self._lock:
            self.inner._stats.retries += retries
            self.inner._stats.failed_chunks += reply is None
        if reply is None:
            log.warning("%s chunk %d: no valid reply; keeping its %d offline candidates unchecked",
                        ndoc.doc.doc_id, chunk.index, len(mine))
        return reply
