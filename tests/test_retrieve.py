import re

import pytest

from rag.errors import ConfigError, InputError
from rag.index import Index
from rag.core.types import Chunk
from rag.retrieve import Hit, check_query, fuse, phrase_ranking, query_pieces, snippet, spread_over_documents
from support_chroma import (SEED_000, SEED_001, SEED_002, SEED_003, SEED_004, seeded_db, settings_for,
                            write_article, write_articles)


@pytest.fixture(scope="module")
def index():
    with Index.open(settings_for(seeded_db()), create=False) as ix:
        yield ix


def test_fusion_prefers_agreement_and_reports_both_ranks():
    fused = fuse([["a", "b", "c"], ["b", "d"]])
    assert fused[0][0] == "b" and fused[0][2] == [2, 1]
    assert {x for x, _, _ in fused} == {"a", "b", "c", "d"}
    ranks = {x: r for x, _, r in fused}
    assert ranks["a"] == [1, None] and ranks["d"] == [None, 2]


def test_fusion_weights_shift_the_balance():
    assert fuse([["a"], ["b"]], [1.0, 2.0])[0][0] == "b"
    assert fuse([["a"], ["b"]], [2.0, 1.0])[0][0] == "a"
    # equal scores: the earlier ranking's item first, deterministically
    assert [x for x, _, _ in fuse([["a"], ["b"]])] == ["a", "b"]


@pytest.mark.parametrize("query, doc", [
    ("鄭州市首批市級戰略性新興產業集群", SEED_000),  # Traditional, as the article is written
    ("郑州市首批市级战略性新兴产业集群有哪些", SEED_000),
    ("巩义市铝基新材料", SEED_000),
    ("工信部公布45个国家先进制造业集群名单", SEED_001),
    ("工信部公布45個國家先進製造業集群名單", SEED_001),
    ("山东有几个产业集群入选首批战略性新兴产业集群", SEED_002),
    ("烟台市先进结构材料产业集群", SEED_002),
    ("聊城培育新质生产力 现代化产业体系", SEED_003),
    ("河南省先进制造业集群竞赛 拟认定名单公示", SEED_004),
    ("河南省先進製造業集群競賽評價辦法", SEED_004),
])
def test_seed_queries_rank_the_right_document_first(index, query, doc):
    hits = index.search(query, k=3)
    assert hits and hits[0].doc_id == doc, [(h.doc_id, h.dense_rank, h.keyword_rank) for h in hits]


def test_every_hit_points_at_its_exact_original_text(index):
    for query in ("产业集群名单", "新材料", "超硬材料產業集群", "2023年"):
        hits = index.search(query, k=8)
        assert hits
        for h in hits:
            original = index.original(h.doc_id)
            assert original[h.start:h.end] == h.text == h.chunk.original_text
            assert h.dense_rank is not None or h.keyword_rank is not None
            assert h.score > 0
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_hits_carry_title_and_date(index):
    hit = index.search("郑州 战略性新兴产业集群 梯次格局", k=1)[0]
    assert hit.doc_id == SEED_000 and hit.date == "2023-12-31" and "郑州" in hit.title


def test_snippet_is_original_text_around_the_match(index):
    hit = index.search("淄博市新型功能材料产业集群", k=1)[0]
    text = snippet(index, hit, "淄博市新型功能材料产业集群")
    assert "淄博市新型功能材料产业集群" in text
    collapsed = re.sub(r"\s+", " ", index.original(hit.doc_id))
    assert text.strip("…") in collapsed
    # Traditional article: the snippet shows the original script, pinyin readings included
    hit = index.search("登封市新材料", k=1)[0]
    text = snippet(index, hit, "登封市新材料")
    assert hit.doc_id == SEED_000 and "登封" in text and text.strip("…") in re.sub(r"\s+", " ", index.original(SEED_000))


def test_document_filter(index):
    hits = index.search("战略性新兴产业集群", k=5, doc_ids=[SEED_002])
    assert hits and {h.doc_id for h in hits} == {SEED_002}
    with pytest.raises(InputError, match="no such document"):
        index.search("集群", doc_ids=["not-indexed"])


def test_date_filters(index):
    hits = index.search("产业集群名单", k=10, date_from="2024")
    assert hits and all(h.date >= "2024" for h in hits)
    hits = index.search("产业集群名单", k=10, date_from="2022-11", date_to="2022-12-31")
    assert {h.doc_id for h in hits} == {SEED_001}
    assert index.search("产业集群", k=3, date_to="1999") == []
    with pytest.raises(InputError, match="must look like"):
        index.search("集群", date_from="yesterday")
    for bad in ("2024-13", "2024-13-45", "2023-02-29", "2024-00"):
        with pytest.raises(InputError, match="is not a date"):
            index.search("集群", date_to=bad)
    with pytest.raises(InputError, match="before --from"):
        index.search("集群", date_from="2024-05", date_to="2024-01-31")
    assert index.search("产业集群", k=3, date_from="2024-02-29", date_to="2024")  # a leap day, a window


def test_bad_queries_and_k(index):
    with pytest.raises(InputError, match="nothing to search for"):
        index.search("  \u3000 ")
    for punctuation in ("？？？", "。，、…", "!!! ---", "《》【】"):
        assert index.search(punctuation) == []  # nothing matches it; the CLI says so (test_faults_cli)
        with pytest.raises(InputError, match="nothing to search for"):
            check_query(punctuation)
    with pytest.raises(InputError, match="too long"):
        index.search("集群" * 60_000)
    assert index.search("集群" * 900, k=1)  # long but allowed: the dense side reads its start
    with pytest.raises(ConfigError, match="at least 1"):
        index.search("集群", k=0)


def test_empty_index_is_a_one_line_error(tmp_path):
    with Index.open(settings_for(tmp_path / "db")) as ix:
        with pytest.raises(ConfigError, match="is empty"):
            ix.search("集群")


def test_search_on_unseen_articles(tmp_path):
    """Our own articles, not the seeds: paraphrased questions still find the right one."""
    docs = tmp_path / "docs"
    write_articles(docs)
    write_article(docs / "chengdu_av.txt", "成都航空装备产业集群发展提速",
                  ["成都市航空装备产业集群聚集整机研制、航空发动机和机载系统企业120余家。",
                   "去年集群实现产值650亿元，同比增长18%。"], date="2023-03-02")
    with Index.open(settings_for(tmp_path / "db")) as ix:
        ix.ingest([docs], progress=False)
        for query, doc in [("哪里的机器人产业集群入选了国家先进制造业集群", "wuhu_robots"),
                           ("稀土永磁企业有多少家", "ganzhou_rare_earth"),
                           ("鞋服企业设备联网补助多少钱", "quanzhou_shoes"),
                           ("航空發動機企業", "chengdu_av")]:
            assert ix.search(query, k=1)[0].doc_id == doc, query
        assert {h.doc_id for h in ix.search("产业集群", k=10, date_to="2023-12")} == {"chengdu_av"}


def test_query_pieces_are_the_longest_verbatim_runs_of_three_or_more_characters():
    q = "45个国家先进制造业集群名单是由哪个部门公布的"
    text = "工信部公布45个国家先进制造业集群名单，涉及新一代信息技术等领域"
    pieces = query_pieces(q, text)
    assert q[pieces[0][0]:sum(pieces[0])] == "45个国家先进制造业集群名单"
    assert all(q[a:a + n] in text and n >= 3 for a, n in pieces)
    assert query_pieces(q, "集群名") == [(q.index("集群名"), 3)]
    assert query_pieces(q, "国家") == []  # two characters are left to BM25's bigrams


def test_phrase_ranking_prefers_one_breath_over_scattered_words():
    texts = {
        "scattered#0": "工业和信息化部公布国家先进制造业集群培育名单，45家企业参加了集群对接活动。",
        "phrase#0": "工信部公布45个国家先进制造业集群名单，涉及新一代信息技术、高端装备等领域。",
        "nothing#0": "赣州稀土新材料产业集群实现营业收入1200亿元。",
    }
    ranked = phrase_ranking("45个国家先进制造业集群名单是由哪个部门公布的", texts, list(texts))
    assert ranked == ["phrase#0", "scattered#0", "nothing#0"]  # 业集群 is all the last one shares


def test_phrase_ranking_weighs_the_words_that_tell_candidates_apart():
    """Many same-template policy articles share a long sentence; the one article that also says
    实施意见 must come first, though its shared sentence is no longer than theirs."""
    shared = "对新认定的国家级集群给予一次性奖励{}万元"
    texts = {f"template{i}#0": f"《{city}先进制造业集群竞赛评价办法》提出，" + shared.format(100 * (i + 2))
             for i, city in enumerate(["荆门市", "孝感市", "十堰市", "宜昌市", "襄阳市"])}
    texts["policy#3"] = "《实施意见》还提出，" + shared.format(1000)
    order = list(texts)  # the right one comes last among the candidates
    ranked = phrase_ranking("按照湖北省的实施意见，对新认定的国家级集群给予多少万元的一次性奖励？", texts, order)
    assert ranked[0] == "policy#3"


def test_phrase_ranking_reads_folded_text_without_spaces():
    texts = {"a#0": "烟台市 先进结构材料 产业集群", "b#0": "烟台市化工产业"}
    assert phrase_ranking("烟台市先进结构材料产业集群", texts, ["b#0", "a#0"])[0] == "a#0"


def _hits(*doc_ids):
    return [Hit(Chunk(d, i, "x", 0, 1, 0, 1), 1.0 / (i + 1), i + 1, i + 1) for i, d in enumerate(doc_ids)]


def test_spread_over_documents_gives_other_articles_a_place_in_rank_order():
    hits = _hits("a", "a", "a", "a", "b", "a", "c", "b", "d")
    picked = spread_over_documents(hits, 5)
    assert [h.doc_id for h in picked] == ["a", "a", "b", "c", "b"]
    assert picked == sorted(picked, key=hits.index)
    # too few documents: the best of the rest fill in, still in rank order
    assert [h.doc_id for h in spread_over_documents(_hits("a", "a", "a", "b", "a"), 4)] == ["a", "a", "a", "b"]
    assert spread_over_documents(hits, 20) == hits
