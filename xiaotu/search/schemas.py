"""The JSON shapes of a catalogue search, as the public API returns them."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from pydantic import BeforeValidator, StringConstraints

from xiaotu.accounts.schemas import blank_is
from xiaotu.search.query import QUERY_MAX


def _searchable(value: object) -> object:
    """Whatever a pupil pasted: control characters become spaces and the rest is cut to QUERY_MAX; never an error."""
    if not isinstance(value, str):
        return value
    return "".join(" " if ord(c) < 32 or 0x7F <= ord(c) < 0xA0 else c for c in value[: QUERY_MAX * 4])[:QUERY_MAX]


Query = Annotated[str, BeforeValidator(_searchable)]

LibraryCode = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]


class SearchQuery(Schema):
    q: Query = Field("", description="Words, 拼音 or its initials, an ISBN, or the start of a call number")
    page: Annotated[int, Field(ge=1, le=50, description="Page number (1–50)"), blank_is(1)] = 1
    per_page: Annotated[int, Field(ge=1, le=100, description="Hits per page (1–100)"), blank_is(20)] = 20
    library: Annotated[LibraryCode, blank_is("")] = Field("", description="Library code; needed when there are several")
    clc: Annotated[str, StringConstraints(max_length=1, pattern="^[A-Za-z]?$"), blank_is("")] = Field(
        "", description="Only this 中图法 basic class (a letter)"
    )
    location: Annotated[int | None, blank_is(None)] = Field(None, description="Only books shelved at this location id")
    year: Annotated[int | None, Field(ge=1000, le=9999), blank_is(None)] = None
    language: Annotated[str, StringConstraints(max_length=3, pattern="^[A-Za-z]*$"), blank_is("")] = ""
    available: Annotated[bool, blank_is(False)] = Field(False, description="Only records with a copy on the shelf now")


class HitOut(Schema):
    id: int
    title: str
    author: str
    publisher: str
    pub_year: int | None
    isbn: str
    call_number: str
    clc_class: str
    copies: int
    on_shelf: int


class FacetOut(Schema):
    value: str
    label: str
    count: int


class SearchOut(Schema):
    """One page of hits, best first; `has_next` instead of a total, so a common word costs no more than a rare one."""

    query: str
    page: int
    per_page: int
    has_next: bool
    results: list[HitOut]
    facets: dict[str, list[FacetOut]]
    facets_partial: bool = Field(description="Facet counts cover only the first 200 hits")
