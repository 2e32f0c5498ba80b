"""The import benchmark: a generated CNMARC file of N realistic records, catalogued into a fresh database.

It times the whole import as a librarian's `xiaotu import-marc` runs it (read, decode, map, match, number, store,
commit) and, on the same bytes in the same run, plain pymarc parsing, the yardstick the target is set against. The
search index for a large import is built after the commit; its time is reported on its own and in a total.
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from xiaotu.bulk import paused_gc
from xiaotu.catalogue.models import ItemCategory
from xiaotu.intake.importing import ImportOptions
from xiaotu.intake.services import marc_import
from xiaotu.interop.marc import generate_cnmarc
from xiaotu.interop.marc.generate import VERSION as GENERATOR_VERSION
from xiaotu.ops.bench.options import positive
from xiaotu.schools.models import Library, Location

TARGET = {"records_per_s": 5000.0, "ratio": 0.4}
PEERS = "FOLIO imports 34–38 records/s"
Log = Callable[[str], None]


def _fresh_database(log: Log) -> None:
    """Start from an empty catalogue: a new SQLite file, or every table emptied on PostgreSQL."""
    if connection.vendor == "sqlite":
        connections.close_all()
        path = Path(str(settings.DATABASES["default"]["NAME"]))
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
    else:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    log("fresh database ready")


def _pymarc_rates(data: bytes) -> tuple[float, float]:
    """Records a second parsed by plain pymarc: by the clock, and by this process's CPU time."""
    import pymarc

    started, cpu = time.perf_counter(), time.process_time()
    count = sum(1 for _ in pymarc.MARCReader(io.BytesIO(data), to_unicode=True, force_utf8=True))
    return count / (time.perf_counter() - started), count / (time.process_time() - cpu)


class ImportBench:
    name = "import"
    help = "导入：生成 N 条 CNMARC 记录，导入空库，与 pymarc 解析速度对比"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--records", type=positive, default=100_000, help="记录条数（默认 %(default)s）")

    def key(self, options: dict[str, Any]) -> str:
        return f"import-{options['records']}"

    def run(self, options: dict[str, Any], log: Log) -> dict[str, Any]:
        records = options["records"]
        source = Path(settings.DATA_DIR) / f"generated-v{GENERATOR_VERSION}-{records}-{options['seed']}.iso"
        if not source.exists():
            log(f"generating {records} CNMARC records")
            source.write_bytes(generate_cnmarc(records, seed=options["seed"]))
        data = source.read_bytes()
        _fresh_database(log)
        library = Library.objects.create(code="bench", name="导入测试馆")
        Location.objects.create(library=library, code="main", name="借阅室")
        ItemCategory.objects.create(library=library, code="book", name="普通图书")

        load = os.getloadavg()[0]
        log("pymarc parse")
        with paused_gc():
            pymarc_rate, pymarc_cpu_rate = _pymarc_rates(data)
        log("import")
        indexing: list[tuple[float, float]] = []

        def progress(phase: str, done: int, total: int) -> None:
            # The records are committed when indexing starts; the search index follows in chunks of its own.
            if phase == "index" and not indexing:
                indexing.append((time.perf_counter(), time.process_time()))

        started, cpu = time.perf_counter(), time.process_time()
        outcome = marc_import(library=library, source=str(source), options=ImportOptions(), by=None, progress=progress)
        ended, ended_cpu = time.perf_counter(), time.process_time()
        stored, stored_cpu = indexing[0] if indexing else (ended, ended_cpu)
        import_s, import_cpu_s = stored - started, stored_cpu - cpu
        rate = records / import_s
        return {
            "benchmark": self.name,
            "records": records,
            "file_mb": round(len(data) / 1_000_000, 1),
            "import_s": round(import_s, 2),
            "records_per_s": round(rate),
            # Building the search index for the imported records, after they are committed.
            "index_s": round(ended - stored, 2),
            "records_per_s_with_index": round(records / (ended - started)),
            "pymarc_parse_records_per_s": round(pymarc_rate),
            "ratio": round(rate / pymarc_rate, 2),
            # This process's CPU time: on a shared machine the clock also counts waiting for a core. On PostgreSQL
            # the server's own work is not in it.
            "import_cpu_s": round(import_cpu_s, 2),
            "records_per_cpu_s": round(records / import_cpu_s),
            "pymarc_parse_records_per_cpu_s": round(pymarc_cpu_rate),
            "load_average": round(load, 2),
            "records_new": outcome.counts["records_new"],
            "records_matched": outcome.counts["records_matched"],
            "copies": outcome.counts["copies"],
            "errors": outcome.counts["errors"],
            "warnings": outcome.counts["warnings"],
            "database": connection.vendor,
            "python": platform.python_version(),
        }
