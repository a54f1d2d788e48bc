"""Typed span recognisers (rag/core/spans.py) and periods (rag/core/numbers.py), each on text
written in two styles: an official notice and a news report."""
from rag.core.numbers import find_date_ranges, find_numbers
from rag.core.spans import find_bodies, find_docnos, find_offices, find_ordinals, find_phones, find_titles

NOTICE = ("根据《江西省特色产业集群认定办法》（赣工信中小字〔2022〕58号）有关规定，经专家评审，现将2024年度"
          "拟认定名单予以公示。公示期为2024年9月20日至9月26日。如有异议，请与省工业和信息化厅中小企业处联系，"
          "电话：0791-86246301。江西省工业和信息化厅 2024年9月20日 赣工信中小字[2024]77号")
NEWS = ("记者从黑龙江省经济和信息化厅获悉，依据黑经信发（2023）12号文件，哈尔滨市3个集群入选，公示时间为"
        "10月8日—12日，共5个工作日。市工信局产业集群发展处负责人表示，集群去年产值达2,350.6亿元，同比增长8.5%，"
        "规上企业1,204家。咨询电话13904510000。")


def test_document_numbers_in_every_bracket_style_without_the_words_before_them():
    assert [s.text for s in find_docnos(NOTICE)] == ["赣工信中小字〔2022〕58号", "赣工信中小字[2024]77号"]
    assert [s.text for s in find_docnos(NEWS)] == ["黑经信发（2023）12号"]
    assert [s.text for s in find_docnos("市政府印发吉政办发【2021】9号和吉政发﹝2020﹞3号")] == ["吉政办发【2021】9号", "吉政发﹝2020﹞3号"]


def test_titles_and_periods():
    assert [s.value for s in find_titles(NOTICE)] == ["江西省特色产业集群认定办法"]
    notice_period = find_date_ranges(NOTICE)[0]
    assert (notice_period.last.month, notice_period.last.day, notice_period.last.year) == (9, 26, 2024)
    news_period = find_date_ranges(NEWS)[0]
    assert (news_period.first.month, news_period.first.day, news_period.last.month, news_period.last.day) == (10, 8, 10, 12)
    assert any(n.text == "5个工作日" and n.value == 5 for n in find_numbers(NEWS))


def test_bodies_with_their_place_and_level():
    bodies = [(s.text, s.value) for s in find_bodies(NOTICE + NEWS)]
    assert ("江西省工业和信息化厅", "provincial") in bodies
    assert ("省工业和信息化厅", "provincial") in bodies
    assert ("黑龙江省经济和信息化厅", "provincial") in bodies
    assert ("市工信局", "municipal") in bodies
    assert [(s.text, s.value) for s in find_bodies("上海市经济和信息化委员会、工业和信息化部与大连市发展和改革委员会")] == [
        ("上海市经济和信息化委员会", "provincial"), ("工业和信息化部", "national"), ("大连市发展和改革委员会", "municipal")]


def test_offices_and_phones():
    assert [s.text for s in find_offices(NOTICE)] == ["中小企业处"]
    assert [s.text for s in find_offices(NEWS)] == ["产业集群发展处"]
    assert [s.text for s in find_phones(NOTICE)] == ["0791-86246301"]
    assert [s.text for s in find_phones(NEWS)] == ["13904510000"]


def test_numbers_as_written_keep_separators_and_scale():
    values = {n.text: (n.value, n.unit) for n in find_numbers(NEWS)}
    assert values["2,350.6亿元"] == (2350.6e8, "亿元")
    assert values["8.5%"] == (8.5, "%")
    assert values["1,204家"] == (1204, "家")


def test_ordinals_in_questions():
    got = [(s.text, s.value) for s in find_ordinals("名单里排第三的是哪个？第5个呢？排在最后的是哪个？排名第一的呢")]
    assert got == [("排第三", 3), ("第5个", 5), ("排在最后", -1), ("排名第一", 1)]
    assert [s.value for s in find_ordinals("列第十二位的集群；最后一个集群")] == [12, -1]


def test_an_office_joined_by_与_is_one_office_and_a_conjunction_after_a_verb_is_not_part_of_it():
    assert [o.text for o in find_offices("书面意见请反馈至我厅融资与服务处，联系电话：020-1234567")] == ["融资与服务处"]
    assert [o.text for o in find_offices("如有疑问，请与中小企业处联系。")] == ["中小企业处"]
    assert [o.text for o in find_offices("可和产业集群发展处沟通")] == ["产业集群发展处"]


def test_a_government_general_office_is_one_body():
    assert [b.text for b in find_bodies("佛山市南海区人民政府办公室\n2024年3月20日")] == ["佛山市南海区人民政府办公室"]
    assert [b.text for b in find_bodies("杭州市人民政府办公厅印发")] == ["杭州市人民政府办公厅"]
