"""Barcodes as they are stored and looked up: no whitespace, upper case, at most 32 characters."""

MAX_BARCODE = 32


def clean_barcode(raw: str) -> str:
    """Scanners add spaces, tabs and line ends; people type lower-case letters."""
    return "".join(raw.split()).upper()


def is_scannable(code: str) -> bool:
    """Whether a cleaned code can be a barcode at all: a NUL or control character is never looked up (PostgreSQL
    refuses NUL in text outright)."""
    return 0 < len(code) <= MAX_BARCODE and code.isprintable()
