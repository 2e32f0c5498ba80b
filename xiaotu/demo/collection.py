"""The demo collection: acquisition batches, records over the 中图法 classes, and their numbered copies."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from django.utils import timezone

from xiaotu.accounts.models import User
from xiaotu.catalogue.models import Item, Record
from xiaotu.demo import words
from xiaotu.demo.people import Namer, name_pinyin
from xiaotu.demo.rows import Inserter, next_id, reset_sequences
from xiaotu.demo.school import School
from xiaotu.intake.models import Batch, ClassCounter, Numbering
from xiaotu.schools.models import Library

BATCH_SIZE = 2000
# Shares of the copies: current periodicals and reference books; well-known titles and extra editions of classics.
PERIODICAL_SHARE = 0.02
REFERENCE_SHARE = 0.03
KNOWN_SHARE = 0.25
EDITION_SHARE = 0.04
COPIES = (1, 2, 3)
COPY_WEIGHTS = (45, 35, 20)
TEACHER_SHELVES = ("G622", "G78", "G258")

_SLOT = re.compile(r"\{(\w+)\}")


@dataclass
class Title:
    """A record before it is saved, with how many copies the library bought and in which batch."""

    title: str
    authors: list[tuple[str, str, str]]  # (country mark, name, role)
    clc: str
    publisher: words.Publisher | None
    category: str
    copies: int
    issues: list[tuple[str, dt.date]] = field(default_factory=list)  # periodicals: (volume, received on)
    series: str = ""
    edition: str = ""
    price: Decimal = Decimal("0")
    pub_year: int | None = None
    batch: int = 0
    teachers: bool = False  # shelved in the teachers' room
    call_number: str = ""


class Copy(NamedTuple):
    """A copy that may be lent, as the loan history needs it."""

    id: int
    category: str
    shelved_on: dt.date


@dataclass
class Collection:
    records: int
    items: int
    batches: int
    lendable: list[Copy]


def parse_responsibility(text: str) -> list[tuple[str, str, str]]:
    """'[法]圣埃克苏佩里 著；周克希 译' -> [('法', '圣埃克苏佩里', '著'), ('', '周克希', '译')]."""
    people = []
    for part in text.split("；"):
        *names, role = part.split()
        for name in names:
            if name == "等":
                continue
            country = ""
            if name.startswith("["):
                country, name = name[1:].split("]", 1)
            people.append((country, name, role))
    return people


def responsibility(authors: list[tuple[str, str, str]]) -> str:
    """The statement as a record gives it (200 $f/$g): '[法]圣埃克苏佩里著；周克希译'."""
    parts: dict[str, list[str]] = {}
    for country, name, role in authors:
        parts.setdefault(role, []).append(f"[{country}]{name}" if country else name)
    return "；".join(" ".join(names) + role for role, names in parts.items())


def isbn13(digits12: str) -> str:
    """Append the ISBN-13 check digit (weights 1, 3, 1, 3, …)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(digits12))
    return digits12 + str((10 - total % 10) % 10)


class IsbnPool:
    """Unique ISBNs in group 7, inside each publisher's own prefix."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: dict[str, set[int]] = {}

    def next(self, publisher: words.Publisher) -> str:
        width = 8 - len(publisher.isbn_prefix)
        used = self.used.setdefault(publisher.isbn_prefix, set())
        if len(used) > 0.7 * 10**width:
            return ""  # a demo far larger than a school: leave the rest without ISBN rather than loop
        number = self.rng.randrange(10**width)
        while number in used:
            number = self.rng.randrange(10**width)
        used.add(number)
        return isbn13(f"9787{publisher.isbn_prefix}{number:0{width}d}")


class TitleMaker:
    """Draws records: well-known titles first, then titles built from each shelf's templates."""

    def __init__(self, rng: random.Random, level: str) -> None:
        self.rng = rng
        self.level = level
        self.namer = Namer(rng)
        self.pools = dict(words.POOLS)
        if level == "junior":
            self.pools["gradeword"] = words.POOLS["juniorword"]
        self.seen: set[str] = set()
        shelves = [s for s in words.SHELVES if s.level in ("all", level)]
        share_index = 1 if level == "junior" else 0
        class_weight: dict[str, float] = {}
        for shelf in shelves:
            class_weight[shelf.clc[0]] = class_weight.get(shelf.clc[0], 0.0) + shelf.weight
        self.shelves = shelves
        self.shelf_weights = list(
            itertools.accumulate(
                words.CLASS_SHARES[s.clc[0]][share_index] * s.weight / class_weight[s.clc[0]] for s in shelves
            )
        )
        self.publishers: dict[str, list[words.Publisher]] = {}
        for publisher in words.PUBLISHERS:
            for kind in publisher.kinds:
                self.publishers.setdefault(kind, []).append(publisher)

    def known(self) -> list[words.KnownTitle]:
        return [t for t in words.KNOWN_TITLES if t.level in ("all", self.level)]

    def copies(self) -> int:
        return self.rng.choices(COPIES, COPY_WEIGHTS)[0]

    def from_known(self, known: words.KnownTitle, edition: str | None = None) -> Title:
        """The title as its best-known publisher issues it, or (given an edition) another house's edition of it."""
        publisher = words.PUBLISHER_BY_NAME[known.publisher]
        if edition is not None:
            publisher = self.rng.choice(self.publishers["children"] + self.publishers["classics"])
        return Title(
            title=known.title + (edition or ""),
            authors=parse_responsibility(known.by),
            clc=known.clc,
            publisher=publisher,
            category=known.category,
            copies=self.rng.choice((2, 3)) if known.category != "reference" else self.copies(),
            series=self.rng.choice(words.SERIES[:4]) if edition is not None and self.rng.random() < 0.5 else "",
        )

    def from_shelf(self, shelf: words.Shelf | None = None) -> Title:
        shelf = shelf or self.rng.choices(self.shelves, cum_weights=self.shelf_weights)[0]
        templates = shelf.templates.split()
        title = self._fill(self.rng.choice(templates))
        for _ in range(3):
            if title not in self.seen:
                break
            title = self._fill(self.rng.choice(templates))
        self.seen.add(title)
        return Title(
            title=title,
            authors=self._authors(shelf.role, words.FOREIGN_SHELF_COUNTRY.get(shelf.clc[:4], "")),
            clc=shelf.clc,
            publisher=self.rng.choice(self.publishers[shelf.publishers]),
            category=shelf.category,
            copies=self.copies(),
            series=self.rng.choice(words.SERIES) if self.rng.random() < 0.1 else "",
            edition="2版" if self.rng.random() < 0.1 else "",
            teachers=shelf.clc.startswith(TEACHER_SHELVES),
        )

    def _fill(self, template: str) -> str:
        used: set[str] = set()

        def word(match: re.Match[str]) -> str:
            options = self.pools[match.group(1)]
            choice = self.rng.choice(options)
            while choice in used and len(options) > 1:
                choice = self.rng.choice(options)
            used.add(choice)
            return choice

        return _SLOT.sub(word, template)

    def _authors(self, role: str, country: str) -> list[tuple[str, str, str]]:
        rng, namer = self.rng, self.namer
        if role == "foreign":
            country, name = namer.foreign(country)
            return [(country, name, "著"), ("", namer.adult(rng.choice("mf")), "译")]
        if role == "绘":
            if rng.random() < 0.5:
                return [("", namer.adult(rng.choice("mf")), "编绘")]
            return [("", namer.adult(rng.choice("mf")), "文"), ("", namer.adult(rng.choice("mf")), "图")]
        people = [("", namer.adult(rng.choice("mf")), role)]
        if role in ("编著", "主编") and rng.random() < 0.3:
            people.append(("", namer.adult(rng.choice("mf")), role))
        return people


def plan_titles(*, rng: random.Random, level: str, items: int, today: dt.date) -> list[Title]:
    """Records and copy counts adding up to exactly `items` copies, in the shares a school collection has."""
    maker = TitleMaker(rng, level)
    titles = _periodicals(rng, level, round(items * PERIODICAL_SHARE), today)
    left = items - sum(t.copies for t in titles)

    def fill(budget: int, draw: Iterator[Title]) -> None:
        """Take titles from `draw` until `budget` copies (or the whole collection's) are used up."""
        nonlocal left
        budget = min(budget, left)
        for title in draw:
            if budget <= 0:
                return
            title.copies = min(title.copies, budget)
            titles.append(title)
            budget -= title.copies
            left -= title.copies

    known = maker.known()
    reference = (maker.from_known(k) for k in known if k.category == "reference")
    generated_reference = (maker.from_shelf(rng.choice(words.REFERENCE_SHELVES)) for _ in itertools.count())
    fill(round(items * REFERENCE_SHARE), itertools.chain(reference, generated_reference))

    lendable = [k for k in known if k.category != "reference"]
    rng.shuffle(lendable)
    fill(round(items * KNOWN_SHARE), (maker.from_known(k) for k in lendable))

    classics = [k for k in known if k.title in words.EDITION_TITLES]
    editions = (maker.from_known(rng.choice(classics), rng.choice(words.EDITIONS)) for _ in itertools.count())
    fill(round(items * EDITION_SHARE), editions)

    fill(left, (maker.from_shelf() for _ in itertools.count()))
    return titles


def _periodicals(rng: random.Random, level: str, budget: int, today: dt.date) -> list[Title]:
    """This year's issues of the periodicals the school subscribes to, newest first, until the budget is used."""
    skip = {"中学生"} if level == "primary" else {"小猕猴智力画刊", "米老鼠", "故事大王", "童话大王"}
    chosen = [p for p in words.PERIODICALS if p[0] not in skip]
    titles = {
        name: Title(
            title=name,
            authors=[],
            clc=clc,
            publisher=words.Publisher(publisher, "", ""),
            category="periodical",
            copies=0,
            price=Decimal(rng.choice(("6.00", "8.00", "10.00", "12.00", "15.00", "20.00"))),
            teachers=name in words.TEACHER_PERIODICALS,
        )
        for name, publisher, _per_year, clc in chosen
    }
    month = dt.date(today.year, today.month, 1)
    # Three years of issues at most: older ones are bound into volumes or weeded.
    for _ in range(36):
        for name, _publisher, per_year, _clc in chosen:
            halves = (1, 2) if per_year == 24 else (0,)
            for half in halves:
                if budget <= 0:
                    break
                number = month.month * 2 - (2 - half) if half else month.month
                received = month + dt.timedelta(days=4 + 14 * max(0, half - 1))
                if received > today:
                    continue
                titles[name].issues.append((f"{month.year}年第{number}期", received))
                titles[name].copies += 1
                budget -= 1
        month = (month - dt.timedelta(days=1)).replace(day=1)
        if budget <= 0:
            break
    return [t for t in titles.values() if t.copies]


def plan_batches(*, rng: random.Random, before: dt.date) -> list[tuple[dt.date, str]]:
    """总括登记 dates: a spring and an autumn purchase each year for ten years, and a 六一 donation every other."""
    batches = []
    for year in range(before.year - 9, before.year + 1):
        batches.append((dt.date(year, 3, 10) + dt.timedelta(days=rng.randrange(15)), Batch.Source.PURCHASE))
        if year % 2 == 0:
            batches.append((dt.date(year, 6, 1), Batch.Source.DONATION))
        batches.append((dt.date(year, 10, 8) + dt.timedelta(days=rng.randrange(15)), Batch.Source.PURCHASE))
    return [(day, source) for day, source in batches if day < before]


def create_collection(*, school: School, rng: random.Random, items: int, today: dt.date, by: User | None) -> Collection:
    library = school.library
    titles = plan_titles(rng=rng, level=library.level, items=items, today=today)
    batch_plan = plan_batches(rng=rng, before=today - dt.timedelta(days=14))
    batches = _create_batches(library, rng, batch_plan, by)
    # Later years bought more: each batch weighs a little more than the one before.
    batch_weights = list(itertools.accumulate(1 + 0.15 * i for i in range(len(batches))))
    for title in titles:
        if title.category == "periodical":
            title.batch = -1
            continue
        title.batch = rng.choices(range(len(batches)), cum_weights=batch_weights)[0]
        year = batches[title.batch].received_on.year
        title.pub_year = year - rng.choices((0, 1, 2, 3, 5, 8), (35, 35, 12, 8, 6, 4))[0]
        if title.price == 0:
            title.price = _price(rng, title.category)
    # Accession numbers and 种次号 follow the order books arrived in, as in a real register; periodicals come last.
    rng.shuffle(titles)
    titles.sort(key=lambda t: t.batch if t.batch >= 0 else len(batches))
    now = timezone.now()
    records = _create_records(library, rng, titles, now)
    lendable = _create_items(school, rng, titles, records, batches, now)
    return Collection(records=len(records), items=items, batches=len(batches), lendable=lendable)


def _create_batches(
    library: Library, rng: random.Random, plan: list[tuple[dt.date, str]], by: User | None
) -> list[Batch]:
    per_year = Counter[int]()
    batches = []
    for day, source in plan:
        per_year[day.year] += 1
        donation = source == Batch.Source.DONATION
        batches.append(
            Batch(
                library=library,
                number=f"{day.year}-{per_year[day.year]:04d}",  # as the import numbers its batches
                received_on=day,
                source=source,
                vendor="" if donation else rng.choice(words.VENDORS),
                invoice_number="" if donation else f"{rng.randrange(10**7, 10**8)}",
                note="“六一”家长捐书活动" if donation else "",
                created_by=by,
            )
        )
    return Batch.objects.bulk_create(batches)


def _price(rng: random.Random, category: str) -> Decimal:
    low, high = {"book": (15, 48), "picture": (29, 58), "reference": (19, 158)}.get(category, (15, 48))
    cents = rng.choice(("00", "80", "90", "00", "50", "80"))
    return Decimal(f"{rng.randrange(low, high)}.{cents}")


RECORD_COLUMNS = (
    "id", "library", "title", "responsibility", "author", "authors", "author_pinyin", "publisher", "pub_place",
    "pub_date", "pub_year", "isbn", "price", "edition", "pages", "size", "series", "clc_class", "language",
    "call_number", "created_at", "updated_at",
)  # fmt: skip
ITEM_COLUMNS = (
    "id", "library", "record", "barcode", "accession_number", "call_number", "volume", "location", "category",
    "price", "acquired_on", "batch", "created_at",
)  # fmt: skip


def _create_records(library: Library, rng: random.Random, titles: list[Title], now: dt.datetime) -> list[int]:
    """Insert one record per title, numbering 种次号 within each class; returns the records' ids in title order."""
    isbns = IsbnPool(rng)
    counters = Counter[str]()
    first_id = next_id(Record)
    rows = []
    for offset, title in enumerate(titles):
        if title.category != "periodical":
            counters[title.clc] += 1
            title.call_number = f"{title.clc}/{counters[title.clc]}"
        author = title.authors[0][1] if title.authors else ""
        publisher, year = title.publisher, title.pub_year
        pages, size = _format(rng, title.category)
        rows.append(
            (
                first_id + offset,
                library.pk,
                title.title,
                responsibility(title.authors),
                author,
                [{"name": name, "role": role} for _country, name, role in title.authors],
                name_pinyin(author)[0] if author else "",
                publisher.name if publisher else "",
                publisher.place if publisher else "",
                f"{year}.{rng.randrange(1, 13)}" if year else "",
                year,
                isbns.next(publisher) if publisher and publisher.isbn_prefix else "",
                title.price,
                title.edition,
                pages,
                size,
                title.series,
                title.clc,
                "chi",
                title.call_number,
                now,
                now,
            )
        )
    records = Inserter(Record, RECORD_COLUMNS)
    for start in range(0, len(rows), BATCH_SIZE):
        records.insert(rows[start : start + BATCH_SIZE])
    ClassCounter.objects.bulk_create(
        ClassCounter(library=library, clc_class=clc, last=last) for clc, last in sorted(counters.items())
    )
    return [row[0] for row in rows]


def _format(rng: random.Random, category: str) -> tuple[str, str]:
    """215 $a and $d: pages and height, by the kind of book."""
    if category == "picture":
        return f"{rng.choice((32, 36, 40, 48))}页", rng.choice(("25cm", "26cm", "28cm"))
    if category == "reference":
        return f"{rng.randrange(500, 1800)}页", rng.choice(("14cm", "19cm", "21cm"))
    if category == "periodical":
        return "64页", "26cm"
    return f"{rng.randrange(96, 360)}页", rng.choice(("21cm", "21cm", "23cm", "24cm"))


def _create_items(
    school: School, rng: random.Random, titles: list[Title], records: list[int], batches: list[Batch], now: dt.datetime
) -> list[Copy]:
    """Insert the copies with accession numbers in order; returns (id, category) of those that may be lent."""
    library, locations, categories = school.library, school.locations, school.categories
    width = max(8, len(str(sum(t.copies for t in titles))))
    first_id = next_id(Item)
    rows: list[tuple[object, ...]] = []
    lendable: list[Copy] = []
    for title, record_id in zip(titles, records, strict=True):
        category = categories[title.category]
        batch = batches[title.batch] if title.batch >= 0 else None
        received_on = batch.received_on if batch else None
        volumes: list[tuple[str, dt.date | None]] = [*title.issues] or [("", received_on)] * title.copies
        for volume, received in volumes:
            number = len(rows) + 1
            accession = f"{number:0{width}d}"
            if title.category == "reference":
                room = "teachers" if rng.random() < 0.35 else "reading"
            else:
                room = "teachers" if title.teachers else ("reading" if title.category == "periodical" else "loan")
            item_id = first_id + len(rows)
            # Pre-printed label rolls are rare in schools: the barcode is the accession number.
            rows.append(
                (
                    item_id,
                    library.pk,
                    record_id,
                    accession,
                    accession,
                    title.call_number,
                    volume,
                    locations[room].pk,
                    category.pk,
                    title.price,
                    received,
                    batch.pk if batch else None,
                    now,
                )
            )
            if not category.reference_only and received is not None:
                lendable.append(Copy(item_id, category.code, received))
    items = Inserter(Item, ITEM_COLUMNS)
    for start in range(0, len(rows), BATCH_SIZE):
        items.insert(rows[start : start + BATCH_SIZE])
    reset_sequences(Record, Item)
    Numbering.objects.create(library=library, accession_width=width, accession_last=len(rows))
    return lendable
