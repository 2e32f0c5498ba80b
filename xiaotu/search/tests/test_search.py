"""Catalogue search: every kind of query a school's readers type, the order of hits, facets and paging."""

from __future__ import annotations

from decimal import Decimal

import pytest

from xiaotu.catalogue.models import Item, Record
from xiaotu.search.results import Filters
from xiaotu.search.selectors import search
from xiaotu.search.services import index_records, reindex_library
from xiaotu.testing.factories import ItemFactory, LibraryFactory, LocationFactory, RecordFactory


def _book(library, location=None, *, status=Item.Status.AVAILABLE, **fields) -> Record:
    record = RecordFactory.create(library=library, **fields)
    kwargs = {"location": location} if location else {}
    ItemFactory.create(
        library=library, record=record, status=status, call_number=fields.get("call_number", ""), **kwargs
    )
    index_records(record_ids=[record.pk])
    return record


def _titles(library, q: str, **kwargs) -> list[str]:
    return [r.title for r in search(library=library, q=q, **kwargs).records]


@pytest.fixture
def shelf(library):
    """A small school shelf with the books pupils ask for."""
    books = {
        "xyj": _book(library, title="西游记", author="吴承恩", authors=[{"name": "吴承恩", "role": "著"}],
                     isbn="9787020008735", clc_class="I242.4", call_number="I242.4/1", pub_year=2010, language="chi"),
        "swg": _book(library, title="十万个为什么", author="韩启德", clc_class="Z228.1", call_number="Z228.1/2",
                     pub_year=2013, language="chi", series="少年儿童百科"),
        "cat": _book(library, title="我的猫", author="夏目漱石", clc_class="I313.45", call_number="I313.45/3",
                     summary="一只小狗的故事", pub_year=2018, language="chi"),
        "dog": _book(library, title="小狗钱钱", author="博多·舍费尔", clc_class="F830.59", call_number="F830.59/4",
                     summary="关于一只猫的理财故事", pub_year=2018, language="chi"),
        "hp": _book(library, title="Harry Potter and the Philosopher's Stone", author="J. K. Rowling",
                    clc_class="I561.84", call_number="I561.84/5", pub_year=1997, language="eng"),
        "cafe": _book(library, title="Café Society", author="Émile Zola", clc_class="I565.44",
                      call_number="I565.44/6", pub_year=2001, language="fre"),
        "novel": _book(library, title="草房子", author="曹文轩", clc_class="I287.45", call_number="I287.45/7",
                       pub_year=2016, language="chi"),
        "wu": _book(library, title="神笔马良", author="洪汛涛", summary="吴承恩笔下", clc_class="I287.7",
                    call_number="I287.7/8", pub_year=2015, language="chi"),
    }  # fmt: skip
    return books


@pytest.mark.django_db
class TestQueries:
    def test_one_chinese_character_finds_titles_and_summaries(self, library, shelf):
        assert _titles(library, "猫") == ["我的猫", "小狗钱钱"]  # title match before the summary match

    def test_two_and_more_characters(self, library, shelf):
        assert _titles(library, "西游") == ["西游记"]
        assert _titles(library, "十万个为什么") == ["十万个为什么"]
        assert _titles(library, "万个为") == ["十万个为什么"]

    def test_characters_not_together_do_not_match_a_longer_word(self, library, shelf):
        assert _titles(library, "西记") == []

    def test_full_pinyin_with_and_without_spaces(self, library, shelf):
        assert _titles(library, "xiyouji") == ["西游记"]
        assert _titles(library, "xi you ji") == ["西游记"]
        assert _titles(library, "XiYouJi") == ["西游记"]

    def test_pinyin_initials(self, library, shelf):
        assert _titles(library, "xyj") == ["西游记"]
        assert _titles(library, "swgwsm") == ["十万个为什么"]

    def test_author_pinyin(self, library, shelf):
        assert _titles(library, "wuchengen") == ["西游记"]

    def test_latin_words_ignore_case_and_accents(self, library, shelf):
        assert _titles(library, "harry POTTER") == ["Harry Potter and the Philosopher's Stone"]
        assert _titles(library, "cafe") == ["Café Society"]
        assert _titles(library, "émile") == ["Café Society"]

    def test_english_words_side_by_side_even_when_they_look_like_pinyin(self, library, shelf):
        _book(library, title="A Man Called Ove", clc_class="I532.45", call_number="I532.45/20", language="eng")
        assert _titles(library, "a man") == ["A Man Called Ove"]
        assert _titles(library, "called ove") == ["A Man Called Ove"]

    def test_traditional_characters_find_simplified(self, library, shelf):
        assert _titles(library, "西遊記") == ["西游记"]
        assert _titles(library, "十萬個為什麼") == ["十万个为什么"]

    def test_isbn_in_any_form(self, library, shelf):
        for typed in ("9787020008735", "978-7-02-000873-5", "7-02-000873-9", "7020008739", "ISBN 978-7-02-000873-5"):
            assert _titles(library, typed) == ["西游记"], typed

    def test_call_number_prefix(self, library, shelf):
        assert _titles(library, "I287") == ["神笔马良", "草房子"]
        assert _titles(library, "I287.45") == ["草房子"]
        assert _titles(library, "i242.4/1") == ["西游记"]

    def test_series_and_publisher(self, library, shelf):
        assert _titles(library, "少年儿童百科") == ["十万个为什么"]
        assert "西游记" in _titles(library, "人民文学")

    def test_empty_and_punctuation_only_queries_find_nothing(self, library, shelf):
        assert _titles(library, "") == []
        assert _titles(library, "《》，。!!") == []

    def test_query_syntax_is_not_interpreted(self, library, shelf):
        for typed in ('"', "a AND", "NOT 猫", "*", "title:猫", "'); drop table x; --", "猫 OR"):
            search(library=library, q=typed)  # no error from either engine


@pytest.mark.django_db
class TestOrder:
    def test_exact_title_comes_first(self, library, shelf):
        newer = _book(library, title="西游记的故事", clc_class="I287", call_number="I287/9")
        titles = _titles(library, "西游记")
        assert titles == ["西游记", newer.title]

    def test_title_before_author_before_the_rest(self, library, shelf):
        # 吴承恩 is the author of 西游记 and appears in the summary of 神笔马良; a newer book has it in its title.
        titled = _book(library, title="吴承恩传", clc_class="K825.6", call_number="K825.6/10")
        assert _titles(library, "吴承恩") == [titled.title, "西游记", "神笔马良"]


@pytest.mark.django_db
class TestFiltersAndFacets:
    def test_facets_count_classes_years_languages_locations_and_shelf(self, library, shelf):
        result = search(library=library, q="I")
        assert result.records == []
        result = search(library=library, q="故事")
        clc = {f.value: f.count for f in result.facets["clc"]}
        assert clc == {"I": 1, "F": 1}
        assert {f.value: f.count for f in result.facets["year"]} == {"2018": 2}
        assert result.facets["available"][0].count == 2
        assert not result.facets_partial

    def test_class_and_language_filters(self, library, shelf):
        assert _titles(library, "故事", filters=Filters(clc="F")) == ["小狗钱钱"]
        assert _titles(library, "stone", filters=Filters(language="chi")) == []
        assert _titles(library, "stone", filters=Filters(language="eng")) != []

    def test_location_filter(self, library, shelf):
        room = LocationFactory.create(library=library, code="yls", name="阅览室")
        _book(library, room, title="猫城记", clc_class="I246.5", call_number="I246.5/11")
        assert _titles(library, "猫", filters=Filters(location_id=room.pk)) == ["猫城记"]

    def test_available_now_leaves_out_books_all_lent(self, library, shelf):
        _book(library, title="猫武士", status=Item.Status.ON_LOAN, clc_class="I561.84", call_number="I561.84/12")
        assert "猫武士" in _titles(library, "猫")
        assert "猫武士" not in _titles(library, "猫", filters=Filters(available=True))

    def test_withdrawn_books_leave_the_public_catalogue_but_not_the_staff_search(self, library, shelf):
        old = _book(library, title="旧猫", status=Item.Status.WITHDRAWN, clc_class="I246.5", call_number="I246.5/13")
        assert "旧猫" not in _titles(library, "猫")
        assert "旧猫" in _titles(library, "猫", public=False)
        assert old.pk


@pytest.mark.django_db
class TestPaging:
    def test_pages_follow_each_other_without_gaps(self, library):
        made = [
            _book(library, title=f"科学{i}号", call_number=f"N49/{i}", price=Decimal("10")).title for i in range(25)
        ]
        first = search(library=library, q="科学", per_page=10)
        second = search(library=library, q="科学", page=2, per_page=10)
        third = search(library=library, q="科学", page=3, per_page=10)
        seen = [r.title for r in first.records + second.records + third.records]
        assert sorted(seen) == sorted(made)
        assert first.has_next and second.has_next and not third.has_next


@pytest.mark.django_db
class TestIndexKeptInStep:
    def test_a_library_sees_only_its_own_records(self, library, shelf):
        other = LibraryFactory.create(code="other", name="另一所学校")
        _book(other, title="西游记", call_number="I242.4/1")
        assert len(search(library=library, q="西游记").records) == 1
        assert len(search(library=other, q="西游记").records) == 1

    def test_reindex_rebuilds_the_table(self, library, shelf):
        Record.objects.filter(pk=shelf["cat"].pk).update(title="我的小猫咪")
        assert _titles(library, "猫咪") == []
        reindex_library(library=library)
        assert _titles(library, "猫咪") == ["我的小猫咪"]

    def test_a_deleted_record_leaves_the_index(self, library, shelf):
        record = shelf["novel"]
        record.items.all().delete()
        record.delete()
        index_records(record_ids=[record.pk], library_id=library.pk)
        assert _titles(library, "草房子") == []


@pytest.mark.django_db
def test_a_facet_without_words_browses_that_part_of_the_catalogue(library, shelf):
    assert _titles(library, "", filters=Filters(clc="F")) == ["小狗钱钱"]
    assert _titles(library, "") == []


@pytest.mark.django_db
def test_a_rebuild_writes_many_records_at_once(library):
    """More than a handful of rows go to PostgreSQL by COPY, into a table indexed after it is filled."""
    for i in range(40):
        ItemFactory.create(
            library=library, record=RecordFactory.create(library=library, title=f"星星{i}", call_number=f"I28/{i}")
        )
    assert reindex_library(library=library) == 40
    assert len(search(library=library, q="星星", per_page=50).records) == 40
    assert len(search(library=library, q="xx", per_page=50).records) == 40
