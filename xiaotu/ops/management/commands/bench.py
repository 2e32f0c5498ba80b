"""`xiaotu bench circulation …`: build (or reuse) a library of the given size, drive the real server, print figures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiaotu.demo.build import DEFAULT_SEED
from xiaotu.ops.bench import BENCHMARKS
from xiaotu.ops.bench.circulation import PEERS, TARGET, BenchError
from xiaotu.ops.bench.options import positive
from xiaotu.ops.bench.place import INSIDE, bench_place, ensure_database


class Command(BaseCommand):
    help = "性能测试：在独立的数据目录（或独立的 PostgreSQL 数据库）中建馆，启动真实服务器并测量。"

    def add_arguments(self, parser: CommandParser) -> None:
        benchmarks = parser.add_subparsers(dest="benchmark", required=True, metavar="BENCHMARK")
        for bench in BENCHMARKS.values():
            sub = benchmarks.add_parser(bench.name, help=bench.help, description=bench.help)
            bench.add_arguments(sub)
            sub.add_argument("--clients", type=positive, default=4, help="客户端进程数（默认 %(default)s）")
            sub.add_argument("--seconds", type=float, default=20.0, help="计时秒数（默认 %(default)s）")
            sub.add_argument("--json", action="store_true", help="只输出一个 JSON 对象")
            sub.add_argument("--port", type=int, default=0, help="服务器端口（默认由系统分配空闲端口）")
            sub.add_argument("--server-threads", type=positive, default=None, help="waitress 线程数（默认同 serve）")
            sub.add_argument("--seed", type=int, default=DEFAULT_SEED, help="建馆与分配读者、图书的随机种子")
            sub.add_argument(
                "--bench-dir", type=Path, default=None, help="测试数据目录的上级目录（默认 XIAOTU_DATA_DIR/bench）"
            )
            sub.add_argument("--database", default=None, help="PostgreSQL 上测试用的数据库名（默认按规模命名）")

    def handle(self, *args: Any, **options: Any) -> None:
        bench = BENCHMARKS[options["benchmark"]]
        if (inside := os.environ.get(INSIDE)) is not None:
            self._run_inside(bench.name, json.loads(inside))
            return
        # Only plain values cross to the child; stdout and friends stay here.
        plain = {k: v for k, v in options.items() if isinstance(v, int | float | str | bool | type(None))}
        place = bench_place(
            key=bench.key(options),
            base_dir=options["bench_dir"] or Path(settings.DATA_DIR) / "bench",
            database_url=os.environ.get("DATABASE_URL"),
            database_name=options["database"],
        )
        place.data_dir.mkdir(parents=True, exist_ok=True)
        if place.database_url:
            import psycopg

            try:
                if ensure_database(server_url=os.environ["DATABASE_URL"], url=place.database_url):
                    self.stderr.write(f"created database for the benchmark: {place.database_url}")
            except psycopg.Error as error:
                raise CommandError(f"cannot create the benchmark's database: {error}") from error
        # The child is this command again, inside the benchmark's own data folder and database.
        child = subprocess.run(
            [sys.executable, "-m", "xiaotu.cli", "bench", bench.name], env=place.environment(json.dumps(plain))
        )
        if child.returncode:
            raise CommandError(f"benchmark {bench.name} failed (exit status {child.returncode})")

    def _run_inside(self, name: str, options: dict[str, Any]) -> None:
        quiet = options["json"] and options["verbosity"] < 2

        def log(line: str) -> None:
            if not quiet:
                self.stderr.write(line)
                self.stderr.flush()

        try:
            result = BENCHMARKS[name].run(options, log)
        except BenchError as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif "p95_ms" not in result:
            self._plain_summary(result)
        else:
            self._summary(result)

    def _plain_summary(self, result: dict[str, Any]) -> None:
        for key, value in result.items():
            self.stdout.write(f"{key:>28}  {value}")

    def _summary(self, result: dict[str, Any]) -> None:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"xiaotu bench {result['benchmark']}", show_header=False)
        for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms", "ops_per_s", "operations", "errors"):
            table.add_row(key, str(result.get(key)))
        table.add_row("checkout p95 / checkin p95 (ms)", f"{result['checkout_p95_ms']} / {result['checkin_p95_ms']}")
        table.add_row("database", f"{result['database']} {result['database_version']}")
        table.add_row(
            "library", f"{result['items']} items, {result['readers']} readers, {result['history']} loans of history"
        )
        table.add_row("clients × seconds", f"{result['clients']} × {result['seconds']}")
        if result.get("built"):
            table.add_row("built in (s)", str(result["build_s"]))
        console = Console(width=100)
        p95, rate = result.get("p95_ms"), result.get("ops_per_s") or 0
        met = p95 is not None and p95 < TARGET["p95_ms"] and rate >= TARGET["ops_per_s"]
        with console.capture() as capture:
            console.print(table)
            console.print(
                f"target: p95 < {TARGET['p95_ms']:.0f} ms and {TARGET['ops_per_s']:.0f}+ ops/s — "
                f"{'met' if met else 'NOT met'}; peers: {PEERS}"
            )
            for sample in result.get("error_samples", []):
                console.print(f"error: {sample}", markup=False)
        self.stdout.write(capture.get(), ending="")
