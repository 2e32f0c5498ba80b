"""拼音 for searching and sorting."""

from __future__ import annotations

import pytest

from xiaotu.pinyin import full_pinyin, initials, name_initials, name_pinyin


def test_titles_are_read_as_words():
    assert full_pinyin("西游记") == "xiyouji"
    assert initials("西游记") == "xyj"


@pytest.mark.parametrize(
    ("name", "pinyin", "letters"),
    [
        ("张三", "zhangsan", "zs"),
        ("单田芳", "shantianfang", "stf"),
        ("曾国藩", "zengguofan", "zgf"),
        ("欧阳娜娜", "ouyangnana", "oynn"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("J.K. 罗琳", "j.k.luolin", "jll"),
        ("儒勒·凡尔纳", "ruleifanerna", "rlfen"),  # 勒 read lēi: pypinyin knows no better, the dot is dropped
        ("", "", ""),
    ],
)
def test_names_are_read_as_names(name, pinyin, letters):
    assert name_pinyin(name) == pinyin
    assert name_initials(name) == letters
