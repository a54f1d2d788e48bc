"""Answer spans inside sentences and sentence scoring (rag/qa/spans.py, rag/qa/evidence.py),
on sentences written for these tests."""
from __future__ import annotations

from rag.qa.evidence import Scorer, canonical, clauses, content_runs
from rag.qa.spans import attraction, embedded_in_question, find_orgs, find_persons, frame, frame_support, split_items


def test_organisations_keep_their_place():
    text = "11月6日，江西省工业和信息化厅发布通知；2023年郑州市发展和改革委员会组织开展认定；工信部、国家发改委、国资委印发通知"
    assert [name for _, _, name in find_orgs(text)] == [
        "江西省工业和信息化厅", "郑州市发展和改革委员会", "工信部", "国家发改委", "国资委"]


def test_a_body_written_after_its_city():
    assert [n for _, _, n in find_orgs("3月4日，西安市工业和信息化局举行新闻发布会")] == ["西安市工业和信息化局"]
    assert [n for _, _, n in find_orgs("有关部门将加强指导")] == []


def test_people_named_with_their_title():
    text = "市工业和信息化局局长王明表示，将加快建设；市发展改革委党组书记、主任高峰介绍情况"
    assert [n for _, _, n in find_persons(text)] == ["王明", "高峰"]


def test_list_members():
    text = "华润微电子、SK海力士等龙头企业"
    assert [text[s:e] for s, e in split_items(text)] == ["华润微电子", "SK海力士"]
    text = "金帝股份、东阿钢球、泰和新材4家企业"
    assert [text[s:e] for s, e in split_items(text)] == ["金帝股份", "东阿钢球", "泰和新材"]
    text = "物联网和集成电路"
    assert [text[s:e] for s, e in split_items(text)] == ["物联网", "集成电路"]


def test_the_number_next_to_the_question_words_wins():
    text = "将与全市已有的2个国家级集群、3个省级集群协同发展"
    fr = frame("全市已有几个国家级集群")
    two, three = text.index("2个"), text.index("3个")
    assert attraction(text, two, two + 2, fr) > attraction(text, three, three + 2, fr)


def test_frame_support_needs_the_words_next_to_the_question_word():
    assert not frame_support("物联网产业集群集聚企业3000余家", frame("物联网产业集群的年营业收入是多少"))
    assert frame_support("营业收入同比增长12.3%", frame("营业收入同比增长多少"))


def test_a_number_inside_a_phrase_the_question_writes_is_no_answer():
    text = "公布第一批66个国家级战略性新兴产业集群名单"
    pos = text.index("66")
    assert embedded_in_question(text, pos, pos + 3, "合肥有几个集群入选第一批国家级战略性新兴产业集群名单")
    assert not embedded_in_question(text, pos, pos + 3, "第一批名单有多少个集群")


def test_scoring_prefers_the_sentence_with_the_rare_words():
    pool = ["江西省8个集群入选2024年度名单。", "江西省集群发展良好。", "福建省4个集群入选名单。"]
    scorer = Scorer(content_runs("江西省2024年度入选名单的集群有几个"), pool)
    scores = [scorer.coverage(t) for t in pool]
    assert scores[0] > scores[1] and scores[0] > scores[2]
    assert scorer.coverage("完全无关的句子") == 0


def test_variants_are_compared_in_one_form():
    assert canonical("第一批名单由国家发展改革委公布，两个集群营业收入") == "首批名单由国家发改委公布，2个集群营收"


def test_clauses():
    text = "数据显示，8个集群营收1.2万亿元；同比增长8.5%。"
    assert [text[s:e] for s, e in clauses(text)] == ["数据显示", "8个集群营收1.2万亿元", "同比增长8.5%"]
