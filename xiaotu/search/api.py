"""`GET /api/v1/search`: the public catalogue search as JSON, with no login, the same results as the OPAC."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from xiaotu.accounts.api import ApiError
from xiaotu.accounts.schemas import COMMON_ERRORS, ErrorOut
from xiaotu.catalogue.models import Item
from xiaotu.schools.models import Library
from xiaotu.search.results import Filters
from xiaotu.search.schemas import FacetOut, HitOut, SearchOut, SearchQuery
from xiaotu.search.selectors import search

router = Router(tags=["search"], by_alias=True)


def _library(code: str) -> Library:
    if code:
        found = Library.objects.filter(code=code).first()
        if found is None:
            raise ApiError(404, "library_not_found", _("没有代码为 %(code)s 的图书馆") % {"code": code})
        return found
    libraries = list(Library.objects.order_by("pk")[:2])
    if len(libraries) != 1:
        raise ApiError(422, "library_required", _("请用 library 参数指明图书馆代码"))
    return libraries[0]


@router.get(
    "/search", response={200: SearchOut, 404: ErrorOut, **COMMON_ERRORS}, auth=None, summary="Search the catalogue"
)
def search_catalogue(request: HttpRequest, params: Query[SearchQuery]) -> SearchOut:
    library = _library(params.library)
    filters = Filters(
        clc=params.clc.upper(),
        location_id=params.location,
        year=params.year,
        language=params.language.lower(),
        available=params.available,
    )
    result = search(library=library, q=params.q, page=params.page, per_page=params.per_page, filters=filters)
    counts: dict[int, tuple[int, int]] = {
        record_id: (copies, on_shelf)
        for record_id, copies, on_shelf in Item.objects.filter(record__in=result.records)
        .exclude(status=Item.Status.WITHDRAWN)
        .values("record_id")
        .annotate(copies=Count("id"), on_shelf=Count("id", filter=Q(status=Item.Status.AVAILABLE)))
        .values_list("record_id", "copies", "on_shelf")
    }
    return SearchOut(
        query=result.query,
        page=result.page,
        per_page=result.per_page,
        has_next=result.has_next,
        results=[
            HitOut(
                id=r.pk,
                title=r.title,
                author=r.author,
                publisher=r.publisher,
                pub_year=r.pub_year,
                isbn=r.isbn,
                call_number=r.call_number,
                clc_class=r.clc_class,
                copies=counts.get(r.pk, (0, 0))[0],
                on_shelf=counts.get(r.pk, (0, 0))[1],
            )
            for r in result.records
        ],
        facets={
            name: [FacetOut(value=f.value, label=f.label, count=f.count) for f in values]
            for name, values in result.facets.items()
        },
        facets_partial=result.facets_partial,
    )
