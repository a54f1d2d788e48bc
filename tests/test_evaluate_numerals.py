"""Chinese numerals: the scorer accepts 七 for 7."""
import pytest

from rag.evaluate.numerals import arabicise, chinese_to_int


@pytest.mark.parametrize("text, value", [
    ("七", 7), ("十", 10), ("十三", 13), ("二十", 20), ("四十五", 45), ("两", 2), ("一百零五", 105),
    ("三千零五", 3005), ("一千二百", 1200), ("二〇二三", 2023), ("九十九", 99),
])
def test_chinese_to_int(text, value):
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("bad", ["", "甲", "十十", "百千"])
def test_malformed_numerals_raise(bad):
    with pytest.raises(ValueError):
        chinese_to_int(bad)


def test_arabicise_keeps_magnitude_words_and_bad_runs():
    assert arabicise("共有十三个集群") == "共有13个集群"
    assert arabicise("规模达十九万亿元") == "规模达19万亿元"
    assert arabicise("二〇二三年") == "2023年"
    assert arabicise("十十") == "十十"
