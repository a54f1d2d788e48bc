import math
import random
import sqlite3

import numpy as np

from rag.core.chinese import fold
from rag.keyword import B, BIGRAM, K1, VOCAB_SCHEMA, KeywordIndex, Vocabulary, pack_terms, tokenize


def test_tokens_are_words_and_bigrams_without_punctuation():
    terms = tokenize("芜湖市机器人产业集群，入选2024年名单！")
    assert {"芜湖", "机器", "机器人", "产业", "集群"} <= set(terms)
    assert BIGRAM + "湖市" in terms  # a bigram jieba would not produce as a word
    assert "2024" in terms
    assert not any(t in ("，", "！", " ") for t in terms)


def test_traditional_query_folded_shares_terms_with_simplified_text():
    doc = set(tokenize("郑州市首批市级战略性新兴产业集群"))
    query = set(tokenize(fold("鄭州市首批市級戰略性新興產業集群")))
    assert query == doc


def test_latin_terms_are_case_folded():
    assert "ai" in tokenize("人工智能AI产业集群") and "AI" not in tokenize("人工智能AI产业集群")


def _index(texts: dict[str, str]):
    conn = sqlite3.connect(":memory:")
    conn.execute(VOCAB_SCHEMA)
    vocab = Vocabulary(conn)
    items = [(cid, cid.split("#")[0], pack_terms(vocab.ids(tokenize(t), add=True))) for cid, t in texts.items()]
    return KeywordIndex.build(items), vocab


CORPUS = {
    "wuhu#0": "芜湖市机器人及智能装备产业集群入选国家先进制造业集群名单。",
    "wuhu#1": "集群内机器人整机企业200余家，产值突破800亿元。",
    "ganzhou#0": "赣州稀土新材料及应用产业集群实现营业收入1200亿元。",
    "jinjiang#0": "晋江运动鞋服产业集群推进数字化改造，建成智能工厂46个。",
}


def test_bm25_ranks_the_chunk_with_the_rare_terms_first():
    kw, vocab = _index(CORPUS)
    ranked = kw.top(vocab.ids(tokenize("稀土新材料集群"), add=False), k=4)
    assert ranked[0][0] == "ganzhou#0"
    ranked = kw.top(vocab.ids(tokenize("晋江鞋服数字化"), add=False), k=4)
    assert ranked[0][0] == "jinjiang#0"
    assert all(score > 0 for _, score in ranked)


def test_terms_nobody_has_give_no_hits_and_filters_restrict_documents():
    kw, vocab = _index(CORPUS)
    assert kw.top(vocab.ids(tokenize("量子通信"), add=False), 5) == []
    hits = kw.top(vocab.ids(tokenize("产业集群"), add=False), k=10, allowed_docs={"wuhu"})
    assert hits and {cid.split("#")[0] for cid, _ in hits} == {"wuhu"}
    assert kw.top(vocab.ids(tokenize("产业集群"), add=False), k=10, allowed_docs=set()) == []


def test_empty_index_answers_nothing():
    kw = KeywordIndex.build([])
    assert kw.size == 0 and kw.top([1, 2, 3], 5) == []


def _reference_bm25(docs: list[list[int]], query: list[int]) -> np.ndarray:
    """Textbook BM25, one document at a time."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    out = np.zeros(n)
    for t in set(query):
        df = sum(1 for d in docs if t in d)
        if not df:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        for i, d in enumerate(docs):
            tf = d.count(t)
            if tf:
                out[i] += query.count(t) * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(d) / avgdl))
    return out


def test_vectorised_scores_equal_textbook_bm25():
    rng = random.Random(7)
    docs = [[rng.randrange(60) for _ in range(rng.randrange(5, 40))] for _ in range(120)]
    kw = KeywordIndex.build((f"d{i}#0", f"d{i}", pack_terms(d)) for i, d in enumerate(docs))
    for _ in range(10):
        query = [rng.randrange(70) for _ in range(rng.randrange(1, 6))]  # some ids never occur
        np.testing.assert_allclose(kw.scores(query), _reference_bm25(docs, query), rtol=1e-5, atol=1e-6)


def test_cache_round_trip_keeps_rankings_and_tag(tmp_path):
    kw, vocab = _index(CORPUS)
    kw.tag = "abc:7"
    kw.save(tmp_path / "kw.npz")
    again = KeywordIndex.load(tmp_path / "kw.npz")
    q = vocab.ids(tokenize("机器人产值"), add=False)
    assert again.tag == "abc:7" and again.top(q, 3) == kw.top(q, 3)


def test_unreadable_cache_is_ignored(tmp_path):
    (tmp_path / "kw.npz").write_bytes(b"not a numpy file")
    assert KeywordIndex.load(tmp_path / "kw.npz") is None
    assert KeywordIndex.load(tmp_path / "missing.npz") is None


def test_vocabulary_forgets_ids_of_a_rolled_back_transaction():
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(VOCAB_SCHEMA)
    vocab = Vocabulary(conn)
    conn.execute("BEGIN")
    first = vocab.ids(["集群", "稀土"], add=True)
    conn.execute("ROLLBACK")
    vocab.forget_cache()
    conn.execute("BEGIN")
    again = vocab.ids(["稀土"], add=True)
    conn.execute("COMMIT")
    assert vocab.ids(["稀土"], add=False) == again and len(first) == 2
    assert vocab.ids(["集群"], add=False) == []


def test_inverted_index_at_corpus_scale_matches_brute_force():
    """5,000 documents x 5 chunks: built in one pass, queried through postings only."""
    n_chunks = 25_000
    rng = np.random.default_rng(3)
    vocab_size = 40_000
    lengths = rng.integers(200, 400, n_chunks)
    # Zipf-like term frequencies, as in text.
    p = 1.0 / np.arange(1, vocab_size + 1)
    p /= p.sum()
    tokens = rng.choice(vocab_size, size=int(lengths.sum()), p=p).astype(np.int32)
    docs = np.split(tokens, np.cumsum(lengths)[:-1])
    kw = KeywordIndex.build((f"d{i // 5}#{i % 5}", f"d{i // 5}", pack_terms(d.tolist())) for i, d in enumerate(docs))
    query = [5, 120, 3000, 39000]
    scores = kw.scores(query)
    # brute force on the same arrays
    dl = np.array([len(d) for d in docs], dtype=np.float64)
    norm = K1 * (1 - B + B * dl / dl.mean())
    expected = np.zeros(n_chunks)
    for t in query:
        tf = np.array([np.count_nonzero(d == t) for d in docs], dtype=np.float64)
        df = np.count_nonzero(tf)
        if df:
            expected += math.log(1 + (n_chunks - df + 0.5) / (df + 0.5)) * tf * (K1 + 1) / (tf + norm)
    np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-5)
    top = kw.top(query, 5)
    assert [cid for cid, _ in top] == [kw.chunk_ids[i] for i in np.argsort(-expected, kind="stable")[:5]]
