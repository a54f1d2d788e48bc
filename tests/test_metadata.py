import pytest

from rag.metadata import find_date


@pytest.mark.parametrize("text,expected", [
    ("标题\n时间:2023-12-31\n正文", "2023-12-31"),
    ("2024年2月29日,河南省工业和信息化厅公布", "2024-02-29"),
    ("标题\n2025-07-12 10:36:58\n0", "2025-07-12T10:36:58"),
    ("来源：某报 2024/3/5 9:05", "2024-03-05T09:05:00"),
    ("没有日期的文字", None),
])
def test_dates(text, expected):
    assert find_date(text) == expected


def test_seed_metadata(seed_docs):
    doc = seed_docs["000_1a62025a2bc7f643"].doc
    assert doc.date == "2023-12-31" and doc.outlet == "中国产业经济信息网"
    assert doc.title.endswith("郑州发布首批市级战略性新兴产业集群")
    assert seed_docs["002_b967bf1f7fac3d42"].doc.title == "全国公布首批66个战略性新兴产业集群名单,山东入选数量居首"
    assert seed_docs["003_8acf218629365fc6"].doc.outlet == "聊城日报"
