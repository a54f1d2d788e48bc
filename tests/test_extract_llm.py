"""The LLM and hybrid extraction engines.

Grounding, merging and prompt building are tested directly. The engine tests talk to a real
server (xllamacpp + SmolLM2, tests/support_llm.py) through the fault-injecting proxy; where a test
needs a known model reply (a malformed one, or one with an invented quote) the proxy replaces the
real reply's content: deliberate fault injection, the request still reaches the real server.
"""
from __future__ import annotations

import json

import pytest

from rag.chunk import chunk_document
from rag.config import Settings
from rag.extract.hybrid import HybridExtractor
from rag.extract.llm import (ExtractedCluster, ExtractionFailed, ExtractionStats, LLMExtractor, chunk_messages, ground,
                             merge_mentions)
from rag.extract.offline import OfflineExtractor
from rag.llm import LLM
from rag.prepare import prepare
from rag.schemas import ClusterMention, Evidence
from support_llm import fault_proxy, llm_server, llm_settings  # noqa: F401  (fixtures)

# A Traditional-script city notice with pinyin readings, written for these tests.
ARTICLE = """襄陽市公佈首批市級先進製造業集群名單
2024年5月10日，襄陽市經濟和信息化局公佈首批市級先進製(zhì)造業集群名單，共3個。
名單如下：
1.襄陽高新區新能源汽車產業集群
2.襄陽穀城縣節能與環(huán)保產業集群
3.襄陽棗陽市汽車零部件產業集群
此外，全市將力爭培育10個省級產業集群，打造具有全國影響力的新能源汽車之都。
目前，襄陽軸承集群已聚集企業120餘家，年產值超過80億元。
"""


@pytest.fixture
def ndoc(tmp_path):
    path = tmp_path / "xiangyang_2024.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return prepare(path)


def item(name: str, evidence: str, **fields) -> ExtractedCluster:
    return ExtractedCluster(name=name, evidence=evidence, **fields)


def assert_exact(ndoc, records):
    for m in records:
        ClusterMention.model_validate(m.model_dump())
        assert m.doc_id == ndoc.doc.doc_id
        assert ndoc.doc.original[m.evidence.start:m.evidence.end] == m.evidence.text


def extractor(base_url, tmp_path, timeout=60.0, **kw) -> LLMExtractor:
    settings = Settings()
    settings.llm = llm_settings(base_url, timeout=timeout)
    kw.setdefault("max_reply_tokens", 16)
    return LLMExtractor(settings, llm=LLM(settings.llm, cache_dir=tmp_path / "cache"), **kw)


def reply(*clusters: dict) -> str:
    return json.dumps({"clusters": list(clusters)}, ensure_ascii=False)


# -- grounding -----------------------------------------------------------------------------------

def test_evidence_is_found_after_folding_and_mapped_to_exact_original_offsets(ndoc):
    m = ground(ndoc, item("襄阳谷城县节能与环保产业集群", "2.襄阳谷城县节能与环保产业集群"))
    assert m.evidence.text == "2.襄陽穀城縣節能與環(huán)保產業集群"
    assert ndoc.doc.original[m.evidence.start:m.evidence.end] == m.evidence.text
    assert m.doc_id == "xiangyang_2024"


def test_traditional_quotes_and_pinyin_in_the_name_are_folded(ndoc):
    m = ground(ndoc, item("襄陽穀城縣節能與環(huán)保產業集群", "襄陽穀城縣節能與環保產業集群", regions=["襄陽市", "穀城縣"]))
    assert m.name == "襄阳谷城县节能与环保产业集群"
    assert m.regions == ["襄阳市", "谷城县"]
    assert_exact(ndoc, [m])


def test_a_quote_without_its_line_break_is_still_found(ndoc):
    m = ground(ndoc, item("襄阳高新区新能源汽车产业集群", "名单如下：1.襄阳高新区新能源汽车产业集群"))
    assert m.evidence.text == "名單如下：\n1.襄陽高新區新能源汽車產業集群"


def test_a_paraphrased_quote_falls_back_to_the_sentence_naming_the_cluster(ndoc):
    m = ground(ndoc, item("襄阳轴承集群", "襄阳的轴承企业很多"))
    assert m.evidence.text == "目前，襄陽軸承集群已聚集企業120餘家，年產值超過80億元。"
    assert_exact(ndoc, [m])


def test_every_evidence_span_says_how_the_quote_was_found(ndoc):
    as_written = ground(ndoc, item("襄陽高新區新能源汽車產業集群", "1.襄陽高新區新能源汽車產業集群"))
    folded = ground(ndoc, item("襄阳高新区新能源汽车产业集群", "1.襄阳高新区新能源汽车产业集群"))
    sentence = ground(ndoc, item("襄阳轴承集群", "襄阳的轴承企业很多"))
    assert [m.evidence.alignment for m in (as_written, folded, sentence)] == ["exact", "folded", "sentence"]
    assert as_written.evidence.text == folded.evidence.text == "1.襄陽高新區新能源汽車產業集群"
    assert as_written.model_dump(mode="json")["evidence"]["alignment"] == "exact"  # shown in JSON

    from rag.evaluate.metrics import extraction_summary
    from rag.evaluate.run import alignment_counts

    counts = alignment_counts([as_written, folded, sentence, sentence])
    assert counts == {"exact": 1, "folded": 1, "sentence": 2}
    doc = {"tp": 0, "fp": 0, "fn": 0, "predicted": 0, "matches": [], "grounded": 0, "alignment": counts}
    assert extraction_summary([doc, doc])["alignment"] == {"exact": 2, "folded": 2, "sentence": 4}


def test_records_that_cannot_be_grounded_are_dropped_and_counted(ndoc):
    stats = ExtractionStats()
    assert ground(ndoc, item("襄阳光谷产业集群", "襄阳光谷产业集群入选国家级名单"), stats=stats) is None
    # a real quote that does not carry the name is no support for it
    assert ground(ndoc, item("武汉光电子信息产业集群", "3.襄阳枣阳市汽车零部件产业集群"), stats=stats) is None
    assert ground(ndoc, item("襄阳枣阳市汽车零部件", "3.襄阳枣阳市汽车零部件产业集群"), stats=stats) is None
    assert (stats.dropped_ungrounded, stats.dropped_invalid) == (2, 1)


def test_the_occurrence_inside_the_current_chunk_is_preferred(tmp_path):
    path = tmp_path / "twice.txt"
    path.write_text("甲市轴承集群年产值80亿元。\n" + "其他内容。" * 30 + "\n甲市轴承集群入选省级名单。\n", encoding="utf-8")
    nd = prepare(path)
    second = nd.text.rindex("甲市轴承集群")
    m = ground(nd, item("甲市轴承集群", "甲市轴承集群"), near=(second - 5, len(nd.text)))
    assert m.evidence.start == nd.span(second, second + 1)[0]


def test_same_name_merges_into_the_most_informative_record():
    ev = lambda s: Evidence(text="x", start=s, end=s + 1)  # noqa: E731
    a = ClusterMention(doc_id="d", name="甲市轴承产业集群", evidence=ev(5), year=2024)
    b = ClusterMention(doc_id="d", name="甲市 轴承产业集群", evidence=ev(50), level="provincial", program="先进制造业集群")
    c = ClusterMention(doc_id="d", name="乙市轴承产业集群", evidence=ev(1))
    merged = merge_mentions([a, b, c])
    assert [m.name for m in merged] == ["乙市轴承产业集群", "甲市 轴承产业集群"]
    assert merged[1].evidence.start == 50 and merged[1].year == 2024 and merged[1].level == "provincial"


# -- prompts -------------------------------------------------------------------------------------

def test_the_prompt_carries_the_schema_descriptions_and_the_chunk_in_context(ndoc, tmp_path):
    ex = extractor("http://127.0.0.1:9/v1", tmp_path, chunk_tokens=40)
    for name, f in ExtractedCluster.model_fields.items():
        assert f.description in ex.system
    chunks = ex.chunks(ndoc)
    assert len(chunks) > 1
    system, user = chunk_messages(ndoc, chunks[1], ex.system, "{title}|{before}|{text}|{after}")
    title, before, text, after = user["content"].split("|")
    assert title == "襄阳市公布首批市级先进制造业集群名单"
    assert text == chunks[1].text and ndoc.text.index(before) + len(before) <= chunks[1].norm_start + 1
    assert system["role"] == "system" and "{rules}" not in system["content"] and "{fields}" not in system["content"]


# -- against the real server ---------------------------------------------------------------------

def test_real_prompts_give_schema_valid_grounded_records_or_none(fault_proxy, tmp_path, ndoc):
    # ~3,000 prompt tokens for this byte-level tokenizer: slow on a busy 2-core machine
    ex = extractor(fault_proxy.base_url, tmp_path, timeout=600, max_reply_tokens=120, retries=0, max_splits=0)
    try:
        records = ex.extract(ndoc)
    except ExtractionFailed as e:  # the tiny model may not finish valid JSON within 120 tokens: a failed document
        assert "1 of 1 chunk(s) got no valid LLM reply" in str(e) and ex.stats.failed_chunks == 1
        records = []
    sent = fault_proxy.chat_requests()[0]
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["clusters"]
    assert sent["max_completion_tokens"] == 120
    assert "名单如下" in sent["messages"][1]["content"]  # the normalised text, not the original
    assert_exact(ndoc, records)
    s = ex.stats
    assert s.calls == 1 and s.prompt_tokens > 0 and s.kept == len(records)


def test_a_malformed_reply_is_sent_back_with_the_validation_error(fault_proxy, tmp_path, ndoc):
    fault_proxy.faults.extend([("reply", '{"clusters": [{"name": 5}]}'),
                               ("reply", reply({"name": "襄阳轴承集群", "evidence": "襄阳轴承集群"}))])
    ex = extractor(fault_proxy.base_url, tmp_path, retries=1)
    assert [m.name for m in ex.extract(ndoc)] == ["襄阳轴承集群"]
    first, second = fault_proxy.chat_requests()
    assert second["messages"][:2] == first["messages"][:2]
    assert second["messages"][2] == {"role": "assistant", "content": '{"clusters": [{"name": 5}]}'}
    feedback = second["messages"][3]["content"]
    assert "clusters.0.name" in feedback and "clusters.0.evidence" in feedback
    assert ex.stats.retries == 1 and ex.stats.calls == 2
    again = extractor(fault_proxy.base_url, tmp_path, retries=1)  # the corrected reply was cached
    assert [m.name for m in again.extract(ndoc)] == ["襄阳轴承集群"] and again.stats.calls == 0


def test_only_grounded_records_are_kept_and_the_second_run_is_cached(fault_proxy, tmp_path, ndoc):
    fault_proxy.faults.append(("reply", reply(
        {"name": "襄阳高新区新能源汽车产业集群", "evidence": "1.襄阳高新区新能源汽车产业集群", "regions": ["襄阳市", "襄阳高新区"],
         "province": "湖北省", "level": "municipal", "program": "先进制造业集群", "industry": "新能源汽车",
         "recognised_by": "襄阳市经济和信息化局", "year": 2024, "batch": 1},
        {"name": "襄阳光谷产业集群", "evidence": "襄阳光谷产业集群入选国家级名单", "regions": [], "province": None,
         "level": "national", "program": None, "industry": None, "recognised_by": None, "year": None, "batch": None},
    )))
    ex = extractor(fault_proxy.base_url, tmp_path, retries=0)  # no re-ask for the quote not in the text
    records = ex.extract(ndoc)
    assert [m.name for m in records] == ["襄阳高新区新能源汽车产业集群"]
    assert records[0].evidence.text == "1.襄陽高新區新能源汽車產業集群" and records[0].level == "municipal"
    assert_exact(ndoc, records)
    assert ex.stats.dropped_ungrounded == 1 and ex.stats.kept == 1

    again = extractor(fault_proxy.base_url, tmp_path, retries=0)
    assert again.extract(ndoc) == records
    assert len(fault_proxy.chat_requests()) == 1 and again.stats.calls == 0 and again.stats.cache_hits == 1


def test_a_long_document_is_read_chunk_by_chunk_and_merged(fault_proxy, tmp_path, ndoc):
    ex = extractor(fault_proxy.base_url, tmp_path, chunk_tokens=80)
    chunks = ex.chunks(ndoc)
    bearing = {"name": "襄阳轴承集群", "evidence": "襄阳轴承集群", "regions": ["襄阳市"]}
    fault_proxy.faults.extend([("reply", reply(dict(bearing, year=None)))] * (len(chunks) - 1)
                              + [("reply", reply(dict(bearing, year=2024)))])
    records = ex.extract(ndoc)
    sent = fault_proxy.chat_requests()
    assert len(sent) == len(chunks) > 2
    shown = [r["messages"][1]["content"] for r in sent]
    assert all(c.text in s for c, s in zip(chunks, shown))
    assert "（无）" not in shown[-1].split("【前文")[1].split("【正文")[0]  # later chunks see the text before them
    assert len(records) == 1 and records[0].year == 2024 and records[0].name == "襄阳轴承集群"


def test_hybrid_checks_candidates_completes_fields_and_adds_grounded_clusters(fault_proxy, tmp_path, ndoc):
    offline = OfflineExtractor().extract(ndoc)
    assert len(offline) == 4  # the rules find the three list items and 襄阳轴承集群

    class WithoutBearing:
        """The real offline engine with one of its records held back, so the LLM has one to add."""

        def extract(self, nd):
            return [m for m in OfflineExtractor().extract(nd) if "轴承" not in m.name]

    fault_proxy.faults.append(("reply", json.dumps({
        "checked": [
            {"id": 1, "keep": True, "regions": [], "province": "河北省", "level": None, "program": None,
             "industry": None, "recognised_by": None, "year": 2024, "batch": None},
            {"id": 3, "keep": False, "reason": "测试：否决", "regions": [], "province": None, "level": None,
             "program": None, "industry": None, "recognised_by": None, "year": None, "batch": None},
        ],
        "missing": [
            {"name": "襄阳轴承集群", "evidence": "襄阳轴承集群已聚集企业120余家", "regions": ["襄阳市"], "province": "湖北省",
             "level": None, "program": None, "industry": "轴承", "recognised_by": None, "year": None, "batch": None},
            {"name": "襄阳高新区新能源汽车产业集群", "evidence": "1.襄阳高新区新能源汽车产业集群", "regions": [],
             "province": None, "level": None, "program": None, "industry": None, "recognised_by": None,
             "year": None, "batch": None},
            {"name": "襄阳光谷产业集群", "evidence": "襄阳光谷产业集群", "regions": [], "province": None, "level": None,
             "program": None, "industry": None, "recognised_by": None, "year": None, "batch": None},
        ],
    }, ensure_ascii=False)))
    settings = Settings()
    settings.llm = llm_settings(fault_proxy.base_url)
    hy = HybridExtractor(settings, llm=LLM(settings.llm, cache_dir=tmp_path), proposer=WithoutBearing(),
                         max_reply_tokens=16, retries=0)
    records = hy.extract(ndoc)
    by_name = {m.name: m for m in records}
    assert set(by_name) == {"襄阳高新区新能源汽车产业集群", "襄阳谷城县节能与环保产业集群", "襄阳轴承集群"}
    first = by_name["襄阳高新区新能源汽车产业集群"]
    assert first.province == "湖北省" and first.year == 2024  # its own value kept, the empty one filled
    assert by_name["襄阳轴承集群"].industry == "轴承"
    assert_exact(ndoc, records)
    s = hy.stats
    assert (s.dropped_by_llm, s.added_by_llm, s.dropped_ungrounded) == (1, 1, 1)
    sent = fault_proxy.chat_requests()[0]
    assert "襄阳枣阳市汽车零部件产业集群" in sent["messages"][1]["content"]  # candidates are shown to the model
    assert sent["response_format"]["json_schema"]["schema"]["required"] == ["checked", "missing"]


def test_parallel_documents_and_chunks_share_one_bound_on_requests_in_flight(fault_proxy, tmp_path):
    """RAG_LLM_CONCURRENCY=2: two documents at once, each spreading its chunks, still never
    more than two requests at the endpoint together."""
    from rag.extract.batch import run_batch

    files = []
    for i in range(4):
        path = tmp_path / "docs" / f"xiangyang_{i}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_text(ARTICLE.replace("襄陽", "襄陽" * (1 + i % 2)), encoding="utf-8")
        files.append(path)
    settings = Settings()
    settings.llm = llm_settings(fault_proxy.base_url, timeout=120, concurrency=2)
    ex = LLMExtractor(settings, llm=LLM(settings.llm, cache_dir=None), chunk_tokens=80, max_reply_tokens=16)
    assert all(len(ex.chunks(prepare(f))) >= 2 for f in files)
    fault_proxy.faults.extend([("slow_reply", 0.3, reply())] * 64)
    result = run_batch(files, lambda f: ex.extract(prepare(f)), "llm", tmp_path / "out.jsonl", "jsonl",
                       workers=2)
    assert not result.failed and len(fault_proxy.chat_requests()) >= 8
    assert fault_proxy.max_in_flight == 2


def test_recall_passes_read_differently_cut_chunks_and_merge_the_records(fault_proxy, tmp_path, ndoc):
    ex = extractor(fault_proxy.base_url, tmp_path, chunk_tokens=400, passes=2)
    first, second = ex.chunks(ndoc, 0), ex.chunks(ndoc, 1)
    assert len(first) == 1 and len(second) >= 2  # the second pass cuts at half the size
    item1 = {"name": "襄阳高新区新能源汽车产业集群", "evidence": "1.襄阳高新区新能源汽车产业集群"}
    item2 = {"name": "襄阳轴承集群", "evidence": "襄阳轴承集群"}
    fault_proxy.faults.extend([("reply", reply(item1))] + [("reply", reply(item2, item1))] * len(second))
    records = ex.extract(ndoc)
    assert [m.name for m in records] == ["襄阳高新区新能源汽车产业集群", "襄阳轴承集群"]  # merged by name
    assert len(fault_proxy.chat_requests()) == 1 + len(second) == ex.stats.chunks
    assert_exact(ndoc, records)
