"""The original record as the catalogue keeps it (``Record.marc``), so that an export loses nothing.

Two forms, both holding every field, indicator and repeated subfield in order, as Unicode:

- ``iso2709:`` and the record's ISO 2709 text as it was decoded — leader, directory and fields — for a record read
  cleanly from an ISO 2709 file, which is nearly every imported record. Keeping it costs nothing: the text is
  already there, where serialising the record again took a sixth of an import. The directory's lengths and
  offsets count bytes of the file's encoding and are not read back: fields are found by their terminators.
- MARC-in-JSON (https://github.com/marc4j/marc4j/wiki/MARC-in-JSON-Description, as pymarc's JSONReader reads it)
  for everything else: records from MARCXML or a remote catalogue, records that needed repair, and records kept
  before the ISO 2709 form existed.

A JSON text starts with '{', so the two cannot be confused.
"""

from __future__ import annotations

from .iso2709 import record_from_text
from .record import MarcRecord

ISO2709_MARK = "iso2709:"


def kept_iso2709(text: str) -> str:
    """The kept form of a record's decoded ISO 2709 text (from ``parse_record_with_text``)."""
    return ISO2709_MARK + text


def read_kept(kept: str) -> MarcRecord:
    """The record from its kept form, either one; ValueError if it is neither."""
    if kept.startswith(ISO2709_MARK):
        return record_from_text(kept[len(ISO2709_MARK) :])
    return MarcRecord.from_json(kept)
