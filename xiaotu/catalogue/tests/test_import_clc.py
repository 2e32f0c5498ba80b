"""`xiaotu import-clc`: a fuller 中图法 table joins the shipped one and is what the class picker searches."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from xiaotu.catalogue.clc.table import installed_table_path, load_table


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def test_a_csv_of_deeper_classes_is_merged_and_used(tmp_path):
    shipped = len(load_table())
    table = tmp_path / "more.csv"
    table.write_text("分类号,类名,上位类\nI287.451,童话（单篇）,I287.45\nL12,不是中图法,\n", encoding="utf-8")
    call_command("import_clc", str(table))
    assert installed_table_path().exists()
    fuller = load_table()
    assert len(fuller) == shipped + 1
    assert fuller.get("I287.451") is not None and fuller.get("I") is not None
    assert [c.code for c in fuller.parents("I287.451")][:1] == ["I287.45"]


def test_a_dry_run_and_a_file_with_nothing_good_change_nothing(tmp_path):
    table = tmp_path / "bad.csv"
    table.write_text("code,name\nL12,不是中图法\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_clc", str(table))
    good = tmp_path / "good.csv"
    good.write_text("I287.451,童话（单篇）,I287.45\n", encoding="utf-8")
    call_command("import_clc", str(good), "--dry-run")
    assert not installed_table_path().exists()


def test_reset_goes_back_to_the_shipped_table(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("I287.451,童话（单篇）,I287.45\n", encoding="utf-8")
    call_command("import_clc", str(good))
    call_command("import_clc", str(good), "--reset")
    assert load_table().get("I287.451") is None
