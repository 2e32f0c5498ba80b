"""The shared MARC test files (../shared/testdata/marc beside the repository) and small helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from xiaotu.interop.marc import MarcField, MarcFile, MarcRecord, ParsedRecord, RecordProblem, open_marc

REPO_ROOT = Path(__file__).resolve().parents[4]
TESTDATA = (REPO_ROOT / ".." / "shared" / "testdata" / "marc").resolve()


@pytest.fixture(scope="session")
def testdata() -> Path:
    if not TESTDATA.is_dir():
        pytest.skip(f"the shared MARC test files are not at {TESTDATA} (clone the repository with ../shared beside it)")
    return TESTDATA


def read_all(marc_file: MarcFile) -> tuple[list[ParsedRecord], list[RecordProblem]]:
    records: list[ParsedRecord] = []
    problems: list[RecordProblem] = []
    for item in marc_file:
        if isinstance(item, ParsedRecord):
            records.append(item)
        else:
            problems.append(item)
    return records, problems


def read_bytes(data: bytes, encoding: str | None = None, marc_format: str | None = None) -> list[ParsedRecord]:
    """All records of a file that must read without a problem."""
    records, problems = read_all(open_marc(data, encoding=encoding, marc_format=marc_format))
    assert not problems, [str(p) for p in problems]
    return records


def field(record: MarcRecord, tag: str) -> MarcField:
    """The first ``tag`` field, which the test expects to be there."""
    found = record.first(tag)
    assert found is not None, tag
    return found
