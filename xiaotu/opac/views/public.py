"""The public catalogue's pages, open to anyone: home, search, a record, new arrivals, reading lists, most borrowed.

Nothing on these pages names a reader: a copy out on loan shows its due date only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from xiaotu.catalogue.clc import load_table, normalize_class
from xiaotu.catalogue.clc.notation import BASIC_LETTERS
from xiaotu.catalogue.models import Item, Record
from xiaotu.opac import selectors
from xiaotu.opac.forms import month_param, page_number, search_params
from xiaotu.opac.models import ReadingList
from xiaotu.opac.views.common import Opac, opac_page
from xiaotu.readers.models import Grade
from xiaotu.schools.models import Library
from xiaotu.search.results import FacetValue
from xiaotu.search.selectors import search

PER_PAGE = 20
HOME_ARRIVALS = 8
HOME_POPULAR = 10
POPULAR = 30
WEEK = dt.timedelta(days=7)
MONTHS_IN_CHOOSER = 12
GONE = (Item.Status.LOST, Item.Status.WITHDRAWN)

# Facet keys of SearchResult → the query parameter that narrows by it, and its heading.
FACETS = [
    ("clc", "clc", _("分类")),
    ("location", "location", _("馆藏地点")),
    ("available", "available", _("可借")),
    ("year", "year", _("出版年")),
    ("language", "language", _("语种")),
]


@dataclass(frozen=True)
class ClassLink:
    letter: str
    name: str


def _basic_classes() -> list[ClassLink]:
    """The 22 basic classes of 中图法, for browsing the shelves by subject from the home page."""
    table = load_table()
    return [
        ClassLink(letter=letter, name=found.name if (found := table.get(letter)) else letter)
        for letter in BASIC_LETTERS
    ]


@dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    active: bool


@dataclass(frozen=True)
class FacetGroup:
    heading: str
    links: list[FacetLink]


@dataclass(frozen=True)
class ActiveFilter:
    heading: str
    label: str
    remove_url: str


def _with(query: QueryDict, **changes: str | None) -> str:
    """The current search with parameters changed (None: removed) and the page reset to the first."""
    new = query.copy()
    new.pop("page", None)
    new.pop("kiosk", None)
    for key, value in changes.items():
        new.pop(key, None)
        if value is not None:
            new[key] = value
    return "?" + new.urlencode()


def _facets(query: QueryDict, facets: dict[str, list[FacetValue]]) -> tuple[list[FacetGroup], list[ActiveFilter]]:
    groups, active = [], []
    for key, param, heading in FACETS:
        chosen = query.get(param, "")
        values = facets.get(key, [])
        links = [
            FacetLink(
                label=value.label,
                count=value.count,
                url=_with(query, **{param: None if value.value == chosen else value.value}),
                active=value.value == chosen,
            )
            for value in values
        ]
        if chosen:
            label = next((value.label for value in values if value.value == chosen), chosen)
            active.append(ActiveFilter(heading=str(heading), label=label, remove_url=_with(query, **{param: None})))
        if links:
            groups.append(FacetGroup(heading=str(heading), links=links))
    return groups, active


def _with_shelves(records: list[Record]) -> list[tuple[Record, list[selectors.ShelfCount]]]:
    shelves = selectors.copies_by_location(records)
    return [(record, shelves[record.pk]) for record in records]


def library_choice(request: HttpRequest) -> HttpResponse:
    """/opac/ — straight to the only library; a district's installation lists its schools."""
    libraries = list(Library.objects.order_by("name", "pk"))
    if len(libraries) == 1:
        return redirect("opac:home", library_id=libraries[0].pk)
    return render(request, "opac/choose_library.html", {"libraries": libraries})


@require_safe
@opac_page
def home(request: HttpRequest, opac: Opac) -> HttpResponse:
    library = opac.library
    shelves = selectors.home_shelves(library=library, arrivals=HOME_ARRIVALS, popular=HOME_POPULAR, week=WEEK)
    context = {
        "opac": opac,
        "arrivals": shelves.arrivals,
        "arrivals_month": shelves.month,
        "lists": selectors.public_reading_lists(library=library),
        "popular": shelves.popular,
        "classes": _basic_classes(),
    }
    return render(request, "opac/home.html", context)


@require_safe
@opac_page
def search_page(request: HttpRequest, opac: Opac) -> HttpResponse:
    """检索结果 — 20 a page, prev/next only: the engine does not count every hit of a common word."""
    params = search_params(request.GET)
    narrowed = params.filters.clc or params.filters.location_id or params.filters.year or params.filters.language
    if not params.q and not narrowed:
        return redirect("opac:home", library_id=opac.library.pk)
    result = search(
        library=opac.library, q=params.q, page=params.page, per_page=PER_PAGE, filters=params.filters, public=True
    )
    groups, active = _facets(request.GET, result.facets)
    context = {
        "opac": opac,
        "q": params.q,
        "result": result,
        "rows": _with_shelves(result.records),
        "back": "?" + request.GET.urlencode(),
        "facet_groups": groups,
        "active_filters": active,
        "prev_url": _with(request.GET, page=str(params.page - 1)) if params.page > 1 else "",
        "next_url": _with(request.GET, page=str(params.page + 1)) if result.has_next else "",
    }
    return render(request, "opac/search.html", context)


def _clc_caption(code: str) -> dict[str, Any] | None:
    if not code:
        return None
    table = load_table()
    return {"code": normalize_class(code), "entry": table.get(code), "parents": table.parents(code)}


@require_safe
@opac_page
def record_page(request: HttpRequest, opac: Opac, pk: int) -> HttpResponse:
    """书目详情 — every field a reader can use, and each copy with its location, call number and status."""
    record = selectors.public_record(library=opac.library, pk=pk)
    if record is None:
        raise Http404
    copies = selectors.record_copies(record)
    context = {
        "opac": opac,
        "record": record,
        "copies": copies,
        "on_shelf": sum(1 for copy in copies if copy.status == Item.Status.AVAILABLE),
        "lendable": any(copy.status not in GONE for copy in copies),
        "clc": _clc_caption(record.clc_class),
        "back": request.GET.get("back", "") if request.GET.get("back", "").startswith("?") else "",
    }
    return render(request, "opac/record.html", context)


def _months_back(today: dt.date, count: int) -> list[dt.date]:
    month, months = today.replace(day=1), []
    for _i in range(count):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return months


@require_safe
@opac_page
def new_arrivals(request: HttpRequest, opac: Opac) -> HttpResponse:
    """新书通报 — by month, newest first; opens on the month of the latest arrival."""
    library = opac.library
    month = month_param(request.GET.get("month"))
    if month is None:
        month = selectors.latest_arrival_month(library=library) or timezone.localdate().replace(day=1)
    page = selectors.new_arrivals(library=library, month=month, page=page_number(request.GET.get("page")))
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (month + dt.timedelta(days=32)).replace(day=1)
    this_month = timezone.localdate().replace(day=1)
    context = {
        "opac": opac,
        "page": page,
        "rows": _with_shelves([arrival.record for arrival in page.arrivals]),
        "months": _months_back(max(this_month, month), MONTHS_IN_CHOOSER),
        "previous": previous,
        "following": following if following <= this_month else None,
    }
    return render(request, "opac/new.html", context)


@require_safe
@opac_page
def reading_lists(request: HttpRequest, opac: Opac) -> HttpResponse:
    """推荐书目 — the published lists, all or those of one grade."""
    grades = list(Grade.objects.filter(library=opac.library).order_by("number"))
    chosen = next((grade for grade in grades if str(grade.number) == request.GET.get("grade")), None)
    lists = selectors.public_reading_lists(library=opac.library, grade_number=chosen.number if chosen else None)
    return render(request, "opac/lists.html", {"opac": opac, "grades": grades, "chosen": chosen, "lists": lists})


@require_safe
@opac_page
def reading_list(request: HttpRequest, opac: Opac, pk: int) -> HttpResponse:
    found = (
        ReadingList.objects.filter(library=opac.library, published=True, pk=pk)
        .prefetch_related("grades")
        .annotate(size=Count("entries"))
        .first()
    )
    if found is None:
        raise Http404
    entries = selectors.reading_list_entries(found)
    shelves = selectors.copies_by_location([entry.record for entry in entries])
    context = {
        "opac": opac,
        "reading_list": found,
        "rows": [(entry.record, shelves[entry.record_id], entry.note) for entry in entries],
    }
    return render(request, "opac/list.html", context)


@require_safe
@opac_page
def popular(request: HttpRequest, opac: Opac) -> HttpResponse:
    """本周热门 — the most borrowed books of the last seven days."""
    rows = selectors.most_borrowed(library=opac.library, since=timezone.now() - WEEK, limit=POPULAR)
    shelves = selectors.copies_by_location([row.record for row in rows])
    context = {"opac": opac, "rows": [(row.record, shelves[row.record.pk], row.loans) for row in rows]}
    return render(request, "opac/popular.html", context)
