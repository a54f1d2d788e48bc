"""The hybrid engine: the offline rules propose, the LLM checks.

For each chunk the model sees the text and the offline candidates found in it, and answers with a
keep/drop decision per candidate, values for the fields a candidate lacks, and any cluster the
rules missed. Candidates keep their rule-found names and evidence (the model only fills empty
fields); added clusters go through the same grounding as the LLM engine. A candidate is vetoed
only with a reason (a bare "drop" keeps it); vetoes are counted and, with keep_vetoed, kept and
flagged (`vetoed`: the reason). A chunk whose reply never validates fails the document, like the
LLM engine (its candidates would otherwise be written unchecked as if checked).
"""
from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from ..config import Settings
from ..core.chinese import fold
from ..core.types import Chunk, NormalisedDocument
from ..llm import LLM
from ..prompting import load_prompt
from ..schemas import ClusterMention, Level
from .llm import (ExtractedCluster, ExtractionStats, LLMExtractor, _clean, _spec, chunk_messages,
                  field_spec, ground, is_grounded, merge_mentions, name_key, quote_problems, split_chunk)

log = logging.getLogger("rag.extract.hybrid")

_FILL = " Fill it only when the candidate has no value and the text states one; otherwise null."


class CandidateCheck(BaseModel):
    """The verdict on one candidate, plus values for the fields it lacks."""

    model_config = ConfigDict(extra="forbid")

    id: int = Field(description="The candidate's number in the candidate list.")
    keep: bool = Field(description="true when the text really names this cluster under the rules above; false for a "
                                   "generic phrase, a count, a target or plan, an event or document name, or boilerplate.")
    reason: Optional[str] = Field(default=None, description="Required when keep is false: why the text does not name "
                                  "this cluster, quoting the words that show it. null when keep is true.")
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
                 keep_vetoed: bool = False, **llm_extractor_kw) -> None:
        self.keep_vetoed = keep_vetoed
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

    @property
    def llm(self) -> LLM:
        return self.inner.llm

    @property
    def stats(self) -> ExtractionStats:
        return self.inner.stats

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]:
        inner = self.inner
        proposed = self.proposer.extract(ndoc)
        candidates = [m for m in proposed if is_grounded(ndoc, m)]
        inner.count(dropped_ungrounded=len(proposed) - len(candidates))
        chunks = inner.chunks(ndoc)
        inner.count(documents=1, chunks=len(chunks))
        owned: list[list[ClusterMention]] = [[] for _ in chunks]
        unowned = []
        for m in candidates:
            home = next((i for i, c in enumerate(chunks) if c.start <= m.evidence.start < c.end), None)
            (owned[home] if home is not None else unowned).append(m)

        with ThreadPoolExecutor(max_workers=min(inner.concurrency, max(1, len(chunks)))) as pool:
            results = list(pool.map(lambda pair: self._check(ndoc, *pair), zip(chunks, owned)))
        inner.fail_if_any(ndoc, [e for _, _, e in results if e], len(chunks))
        kept, added = list(unowned), []
        for k, a, _ in results:
            kept += k
            added += [g for g in a if not any(_same_cluster(g.name, c.name) for c in candidates)]
        added = merge_mentions(added)
        inner.count(added_by_llm=len(added))
        result = sorted(kept + added, key=lambda m: m.evidence.start)
        inner.count(kept=len(result))
        return result

    def _check(self, ndoc: NormalisedDocument, chunk: Chunk, mine: list[ClusterMention], depth: int = 0):
        """(kept candidates, grounded additions, error or None) for one chunk; halves on a cut reply."""
        inner = self.inner
        near = (chunk.norm_start, chunk.norm_end)
        listed = "\n".join(_describe(i, m) for i, m in enumerate(mine, 1)) or "（无）"
        messages = chunk_messages(ndoc, chunk, self.system, load_prompt("hybrid_user.md"), candidates=listed)
        res = self.llm.structured(messages, HybridReply, name="checked_clusters", retries=inner.retries,
                                  max_tokens=inner.max_reply_tokens, stop_on_length=True,
                                  check=lambda r: quote_problems(ndoc, r.missing, near, "missing"))
        inner.count(retries=res.retries)
        if res.value is None:
            halves = split_chunk(ndoc, chunk) if res.truncated and depth < inner.max_splits else []
            if not halves:
                inner.count(failed_chunks=1)
                log.warning("%s chunk %d: no valid reply (%s)", ndoc.doc.doc_id, chunk.index, res.error)
                return [], [], f"chunk {chunk.index} at {chunk.start}-{chunk.end}: {res.error[:160]}"
            inner.count(split_chunks=1)
            kept, added, errors = [], [], []
            cut = halves[1].start
            shares = ([m for m in mine if m.evidence.start < cut], [m for m in mine if m.evidence.start >= cut])
            for half, share in zip(halves, shares):
                k, a, e = self._check(ndoc, half, share, depth + 1)
                kept, added, errors = kept + k, added + a, errors + ([e] if e else [])
            return kept, added, (errors[0] if errors else None)
        checks = {c.id: c for c in res.value.checked}
        kept = []
        for i, m in enumerate(mine, 1):
            check = checks.get(i)
            if check is not None and not check.keep:
                reason = (check.reason or "").strip()
                if not reason:  # a veto needs a reason: a bare "drop" is not one
                    inner.count(vetoes_without_reason=1)
                    kept.append(m)
                    continue
                inner.count(dropped_by_llm=1)
                if self.keep_vetoed:
                    kept.append(m.model_copy(update={"vetoed": reason[:300]}))
                continue
            kept.append(complete_candidate(m, check) if check else m)
        added = [g for g in (ground(ndoc, item, near, inner._stats) for item in res.value.missing) if g is not None]
        return kept, added, None
