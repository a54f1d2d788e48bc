"""rag/qa/tables.py: tables read from rendered HTML rows and Markdown, cells found by the row a
question names and the column of the measure it asks for."""
from rag.load import render_html
from rag.qa.tables import measure_column, number, read_tables, row_of

HTML = """<table><tr><th>序号</th><th>集群名称</th><th>所在市</th><th>产值（亿元）</th><th>增长（%）</th></tr>
<tr><td>1</td><td>株洲市轨道交通装备产业集群</td><td>株洲市</td><td>1,520.4</td><td>8.1</td></tr>
<tr><td>2</td><td>湘潭市先进钢铁材料产业集群</td><td>湘潭市</td><td>903</td><td>12.6</td></tr>
<tr><td>3</td><td>岳阳市石油化工产业集群</td><td>岳阳市</td><td>1,102</td><td>-2.4</td></tr></table>"""

MARKDOWN = """各集群情况如下：
| 集群 | 核心区 | 规上企业（家） | 营业收入（亿元） |
|---|---|---|---|
| 光伏产业集群 | 上饶经开区 | 88 | 760 |
| 锂电新能源产业集群 | 宜春经开区 | 131 | 1,210 |
| 有色金属产业集群 | 鹰潭高新区 | 96 | 2,050 |
"""


def test_rendered_html_rows_become_a_table_with_its_header():
    text, _ = render_html(HTML)
    [t] = read_tables(text)
    assert t.header[1] == "集群名称" and len(t.rows) == 3
    assert t.rows[0][1] == "株洲市轨道交通装备产业集群" and t.unit(3) == "亿元" and t.unit(4) == "%"
    assert text[t.spans[1][0]:t.spans[1][1]].startswith("2 | 湘潭市")


def test_a_row_is_found_by_the_cluster_the_question_names_with_or_without_its_place():
    text, _ = render_html(HTML)
    [t] = read_tables(text)
    assert row_of(t, "湘潭市先进钢铁材料集群的产值是多少") == 1
    assert row_of(t, "石油化工产业集群去年增长了多少") == 2
    assert row_of(t, "长沙市工程机械集群产值多少") is None


def test_the_measure_column_follows_the_question_and_numbers_parse():
    [t] = read_tables(MARKDOWN)
    assert measure_column(t, "quantity", "光伏产业集群有多少家规上企业") == 2
    assert measure_column(t, "amount", "锂电新能源产业集群营业收入多少") == 3
    assert measure_column(t, "place", "有色金属产业集群的核心区在哪") == 1
    assert [number(r[3]) for r in t.rows] == [760.0, 1210.0, 2050.0]
    assert number("-2.4") == -2.4 and number("约500") is None
