"""中图法 (Chinese Library Classification, 5th ed.): the shipped table, its notation and the class picker."""

from xiaotu.catalogue.clc.importing import ClcImport, RowError, import_table
from xiaotu.catalogue.clc.notation import basic_letter, is_valid_class, normalize_class, split_classes
from xiaotu.catalogue.clc.table import CATEGORIES, ClcCategory, ClcClass, ClcTable, load_table

__all__ = [
    "CATEGORIES",
    "ClcCategory",
    "ClcClass",
    "ClcImport",
    "ClcTable",
    "RowError",
    "basic_letter",
    "import_table",
    "is_valid_class",
    "load_table",
    "normalize_class",
    "split_classes",
]
