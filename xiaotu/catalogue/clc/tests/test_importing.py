"""Importing a fuller table: good rows go in, bad rows come back with their line numbers."""

import io
import json

from xiaotu.catalogue.clc import import_table, load_table


def test_import_a_good_csv_with_a_header():
    given = io.StringIO("code,name,parent\nI,文学,\nI2,中国文学,I\nI247.57,当代长篇小说,I2\n")
    result = import_table(given)
    assert result.ok
    assert result.imported == 3
    assert [c.code for c in result.table.parents("I247.57")] == ["I2", "I"]


def test_import_a_csv_without_header_in_gb18030_as_excel_saves_it(tmp_path):
    path = tmp_path / "中图法.csv"
    path.write_bytes("Ｉ,文学\ni2,中国文学\n".encode("gb18030"))
    result = import_table(path)
    assert result.ok
    assert [str(c) for c in result.table] == ["I 文学", "I2 中国文学"]


def test_import_reports_bad_rows_with_line_numbers():
    given = io.StringIO(
        "分类号,类名,上级\n"  # line 1
        "I,文学,\n"  # line 2
        "I2,中国文学,I\n"  # line 3
        "L12,不存在的大类,\n"  # line 4: L is no basic class
        "I24,,I2\n"  # line 5: no name
        "I2,重复,I\n"  # line 6: duplicate
        "I247,当代作品,I99\n"  # line 7: unknown parent
        "I24.75,写错的号,I2\n"  # line 8: misplaced "."
    )
    result = import_table(given)
    assert not result.ok
    assert [error.line for error in result.errors] == [4, 5, 6, 7, 8]
    assert "L12" in str(result.errors[0])
    assert str(result.errors[0]).startswith("第 4 行")
    assert "第 3 行已有" in result.errors[2].message
    assert [c.code for c in result.table] == ["I", "I2"]  # the good rows still come in


def test_import_extends_the_shipped_table():
    base = load_table()
    result = import_table(io.StringIO("I247.57,当代长篇小说\n"), base=base)
    assert result.ok
    assert len(result.table) == len(base) + 1
    assert [c.code for c in result.table.parents("I247.57")][:2] == ["I247.5", "I247"]


def test_import_nested_json_skips_alternate_classes(tmp_path):
    tree = [
        {
            "code": "B",
            "name": "哲学、宗教",
            "children": [
                {"code": "B0", "name": "哲学理论", "children": [{"code": "[B019.2]", "name": "唯心主义"}]},
                {"code": "B84", "name": "心理学"},
            ],
        }
    ]
    path = tmp_path / "clc.json"
    path.write_text(json.dumps(tree, ensure_ascii=False), encoding="utf-8")
    result = import_table(path)
    assert result.ok
    assert result.skipped == 1
    assert [c.code for c in result.table.children("B")] == ["B0", "B84"]


def test_import_reports_broken_json():
    result = import_table(io.StringIO('{"classes": [\n{"code": "I", "name": }]}'), format="json")
    assert not result.ok
    assert result.errors[0].line == 2
    assert len(result.table) == 0
