"""The offline extraction engine: deterministic rules, no network, no model.

1. `find_candidates(ndoc)` (mentions.py) finds every written cluster name: sense and modality
   checked, boundaries from word structure, compressed lists expanded.
2. `build_lists(ndoc, candidates)` (lists.py) groups them into the lists the article reports, each
   with its facts (level, program, body, year, batch, stage …) read from its heading, its
   introducing sentence, the notice's title and signature.
3. A list member takes its list's facts; a name outside any list takes the facts of its own
   sentence when that sentence reports a recognition (…入选国家先进制造业集群名单).
4. Repeated mentions of one cluster merge into one record: the fullest name, the most informative
   mention's facts and evidence.
Evidence spans are found in the normalised text and mapped back with `ndoc.span`.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from ..core.lexicon import alternation, words
from ..core.spans import body_for_province, fullest_body
from ..core.types import NormalisedDocument
from ..schemas import ClusterMention, Evidence, ListRecord
from .facts import Facts, read_facts
from .lists import BuiltList, build_lists, context_sentence
from .mentions import Candidate, find_candidates
from .places import gazetteer, same_or_outer

_SENTENCE_END = re.compile(r"[。！？；!?;\n]")
_RECOGNITION = re.compile(alternation(words("cues", "recognition")))
# A name said to be on the same list as the ones before it (同样位列名单, 也榜上有名, 亦在其中).
_SAME_LIST = re.compile(r"(?:同样|也|亦|同时|一并|均)[^，。；,]{0,6}(?:位列|入选|上榜|榜上有名|在列|在其中|名列|入围)")


@dataclass
class Extraction:
    records: list[ClusterMention]
    lists: list[ListRecord]


def _sentence(text: str, pos: int) -> tuple[int, int]:
    starts = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    s = starts[-1] if starts else 0
    m = _SENTENCE_END.search(text, pos)
    return s, (m.start() if m else len(text))


def _masked(text: str, span: tuple[int, int], candidates: list[Candidate]) -> str:
    s, e = span
    chars = list(text[s:e])
    for c in candidates:
        for i in range(max(c.start, s), min(c.end, e)):
            chars[i - s] = " "
    return "".join(chars)


def _assign_facts(ndoc: NormalisedDocument, candidates: list[Candidate], lists: list[BuiltList]) -> None:
    text = ndoc.text
    member_of = {id(c): b for b in lists for c in b.members}
    for c in candidates:
        facts = Facts()
        built = member_of.get(id(c))
        if built is not None:
            facts.fill(built.facts)
            c.list_id = built.record.id
            c.recognised = True
        else:
            span = _sentence(text, c.start)
            sentence = text[span[0]:span[1]]
            if c.attrs:
                facts.fill(read_facts(c.attrs))
            if _RECOGNITION.search(sentence):
                c.recognised = True
                facts.fill(read_facts(_masked(text, span, candidates)))
                if facts.program is None:  # the list named by the mention's own head noun (…入选省级重点成长型产业集群)
                    facts.fill(read_facts(text[c.end:span[1]]), only=("program",))
                context = context_sentence(text, span[0])  # …是其中之一, 也位列其中: the list named before
                if context is not None and (facts.issuer is None or facts.program is None):
                    more = read_facts(text[context[0]:context[1]])
                    if facts.compatible(more):
                        facts.fill(more)
                earlier = [b for b in lists if b.members and b.members[-1].end <= c.start]
                if earlier and _SAME_LIST.search(sentence) and facts.compatible(earlier[-1].facts):
                    facts.fill(earlier[-1].facts)  # 同样位列名单: the list written just before
            elif facts.level is None:
                facts = Facts()
        if facts.program is None and c.parsed.program and c.recognised:
            facts.program = c.parsed.program
        c.facts = facts


# --- merging repeated mentions ---------------------------------------------------------------------


def _canonical(s: str) -> str:
    return "".join(ch for ch in s if unicodedata.category(ch)[0] not in "PSZ")


def _merge(candidates: list[Candidate]) -> list[list[Candidate]]:
    """Group mentions of one cluster: same industry, and one's places are the other's or only add
    their province/city. A mention without places joins the one cluster it can mean; when it could
    mean several (生物医药产业集群 after 烟台市… and 临沂市…) it is dropped."""
    groups: list[list[Candidate]] = []
    bare: list[Candidate] = []
    for c in candidates:
        places = c.parsed.prefix.places
        if not places:
            bare.append(c)
            continue
        key = _canonical(c.parsed.industry)
        for g in groups:
            fullest = max(g, key=lambda x: len(x.parsed.prefix.places)).parsed.prefix.places
            if _canonical(g[0].parsed.industry) == key and (same_or_outer(places, fullest) or same_or_outer(fullest, places)):
                g.append(c)
                break
        else:
            groups.append([c])
    for c in bare:
        key = _canonical(c.parsed.industry)
        fits = [g for g in groups if _canonical(g[0].parsed.industry) == key]
        if len(fits) == 1:
            fits[0].append(c)
        elif not fits:
            groups.append([c])
    order = {id(c): i for i, c in enumerate(candidates)}
    for g in groups:
        g.sort(key=lambda c: order[id(c)])
    groups.sort(key=lambda g: order[id(g[0])])
    return groups


def home_place(text: str) -> tuple[Optional[str], Optional[str]]:
    """(province, city) of an article written from one place (我市…, 全省…): the province its
    places lie in most often, and for 我市/本市 the city."""
    from ..core.places import find_places

    words_found = re.findall(alternation(words("places", "home_words")), text)
    if not words_found:
        return None, None
    provinces: dict[str, int] = {}
    cities: dict[str, int] = {}
    for _, _, p in find_places(text):
        if p.province:
            provinces[p.province] = provinces.get(p.province, 0) + 1
        city = p.city or (p.full if p.kind == "city" else None)
        if city:
            cities[city] = cities.get(city, 0) + 1
    province = max(provinces, key=provinces.get) if provinces else None
    city = max(cities, key=cities.get) if cities and any(w in ("我市", "本市", "全市") for w in words_found) else None
    return province, city


def _home_province(text: str) -> Optional[str]:
    return home_place(text)[0]


def _record(ndoc: NormalisedDocument, group: list[Candidate], home: Optional[str]) -> ClusterMention:
    named = max(group, key=lambda c: (len(c.parsed.prefix.places), len(c.name)))
    best = max(group, key=lambda c: (c.list_id is not None, c.recognised, c.facts.informative(), -group.index(c)))
    facts = Facts()
    facts.fill(best.facts)
    for c in group:
        if facts.compatible(c.facts):
            facts.fill(c.facts)
    regions = list(named.regions)
    for c in group:  # a place list in parentheses given with a shorter mention
        regions += [r for r in c.regions if r not in regions]
    province = named.parsed.province
    if province is None and not named.parsed.prefix.places:
        province = facts.province or home
    issuer = facts.issuer
    if issuer and province and facts.level != "national":
        issuer = body_for_province(issuer, ndoc.text, province)
    if issuer:
        issuer = fullest_body(issuer, ndoc.text, province)
    start, end = ndoc.span(*best.evidence)
    if end <= start:
        start, end = ndoc.span(best.start, best.end)
    return ClusterMention(
        doc_id=ndoc.doc.doc_id,
        name=named.name,
        regions=regions,
        province=province,
        level=facts.level,
        program=facts.program,
        industry=named.parsed.industry,
        recognised_by=issuer,
        year=facts.year,
        batch=facts.batch,
        evidence=Evidence(text=ndoc.doc.original[start:end], start=start, end=end),
    )


def extract_document(ndoc: NormalisedDocument) -> Extraction:
    """The document's cluster records and the lists they are members of."""
    candidates = find_candidates(ndoc)
    lists = build_lists(ndoc, candidates)
    if not candidates:  # an article may report a list by its size alone (工信部公布45个…名单)
        return Extraction([], [b.record for b in lists])
    _assign_facts(ndoc, candidates, lists)
    home = _home_province(ndoc.text)
    records = [_record(ndoc, g, home) for g in _merge(candidates)]
    return Extraction(records, [b.record for b in lists])


def extract_clusters(ndoc: NormalisedDocument) -> list[ClusterMention]:
    return extract_document(ndoc).records


@lru_cache(maxsize=1)
def rules_version() -> str:
    """A fingerprint of the rules (the extraction code and the core it uses) and their data:
    records stored by other rules are made again at the next ingest."""
    import hashlib
    from importlib import resources

    h = hashlib.sha256()
    root = resources.files("rag")
    for name in ("data/lexicon.toml", "data/places.json"):
        h.update(root.joinpath(name).read_bytes())
    for package in ("extract", "core"):
        for entry in sorted(root.joinpath(package).iterdir(), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                h.update(entry.read_bytes())
    return h.hexdigest()[:16]


class OfflineExtractor:
    """Rules only: runs anywhere, no endpoint needed."""

    name = "offline"

    @property
    def rules_version(self) -> str:
        return rules_version()

    def extract(self, ndoc: NormalisedDocument) -> list[ClusterMention]:
        return extract_clusters(ndoc)

    def extract_lists(self, ndoc: NormalisedDocument) -> Extraction:
        return extract_document(ndoc)
