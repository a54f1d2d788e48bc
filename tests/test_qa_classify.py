"""Question classification and the filters a question names (rag/qa/classify.py, rag/qa/places.py).
Questions are written for these tests, in the shapes analysts ask them, beyond the seed set."""
from __future__ import annotations

import pytest

from rag.qa.classify import classify, counted_noun, is_traditional, split_segments
from rag.core.places import find_places, province_of


@pytest.mark.parametrize("question, kind", [
    ("武汉市首批市级先进制造业集群有哪些？", "list"),
    ("江西入选的集群分别是哪几个？", "list"),
    ("名单中一共有几个集群？", "count"),
    ("湖南省有多少个集群入选？", "count"),
    ("长沙市工程机械集群聚集了多少家企业？", "count"),
    ("该名单是由哪个部门公布的？", "who"),
    ("是谁介绍了全市产业集群的发展情况？", "who"),
    ("苏州纳米新材料集群以哪些企业为龙头？", "who"),
    ("名单是什么时候公布的？", "when"),
    ("该集群是哪一年入选的？", "when"),
    ("广深佛莞智能装备集群涉及哪些城市？", "where"),
    ("光伏产业集群位于江西哪个市？", "where"),
    ("2023年全市规上工业增加值增长了多少？", "numeric"),
    ("战略性新兴产业占比是多少？", "numeric"),
    ("上饶光伏产业集群是否入选了国家级名单？", "yesno"),
    ("萍乡工业陶瓷产业集群是国家级集群吗？", "yesno"),
    ("这些文章中哪几篇报道了省级名单？", "docs"),
    ("聊城成功打造了哪些省级新材料产业集群？", "list"),  # 省级 is a level, not 哪些省
])
def test_kinds(question, kind):
    assert classify(question).kind == kind


def test_filters_of_a_list_question():
    q = classify("郑州市首批市级战略性新兴产业集群有哪些？")
    assert [p.full for p in q.places] == ["郑州市"]
    assert q.levels == ["municipal"] and q.batch == 1
    assert q.program_names == ["战略性新兴产业集群"]
    assert not q.traditional and not q.cross_doc


def test_filters_read_through_traditional_script_and_pinyin():
    q = classify("鄭州市第二批市級戰(zhàn)略性新興產業集群有哪些？")
    assert q.traditional
    assert q.folded.startswith("郑州市第二批")
    assert q.batch == 2 and q.levels == ["municipal"]
    assert q.program_names == ["战略性新兴产业集群"]


@pytest.mark.parametrize("question, level", [
    ("工信部公布的先进制造业集群有哪些？", "national"),
    ("国家发展改革委公布的名单中有几个集群？", "national"),
    ("45个国家先进制造业集群中有哪些在湖北？", "national"),
    ("湖南省首批省级先进制造业集群有哪些？", "provincial"),
    ("入选省首批支柱型雁阵集群的有哪些？", "provincial"),
    ("西安市级先进制造业集群有几个？", "municipal"),
])
def test_levels(question, level):
    assert classify(question).levels == [level]


def test_years_numbers_quotes_and_superlatives():
    q = classify("根据《关于推进先进制造业集群高质量发展的实施意见》，2024年度45个集群中哪个地区最多？")
    assert q.years == [2024]
    assert q.numbers == ["45个"]
    assert q.quoted == ["关于推进先进制造业集群高质量发展的实施意见"]
    assert q.superlative == "max"


def test_cross_document_questions():
    assert classify("这些文章一共提到江西省哪些集群？").cross_doc
    assert classify("两份名单分别有多少个集群？合计多少个？").cross_doc
    assert not classify("江西省有哪些集群？").cross_doc


def test_segments_split_two_quantity_questions():
    assert split_segments("产值增长多少？占比多少？") == ["产值增长多少", "占比多少"]
    assert split_segments("涉及多少个省和多少个计划单列市") == ["涉及多少个省", "多少个计划单列市"]
    assert split_segments("新一代信息技术和高端装备领域各有多少个") == ["新一代信息技术和高端装备领域各有多少个"]


def test_counted_noun_is_what_a_count_counts():
    assert counted_noun("物联网产业集群有多少家上市企业") == "上市"
    assert counted_noun("全市有多少条重点产业链") == "重点"
    assert counted_noun("山东入选了几个") is None


def test_traditional_detection():
    assert is_traditional("福建省入選的集群有哪些？")
    assert not is_traditional("福建省入选的集群有哪些？")
    assert not is_traditional("2024？")


def test_places_in_text():
    found = [(p.written, p.full, p.kind) for _, _, p in find_places("郑州金水区和西安高新区以及河南、九江市")]
    assert found == [("郑州金水区", "金水区", "county"), ("西安高新区", "西安高新区", "zone"),
                     ("河南", "河南省", "province"), ("九江市", "九江市", "city")]
    # a bare two-character district name is an ordinary word
    assert find_places("长安汽车和平稳发展") == []
    assert province_of("聊城") == "山东省" and province_of("河南") == "河南省"
