"""Plans and reports that name clusters already recognised next to clusters still to be built
(rag/qa/strategies.py of_level, _named_as_target), on two texts written for these tests: a city's
government work report told as news, and a provincial action plan."""
import pytest

from rag.core.chinese import fold
from rag.index import Index
from rag.qa.offline import OfflineAnswerer
from support_qa import articles_db, settings_for

ARTICLES = {
    "report_news.txt": """政府工作报告：今年再培育两个百亿级产业集群
2025-01-20　来源：赣南日报
本报讯 1月19日，赣州市第六届人民代表大会第五次会议开幕。报告回顾，2024年赣州市稀土新材料及应用产业集群入选工业和信息化部先进制造业集群名单，成为全市首个国家级集群；南康区家具产业集群被认定为省级中小企业特色产业集群。
报告提出，2025年将支持信丰县建设百亿级电子信息产业集群，力争到2027年形成新能源汽车、现代家居2个千亿级产业集群。
""",
    "plan_notice.txt": """甘肃省工业和信息化厅关于印发《甘肃省先进制造业集群培育行动方案（2025—2027年）》的通知
各市州工业和信息化局：
现将《甘肃省先进制造业集群培育行动方案（2025—2027年）》印发给你们，请认真抓好落实。
一、发展基础
截至2024年底，兰州市石油化工产业集群已入选省级先进制造业集群；天水市电工电器产业集群入选工业和信息化部2024年度中小企业特色产业集群名单。
二、重点任务
支持金昌市建设千亿级有色金属新材料产业集群，推动酒泉市打造新能源装备产业集群。
""",
}


@pytest.fixture(scope="module")
def answerer():
    with Index.open(settings_for(articles_db("plans", ARTICLES)), create=False) as index:
        yield OfflineAnswerer(index)


@pytest.mark.parametrize("question, doc, want, not_want", [
    ("赣州的报告里哪个集群已经成为国家级集群？", "report_news", "稀土新材料", "家具"),
    ("甘肃这份方案里哪个集群已是国家级的？", "plan_notice", "天水", "兰州"),
])
def test_clusters_of_the_level_asked_come_from_the_article(answerer, question, doc, want, not_want):
    a = answerer.answer(question, doc_ids=[doc])
    assert a.found and want in fold(a.answer) and not_want not in fold(a.answer), a.answer


@pytest.mark.parametrize("question, doc", [
    ("信丰县电子信息产业集群已经入选省级集群名单了吗？", "report_news"),
    ("金昌市有色金属新材料产业集群已是认定的先进制造业集群吗？", "plan_notice"),
])
def test_a_cluster_named_only_as_a_target_is_not_on_a_list(answerer, question, doc):
    a = answerer.answer(question)
    assert a.found and a.answer.startswith("否"), a.answer
    assert a.citations[0].doc_id == doc
