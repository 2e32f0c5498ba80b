"""The shipped 中图法 table: basic classes and 部类, broader classes, and the class picker's search."""

import pytest

from xiaotu.catalogue.clc import CATEGORIES, ClcClass, ClcTable, is_valid_class, load_table

BASIC = {
    "A": ("马克思主义、列宁主义、毛泽东思想、邓小平理论", "马列毛邓"),
    "B": ("哲学、宗教", "哲学"),
    "C": ("社会科学总论", "社会科学"),
    "D": ("政治、法律", "社会科学"),
    "E": ("军事", "社会科学"),
    "F": ("经济", "社会科学"),
    "G": ("文化、科学、教育、体育", "社会科学"),
    "H": ("语言、文字", "社会科学"),
    "I": ("文学", "社会科学"),
    "J": ("艺术", "社会科学"),
    "K": ("历史、地理", "社会科学"),
    "N": ("自然科学总论", "自然科学"),
    "O": ("数理科学和化学", "自然科学"),
    "P": ("天文学、地球科学", "自然科学"),
    "Q": ("生物科学", "自然科学"),
    "R": ("医药、卫生", "自然科学"),
    "S": ("农业科学", "自然科学"),
    "T": ("工业技术", "自然科学"),
    "U": ("交通运输", "自然科学"),
    "V": ("航空、航天", "自然科学"),
    "X": ("环境科学、安全科学", "自然科学"),
    "Z": ("综合性图书", "综合"),
}


@pytest.fixture(scope="module")
def table():
    return load_table()


def test_every_basic_class_ships_with_its_category(table):
    assert [c.code for c in table.children()] == list(BASIC)
    for code, (name, category) in BASIC.items():
        assert table.get(code) == ClcClass(code, name)
        assert table.category(code).short_name == category


def test_the_five_categories_cover_the_22_basic_classes_once():
    letters = "".join(category.letters for category in CATEGORIES)
    assert sorted(letters) == sorted(BASIC)


def test_every_shipped_code_is_well_formed_and_unique(table):
    codes = [c.code for c in table]
    assert len(codes) == len(set(codes))
    assert all(is_valid_class(code) for code in codes)


def test_second_level_of_literature_and_industry(table):
    assert [str(c) for c in table.children("I")] == ["I0 文学理论", "I1 世界文学", "I2 中国文学", "I3/7 各国文学"]
    assert [c.code for c in table.children("T")][-16:] == [
        "TB", "TD", "TE", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TP", "TQ", "TS", "TU", "TV"
    ]  # fmt: skip


def test_parents_run_from_nearest_to_the_basic_class(table):
    assert [c.code for c in table.parents("I247.5")] == ["I247", "I24", "I2", "I"]


def test_parents_of_a_code_deeper_than_the_table(table):
    """Codes the shipped table does not list still find their broader classes, auxiliary signs and all."""
    assert [c.code for c in table.parents("I247.57")] == ["I247.5", "I247", "I24", "I2", "I"]
    assert [c.code for c in table.parents("K825.6=76")] == ["K82", "K"]
    assert [c.code for c in table.parents("tp311.13")] == ["TP", "T"]


def test_parents_through_a_span_class(table):
    """I313 (Japanese literature) lies inside the span I3/7 各国文学."""
    assert [c.code for c in table.parents("I313.45")] == ["I3/7", "I"]


def test_parents_follow_the_printed_hierarchy_not_just_the_prefix(table):
    """A49 邓小平著作 sits beside A4 毛泽东著作, not under it; K24 is part of K23 封建社会."""
    assert [c.code for c in table.parents("A49")] == ["A"]
    assert [c.code for c in table.parents("K242")] == ["K24", "K23", "K2", "K"]


def test_basic_class_and_category(table):
    assert table.basic_class("TP311.13").code == "T"
    assert table.basic_class("I287.45").name == "文学"
    assert table.category("I287.45").name == "社会科学"
    assert table.category("DF").short_name == "社会科学"
    assert table.category("Z228.1").key == "general"
    assert table.basic_class("L1") is None
    assert table.category("") is None


def test_school_classes_ship(table):
    for code, name in [
        ("I287.45", "长篇、中篇小说"),
        ("I287.8", "图画故事"),
        ("G623.2", "汉语语文"),
        ("G634", "教材、课本、辅助教材"),
        ("H319.4", "读物"),
        ("Z228.1", "少年儿童读物"),
    ]:
        assert table.get(code).name == name


def test_search_by_code_prefix(table):
    found = [c.code for c in table.search("I24")]
    assert found[0] == "I24"
    assert {"I242", "I246", "I247", "I247.5"} <= set(found)
    assert all(code.startswith("I24") for code in found)


def test_search_by_name(table):
    found = table.search("小说")
    assert found[0].name == "小说"
    assert "I24" in [c.code for c in found]
    assert all("小说" in c.name for c in found)


def test_search_by_pinyin_initials_finds_novels(table):
    found = [c.code for c in table.search("xs")]
    assert "I24" in found
    assert "I287.4" in found


def test_search_by_full_pinyin(table):
    found = table.search("xiaoshuo")
    assert found and all("小说" in c.name for c in found)
    assert [c.code for c in table.search("ertong wenxue")][:2] == ["I28", "I207.8"]  # the broader class first


def test_search_respects_the_limit_and_ignores_blank_queries(table):
    assert len(table.search("I", limit=5)) == 5
    assert table.search("   ") == []
    assert table.search("没有这个类") == []


def test_get_accepts_vendor_spelling(table):
    assert table.get("ｉ２４７．５").code == "I247.5"
    assert "i24" in table
    assert table.get("I999") is None


def test_load_table_is_cached(table):
    assert load_table() is table


def test_a_table_works_out_missing_parents_from_the_notation():
    table = ClcTable([ClcClass("I", "文学"), ClcClass("I2", "中国文学"), ClcClass("I247.5", "新体长篇、中篇小说")])
    assert [c.code for c in table.parents("I247.5")] == ["I2", "I"]
    assert table.get("I247.5") == ClcClass("I247.5", "新体长篇、中篇小说", parent="I2")


def test_initials_put_the_broader_class_first(table):
    assert table.search("xs")[0].code == "I24"
