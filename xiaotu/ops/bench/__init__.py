"""`xiaotu bench`: benchmarks against a library of a given size, each a subcommand (circulation; later search,
stocktake, reports). A benchmark adds its own options, names the library it needs, and returns its figures."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any, Protocol

from xiaotu.ops.bench.circulation import Circulation
from xiaotu.ops.bench.importing import ImportBench
from xiaotu.ops.bench.reports import ReportsBench
from xiaotu.ops.bench.search import SearchBench
from xiaotu.ops.bench.stocktake import StocktakeBench


class Benchmark(Protocol):
    name: str
    help: str

    def add_arguments(self, parser: argparse.ArgumentParser) -> None: ...

    def key(self, options: dict[str, Any]) -> str:
        """Names the library this run needs (its data folder and database), e.g. circulation-50000-3000-500000."""
        ...

    def run(self, options: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
        """Run inside the benchmark's own installation; return the figures as one JSON-able dict."""
        ...


BENCHMARKS: dict[str, Benchmark] = {
    bench.name: bench for bench in (Circulation(), ImportBench(), SearchBench(), ReportsBench(), StocktakeBench())
}
