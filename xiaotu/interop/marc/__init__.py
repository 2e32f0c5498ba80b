"""MARC files in and out: ISO 2709, MARCXML and SRU; CNMARC, UNIMARC and MARC21; UTF-8, GB18030 and MARC-8.

Plain Python with no Django models: the import pipeline maps BibRecord and Holding onto the catalogue.

Reading::

    marc_file = open_marc(path_or_bytes)          # MarcFileError: empty, not MARC, truncated, too large
    marc_file.info                                # container, format, encoding and why
    for item in marc_file:                        # file order
        if isinstance(item, ParsedRecord):
            item.bib, item.kept(), item.warnings    # kept: the whole record, for read_kept at export
        else:                                     # RecordProblem: position, offset, code, message
            ...

Writing::

    data, summary = export_marc([ExportRecord(bib, original)], marc_format="cnmarc", encoding="gb18030")
"""

from .bib import Author, BibRecord, Holding, Subject
from .charsets import GB18030, MARC8, UTF8
from .formats import CNMARC, MARC21, UNIMARC
from .generate import generate_cnmarc
from .kept import read_kept
from .problems import MarcFileError, RecordProblem
from .reader import (
    DEFAULT_MAX_BYTES,
    ISO2709,
    MARCXML,
    SRU,
    MarcFile,
    MarcFileInfo,
    ParsedRecord,
    map_record,
    open_marc,
)
from .record import MarcField, MarcRecord
from .values import format_isbn, isbn10, normalise_isbn, parse_price
from .writer import ExportRecord, ExportSummary, build_record, export_marc, write_marc

__all__ = [
    "CNMARC",
    "DEFAULT_MAX_BYTES",
    "GB18030",
    "ISO2709",
    "MARC8",
    "MARC21",
    "MARCXML",
    "SRU",
    "UNIMARC",
    "UTF8",
    "Author",
    "BibRecord",
    "ExportRecord",
    "ExportSummary",
    "Holding",
    "MarcField",
    "MarcFile",
    "MarcFileError",
    "MarcFileInfo",
    "MarcRecord",
    "ParsedRecord",
    "RecordProblem",
    "Subject",
    "build_record",
    "export_marc",
    "format_isbn",
    "generate_cnmarc",
    "isbn10",
    "map_record",
    "normalise_isbn",
    "open_marc",
    "parse_price",
    "read_kept",
    "write_marc",
]
