"""Keeping each library's search table in step with its records and copies.

The services that change records or items call `index_records` in their own transaction, so a search never sees a
record the catalogue does not have, or misses one it has. `reindex_library` rebuilds a table from scratch
(`xiaotu reindex`), e.g. after an upgrade changes how text is tokenized.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db import transaction

from xiaotu.catalogue.models import Item, Record
from xiaotu.schools.models import Library
from xiaotu.search import engines
from xiaotu.search.documents import RECORD_FIELDS, Copy, document

CHUNK = 2000


def _index_chunk(ids: list[int]) -> dict[int, list[engines.Document]]:
    """The documents of these records, by library; ids with no record left are simply absent."""
    copies: dict[int, list[Copy]] = defaultdict(list)
    for record_id, location_id, call_number, status in Item.objects.filter(record_id__in=ids).values_list(
        "record_id", "location_id", "call_number", "status"
    ):
        copies[record_id].append(Copy(location_id, call_number, status))
    by_library: dict[int, list[engines.Document]] = defaultdict(list)
    for library_id, *row in Record.objects.filter(id__in=ids).values_list("library_id", *RECORD_FIELDS):
        by_library[library_id].append(document(tuple(row), copies.get(row[0], ())))
    return by_library


@transaction.atomic
def index_records(*, record_ids: Iterable[int], library_id: int | None = None) -> int:
    """Write the search rows of these records (and drop rows of records that are gone from `library_id`)."""
    ids = sorted(set(record_ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        by_library = _index_chunk(chunk)
        for lib_id, docs in by_library.items():
            if not engines.exists(lib_id):
                engines.create(lib_id)
            engines.write(lib_id, docs)
            written += len(docs)
        if library_id is not None and engines.exists(library_id):
            present = {doc.record_id for docs in by_library.values() for doc in docs}
            engines.write(library_id, [], removed=[i for i in chunk if i not in present])
    return written


def reindex_library(*, library: Library, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild a library's table from its records: drop it, create it, fill it chunk by chunk in one transaction."""
    ids = list(Record.objects.filter(library=library).order_by("id").values_list("id", flat=True))
    with transaction.atomic():
        engines.drop(library.pk)
        engines.create(library.pk, indexed=False)
        done = 0
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            for docs in _index_chunk(chunk).values():
                engines.write(library.pk, docs, fresh=True)
            done += len(chunk)
            if progress:
                progress(done, len(ids))
        engines.create_index(library.pk)
        engines.analyze(library.pk)
    return len(ids)
