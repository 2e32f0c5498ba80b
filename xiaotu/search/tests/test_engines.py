"""How the PostgreSQL engine judges a match dense enough to read newest first instead of through the GIN index."""

from __future__ import annotations

from xiaotu.search.engines import _frequency
from xiaotu.search.query import parse

STATS = {"t:的故": 0.05, "t:故事": 0.06, "r:故事": 0.4, "t:猫": 0.02}


def test_the_pairs_of_one_word_count_as_often_as_the_rarer_pair():
    words = parse("的故事").words
    assert words is not None
    assert _frequency(words, ("title",), STATS) == 0.05


def test_a_word_in_any_column_adds_up_the_columns():
    words = parse("故事").words
    assert words is not None
    assert _frequency(words, ("title", "rest"), STATS) == 0.46


def test_words_the_statistics_do_not_know_are_rare():
    words = parse("刺猬").words
    assert words is not None
    assert _frequency(words, ("title",), STATS) == 0.0
