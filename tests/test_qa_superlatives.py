"""Which cluster an article ranks first (rag/qa/strategies.py superlative, _named_in_article,
_stated_superlative): clusters named without places in prose, each with its figures, in a news
story and in a numbered report written for these tests. A rank the text states holds only for
the measure its own clause names (规模居首位 is no growth)."""
import pytest

from rag.core.chinese import fold
from rag.index import Index
from rag.qa.offline import OfflineAnswerer
from support_qa import articles_db, settings_for

ARTICLES = {
    "qz_news.txt": """泉州5大产业集群营收超1.2万亿元
本报讯（记者 林涛）记者从泉州市工业和信息化局获悉，2023年全市5个重点产业集群合计实现营业收入1.2万亿元。
从单个集群看，纺织鞋服产业集群营收达5,200亿元，同比增长6.1%，规模居各集群之首；石油化工产业集群营收2,600亿元，同比增长3.2%；建材家居产业集群营收1,480亿元，同比下降2.5%；电子信息产业集群营收860亿元，同比增长18.9%，增速领跑全市。
""",
    "zh_report.txt": """宁波市镇海区2023年重点产业集群发展情况通报
各街道办事处，区直各部门：
一、分集群情况。
（一）绿色石化产业集群：产值2,100亿元，同比增长3.0%，规模居四大集群首位。
（二）高端装备产业集群：产值620亿元，同比增长9.5%。
（三）新材料产业集群：产值380亿元，同比增长21.2%，增速为四大集群最快。
（四）现代物流产业集群：产值210亿元，同比下降1.4%。
宁波市镇海区人民政府办公室
2024年3月1日
""",
}


@pytest.fixture(scope="module")
def answerer():
    with Index.open(settings_for(articles_db("superlatives", ARTICLES)), create=False) as index:
        yield OfflineAnswerer(index)


@pytest.mark.parametrize("question, doc, want", [
    ("泉州哪个产业集群营收规模最大？", "qz_news", "纺织鞋服"),
    ("泉州哪个集群营收增速最快？", "qz_news", "电子信息"),
    ("泉州哪个产业集群营收最少？", "qz_news", "电子信息"),
    ("镇海区哪个产业集群增速最快？", "zh_report", "新材料"),
    ("镇海区哪个产业集群产值最高？", "zh_report", "绿色石化"),
])
def test_the_cluster_ranked_first_among_those_the_article_writes_about(answerer, question, doc, want):
    for scope in (None, [doc]):
        a = answerer.answer(question, doc_ids=scope)
        assert a.found and fold(a.answer).startswith(want), (scope, a.answer)
        assert a.citations[0].doc_id == doc


@pytest.mark.parametrize("question, want", [
    ("石油化工产业集群营收增速是多少？", "3.2%"),
    ("建材家居产业集群营收同比变化了多少？", "下降2.5%"),
    ("现代物流产业集群产值同比变化了多少？", "下降1.4%"),
    ("高端装备产业集群产值是多少？", "620亿元"),
])
def test_a_named_clusters_figure_is_read_from_its_own_part_of_the_sentence(answerer, question, want):
    a = answerer.answer(question)
    assert a.answer == want, a.answer


@pytest.mark.parametrize("question, want", [
    ("纺织鞋服和石油化工两个集群，哪个营收更高？", "纺织鞋服"),
    ("高端装备产业集群产值比新材料产业集群多多少？", "高出240亿元"),
])
def test_two_clusters_the_article_writes_about_are_compared(answerer, question, want):
    a = answerer.answer(question)
    assert want in a.answer, a.answer
    assert len(a.citations) == 2

