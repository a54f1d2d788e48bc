"""Quantities, dates and Chinese numerals in text (rag/core/numbers.py)."""
from __future__ import annotations

import pytest

from rag.core.numbers import chinese_to_number, find_dates, find_numbers, same_number


@pytest.mark.parametrize("text, value", [
    ("七", 7), ("十三", 13), ("两", 2), ("四十五", 45), ("一百零五", 105), ("三万", 30_000),
    ("十九万亿", 19e12), ("千亿", 1e11), ("一亿五千万", 1.5e8), ("二〇二三", 2023),
])
def test_chinese_numerals(text, value):
    assert chinese_to_number(text) == value


@pytest.mark.parametrize("text", ["", "七八", "十十", "万华"])  # 七八 is "7 or 8"
def test_malformed_numerals_are_not_numbers(text):
    assert chinese_to_number(text) is None


def test_quantities_keep_their_measure_words():
    text = "产值达19万亿元，培育2200余家企业，占比70%，占2/3，高于全省9.6个百分点，新材料领域7个、两个集群，可年产3万辆"
    got = [(q.text, q.value, q.unit) for q in find_numbers(text)]
    assert got == [
        ("19万亿元", 19e12, "万亿元"), ("2200余家", 2200, "家"), ("70%", 70, "%"), ("2/3", 2 / 3, ""),
        ("9.6个百分点", 9.6, "个百分点"), ("7个", 7, "个"), ("两个", 2, "个"), ("3万辆", 30_000, "万辆"),
    ]


def test_written_fractions_and_percentages():
    assert [(q.value, q.is_percent) for q in find_numbers("占三分之二，增长百分之七十")] == [(2 / 3, False), (70, True)]


def test_dates_are_not_quantities():
    text = "2024年2月29日公示，12月26日发布，时间:2023-12-31，2022年产值1000亿元"
    assert [q.text for q in find_numbers(text)] == ["1000亿元"]
    dates = find_dates(text)
    assert [(d.year, d.month, d.day) for d in dates] == [(2024, 2, 29), (None, 12, 26), (2023, 12, 31), (2022, None, None)]
    assert dates[1].display(default_year=2023) == "2023年12月26日"


def test_a_lone_yi_before_pi_is_a_word():
    assert find_numbers("培育了一批龙头企业") == []


def test_same_number_across_scripts():
    assert same_number("13", "十三") and same_number("7", "七") and not same_number("7", "十七")
