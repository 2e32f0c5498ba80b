"""中图法 notation: what vendors write is cleaned, and only well-formed class numbers pass."""

import pytest

from xiaotu.catalogue.clc import basic_letter, is_valid_class, normalize_class, split_classes


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("I247.5", "I247.5"),
        ("ｉ２４７．５", "I247.5"),  # full-width, lower case
        (" I 247.5 ", "I247.5"),
        ("I247.5。", "I247.5"),
        ("I247.5;", "I247.5"),
        ("I247.5/", "I247.5"),  # a call number with its book number missing
        ("k825.6 = 76", "K825.6=76"),
        ("K825.6＝76", "K825.6=76"),
        ("tp311.13", "TP311.13"),
        ("I2475", "I247.5"),  # the "." after the third digit put back
        ("TP3111", "TP311.1"),
        ("B—4", "B-4"),  # an em dash typed for the hyphen
        ("F127（235）", "F127(235)"),
        ("A81a", "A81a"),  # 推荐符号 stays lower case
        ("", ""),
        ("；", ""),
    ],
)
def test_normalize_class_cleans_vendor_spelling(raw, clean):
    assert normalize_class(raw) == clean


@pytest.mark.parametrize(
    "code",
    [
        "I",
        "TP",
        "DF",
        "I247.5",
        "I287.45",
        "TP311.138",
        "TP311.138.1",
        "K825.6=76",
        "B-4",
        "B0-0",
        "TP3-62",
        "I3/7",
        "K280.1/.7",
        "TU-093/-097",
        "S435.313+.1",
        "TU111.19+5.1",
        "F127(235)",
        'K28"214"',
        "G250<1>",
        "G252:F830",
        "A81a",
    ],
)
def test_valid_class_numbers(code):
    assert is_valid_class(code)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "247.5",  # no class letter
        "L12",  # L, M, W and Y are not basic classes
        "TA1",  # not one of T's subclasses
        "i247.5",  # lower case: normalise first
        "I24.75",  # the "." comes after the third digit
        "I2475",
        "I247.5/",
        "I247.5/123",  # a call number, not a class number
        "[B019.13]",  # 交替类目 of the printed table
        "{G6}",  # 停用类目
        "I247..5",
        "K825.6=",
    ],
)
def test_invalid_class_numbers(code):
    assert not is_valid_class(code)


def test_split_classes_reads_several_classes_from_one_field():
    assert split_classes("K825.2；e251-53, I247.5") == ["K825.2", "E251-53", "I247.5"]


def test_basic_letter_of_two_letter_subclasses():
    assert basic_letter("TP311") == "T"
    assert basic_letter("DF") == "D"
    assert basic_letter("247") is None
