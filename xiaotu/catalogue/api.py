"""Items (册) over JSON: list the copies matching a search, optionally only those with one status."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from xiaotu.accounts.api import READ, api_caller
from xiaotu.accounts.schemas import COMMON_ERRORS
from xiaotu.catalogue.schemas import ItemOut, ItemQuery, item_out
from xiaotu.catalogue.selectors import item_search

router = Router(tags=["catalogue"], by_alias=True, auth=READ)


@router.get("", response={200: list[ItemOut], **COMMON_ERRORS}, summary="Items matching a search")
def items(request: HttpRequest, filters: Query[ItemQuery]) -> list[ItemOut]:
    caller = api_caller(request)
    found = item_search(library=caller.library, q=filters.q, status=filters.status, limit=filters.limit)
    return [item_out(item) for item in found]
