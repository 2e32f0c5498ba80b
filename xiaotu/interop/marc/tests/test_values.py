"""ISBNs, prices, years and ISBD punctuation as they appear in subfields."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum import isbn as stdnum_isbn
from stdnum.exceptions import ValidationError

from xiaotu.interop.marc.values import format_isbn, isbn10, normalise_isbn, parse_price, parse_year, strip_isbd


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7-5037-1744-0", "9787503717444"),
        ("7-5037-2899-X", "9787503728990"),
        ("978-7-101-10528-5", "9787101105285"),
        ("9787884085620", "9787884085620"),
        ("0471383147 (paper/cd-rom : alk. paper)", "9780471383147"),
        ("ISBN 7-80127-555-1 (平装)", "9787801275554"),
        ("979-10-90636-07-1", "9791090636071"),
        ("7-5037-1744-1", None),
        ("0-397-47189-17 (v. 1) :", None),
        ("平装", None),
        ("", None),
    ],
)
def test_isbns_are_validated_and_become_isbn13_without_hyphens(text: str, expected: str | None) -> None:
    assert normalise_isbn(text) == expected


def _stdnum_isbn13(number: str) -> str | None:
    try:
        valid = stdnum_isbn.validate(number)
    except ValidationError:
        return None
    return valid if len(valid) == 13 else stdnum_isbn.to_isbn13(valid)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9), st.sampled_from("0123456789X"))
def test_isbn10_answers_agree_with_python_stdnum(body: str, check: str) -> None:
    """The fast path gives python-stdnum's verdict for every 10-character candidate."""
    assert normalise_isbn(body + check) == _stdnum_isbn13(body + check)


@given(st.sampled_from(["978", "979", "977", "123"]), st.text(alphabet="0123456789", min_size=10, max_size=10))
def test_isbn13_answers_agree_with_python_stdnum(prefix: str, rest: str) -> None:
    assert normalise_isbn(prefix + rest) == _stdnum_isbn13(prefix + rest)


def test_isbn_10_and_13_convert_both_ways() -> None:
    assert format_isbn("9787503717444") == "978-7-5037-1744-4"
    assert isbn10("9787503717444") == "7503717440"
    assert isbn10("9791090636071") is None


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("CNY68.00", "68.00", "CNY"),
        ("68.00元", "68.00", "CNY"),
        ("￥0.40", "0.40", "CNY"),
        ("CNY赠95.00", "95.00", "CNY"),
        ("7", "7.00", "CNY"),
        ("CNY30.00 (全2册)", "30.00", "CNY"),
        ("USD15.95", "15.95", "USD"),
        ("HK$120", "120.00", "HKD"),
        ("$14,00", "14.00", "USD"),
        ("1,200.50", "1200.50", "CNY"),
    ],
)
def test_prices_are_read_with_their_currency(text: str, amount: str, currency: str) -> None:
    assert parse_price(text, "CNY") == (Decimal(amount), currency)


def test_a_price_without_a_number_is_none() -> None:
    assert parse_price("CNY", "CNY") == (None, "")


@pytest.mark.parametrize(
    ("texts", "year"), [(("2018.10",), 2018), (("c2004.",), 2004), (("[1968-<1984>",), 1968), (("", "1994"), 1994)]
)
def test_years_are_found_in_dates(texts: tuple[str, ...], year: int) -> None:
    assert parse_year(*texts) == year


@pytest.mark.parametrize(
    ("value", "stripped"),
    [
        ("Handa shishi.", "Handa shishi"),
        ("半田 市誌.", "半田 市誌"),
        ("[Handa-shi] :", "[Handa-shi]"),
        ("Handa-shi,", "Handa-shi"),
        ("Pride and prejudice /", "Pride and prejudice"),
        ("xv, 464 p. ;", "xv, 464 p."),
        ("22 cm.", "22 cm."),
        ("1983.", "1983"),
        ("[Washington, D.C.]", "[Washington, D.C.]"),
        ("Kao-hsiung shih wen hua yu\u0308an.", "Kao-hsiung shih wen hua yu\u0308an"),
    ],
)
def test_isbd_punctuation_is_stripped_but_abbreviations_keep_their_period(value: str, stripped: str) -> None:
    assert strip_isbd(value) == stripped
