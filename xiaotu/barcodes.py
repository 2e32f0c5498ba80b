"""Barcodes as they are stored and looked up: no whitespace, upper case, at most 32 characters."""

MAX_BARCODE = 32


def clean_barcode(raw: str) -> str:
    """Scanners add spaces, tabs and line ends; people type lower-case letters."""
    return "".join(raw.split()).upper()
