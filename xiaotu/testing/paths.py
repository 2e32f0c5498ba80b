"""Where the shared real-world test files are: ../shared/testdata beside the repository."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTDATA = (REPO.parent / "shared" / "testdata").resolve()
MARC = TESTDATA / "marc"
