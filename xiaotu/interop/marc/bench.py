"""How fast MARC reading is, against pymarc on the same bytes: for ``xiaotu bench``, never for a unit test."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pymarc

from .generate import generate_cnmarc
from .reader import open_marc


@dataclass(frozen=True, slots=True)
class ReaderBench:
    """Records per second for each run (wall clock), runs interleaved so that load on the machine hits all alike.

    ``pymarc`` is plain ``pymarc.MARCReader`` parsing (told the file is UTF-8); ``reader`` is open_marc with every
    record parsed and mapped to BibRecord; ``reader_with_original`` also takes the original as the catalogue keeps it
    (ParsedRecord.kept: its ISO 2709 text, MARC-in-JSON only for records that needed repair).
    """

    records: int
    size: int
    pymarc: list[float] = field(default_factory=list)
    reader: list[float] = field(default_factory=list)
    reader_with_original: list[float] = field(default_factory=list)

    @property
    def medians(self) -> dict[str, float]:
        return {
            "pymarc": statistics.median(self.pymarc),
            "reader": statistics.median(self.reader),
            "reader_with_original": statistics.median(self.reader_with_original),
        }


def bench_reader(records: int = 100_000, seed: int = 1, repeat: int = 3) -> ReaderBench:
    data = generate_cnmarc(records, seed)
    result = ReaderBench(records, len(data))

    def plain_pymarc() -> int:
        return sum(1 for _ in pymarc.MARCReader(data, to_unicode=True, force_utf8=True))

    def reader() -> int:
        return sum(1 for _ in open_marc(data))

    def reader_with_original() -> int:
        return sum(len(item.kept()) > 0 for item in open_marc(data) if hasattr(item, "kept"))

    runs: list[tuple[Callable[[], int], list[float]]] = [
        (plain_pymarc, result.pymarc),
        (reader, result.reader),
        (reader_with_original, result.reader_with_original),
    ]
    for _ in range(repeat):
        for run, rates in runs:
            started = time.perf_counter()
            count = run()
            rates.append(count / (time.perf_counter() - started))
    return result
