"""Scoring an answer against required items with accepted variants; citation support; retrieval."""
from rag.evaluate.answers import citation_supported, citation_valid, holds_quote, missing_items, variant_in


def test_every_required_item_needs_one_variant():
    items = [["巩义市铝基新材料", "铝基新材料"], ["登封市新材料", "登封"]]
    assert missing_items("有两个：巩义铝基新材料集群和登封市新材料集群。", items) == []
    assert missing_items("只有铝基新材料集群。", items) == [["登封市新材料", "登封"]]


def test_answers_are_folded_from_traditional_script():
    assert missing_items("由鄭州市發展和改革委員會組織", [["郑州市发展和改革委员会"]]) == []


def test_chinese_numerals_in_the_answer_match_arabic_variants():
    assert variant_in("7", "共有七个集群")
    assert variant_in("13", "新一代信息技术领域集群十三个")
    assert variant_in("45", "全国共四十五个国家级集群")
    assert variant_in("2", "两个产业集群")


def test_arabic_answers_match_chinese_numeral_variants():
    assert variant_in("十三个", "共13个")
    assert variant_in("五个", "首批5个")


def test_a_number_is_not_found_inside_a_longer_number():
    assert not variant_in("5", "2025年发布")
    assert not variant_in("5", "共15个")
    assert not variant_in("52", "52.5亿元")
    assert variant_in("52.5", "产值52.5亿元")
    assert variant_in("19万亿", "规模约19万亿元")


def test_whitespace_and_width_are_ignored():
    assert variant_in("12月26日", "１２月 26日")


def test_citation_validity_is_a_verbatim_span():
    originals = {"d": "甲市钢铁产业集群入选名单。"}
    assert citation_valid("d", 0, 8, "甲市钢铁产业集群", originals)
    assert not citation_valid("d", 1, 9, "甲市钢铁产业集群", originals)
    assert not citation_valid("other", 0, 8, "甲市钢铁产业集群", originals)
    assert not citation_valid("d", 0, 0, "", originals)


ORIGINAL = "2023年甲市发展和改革委员会组织开展了首批市级产业集群认定工作。甲市钢铁产业集群入选。据甲市发改委介绍，乙市生物医药产业快速发展。"
QUOTES = [("d", "2023年甲市发展和改革委员会组织开展了首批市级产业集群认定工作")]


def _supported(cited: str, doc_id: str = "d", items=(("无关",),), original: str = ORIGINAL) -> bool:
    start = original.find(cited)
    return citation_supported(doc_id, start, start + len(cited), cited, original, ["d"], QUOTES, items)


def test_citation_overlapping_the_gold_evidence_is_supported():
    assert _supported("甲市发展和改革委员会组织开展了首批")
    # a span that starts inside the evidence sentence and runs past it still overlaps it
    assert _supported("认定工作。甲市钢铁产业集群入选。")


def test_citation_holding_an_answer_variant_is_supported():
    assert _supported("据甲市发改委介绍", items=[["甲市发展和改革委员会", "发改委"]])


def test_unrelated_citations_are_not_supported():
    assert not _supported("甲市钢铁产业集群入选")
    assert not _supported("乙市生物医药产业快速发展", items=[["甲市发展和改革委员会", "发改委"]])
    # the same words in a document the question is not about
    assert not _supported("组织开展了首批市级产业集群认定工作", doc_id="e")


def test_support_falls_back_to_shared_text_when_the_quote_is_not_verbatim():
    # e.g. an HTML page: the gold quote was copied from the source, the citation from the rendered text
    rendered = "2023年 甲市发展和改革委员会组织开展了首批市级产业集群认定工作"
    assert citation_supported("d", 6, 16, rendered[6:16], rendered, ["d"], QUOTES, [["无关"]])


def test_a_chunk_holds_most_of_a_quote():
    quote = "正式发布郑州市首批5个市级战略性新兴产业集群"
    assert holds_quote("……活动举行,正式发布鄭州市首批5個市級戰略性新興產業集群。它們是", quote)
    assert holds_quote("正式发布郑州市首批5个市级战略性", quote)  # 15 of 22 characters
    assert not holds_quote("首批5个市级", quote)


def test_answer_contract_limits_length_to_three_times_the_gold_or_forty_chars():
    from rag.evaluate.answers import answer_limit, too_long

    items = [["2"]]
    assert answer_limit(items) == 40  # a short fact still gets 40 characters
    assert not too_long("共2家", items)
    padded = "2家（原文：经专家评审，拟确定甲市智能装备产业集群和乙县五金制品产业集群共2家集群为本年度培育对象，现予公示）"
    assert too_long(padded, items)
    # a list of long names may be long: three times the names written out
    names = [["甲市智能装备产业集群"], ["乙县五金制品产业集群"], ["丙区生物医药产业集群"]]
    assert answer_limit(names) == 3 * (10 * 3 + 2)
    assert not too_long("甲市智能装备产业集群、乙县五金制品产业集群、丙区生物医药产业集群", names)


def test_a_padded_answer_is_scored_wrong(tmp_path):
    from rag.evaluate.gold import GoldQuestion
    from rag.evaluate.metrics import score_question
    from rag.schemas import Answer

    q = GoldQuestion(id="q1", question="拟认定几家？", type="count", answerable=True, answers=[["2"]],
                     doc_ids=["d"], evidence=[])
    short = score_question(q, Answer(question=q.question, answer="2家", engine="offline"), {})
    padded = score_question(q, Answer(question=q.question, answer="2家（原文：" + "经专家评审拟确定" * 6 + "）",
                                      engine="offline"), {})
    assert short["correct"] and not short["too_long"]
    assert not padded["correct"] and padded["too_long"]
