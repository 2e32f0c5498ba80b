"""The search benchmark: a catalogue of N generated records, and 200+ timed searches of each kind a school types.

The records come from the demo's title maker (real-looking Chinese titles, authors, publishers and 中图法 classes),
with a few English titles and a summary that has 学生 in about half of them — the common word. Each has one copy.
The library is built once per size and reused; the build and the indexing are timed when they happen.

Queries are drawn from the catalogue itself (a character, a pair, a longer part of a title, its 拼音 and initials,
an ISBN, an English word) and run through the same selector as the OPAC and the API, facets and all.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from stdnum import isbn as stdnum_isbn

from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.demo.collection import IsbnPool, TitleMaker, responsibility
from xiaotu.demo.rows import Inserter, reset_sequences
from xiaotu.ops.bench.options import positive
from xiaotu.ops.bench.stats import percentiles
from xiaotu.schools.models import Library, Location
from xiaotu.search import tokens as tk
from xiaotu.search.selectors import search
from xiaotu.search.services import reindex_library

TARGET_P95_MS = 50.0
PEERS = "FOLIO's search: 336 ms at one user"
VERSION = 1  # of the generated catalogue: a change makes a new bench library
CHUNK = 5000
COMMON_WORD = "学生"
KINDS = ("one_char", "two_char", "long_chinese", "pinyin", "pinyin_spaced", "initials", "isbn", "english", "common")
Log = Callable[[str], None]

ENGLISH_ADJECTIVES = [
    "little",
    "big",
    "secret",
    "lost",
    "hungry",
    "brave",
    "happy",
    "magic",
    "tiny",
    "wild",
    "golden",
    "silent",
    "curious",
]
ENGLISH_NOUNS = [
    "garden",
    "dragon",
    "river",
    "island",
    "forest",
    "robot",
    "caterpillar",
    "library",
    "ocean",
    "mountain",
    "castle",
    "friend",
]
ENGLISH_AUTHORS = ("Eric Carle", "Roald Dahl", "E. B. White", "J. K. Rowling", "Beatrix Potter", "Dr. Seuss")
SUMMARY_PARTS = ("讲述了一个关于成长的故事", "图文并茂", "语言生动有趣", "介绍了许多科学知识", "配有精美插图")


RECORD_COLUMNS = (
    "id", "library", "title", "responsibility", "author", "authors", "publisher", "pub_place", "pub_year", "isbn",
    "price", "series", "summary", "clc_class", "language", "call_number", "created_at", "updated_at",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "library", "record", "barcode", "accession_number", "call_number", "location", "category", "status",
    "price", "created_at",
)  # fmt: skip


def _record_row(rng: random.Random, maker: TitleMaker, isbns: IsbnPool, pk: int, library: Library) -> tuple[Any, ...]:
    title = maker.from_shelf()
    language = "chi"
    text, authors = title.title, [{"name": name, "role": role} for _c, name, role in title.authors]
    if rng.random() < 0.03:
        language = "eng"
        text = f"The {rng.choice(ENGLISH_ADJECTIVES)} {rng.choice(ENGLISH_NOUNS)}".title()
        authors = [{"name": rng.choice(ENGLISH_AUTHORS), "role": "著"}]
    summary = "本书" + "，".join(rng.sample(SUMMARY_PARTS, 2))
    if rng.random() < 0.5:
        summary += f"，适合小{COMMON_WORD}阅读"
    publisher = title.publisher
    return (
        pk,
        library.pk,
        text,
        responsibility(title.authors),
        authors[0]["name"] if authors else "",
        authors,
        publisher.name if publisher else "",
        publisher.place if publisher else "",
        rng.randrange(1995, 2026),
        isbns.next(publisher) if publisher and publisher.isbn_prefix else "",
        Decimal(rng.randrange(15, 60)),
        title.series,
        summary + "。",
        title.clc,
        language,
        f"{title.clc}/{pk}",
        timezone.now(),
        timezone.now(),
    )


def build_catalogue(records: int, seed: int, log: Log) -> Library:
    rng = random.Random(f"{seed}-search")
    maker = TitleMaker(rng, Library.Level.PRIMARY)
    isbns = IsbnPool(rng)
    now = timezone.now()
    with transaction.atomic():
        library = Library.objects.create(code="bench", name="检索测试馆")
        shelves = [
            Location.objects.create(library=library, code="loan", name="借阅室"),
            Location.objects.create(library=library, code="reading", name="阅览室"),
        ]
        category = ItemCategory.objects.create(library=library, code="book", name="普通图书")
        record_rows, item_rows = Inserter(Record, RECORD_COLUMNS), Inserter(Item, ITEM_COLUMNS)
        statuses = ["available"] * 8 + ["on_loan"] * 2
        for start in range(1, records + 1, CHUNK):
            ids = range(start, min(records, start + CHUNK - 1) + 1)
            rows = [_record_row(rng, maker, isbns, pk, library) for pk in ids]
            record_rows.insert(rows)
            item_rows.insert(
                [
                    (
                        pk,
                        library.pk,
                        pk,
                        f"B{pk:08d}",
                        f"{pk:08d}",
                        row[15],
                        rng.choice(shelves).pk,
                        category.pk,
                        rng.choice(statuses),
                        row[10],
                        now,
                    )
                    for pk, row in zip(ids, rows, strict=True)
                ]
            )
            if start // CHUNK % 20 == 0:
                log(f"records: {ids[-1]}")
        reset_sequences(Record, Item)
    if connection.vendor == "postgresql":
        # Autovacuum would get to it later; until then the planner guesses, badly, for the facets' IN lists.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE catalogue_record")
            cursor.execute("ANALYZE catalogue_item")
    return library


def _chinese_runs(title: str) -> list[str]:
    return [run for run in tk.runs(title) if tk.is_cjk(run)]


def sample_queries(library: Library, per_kind: int, rng: random.Random) -> dict[str, list[str]]:
    """Queries drawn from random records of the catalogue, so that each kind finds something."""
    top = Record.objects.filter(library=library).order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = list(
        Record.objects.filter(library=library, pk__in=[rng.randrange(1, top + 1) for _ in range(per_kind * 8)])
        .values_list("title", "isbn", "language")
    )  # fmt: skip
    chinese = [runs for title, _i, lang in picks if lang == "chi" and (runs := _chinese_runs(title))]
    english = [title for title, _i, lang in picks if lang == "eng"]
    english = english or list(
        Record.objects.filter(library=library, language="eng").values_list("title", flat=True)[:per_kind]
    )
    queries: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for runs in chinese:
        run = max(runs, key=len)
        queries["one_char"].append(rng.choice(run))
        if len(run) >= 2:
            start = rng.randrange(len(run) - 1)
            queries["two_char"].append(run[start : start + 2])
        if len(run) >= 3:
            size = rng.randint(3, min(6, len(run)))
            start = rng.randrange(len(run) - size + 1)
            queries["long_chinese"].append(run[start : start + size])
        sounds = tk.syllables(runs[0])[:4]
        if len(sounds) >= 2:
            queries["pinyin"].append("".join(sounds))
            queries["pinyin_spaced"].append(" ".join(sounds))
            queries["initials"].append("".join(s[0] for s in sounds))
    for _title, isbn, _lang in picks:
        if isbn:
            queries["isbn"].append(stdnum_isbn.format(isbn) if rng.random() < 0.5 else isbn)
    for title in english:
        queries["english"].append(rng.choice(title.split()[1:]).lower())
    queries["common"] = [COMMON_WORD] * per_kind
    return {kind: (found * (per_kind // max(1, len(found)) + 1))[:per_kind] for kind, found in queries.items()}


def _time_queries(library: Library, queries: list[str]) -> tuple[list[float], int]:
    times, hits = [], 0
    for q in queries:
        started = time.perf_counter()
        result = search(library=library, q=q)
        times.append((time.perf_counter() - started) * 1000)
        hits += bool(result.records)
    return times, hits


class SearchBench:
    name = "search"
    help = "检索：生成 N 种书目并建立索引，计时各类检索（单字、双字、多字、拼音、首字母、ISBN、英文、常见词）"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--records", type=positive, default=1_000_000, help="书目数（默认 %(default)s）")
        parser.add_argument("--queries", type=positive, default=200, help="每类检索的次数（默认 %(default)s）")

    def key(self, options: dict[str, Any]) -> str:
        return f"search-v{VERSION}-{options['records']}"

    def _index(self, library: Library, log: Log) -> float:
        log("indexing")
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if done % 100_000 == 0 or done == total:
                log(f"indexed {done} of {total}")

        reindex_library(library=library, progress=progress)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM search_{int(library.pk)}")
        return round(time.perf_counter() - started, 1)

    def run(self, options: dict[str, Any], log: Log) -> dict[str, Any]:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        library = Library.objects.filter(code="bench").first()
        built: dict[str, float] = {}
        if library is None:
            started = time.perf_counter()
            library = build_catalogue(options["records"], options["seed"], log)
            built["build_s"] = round(time.perf_counter() - started, 1)
            built["index_s"] = self._index(library, log)
        marker = Path(settings.DATA_DIR) / "search-index-version"
        if "index_s" not in built and marker.exists() and marker.read_text() != str(tk.INDEX_VERSION):
            log("the tokens changed since the index was built: reindexing")
            built["index_s"] = self._index(library, log)
        marker.write_text(str(tk.INDEX_VERSION))
        rng = random.Random(options["seed"])
        queries = sample_queries(library, options["queries"], rng)
        _time_queries(library, [q for kind in KINDS for q in queries[kind][:10]])  # warm the caches once
        kinds: dict[str, dict[str, Any]] = {}
        for kind in KINDS:
            log(f"timing {kind}")
            times, hits = _time_queries(library, queries[kind])
            figures = percentiles(times)
            kinds[kind] = {
                "queries": len(times),
                "found": hits,
                **{k: figures[k] for k in ("p50_ms", "p95_ms", "max_ms")},
            }
        return {
            "benchmark": self.name,
            "records": Record.objects.filter(library=library).count(),
            **built,
            "kinds": kinds,
            "worst_p95_ms": max(float(k["p95_ms"] or 0) for k in kinds.values()),
            "target_p95_ms": TARGET_P95_MS,
            "database": connection.vendor,
            "python": platform.python_version(),
            "date": dt.datetime.now(dt.UTC).date().isoformat(),
        }
