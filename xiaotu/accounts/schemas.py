"""Pieces every part of the JSON API shares: the error body, the caller, and the checked input types."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any

from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from xiaotu.barcodes import MAX_BARCODE, clean_barcode


def _barcode(raw: str) -> str:
    code = clean_barcode(raw)
    if not code or not code.isprintable():
        raise PydanticCustomError("barcode_characters", "A barcode cannot contain invisible or control characters")
    return code


def _no_control_characters(text: str) -> str:
    # A NUL is refused by PostgreSQL, and no scanner or keyboard sends control characters on purpose.
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise PydanticCustomError("control_characters", "Control characters are not allowed")
    return text


def blank_is(default: Any) -> BeforeValidator:
    """`?status=&limit=` (a form submitted empty) means the default, not a bad value."""
    return BeforeValidator(lambda value: default if value == "" else value)


# Scanners add spaces and line ends, people type lower case: cleaned the way the desk cleans them, at most 32 long.
Barcode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_BARCODE),
    AfterValidator(_barcode),
]
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=100),
    AfterValidator(_no_control_characters),
]
Limit = Annotated[int, Field(ge=1, le=100, description="How many to return (1–100)"), blank_is(20)]


class ErrorOut(Schema):
    """Every error: a stable `code` for programs and a `message` in the request's language for people."""

    code: str
    message: str


class FieldErrorOut(Schema):
    """One field that failed validation: which (`item`, `limit`; `body` for the whole body), why, and in words."""

    field: str
    type: str
    message: str


class InvalidInputOut(ErrorOut):
    """422 `invalid_input`: the request was well-formed JSON but did not fit the schema."""

    errors: list[FieldErrorOut]


class LibraryOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    """The staff member a token or session belongs to, and the library everything they see is limited to."""

    username: str
    name: str
    role: str
    library: LibraryOut


# The errors any operation may answer with, for the OpenAPI document; handlers never return these themselves.
COMMON_ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: InvalidInputOut}
