"""The keyword side of retrieval: BM25 over jieba words plus character bigrams.

Plain whitespace tokens are useless for Chinese. jieba (search mode) gives words and their
sub-words; character bigrams catch names jieba splits differently (铝基新材料 → 铝基新/材料).

Storage: each chunk's terms are packed into a blob (`pack_terms`) stored next to the chunk in
the index's SQLite file, with a `terms` vocabulary table; so the keyword side changes in the
same transaction as the chunks. `KeywordIndex.build` turns all blobs into an inverted index
(CSR arrays: per term, the chunk rows and term frequencies) that answers a query with a few
numpy slices. It is cached on disk as .npz, tagged with the store's generation.
"""
from __future__ import annotations

import io
import logging
import math
import re
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Optional

import numpy as np

from .io import atomic_write_bytes, select_in

K1 = 1.2
B = 0.75
BIGRAM = "|"  # prefix that keeps bigram terms apart from jieba words (jieba never emits '|')
_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]{2,}")
_CONTENT = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")

VOCAB_SCHEMA = "CREATE TABLE IF NOT EXISTS terms (id INTEGER PRIMARY KEY, term TEXT UNIQUE NOT NULL)"


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)  # it prints "Building prefix dict..." otherwise
    jieba.initialize()
    return jieba


def tokenize(text: str) -> list[str]:
    """Terms of already folded text (documents are normalised; fold queries first)."""
    text = text.lower()
    words = [w for w in _jieba().lcut_for_search(text) if _CONTENT.search(w) and not w.isspace()]
    bigrams = [BIGRAM + run[i:i + 2] for run in _HAN_RUN.findall(text) for i in range(len(run) - 1)]
    return words + bigrams


class Vocabulary:
    """term -> id, backed by the `terms` table. New ids are written on the caller's connection
    (inside its transaction)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._ids: Optional[dict[str, int]] = None

    def _all(self) -> dict[str, int]:
        if self._ids is None:
            self._ids = dict(self.conn.execute("SELECT term, id FROM terms"))
        return self._ids

    def ids(self, terms: Iterable[str], add: bool) -> list[int]:
        """Ids of terms; unknown terms get new ids (add=True) or are left out (add=False)."""
        terms = list(terms)
        if not add:  # a query: look up its few terms instead of loading the whole vocabulary
            found = dict(select_in(self.conn, "SELECT term, id FROM terms WHERE term IN ({marks})",
                                   list(dict.fromkeys(terms))))
            return [found[t] for t in terms if t in found]
        known = self._all()
        new = [t for t in dict.fromkeys(terms) if t not in known]
        if new:
            start = (self.conn.execute("SELECT COALESCE(MAX(id), -1) FROM terms").fetchone()[0]) + 1
            rows = list(zip(range(start, start + len(new)), new))
            self.conn.executemany("INSERT INTO terms (id, term) VALUES (?, ?)", rows)
            known.update((t, i) for i, t in rows)
        return [known[t] for t in terms]

    def forget_cache(self) -> None:
        """Call after a rolled-back transaction: ids handed out in it no longer exist."""
        self._ids = None


def pack_terms(term_ids: list[int]) -> bytes:
    """A chunk's terms as int32 [unique ids..., counts...]."""
    ids, counts = np.unique(np.asarray(term_ids, dtype=np.int32), return_counts=True)
    return np.concatenate([ids, counts.astype(np.int32)]).tobytes()


def _unpack(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
    a = np.frombuffer(blob, dtype=np.int32)
    m = len(a) // 2
    return a[:m], a[m:]


@dataclass
class KeywordIndex:
    chunk_ids: list[str]  # row -> chunk id
    row_doc: np.ndarray  # row -> position in doc_ids
    doc_ids: list[str]
    indptr: np.ndarray  # term id -> slice of rows/tfs
    rows: np.ndarray
    tfs: np.ndarray
    lengths: np.ndarray  # terms per chunk
    tag: str = ""  # which state of the store this was built from
    _norm_cache: Optional[np.ndarray] = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.chunk_ids)

    @classmethod
    def build(cls, items: Iterable[tuple[str, str, bytes]], tag: str = "") -> "KeywordIndex":
        """items: (chunk_id, doc_id, packed terms)."""
        chunk_ids: list[str] = []
        doc_pos: dict[str, int] = {}
        row_doc, id_parts, tf_parts = [], [], []
        for chunk_id, doc_id, blob in items:
            ids, tfs = _unpack(blob)
            chunk_ids.append(chunk_id)
            row_doc.append(doc_pos.setdefault(doc_id, len(doc_pos)))
            id_parts.append(ids)
            tf_parts.append(tfs)
        n = len(chunk_ids)
        per_row = np.array([len(p) for p in id_parts], dtype=np.int64)
        all_ids = np.concatenate(id_parts) if n else np.zeros(0, np.int32)
        all_tfs = np.concatenate(tf_parts) if n else np.zeros(0, np.int32)
        all_rows = np.repeat(np.arange(n, dtype=np.int32), per_row)
        order = np.argsort(all_ids, kind="stable")  # stable: rows stay ascending within a term
        n_terms = int(all_ids.max()) + 1 if len(all_ids) else 0
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(all_ids, minlength=n_terms), out=indptr[1:])
        lengths = np.array([int(t.sum()) for t in tf_parts], dtype=np.float32)
        return cls(chunk_ids, np.asarray(row_doc, dtype=np.int32), list(doc_pos), indptr,
                   all_rows[order], all_tfs[order].astype(np.float32), lengths, tag)

    def _norm(self) -> np.ndarray:
        """The per-row length normalisation K1 * (1 - B + B * len / avgdl), computed once."""
        if self._norm_cache is None:
            avgdl = float(self.lengths.mean()) or 1.0
            self._norm_cache = K1 * (1 - B + B * self.lengths / avgdl)
        return self._norm_cache

    def scores(self, term_ids: Iterable[int]) -> np.ndarray:
        """BM25 score of every row (0 where no query term occurs)."""
        out = np.zeros(self.size, dtype=np.float32)
        if not self.size:
            return out
        norm = self._norm()
        ids, qtf = np.unique(np.asarray(list(term_ids), dtype=np.int64), return_counts=True)
        for t, q in zip(ids.tolist(), qtf.tolist()):
            if t < 0 or t + 1 >= len(self.indptr):
                continue
            a, b = int(self.indptr[t]), int(self.indptr[t + 1])
            if a == b:
                continue
            idf = math.log(1 + (self.size - (b - a) + 0.5) / ((b - a) + 0.5))
            rows, tf = self.rows[a:b], self.tfs[a:b]
            out[rows] += q * idf * tf * (K1 + 1) / (tf + norm[rows])
        return out

    def top(self, term_ids: Iterable[int], k: int, allowed_docs: Optional[set[str]] = None) -> list[tuple[str, float]]:
        """The k best (chunk id, score) with score > 0, optionally only in allowed_docs."""
        s = self.scores(term_ids)
        if allowed_docs is not None:
            keep = np.array([d in allowed_docs for d in self.doc_ids], dtype=bool)
            s = np.where(keep[self.row_doc], s, 0.0) if len(keep) else s
        hits = np.flatnonzero(s > 0)
        if len(hits) > k:
            hits = hits[np.argpartition(-s[hits], k - 1)[:k]]
        hits = hits[np.lexsort((hits, -s[hits]))]  # score desc, then row (document order)
        return [(self.chunk_ids[i], float(s[i])) for i in hits]

    # --- disk cache ------------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        buf = io.BytesIO()
        np.savez(buf, chunk_ids=np.array(self.chunk_ids, dtype=str), row_doc=self.row_doc,
                 doc_ids=np.array(self.doc_ids, dtype=str), indptr=self.indptr, rows=self.rows, tfs=self.tfs,
                 lengths=self.lengths, tag=np.array(self.tag))
        atomic_write_bytes(path, buf.getvalue())

    @classmethod
    def load(cls, path: str | Path) -> Optional["KeywordIndex"]:
        """The cached index, or None when missing or unreadable."""
        try:
            with np.load(path, allow_pickle=False) as z:
                return cls(z["chunk_ids"].tolist(), z["row_doc"], z["doc_ids"].tolist(), z["indptr"], z["rows"],
                           z["tfs"], z["lengths"], str(z["tag"]))
        except (OSError, ValueError, KeyError):
            return None
