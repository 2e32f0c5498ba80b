"""The 22 basic classes of 中图法 as the reports group by them, and the SQL that takes a copy's basic class."""

from __future__ import annotations

from django.db.models import Func
from django.db.models.functions import Substr, Upper

from xiaotu.catalogue.clc.table import CATEGORIES, ClcCategory

BASIC_CLASSES: dict[str, str] = {
    "A": "马克思主义、列宁主义、毛泽东思想、邓小平理论",
    "B": "哲学、宗教",
    "C": "社会科学总论",
    "D": "政治、法律",
    "E": "军事",
    "F": "经济",
    "G": "文化、科学、教育、体育",
    "H": "语言、文字",
    "I": "文学",
    "J": "艺术",
    "K": "历史、地理",
    "N": "自然科学总论",
    "O": "数理科学和化学",
    "P": "天文学、地球科学",
    "Q": "生物科学",
    "R": "医药、卫生",
    "S": "农业科学",
    "T": "工业技术",
    "U": "交通运输",
    "V": "航空、航天",
    "X": "环境科学、安全科学",
    "Z": "综合性图书",
}
# Copies whose record has no class (or one not of the 22) are counted here so no copy drops out of a total.
UNCLASSIFIED = "?"
CATEGORY_BY_LETTER: dict[str, ClcCategory] = {letter: c for c in CATEGORIES for letter in c.letters}


def basic_class(path: str) -> Func:
    """The first letter of the 中图法 class at `path` (e.g. "item__record__clc_class"), upper case."""
    return Upper(Substr(path, 1, 1))


def letter_of(value: str | None) -> str:
    letter = (value or "").upper()
    return letter if letter in BASIC_CLASSES else UNCLASSIFIED
