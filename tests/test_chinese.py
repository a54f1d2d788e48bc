from rag.core.chinese import fold, fold_width, pinyin_spans, t2s_same_length


def _strip_readings(text: str) -> str:
    out, last = [], 0
    for s, e in pinyin_spans(text):
        out.append(text[last:s])
        last = e
    return "".join(out) + text[last:]


def test_pinyin_readings_removed_on_real_seed_lines(seed_paths):
    line = next(ln for ln in seed_paths[0].read_text("utf-8").splitlines() if "發(fā)布" in ln)
    cleaned = _strip_readings(line)
    assert "發布" in cleaned and "戰略" in cleaned and "(fā)" not in cleaned and "(zhàn)" not in cleaned
    assert fold(line).startswith("培育“2+2+5”梯次格局 郑州发布首批市级战略性新兴产业集群")


def test_real_parentheses_survive():
    for text in ["(記者 王延輝)", "河南省超硬材料產業集群(鄭州市、許昌市、南陽市)", "人工智能(AI)產業", "新型电力(特高压输变电)装备",
                 "（2023~2025年）", "面积(km)"]:
        assert list(pinyin_spans(text)) == [], text


def test_neutral_tone_and_fullwidth_parentheses_readings():
    assert _strip_readings("我們(men)的產業（chǎn）") == "我們的產業"


def test_t2s_keeps_length_and_folds_width():
    text = "鄭州鞏義市鋁基新材料戰略性新興產業集群"
    out = t2s_same_length(text)
    assert out == "郑州巩义市铝基新材料战略性新兴产业集群" and len(out) == len(text)
    assert fold_width("２０２３年ＡＢｃ，") == "2023年ABc，"


def test_fold_collapses_whitespace():
    assert fold("  鄭州\u3000市   集群 ") == "郑州 市 集群"
