"""Everything one question needs, gathered once: the classified question, retrieved sentences
with their scores, the documents that hold every thing the question names, and the cluster
rows it names or filters on."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from .classify import LEVEL_PATTERNS, Question
from .clusters import ClusterFacts
from .evidence import DocSentences, Scorer, Unit, clauses, content_runs, features
from ..core.numbers import find_numbers
from ..core.places import Place, province_of, strip_suffix

# Share of the question's weighted content a sentence must cover to answer from it. The
# not-found calls on eval/gold, eval/extra and our own question sets come out the same for
# 0.3-0.6 (they rest on the anchors and on the words next to the question word); below 0.4 a
# sentence that repeats a quote many articles share can still answer (谁表示… in a city report).
MIN_COVERAGE = 0.35

# Words that only say "a cluster on some list" — a list question made of nothing else is
# answered from the cluster table.
GENERIC_LIST_WORDS = (
    "战略性新兴产业", "先进制造业", "产业集群", "集群", "产业", "名单", "入选", "公布", "发布", "认定", "拟认定", "公示",
    "列入", "进入", "评出", "包括", "国家级", "国家", "省级", "市级", "首批", "第一批", "位于", "所在地", "分布",
    "涉及", "城市", "地区", "提到", "一共", "共有", "共", "分别", "这些文章", "文章", "篇", "名字", "叫", "正式",
    "培育", "对象", "年度", "级", "哪些", "有", "的", "了", "中", "和", "列出", "列举", "罗列", "请",
)


@dataclass
class Cite:
    doc_id: str
    start: int  # original offsets
    end: int


@dataclass
class Draft:
    text: str
    cites: list[Cite] = field(default_factory=list)
    found: bool = True


@dataclass
class Context:
    q: Question
    units: list[Unit]
    docs: dict[str, DocSentences]
    facts: ClusterFacts
    scorer: Scorer
    places: list[Place]
    programs: list[str]
    named: list[tuple[object, int, int]]  # rows the question names, with their span in q.folded
    anchored: Optional[set[str]]  # documents holding every anchor; None = the question names none
    doc_ids: Optional[set[str]] = None
    load: Optional[Callable[[str], DocSentences]] = None  # any document, on demand

    def doc(self, doc_id: str) -> DocSentences:
        if doc_id not in self.docs and self.load is not None:
            return self.load(doc_id)
        return self.docs[doc_id]

    @property
    def named_rows(self) -> list:
        return [r for r, _, _ in self.named]

    def top_units(self, ratio: float = 0.85, limit: int = 4) -> list[Unit]:
        pool = [u for u in self.units if self.anchored is None or u.doc_id in self.anchored]
        if not pool:
            return []
        best = pool[0].score
        return [u for u in pool if u.score >= best * ratio][:limit]

    def cite_norm(self, doc_id: str, start: int, end: int) -> Cite:
        s, e = self.doc(doc_id).ndoc.span(start, end)
        return Cite(doc_id, s, e)

    def cite_unit(self, u: Unit, rel: Optional[tuple[int, int]] = None) -> Cite:
        if rel is None:
            return self.cite_norm(u.doc_id, u.start, u.end)
        return self.cite_norm(u.doc_id, u.start + rel[0], u.start + rel[1])

    def clause_of(self, u: Unit, pos: int) -> tuple[int, int]:
        for s, e in clauses(u.text):
            if s <= pos < e:
                return s, e
        return 0, len(u.text)

    def residual_runs(self) -> list[str]:
        """Question content that no filter explains (成功打造, 年营收突破1000亿元)."""
        q = self.q
        text = q.folded
        spans = list(q.place_spans) + [(s, e) for _, s, e in q.programs] + [(s, e) for _, s, e in self.named]
        for p in self.places:
            for m in re.finditer(re.escape(p.short), text):
                spans.append((m.start(), m.end()))
        for _, pat in LEVEL_PATTERNS:
            spans += [(m.start(), m.end()) for m in pat.finditer(text)]
        spans += [(m.start(), m.end()) for m in re.finditer(r"\d{4}年度?|首批|第[一二三四五六七八九十\d]+批|[\d一二两三四五六七八九十几]+个", text)]
        chars = list(text)
        for s, e in spans:
            for i in range(s, e):
                chars[i] = "|"
        masked = "".join(chars)
        for w in sorted(GENERIC_LIST_WORDS, key=len, reverse=True):
            masked = masked.replace(w, "|")
        return [r for r in content_runs(masked) if len(r) >= 2]


def programs_in(q: Question, facts: ClusterFacts, named: list[tuple[object, int, int]]) -> list[str]:
    """Program filters: generic program names and the table's own programs written in the
    question, except inside a cluster name it writes (兰考品牌家居特色产业集群)."""
    inside = [(s, e) for _, s, e in named]
    out = [p for p, s, e in q.programs if not any(a <= s and e <= b for a, b in inside)]
    for prog in sorted(facts.programs, key=len, reverse=True):
        pos = q.folded.find(prog)
        if pos >= 0 and not any(a <= pos < b for a, b in inside) and not any(prog in o or o in prog for o in out):
            out.append(prog)
    return out


def anchored_docs(q: Question, doc_ids: Iterable[str], text_of: Callable[[str], str], facts: ClusterFacts,
                  places: list[Place], programs: list[str]) -> Optional[set[str]]:
    """Documents that hold every specific thing the question names: its places, years, written
    quantities, batch, quoted titles and kinds of list. None when it names nothing specific.
    For a question about "these articles" each anchor only has to occur in some document.
    A document's cluster records are asked first; its text is read only when they cannot tell."""
    anchors = []
    for p in places:
        anchors.append(("place", p))
    for y in q.years:
        anchors.append(("year", y))
    for n in q.numbers if q.kind != "yesno" else []:  # a yes/no question's numbers are the claim to check
        digits = re.match(r"\d+(?:\.\d+)?", n)
        if digits:
            anchors.append(("number", digits.group(0)))
    if q.batch is not None and q.batch != 1:  # 首批 is often written 第一批 or not at all
        anchors.append(("batch", q.batch))
    for t in q.quoted:
        anchors.append(("quote", t))
    if programs:
        anchors.append(("program", programs))
    if not anchors:
        return None
    ok: dict[int, set[str]] = {i: set() for i in range(len(anchors))}
    for doc_id in doc_ids:
        for i, (kind, a) in enumerate(anchors):
            if not q.cross_doc and any(doc_id not in ok[j] for j in range(i)):
                break  # already failed an earlier anchor
            if _doc_has(kind, a, doc_id, text_of, facts):
                ok[i].add(doc_id)
    if q.cross_doc:
        return set().union(*ok.values()) if all(ok.values()) else set()
    return set.intersection(*ok.values())


def _doc_has(kind: str, a, doc_id: str, text_of: Callable[[str], str], facts: ClusterFacts) -> bool:
    records = [m for _, m in facts.by_doc.get(doc_id, ())]
    if kind == "year":
        return any(m.year == a for m in records) or str(a) in text_of(doc_id)
    if kind == "program":  # any of the named kinds of list, on a record or written
        if any(m.program and any(p in m.program or m.program in p for p in a) for m in records):
            return True
        text = text_of(doc_id)
        return any(p in text or p.replace("制造业集群", "制造集群") in text for p in a)
    if kind == "place":
        p: Place = a
        if any(facts.in_place(m, p) for m in records):
            return True
        text = text_of(doc_id)
        if p.short in text or p.full in text:
            return True
        home = facts.home_place(doc_id) if p.kind == "province" else None
        return bool(home) and province_of(home) == p.full
    text = text_of(doc_id)
    if kind == "number":
        return re.search(rf"(?<![\d.]){re.escape(a)}(?![\d.])", text) is not None
    if kind == "batch":
        from ..core.numbers import chinese_to_number

        for m in re.finditer(r"第([一二两三四五六七八九十\d]+)批", text):
            v = m.group(1)
            if (int(v) if v.isdigit() else chinese_to_number(v)) == a:
                return True
        return False
    if kind == "quote":
        want = features(a)
        return bool(want) and len(want & features(text)) >= 0.7 * len(want)
    return False


PAIR_PENALTY = 0.9  # a two-sentence unit must cover clearly more than either sentence
PARAGRAPH_PENALTY = 0.85
TITLE_PENALTY = 0.97


_HOME_WORDS = re.compile(r"我市|本市|全市|我省|本省|全省")


_ANAPHOR = re.compile(r"(?:该|这一|此|上述|这个)(?:产业)?集群|^(?:目前，|目前,)?集群")


def score_units(units: list[Unit], scorer: Scorer, facts: ClusterFacts,
                original_start: Callable[[Unit], int]) -> None:
    for u in units:
        text = u.text
        if _HOME_WORDS.search(text):  # a local paper's 我市 is its city (聊城, 无锡)
            home = facts.home_place(u.doc_id)
            if home:
                text += " " + strip_suffix(home) + " " + strip_suffix(province_of(home) or "")
        if _ANAPHOR.search(text):  # 该集群拥有规上企业188家: the cluster named just before
            before = facts.named_before(u.doc_id, original_start(u))
            if before:
                text += " " + before
        factor = PAIR_PENALTY if u.pair else PARAGRAPH_PENALTY if u.paragraph else 1.0
        if u.start == 0 or u.text.startswith("原标题"):
            factor *= TITLE_PENALTY  # a headline sums up; the body says it in full
        u.score = scorer.coverage(text) * factor - 0.002 * u.rank
    units.sort(key=lambda u: -u.score)


def question_quantities(q: Question) -> set[tuple[float, str]]:
    """Quantities the question itself writes (45个, 66个): never the answer."""
    return {(n.value, n.unit) for n in find_numbers(q.folded) if n.unit}


def short_place(name: str) -> str:
    return strip_suffix(name)
