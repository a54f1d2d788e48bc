"""Candidate evidence: the sentences of the retrieved chunks, scored against the question.

A `Unit` is one sentence of a document's normalised text (a list intro ending in a colon is
joined with the list items after it). `Scorer` measures how much of the question's content a
text covers: character bigrams and whole numbers of the question, weighted by how rare they
are among the candidate sentences, so 江苏 or 第二批 missing from a sentence costs more than
集群 missing.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..chunk import split_sentences
from ..core.types import NormalisedDocument
from .classify import WH
from .classify import jieba_module as _jieba

# Function words and question frames that carry no content (jieba tokens).
STOP_TOKENS = set(
    "的 了 是 在 有 和 与 及 或 由 被 把 对 从 向 以 为 中 里 上 下 等 吗 呢 啊 吧 么 之 所 其 这 那 各 都 也 还 又 已 "
    "个 家 条 项 位 篇 份 年度 请问 这些 那些 其中 哪 哪些 哪个 哪家 哪位 哪里 哪儿 什么 怎么 如何 为什么 谁 是否 是不是 "
    "有没有 分别 一共 共 总共 合计 文章 报道 提到 名字 叫 多少 几 几个 哪一天 哪天 哪一年 哪年 可以 能 会 要 将 已经".split()
)
_HAN = re.compile(r"[\u3400-\u9fff]")
_TOKEN = re.compile(r"[0-9]+(?:\.[0-9]+)?|[a-z]+|[\u3400-\u9fff]+")


def content_runs(folded_question: str) -> list[str]:
    """The question's content as runs of consecutive content words (wh-words and function
    words removed): 郑州市首批市级战略性新兴产业集群有哪些 → [郑州市首批市级战略性新兴产业集群]."""
    masked = WH.sub("|", folded_question)
    runs, current = [], []
    for tok in _jieba().lcut(masked):
        if tok in STOP_TOKENS or not _TOKEN.search(tok):
            if current:
                runs.append("".join(current))
            current = []
        else:
            current.append(tok)
    if current:
        runs.append("".join(current))
    return [r for r in runs if len(r) >= 2 or r.isdigit()]


# Written variants that mean the same thing, folded to one form before comparing.
_SYNONYMS = (
    ("第一批", "首批"), ("第1批", "首批"), ("发展和改革委员会", "发改委"), ("发展改革委", "发改委"),
    ("工业和信息化部", "工信部"), ("工业和信息化厅", "工信厅"), ("工业和信息化局", "工信局"), ("营业收入", "营收"),
)
_CN_COUNT = re.compile(r"([一二两三四五六七八九十]{1,3})(?=[个家条项])")


def canonical(text: str) -> str:
    for a, b in _SYNONYMS:
        text = text.replace(a, b)

    def digits(m: re.Match) -> str:
        from ..core.numbers import chinese_to_number

        v = chinese_to_number(m.group(1))
        return str(int(v)) if v else m.group(1)

    return _CN_COUNT.sub(digits, text)


def features(text: str) -> set[str]:
    """Han bigrams and whole numbers/latin words of a folded text."""
    out = set()
    text = canonical(text)
    for tok in _TOKEN.findall(text.lower()):
        if _HAN.match(tok):
            out.update(tok[i:i + 2] for i in range(len(tok) - 1))
        else:
            out.add(tok)
    return out


def word_features(text: str) -> set[str]:
    """Features of question text: bigrams inside jieba words only, so 入选首批 asks for 入选
    and 首批, not for the accidental 选首."""
    out = set()
    for word in _jieba().lcut(canonical(text).lower()):
        out |= features(word) if len(word) >= 2 or not _HAN.match(word) else set()
    return out


class Scorer:
    """Weighted coverage of the question's features by a text, IDF over a pool of texts."""

    def __init__(self, runs: list[str], pool: list[str]) -> None:
        self.feats: dict[str, float] = {}
        pool_feats = [features(t) for t in pool]
        n = len(pool_feats)
        for run in runs:
            for f in word_features(run):
                df = sum(1 for pf in pool_feats if f in pf)
                self.feats[f] = math.log(1 + (n + 1) / (df + 0.5))
        self.total = sum(self.feats.values()) or 1.0

    def coverage(self, text: str) -> float:
        have = features(text)
        return sum(w for f, w in self.feats.items() if f in have) / self.total

    def missing(self, text: str) -> list[str]:
        have = features(text)
        return [f for f in self.feats if f not in have]

    def weight(self, feature: str) -> float:
        return self.feats.get(feature, 0.0)

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
    paragraph: bool = False  # a whole short paragraph


@dataclass
class DocSentences:
    ndoc: NormalisedDocument
    sentences: list  # rag.chunk.Sentence, normalised offsets


def doc_sentences(ndoc: NormalisedDocument) -> DocSentences:
    return DocSentences(ndoc, split_sentences(ndoc.text))


def units_for_hits(hits, docs: dict[str, DocSentences]) -> list[Unit]:
    """Sentences overlapping the retrieved chunks, in hit order, each once. A sentence that
    ends in a colon and is followed by list items becomes one unit with its items."""
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
            end = s.start + len(_unrepeated(s.text))
            if s.text.endswith((":", "：")):
                j = i + 1
                while j < len(sents) and sents[j].list_item:
                    end = sents[j].end
                    j += 1
            units.append(Unit(c.doc_id, s.start, end, ds.ndoc.text[s.start:end], rank))
            if i + 1 < len(sents) and "\n" not in ds.ndoc.text[s.end:sents[i + 1].start] and end == s.end:
                # the next sentence of the same paragraph, as one unit: answers that span two
                # sentences (the press conference … / 主任高峰介绍 …)
                nxt = sents[i + 1]
                units.append(Unit(c.doc_id, s.start, nxt.end, ds.ndoc.text[s.start:nxt.end], rank, pair=True))
            if s.line_start:
                para_end = _paragraph_end(ds, i)
                if para_end - s.start <= PARAGRAPH_CHARS and ds.ndoc.text.count("。", s.start, para_end) >= 2:
                    # a short paragraph as one unit: a figure whose list is named two sentences earlier
                    units.append(Unit(c.doc_id, s.start, para_end, ds.ndoc.text[s.start:para_end], rank,
                                      paragraph=True))
    return units


PARAGRAPH_CHARS = 400


def _paragraph_end(ds: DocSentences, i: int) -> int:
    sents, text = ds.sentences, ds.ndoc.text
    end = sents[i].end
    for nxt in sents[i + 1:]:
        if "\n" in text[end:nxt.start]:
            break
        end = nxt.end
    return end


def _unrepeated(text: str) -> str:
    """A headline a web page prints twice on one line ("A A") counts once."""
    half = len(text) // 2
    if len(text) >= 9 and text[:half].strip() == text[half:].strip():
        return text[:half].rstrip()
    return text


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
