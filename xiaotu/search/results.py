"""What a catalogue search returns: the page of records in rank order, the facets, and whether there is more."""

from __future__ import annotations

from dataclasses import dataclass, field

from xiaotu.catalogue.models import Record


@dataclass(frozen=True)
class Filters:
    """Narrowing chosen from the facets; empty means no narrowing."""

    clc: str = ""  # a 中图法 basic class letter, "A" … "Z"
    location_id: int | None = None
    year: int | None = None
    language: str = ""  # as in Record.language ("chi", "eng", …)
    available: bool = False  # only records with a copy on the shelf now


@dataclass(frozen=True)
class FacetValue:
    value: str  # what goes back into Filters (class letter, location id, year, language code, "1")
    label: str  # what the reader sees
    count: int


@dataclass
class SearchResult:
    query: str
    page: int
    per_page: int
    records: list[Record]  # this page, best first; each Record is a full model instance
    has_next: bool
    # Counted over the first hits only (see selectors.FACET_WINDOW), so a common word stays fast;
    # `facets_partial` says the counts stopped there.
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)  # keys: clc, location, year, language, available
    facets_partial: bool = False
