"""The cross-document cluster table: one row per cluster across articles."""
from __future__ import annotations

from pathlib import Path

import pytest

from rag.extract.offline import OfflineExtractor
from rag.extract.table import build_cluster_table, cluster_key, filter_rows
from rag.prepare import prepare
from rag.schemas import ClusterMention, Evidence

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "eval" / "extra" / "docs").iterdir())


def record(doc_id: str, name: str, province=None, level=None, regions=(), **fields) -> ClusterMention:
    return ClusterMention(doc_id=doc_id, name=name, province=province, level=level, regions=list(regions),
                          evidence=Evidence(text=name, start=0, end=len(name)), **fields)


@pytest.fixture(scope="module")
def corpus_records():
    engine = OfflineExtractor()
    return [r for path in DOCS for r in engine.extract(prepare(path))]


@pytest.mark.parametrize("a, b", [
    ("長沙市工程機械產業集群", "长沙工程机械集群"),
    ("鄭州鞏義市鋁基新材料戰(zhàn)略性新興產(chǎn)業(yè)集群", "郑州巩义市铝基新材料产业集群"),
    ("兰考品牌家居特色产业集群", "兰考县品牌家居产业集群"),
    ("东莞市智能移动终端集群", "東莞市智能移動終端集群"),
])
def test_keys_ignore_script_suffixes_and_head_noun(a, b):
    assert cluster_key(a) == cluster_key(b)


@pytest.mark.parametrize("a, b", [
    ("郑州高新区超硬材料战略性新兴产业集群", "河南省超硬材料产业集群"),
    ("烟台市生物医药产业集群", "临沂市生物医药产业集群"),
    ("苏州市纳米新材料集群", "苏州市先进纳米新材料集群"),
])
def test_keys_keep_different_clusters_apart(a, b):
    assert cluster_key(a) != cluster_key(b)


def test_mentions_across_documents_share_one_row(corpus_records):
    rows = build_cluster_table(corpus_records)
    assert len(rows) < len(corpus_records)
    voice = [r for r in rows if r.industry == "智能语音"]
    assert len(voice) == 1
    assert voice[0].doc_ids == ["101_national_amc_central", "106_hefei_gbk"]
    assert voice[0].level == "national" and voice[0].province == "安徽省"
    # The Big5 article (Traditional) and the markdown summary name the same Dongguan cluster.
    dongguan = [r for r in rows if r.industry == "智能移动终端"]
    assert len(dongguan) == 1 and dongguan[0].doc_ids == ["107_gba_big5", "110_gd_sc_summary"]
    assert len(dongguan[0].evidence) == 2
    assert {e.text for e in dongguan[0].evidence} == {"東莞市智能移動終端集群", "东莞市智能移动终端集群"}
    assert sum(len(r.mentions) for r in rows) == len(corpus_records)


def test_a_name_without_its_place_joins_the_one_row_that_fits():
    rows = build_cluster_table([
        record("a", "宁德市锂电新能源产业集群", province="福建省", regions=["宁德市"], level="national"),
        record("b", "锂电新能源集群", province="福建省"),
        record("c", "福建省宁德市锂电新能源产业集群", province="福建省", regions=["宁德市"]),
    ])
    assert len(rows) == 1
    assert rows[0].doc_ids == ["a", "b", "c"] and rows[0].level == "national"
    assert rows[0].name == "福建省宁德市锂电新能源产业集群"


def test_a_name_without_place_that_fits_several_rows_stays_apart():
    rows = build_cluster_table([
        record("a", "烟台市生物医药产业集群", province="山东省"),
        record("a", "临沂市生物医药产业集群", province="山东省"),
        record("b", "生物医药产业集群", province="山东省"),
    ])
    assert [len(r.mentions) for r in rows] == [1, 1, 1]


def test_a_bare_name_from_another_province_does_not_join():
    rows = build_cluster_table([
        record("a", "襄阳市汽车产业集群", province="湖北省"),
        record("b", "汽车产业集群", province="吉林省"),
    ])
    assert len(rows) == 2


def test_rows_filter_by_province_in_any_script(corpus_records):
    rows = build_cluster_table(corpus_records)
    henan = filter_rows(rows, "河南")
    assert henan and all(r.province == "河南省" for r in henan)
    assert filter_rows(rows, "河南省") == henan
    assert [r.name for r in filter_rows(rows, "湖南省")] == [r.name for r in filter_rows(rows, "湖南")]
    assert filter_rows(rows, None) == rows


def test_flat_row_has_the_table_columns(corpus_records):
    row = build_cluster_table(corpus_records)[0].flat()
    for column in ("name", "regions", "province", "level", "program", "industry", "recognised_by", "year", "batch",
                   "mentions", "doc_ids", "evidence"):
        assert column in row
    assert row["mentions"] == len(row["evidence"])
