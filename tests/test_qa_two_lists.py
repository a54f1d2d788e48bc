"""Two lists of one province in two documents, asked about together (rag/qa/frame.py
_share_place and the 两份名单 selector, rag/qa/strategies.py across_lists), on a notice and a news
report written for these tests."""
import pytest

from rag.core.chinese import fold
from rag.index import Index
from rag.qa.offline import OfflineAnswerer
from support_qa import articles_db, settings_for

ARTICLES = {
    "hb_notice.txt": """湖北省经济和信息化厅关于2024年度湖北省中小企业特色产业集群拟认定名单的公示
根据《湖北省中小企业特色产业集群认定管理办法》，经各地推荐、专家评审，现将2024年度湖北省中小企业特色产业集群拟认定名单（共5个）公示如下：
1.仙桃市无纺布产业集群
2.潜江市小龙虾产业集群
3.赤壁市砖茶产业集群
4.汉川市纺织服装产业集群
5.随州市专用汽车产业集群
公示时间为2024年9月2日至9月8日。
湖北省经济和信息化厅
2024年8月30日
""",
    "hb_news.txt": """湖北4个集群入选2024年度省级先进制造业集群
来源：楚天日报　2024-10-15
记者从省经信厅获悉，2024年度湖北省先进制造业集群名单日前公布，共有4个集群入选，分别是：武汉市光通信集群、襄阳市新能源汽车集群、仙桃市无纺布集群、宜昌市磷化工集群。
""",
}


@pytest.fixture(scope="module")
def answerer():
    with Index.open(settings_for(articles_db("two-lists", ARTICLES)), create=False) as index:
        yield OfflineAnswerer(index)


def test_a_province_written_once_before_two_lists_is_both_lists(answerer):
    a = answerer.answer("哪个集群同时出现在湖北的中小企业特色产业集群拟认定名单和省级先进制造业集群名单上？")
    assert "仙桃" in fold(a.answer) and "潜江" not in fold(a.answer), a.answer
    assert {c.doc_id for c in a.citations} >= {"hb_notice"}


def test_two_lists_described_once_are_compared(answerer):
    a = answerer.answer("湖北这两份2024年名单，哪一份更长？多几个？")
    assert "中小企业特色产业集群" in a.answer and "多1个" in a.answer, a.answer


def test_a_place_on_both_of_two_lists_is_answered_with_the_place(answerer):
    a = answerer.answer("哪个县级市在湖北的两份集群名单中都出现了？")
    assert a.answer == "仙桃市", a.answer
