"""Everything a question is answered from, gathered once: the frame, the retrieved sentences and
their scores, the stored lists that fit what the question says about a list, the clusters it
names, and what it asks beyond naming a list (its residual words)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from ..core.chinese import fold
from ..core.lexicon import alternation, program_variants, words
from ..core.places import Place, within
from ..schemas import ListMember, ListRecord
from .frame import QuestionFrame
from .listops import ListMatch, match_lists, member_places
from .passages import DocText, Scorer, Unit, content_words, features

# Words that only say "a list of clusters": a question made of nothing else asks about the list.
LIST_WORDS = set(words("questions", "list_words"))


@dataclass
class Named:
    """A cluster the question names: as a list member (with its list) or as a cluster record (with
    the facts the article gives for it)."""

    member: ListMember
    record: Optional[ListRecord]
    score: float
    doc_id: str = ""
    facts: dict = field(default_factory=dict)  # level, program, year, issuer


@dataclass
class Ground:
    frame: QuestionFrame
    hits: list
    doc_rank: dict[str, int]
    units: list[Unit]
    scorer: Scorer
    lists: list[ListRecord]
    matches: list[list[ListMatch]]  # per list selector, best first
    named: list[Named]
    residual: list[str]
    load: Callable[[str], DocText]
    anchored: Callable[[Unit], bool] = lambda u: True
    extra_named: list[Named] = field(default_factory=list)
    all_named: list[Named] = field(default_factory=list)  # every cluster the question names, each best match
    article_clusters: list = field(default_factory=list)  # the cluster records of the best anchored article

    @property
    def residual_date(self) -> bool:
        return bool(self.residual)

    @property
    def best_list(self) -> Optional[ListRecord]:
        return self.matches[0][0].record if self.matches and self.matches[0] else None


def residual_words(frame: QuestionFrame, named: list[Named], part: Optional[str] = None) -> list[str]:
    """Content words of the question (its first sub-question) that neither name the list nor ask
    the question word (专精特新中小企业, 营业收入, 参与竞赛): a count question with some asks the
    text, not the list."""
    text = frame.folded
    if part and part in text:
        text = text[: text.index(part) + len(part)]
    spans: list[tuple[int, int]] = [(s, e) for s, e, _ in frame.places]
    for variant, _ in program_variants():
        for m in re.finditer(re.escape(variant), text):
            spans.append(m.span())
    for m in re.finditer(alternation(words("questions", "sum")), text):  # 加起来, 合计: the operation, not a fact
        spans.append(m.span())
    for m in re.finditer(r"(?:19|20)\d{2}年度?|第[一二三四五六七八九十\d、和及至]+批|[\d一二两三四五六七八九十]+个|“[^”]*”[\u4e00-\u9fff]{0,2}集群|"
                         r"[\u4e00-\u9fff]{0,4}[型形]”?(?:产业)?集群", text):
        spans.append(m.span())
    for n in named:
        industry = fold(n.member.industry or "")
        for m in re.finditer(re.escape(industry), text) if industry else []:
            spans.append(m.span())
    from ..core.spans import find_bodies

    spans += [(b.start, b.end) for b in find_bodies(text)]
    for w in (frame.filters.keyword, frame.filters.prefix):
        for m in re.finditer(re.escape(w), text) if w else []:
            spans.append((max(0, m.start() - 1), min(len(text), m.end() + 2)))
    chars = list(text)
    for s, e in spans:  # frame.places index the whole question; text may be its first part only
        for i in range(s, min(e, len(chars))):
            chars[i] = "|"
    out = []
    for w in content_words("".join(chars)):
        w = w.strip("|")
        if not w or w in LIST_WORDS or all(c in "|" for c in w) or re.fullmatch(r"[\d.]+", w):
            continue
        if len(w) == 1 or not _content_tag(w):
            continue
        out.append(w)
    return out


def _content_tag(word: str) -> bool:
    """Nouns, verbs and adjectives say what is asked; time words, adverbs, pronouns do not (此前, 那个)."""
    from ..extract.words import tokens

    toks = tokens(word)
    return any(t.tag[:1] in ("n", "v", "a") or t.tag == "eng" or t.tag == "l" or t.tag == "j" for t in toks
               if t.role != "stop" or t.tag[:1] in ("n", "v"))


def find_named(frame: QuestionFrame, members: list["Named"]) -> list[Named]:
    out = find_named_scored(frame, members)
    if not out:
        return []
    best = max(n.score for n in out)
    return [n for n in out if n.score >= best - 0.5]


def find_named_scored(frame: QuestionFrame, members: list["Named"]) -> list[Named]:
    """Clusters the question names: a member whose industry (two characters or more) the question
    writes, with no place written beside it that contradicts the member's places."""
    q = frame.folded
    out: list[Named] = []
    q = _brackets(q)
    for cand in members:
        m = cand.member
        industry = _brackets(fold(m.industry or ""))
        if len(industry) < 2:
            continue
        at = q.find(industry)
        if at < 0:
            continue
        # a name, not a keyword: the industry is followed by a head noun (陈皮集群, …产业集群) or
        # preceded by a place (晋江运动鞋服)
        headed = re.match(r"[\u4e00-\u9fff（）()]{0,12}?(?:集群|产业|工业)", q[at + len(industry):]) is not None
        placed = any(0 <= at - e <= 4 for s, e, _ in frame.places)
        quoted = q[max(0, at - 1):at] in "“\"「" and at > 0
        if quoted or not (headed or placed):
            continue
        score = float(len(industry))
        # places written right before the industry in the question must be the member's
        before = [p for s, e, p in frame.places if e <= at and at - e <= 4]
        mine = member_places(m)
        asked = [p for _, _, p in frame.places]
        if mine and asked and not any(any(within(x, p) or within(p, x) for x in mine) for p in asked):
            continue  # 聊城有哪些…新材料产业集群 names no 郑州 cluster
        if before:
            if any(any(within(x, p) or within(p, x) for x in mine) for p in before):
                score += 3
            else:
                continue
        written = _brackets(fold(re.sub(r"(?:产业集群|集群)$", "", m.name)))
        if written and written in q:
            score += 5  # the question writes its whole name
        out.append(Named(m, cand.record, score, cand.doc_id, cand.facts))
    out.sort(key=lambda n: -n.score)
    return out


def _brackets(text: str) -> str:
    return text.replace("（", "(").replace("）", ")")


def find_all_named(frame: QuestionFrame, members: list["Named"]) -> list[Named]:
    """Every distinct cluster the question names (甲集群和乙集群，谁的…): the best mentions of each
    industry it writes."""
    out: list[Named] = []
    for n in find_named_scored(frame, members):
        if not any(fold(n.member.industry or "") == fold(x.member.industry or "") for x in out):
            out.append(n)
    return out


def place_agrees(place: Place, members: list[ListMember]) -> bool:
    return any(any(within(p, place) for p in member_places(m)) for m in members)


def coverage_of(scorer: Scorer, text: str) -> float:
    return scorer.coverage(text)


def doc_has(text: str, word: str) -> bool:
    return bool(features(word) & features(text)) if len(word) > 2 else word in text
