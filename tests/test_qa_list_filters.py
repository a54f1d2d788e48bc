"""Place filters over the list store on texts written for them (rag/qa/listops.py holding_place,
sibling_batches): a question that names a city and no list is answered from the lists holding that
city's clusters; a question that names no batch is answered from every batch of the notice. Two
styles: a provincial notice with numbered batches, and a news report with the batches in running
text."""
import pytest

from rag.core.chinese import fold
from rag.index import Index
from rag.qa.offline import OfflineAnswerer
from support_qa import articles_db, settings_for

ARTICLES = {
    "ah_notice.txt": """安徽省经济和信息化厅关于公布第一批、第二批安徽省中小企业特色产业集群名单的通知
各市经济和信息化局：
根据《安徽省中小企业特色产业集群认定管理办法》，经各市推荐、专家评审和网上公示，现将第一批、第二批安徽省中小企业特色产业集群名单予以公布。
第一批（4个）：
1.芜湖市繁昌区新型建材产业集群
2.宁国市汽车零部件产业集群
3.桐城市塑料包装产业集群
4.天长市仪器仪表产业集群
第二批（3个）：
1.无为市电线电缆产业集群
2.界首市再生金属产业集群
3.广德市电子电路产业集群
安徽省经济和信息化厅
2024年6月18日
""",
    "sx_news.txt": """山西两批县域特色产业集群名单出炉
发布时间：2024-09-12  来源：山西经济日报
记者从省工业和信息化厅获悉，山西省第二批县域特色产业集群名单日前公布，共4个：平遥县牛肉制品产业集群、清徐县老陈醋产业集群、祁县玻璃器皿产业集群、阳城县陶瓷产业集群。
此前公布的第一批县域特色产业集群共3个，分别为孝义市铝镁精深加工产业集群、介休市焦化产业集群、太谷区设施蔬菜产业集群。
省工业和信息化厅表示，将对入选集群给予技术改造、融资对接等方面支持。
""",
}


@pytest.fixture(scope="module")
def answerer():
    with Index.open(settings_for(articles_db("list-filters", ARTICLES)), create=False) as index:
        yield OfflineAnswerer(index)


def _names(answer) -> str:
    return fold(answer.answer)


@pytest.mark.parametrize("question, inside, outside", [
    ("芜湖市有哪些特色产业集群入选？", ["繁昌", "无为"], ["宁国", "界首"]),
    ("宣城市有哪些集群在名单里？", ["宁国", "广德"], ["繁昌", "天长"]),
    ("晋中市有哪些县域特色产业集群入选？", ["平遥", "祁县", "介休", "太谷"], ["清徐", "孝义", "阳城"]),
    ("太原市有哪些集群上了名单？", ["清徐"], ["平遥", "孝义"]),
])
def test_a_place_filter_takes_every_batch_and_the_lists_that_hold_the_place(answerer, question, inside, outside):
    a = answerer.answer(question)
    assert a.found, a.answer
    assert all(w in _names(a) for w in inside), a.answer
    assert not any(w in _names(a) for w in outside), a.answer


def test_a_named_batch_still_filters_that_batch_only(answerer):
    a = answerer.answer("芜湖市有哪些集群进入了第二批安徽省中小企业特色产业集群名单？")
    assert a.found and "无为" in _names(a) and "繁昌" not in _names(a), a.answer


@pytest.mark.parametrize("question, want", [
    ("安徽第一批和第二批中小企业特色产业集群加起来共有多少个？", "7个"),
    ("山西第一、二批县域特色产业集群一共有几个？", "7个"),
    ("安徽第一、二批中小企业特色产业集群和山西第二批县域特色产业集群一共有多少个？", "11个"),
])
def test_several_named_batches_are_summed(answerer, question, want):
    a = answerer.answer(question)
    assert a.answer == want, a.answer
    assert len({c.doc_id for c in a.citations}) == (2 if "山西" in question and "安徽" in question else 1)


def test_members_of_two_named_batches_are_all_listed_and_第一_is_no_position(answerer):
    a = answerer.answer("山西第一、二批县域特色产业集群有哪些？")
    for w in ("平遥", "清徐", "祁县", "阳城", "孝义", "介休", "太谷"):
        assert w in _names(a), a.answer
