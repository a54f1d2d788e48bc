"""Cluster-name matching tolerance (eval/README.md section 6) and one-to-one matching."""
from types import SimpleNamespace

import pytest

from rag.evaluate.match import EXACT, HEAD, NONE, PLACE, match_clusters, name_match, region_set, split_places


@pytest.mark.parametrize("gold, pred, places, expected", [
    # Traditional script and pinyin readings fold to the Simplified name
    ("郑州巩义市铝基新材料战略性新兴产业集群", "鄭州鞏義市鋁基新材料戰(zhàn)略性新興產(chǎn)業(yè)集群", [], EXACT),
    # punctuation and whitespace are ignored
    ("甲市、乙市新能源汽车产业集群", "甲市 乙市新能源汽车产业集群", [], EXACT),
    ("许昌市、平顶山市新型电力(特高压输变电)装备产业集群", "许昌市平顶山市新型电力（特高压输变电）装备产业集群", [], EXACT),
    # head-noun variants 产业集群 / 集群 / 特色产业集群
    ("兰考品牌家居特色产业集群", "兰考品牌家居产业集群", [], HEAD),
    ("长沙市工程机械集群", "长沙市工程机械产业集群", [], HEAD),
    # a missing leading place prefix, recognised by its admin suffix or the records' regions
    ("聊城市钢铁产业集群", "钢铁产业集群", [], PLACE),
    ("郑州巩义市铝基新材料战略性新兴产业集群", "巩义市铝基新材料战略性新兴产业集群", ["郑州市", "巩义市"], PLACE),
    ("浙江省温州市瑞安市汽车关键零部件产业集群", "瑞安市汽车关键零部件产业集群", ["温州市", "瑞安市"], PLACE),
    ("兰考品牌家居特色产业集群", "品牌家居集群", ["兰考县"], PLACE),
    # the same place written two ways
    ("郑州市电子信息产业集群", "鄭州电子信息产业集群", [], PLACE),
    ("郑州市电子信息产业集群", "河南省郑州电子信息产业集群", ["郑州市"], PLACE),
    # a multi-city abbreviation is a place prefix of its listed cities
    ("长株潭先进储能材料集群", "先进储能材料集群", ["长沙市", "株洲市", "湘潭市"], PLACE),
    ("苏锡通高端纺织集群", "高端纺织产业集群", ["苏州市", "无锡市", "南通市"], PLACE),
])
def test_tolerated_variants_match(gold, pred, places, expected):
    assert name_match(gold, pred, places) == expected


@pytest.mark.parametrize("gold, pred, places", [
    ("郑州高新区超硬材料战略性新兴产业集群", "河南省超硬材料产业集群", ["郑州市", "郑州高新区", "河南省"]),
    ("郑州高新区超硬材料产业集群", "河南省超硬材料产业集群", ["郑州市", "郑州高新区", "河南省"]),
    ("郑州市电子信息产业集群", "洛阳市电子信息产业集群", ["郑州市", "洛阳市"]),
    ("广州市汽车产业集群", "郑州市汽车产业集群", []),
    # a shorter industry is a different cluster, not a missing place
    ("铝基新材料产业集群", "新材料产业集群", []),
    ("郑州巩义市铝基新材料战略性新兴产业集群", "郑州登封市新材料战略性新兴产业集群", ["郑州市", "巩义市", "登封市"]),
    ("先进有色金属材料产业集群", "有色金属材料产业集群", ["山东省"]),
    # other head nouns are not tolerated: 先进制造业集群 is not 产业集群
    ("洛阳市现代农机装备制造业集群", "洛阳市现代农机装备产业集群", ["洛阳市"]),
    ("长株潭先进储能材料集群", "岳阳市先进储能材料集群", ["长沙市", "株洲市", "湘潭市", "岳阳市"]),
])
def test_different_clusters_do_not_match(gold, pred, places):
    assert name_match(gold, pred, places) == NONE


def test_split_places():
    assert split_places("郑州巩义市", ["郑州市", "巩义市"]) == ["郑州", "巩义"]
    assert split_places("浙江省温州市", []) == ["浙江", "温州"]
    assert split_places("郑州巩义市铝基", ["郑州市", "巩义市"]) is None


def test_regions_compare_without_admin_suffixes():
    assert region_set(["郑州市", "金水区"]) == region_set(["郑州", "金水"])
    assert region_set(["鄭州市"]) == region_set(["郑州"])
    assert region_set(["郑州市"]) != region_set(["郑州市", "巩义市"])


def _c(name, regions=(), province=None):
    return SimpleNamespace(name=name, regions=list(regions), province=province)


def test_matching_is_one_to_one_and_prefers_exact():
    gold = [_c("聊城市钢铁产业集群", ["聊城市"]), _c("钢铁产业集群")]
    preds = [_c("钢铁产业集群"), _c("聊城市钢铁产业集群", ["聊城市"])]
    pairs = match_clusters(gold, preds)
    assert [(p.gold, p.pred, p.quality) for p in pairs] == [(0, 1, EXACT), (1, 0, EXACT)]


def test_one_prediction_matches_one_gold_only():
    gold = [_c("甲市钢铁产业集群"), _c("乙市钢铁产业集群")]
    preds = [_c("钢铁产业集群")]
    pairs = match_clusters(gold, preds)
    assert len(pairs) == 1 and pairs[0].quality == PLACE


def test_a_district_is_not_its_city():
    assert name_match("郑州高新区超硬材料产业集群", "郑州市超硬材料产业集群", ["郑州市", "郑州高新区"]) == NONE
