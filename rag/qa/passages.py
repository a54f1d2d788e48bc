"""Candidate evidence: the sentences of the retrieved chunks, scored against the question.

A `Unit` is one sentence of a document's normalised text (with the next sentence of the same
paragraph as a second unit, for facts that span two). `Scorer` measures how much of the
question's content a text covers: character bigrams and whole numbers of the question's content
words, weighted by how rare they are among the candidate sentences (江苏 or 第二批 missing costs
more than 集群 missing).
"""
from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import lru_cache

from ..chunk import split_sentences
from ..core.lexicon import alternation, words
from ..core.types import NormalisedDocument

# Function words and question frames that carry no content (jieba words).
STOP_WORDS = set(
    "的 了 是 在 有 和 与 及 或 由 被 把 对 从 向 以 为 中 里 上 下 等 吗 呢 啊 吧 么 之 所 其 这 那 各 都 也 还 又 已 "
    "个 家 条 项 位 篇 份 年度 请问 这些 那些 其中 哪 哪些 哪个 哪家 哪位 哪里 哪儿 什么 怎么 如何 为什么 谁 是否 是不是 "
    "有没有 分别 一共 共 总共 合计 文章 报道 提到 名字 叫 多少 几 几个 哪一天 哪天 哪一年 哪年 可以 能 会 要 将 已经 "
    "这份 这批 这次 该 本 此 呢 吧 大约 约 左右 目前 现在".split()
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z]+|[\u3400-\u9fff]+")
# Written variants that mean the same thing, folded to one form before comparing.
# Short forms become the long form, so a question split into words (营业/收入) still meets them.
_SYNONYMS = (
    ("第一批", "首批"), ("第1批", "首批"), ("发展和改革委员会", "发改委"), ("发展改革委", "发改委"),
    ("工业和信息化部", "工信部"), ("工业和信息化厅", "工信厅"), ("工业和信息化局", "工信局"),
    ("经济和信息化", "经信"), ("营业收入", "营收"), ("规模以上", "规上"),
)
_LONG_FORMS = (("营收", "营业收入"), ("规上", "规模以上"))


@lru_cache(maxsize=1)
def jieba():
    import jieba as _jieba

    _jieba.setLogLevel(logging.WARNING)
    _jieba.initialize()
    return _jieba


@lru_cache(maxsize=1)
def _question_words() -> re.Pattern:
    keys = ("count", "when", "who", "where", "docno", "phone", "yesno", "list", "which", "definition")
    return re.compile(alternation([w for k in keys for w in words("questions", k)] + ["多少", "几"]))


def canonical(text: str) -> str:
    from ..core.numbers import chinese_to_number

    for a, b in _SYNONYMS:
        text = text.replace(a, b)
    for a, b in _LONG_FORMS:
        text = text.replace(a, b)

    def digits(m: re.Match) -> str:
        v = chinese_to_number(m.group(1))
        return str(int(v)) if v else m.group(1)

    return re.sub(r"([一二两三四五六七八九十]{1,3})(?=[个家条项])", digits, text)


def features(text: str) -> set[str]:
    """Han bigrams and whole numbers/latin words of a folded text."""
    out = set()
    for tok in _TOKEN.findall(canonical(text).lower()):
        if _HAN.match(tok):
            out.update(tok[i:i + 2] for i in range(len(tok) - 1))
        else:
            out.add(tok)
    return out


def content_words(folded_question: str) -> list[str]:
    """The question's content words (question words and function words out)."""
    masked = _question_words().sub("|", folded_question)
    return [t for t in jieba().lcut(masked) if t not in STOP_WORDS and _TOKEN.search(t) and t != "|"]


class Scorer:
    """Weighted coverage of the question's features by a text, IDF over a pool of texts."""

    def __init__(self, question_words: list[str], pool: list[str]) -> None:
        self.feats: dict[str, float] = {}
        pool_feats = [features(t) for t in pool]
        n = len(pool_feats)
        for w in question_words:
            fs = features(w) if len(w) >= 2 or not _HAN.match(w) else set()
            for f in fs:
                df = sum(1 for pf in pool_feats if f in pf)
                self.feats[f] = math.log(1 + (n + 1) / (df + 0.5))
        self.total = sum(self.feats.values()) or 1.0

    def coverage(self, text: str) -> float:
        have = features(text)
        return sum(w for f, w in self.feats.items() if f in have) / self.total

    def rarity(self, word: str) -> float:
        """A question word's weight relative to the average one (0.5 … 2)."""
        ws = [self.feats[f] for f in features(word) if f in self.feats]
        if not ws or not self.feats:
            return 1.0
        mean = self.total / len(self.feats)
        return max(0.5, min(2.0, (sum(ws) / len(ws)) / mean))


@dataclass
class Unit:
    doc_id: str
    start: int  # normalised offsets into the document's text
    end: int
    text: str
    rank: int  # best rank of the chunk it came from (0 = first hit)
    score: float = 0.0
    pair: bool = False  # two sentences of one paragraph


@dataclass
class DocText:
    ndoc: NormalisedDocument
    sentences: list  # rag.chunk.Sentence, normalised offsets


def doc_text(ndoc: NormalisedDocument) -> DocText:
    return DocText(ndoc, split_sentences(ndoc.text))


def units_for_hits(hits, docs: dict[str, DocText]) -> list[Unit]:
    """Sentences overlapping the retrieved chunks, in hit order, each once; and each sentence with
    the next one of its paragraph, as one more unit."""
    seen: set[tuple[str, int]] = set()
    units: list[Unit] = []
    for rank, hit in enumerate(hits):
        c = hit.chunk
        ds = docs[c.doc_id]
        sents = ds.sentences
        for i, s in enumerate(sents):
            if s.end <= c.norm_start or s.start >= c.norm_end or (c.doc_id, s.start) in seen:
                continue
            seen.add((c.doc_id, s.start))
            units.append(Unit(c.doc_id, s.start, s.end, ds.ndoc.text[s.start:s.end], rank))
            if i + 1 < len(sents) and "\n" not in ds.ndoc.text[s.end:sents[i + 1].start]:
                nxt = sents[i + 1]
                units.append(Unit(c.doc_id, s.start, nxt.end, ds.ndoc.text[s.start:nxt.end], rank, pair=True))
    return units


def all_units(doc_id: str, ds: DocText, rank: int = 0) -> list[Unit]:
    return [Unit(doc_id, s.start, s.end, ds.ndoc.text[s.start:s.end], rank) for s in ds.sentences]


PAIR_PENALTY = 0.9  # a two-sentence unit must cover clearly more than either sentence


TITLE_PENALTY = 0.9  # a headline sums up (超七成); the body says it exactly (72%)


def score_units(units: list[Unit], scorer: Scorer, question_quantities: tuple[str, ...] = ()) -> None:
    for u in units:
        factor = PAIR_PENALTY if u.pair else 1.0
        if u.start == 0:
            factor *= TITLE_PENALTY
        bonus = 0.1 * sum(1 for q in question_quantities if q in u.text)  # 这3个集群 … 这3个新入选集群
        u.score = scorer.coverage(u.text) * factor + bonus - 0.003 * u.rank
    units.sort(key=lambda u: -u.score)


def clauses(text: str) -> list[tuple[int, int]]:
    """Clause spans of a sentence: split at ，,；;：:。 and line breaks."""
    out, start = [], 0
    for m in re.finditer(r"[，,；;：:。！？!?\n]", text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out
