from rag.core.chinese import fold
from rag.core.types import Document
from rag.normalise import normalise, repair_mojibake


def _doc(text: str) -> Document:
    return Document(doc_id="t", path="t.txt", original=text, encoding="utf-8", sha256="0")


def test_seed_text_is_simplified_without_readings(seed_docs):
    text = seed_docs["000_1a62025a2bc7f643"].text
    assert "郑州巩义市铝基新材料战略性新兴产业集群" in text
    assert "(zhàn)" not in text and "戰" not in text
    assert "(记者 王延辉)" in text  # a real parenthesis stays


def test_every_normalised_line_maps_to_original_that_folds_to_it(seed_docs):
    import re

    for ndoc in seed_docs.values():
        for m in re.finditer(r"[^\n]+", ndoc.text):
            start, end = ndoc.span(m.start(), m.end())
            assert fold(ndoc.doc.original[start:end]) == fold(m.group()), (ndoc.doc.doc_id, m.group())


def test_every_character_maps_inside_the_original(seed_docs):
    for ndoc in seed_docs.values():
        n = len(ndoc.text)
        for i in range(0, n, 7):
            s, e = ndoc.span(i, i + 1)
            assert 0 <= s < e <= len(ndoc.doc.original)


def test_boilerplate_dropped_body_kept(seed_docs):
    text = seed_docs["000_1a62025a2bc7f643"].text
    assert "版权" not in text and "ICP备" not in text and "热点新闻" not in text
    assert "形成“2+2+5”的梯次培育格局" in text
    listing = seed_docs["001_e95a1a6b2c1b2f2b"].text
    assert "标签阅读" not in listing and "熊猫贵金属" not in listing
    assert "新材料领域7个" in listing


def test_menu_lines_dropped_headline_kept(seed_docs):
    text = seed_docs["003_8acf218629365fc6"].text
    assert not text.startswith("锐评") and "您的位置" not in text
    assert text.splitlines()[0] == "我市加快培育形成新质生产力"


def test_fullwidth_digits_and_whitespace():
    ndoc = normalise(_doc("２０２３年　鄭州   市\n\n\n  第二行  "))
    assert ndoc.text == "2023年 郑州 市\n第二行"
    s, e = ndoc.span(0, 4)
    assert ndoc.doc.original[s:e] == "２０２３"


def test_mojibake_repaired_when_recoverable():
    broken = "郑州市先进制造业集群".encode("utf-8").decode("latin-1")
    assert repair_mojibake(broken) == "郑州市先进制造业集群"
    ndoc = normalise(_doc("标题\n" + broken + "名单公布。\n"))
    assert "郑州市先进制造业集群名单公布。" in ndoc.text
    i = ndoc.text.index("郑州")
    s, e = ndoc.span(i, i + 2)
    assert ndoc.doc.original[s:e].startswith(broken[:3])  # a repaired line maps to its whole original line


def test_unrecoverable_mojibake_left_alone(seed_docs):
    assert "19个?。" in seed_docs["001_e95a1a6b2c1b2f2b"].text
