"""MARC21 bibliographic records mapped to BibRecord.

MARC21 ends subfields with ISBD punctuation (' /', ' :', ' ;', '.'), which is stripped. Chinese, Japanese and
Korean records carry the script form in 880 fields linked by $6 ('245-01/$1' ↔ '880-01'): title, authors,
edition, publisher and series are taken from the 880 when there is one, and the romanised title is kept
among the other titles (the romanised name becomes the author's ``pinyin``).
"""

from __future__ import annotations

from typing import Any

from .bib import Author, BibRecord, Subject
from .holdings import marc21_holdings
from .record import MarcField, MarcRecord
from .values import clean, normalise_isbn, parse_price, parse_year, strip_isbd

Issue = tuple[str, dict[str, Any]]

SUBJECT_KINDS = {
    "600": "person",
    "610": "corporate",
    "611": "corporate",
    "630": "title",
    "650": "topic",
    "651": "place",
    "653": "keyword",
}
SUBDIVISIONS = {"x": "topic", "z": "place", "y": "time", "v": "form"}
AUTHOR_TAGS = {
    "100": ("person", "primary"),
    "110": ("corporate", "primary"),
    "111": ("corporate", "primary"),
    "700": ("person", "alternative"),
    "710": ("corporate", "alternative"),
    "711": ("corporate", "alternative"),
}
CALL_NUMBER_TAGS = ("090", "099", "096", "050")
HOLDING_TAGS = ("852", "949", "952")


def linkage(field: MarcField) -> tuple[str, str] | None:
    """($6 tag, occurrence): '880-01' in a 245 -> ('880', '01'); '245-01/$1' in an 880 -> ('245', '01')."""
    link = field.get("6")
    if len(link) >= 6 and link[3] == "-":
        return link[:3], link[4:6]
    return None


def map_marc21(record: MarcRecord) -> tuple[BibRecord, list[Issue]]:
    by: dict[str, list[MarcField]] = {}
    vernacular: dict[tuple[str, str], MarcField] = {}
    for f in record.fields:
        if f.tag == "880":
            link = linkage(f)
            if link:
                tag, occurrence = link
                if occurrence == "00":
                    # script form with no romanised partner: it is the field itself
                    by.setdefault(tag, []).append(MarcField(tag, f.indicators, f.subfields))
                else:
                    vernacular[(tag, occurrence)] = f
            continue
        by.setdefault(f.tag, []).append(f)

    def script(f: MarcField) -> MarcField | None:
        link = linkage(f)
        return vernacular.get((f.tag, link[1])) if link and link[0] == "880" else None

    issues: list[Issue] = []
    bib = BibRecord(format="marc21")
    get = by.get

    control = get("001")
    if control and control[0].data is not None:
        bib.control_number = control[0].data.strip()
    fixed = get("008")
    fixed_data = fixed[0].data or "" if fixed else ""

    for f in get("020", ()):
        for code, value in f.subfields:
            value = value.strip()
            if not value:
                continue
            if code == "a":
                isbn = normalise_isbn(value)
                if isbn:
                    if isbn not in bib.isbns:
                        bib.isbns.append(isbn)
                else:
                    bib.invalid_isbns.append(value)
                    issues.append(("isbn_invalid", {"value": value}))
            elif code == "z":
                bib.invalid_isbns.append(value)
            elif code == "c" and not bib.price_text:
                bib.price_text = strip_isbd(value)
                bib.price, bib.currency = parse_price(value)

    for tag in ("130", "240"):
        for f in get(tag, ()):
            _add(bib.other_titles, strip_isbd(clean(f.get("a"))))
    titles = get("245")
    if titles:
        main = titles[0]
        alt = script(main)
        _map_title(alt or main, bib)
        if alt:
            _add(bib.other_titles, _title_text(main))
    if not bib.title:
        issues.append(("no_title", {}))
    for tag in ("246", "247", "740"):
        for f in get(tag, ()):
            alt = script(f)
            _add(bib.other_titles, _title_text(alt or f))

    editions = get("250")
    if editions:
        bib.edition = strip_isbd(clean((script(editions[0]) or editions[0]).get("a")))
    publication = _publication(get("264", ()), get("260", ()))
    if publication:
        f = script(publication) or publication
        bib.place = strip_isbd(clean(f.get("a")))
        bib.publisher = strip_isbd(clean(f.get("b")))
        bib.date = strip_isbd(clean(f.get("c")))
    bib.year = parse_year(bib.date, fixed_data[7:11])
    physical = get("300")
    if physical:
        f = physical[0]
        bib.pages = strip_isbd(clean(f.get("a")))
        bib.illustrations = strip_isbd(clean(f.get("b")))
        bib.size = strip_isbd(clean(f.get("c")))
    for tag in ("490", "440", "830"):
        for f in get(tag, ()):
            f = script(f) or f
            series = strip_isbd(clean(f.get("a")))
            volume = strip_isbd(clean(f.get("v")))
            if series:
                _add(bib.series, f"{series} ; {volume}" if volume else series)
    summaries = [clean(v) for f in get("520", ()) for v in f.get_all("a")]  # sentences: their full stop stays
    bib.summary = "\n".join(s for s in summaries if s)

    for f in record.fields:
        if f.tag in SUBJECT_KINDS:
            bib.subjects.extend(_subjects(f))
    for f in get("084", ()):
        if f.get("2").strip().lower().startswith("clc"):
            for value in f.get_all("a"):
                _add(bib.clc_classes, clean(value))
    language = fixed_data[35:38]
    if language.strip(" |") and language.isalpha():
        bib.languages.append(language)
    for f in get("041", ()):
        for value in f.get_all("a"):
            value = value.strip()
            for i in range(0, len(value) - 2, 3):
                _add(bib.languages, value[i : i + 3])

    for tag in ("100", "110", "111", "700", "710", "711"):
        for f in get(tag, ()):
            author = _author(f, script(f))
            if author:
                bib.authors.append(author)

    if any(tag in by for tag in HOLDING_TAGS):
        holding_fields = [f for f in record.fields if f.tag in HOLDING_TAGS]
        bib.holdings = marc21_holdings(holding_fields, _call_number(by), clc=bool(bib.clc_classes))
    return bib, issues


def _add(values: list[str], value: str) -> None:
    if value and value not in values:
        values.append(value)


def _title_text(f: MarcField) -> str:
    return strip_isbd(" ".join(clean(v) for c, v in f.subfields if c in "ab" and v.strip()))


def _map_title(f: MarcField, bib: BibRecord) -> None:
    subtitle: list[str] = []
    for code, value in f.subfields:
        value = strip_isbd(clean(value))
        if not value:
            continue
        if code == "a" and not bib.title:
            bib.title = value
        elif code == "b":
            subtitle.append(value)
        elif code == "c":
            # several statements of responsibility share $c, separated by ' ; '
            bib.responsibility.extend(part.strip() for part in value.split(" ; ") if part.strip())
        elif code == "n":
            bib.part_number = bib.part_number or value
        elif code == "p":
            bib.part_name = bib.part_name or value
    bib.subtitle = " : ".join(subtitle)


def _publication(f264: list[MarcField] | tuple[()], f260: list[MarcField] | tuple[()]) -> MarcField | None:
    """264 with second indicator 1 (publication) first, then 260, then any 264."""
    for f in f264:
        if f.indicators[1:2] == "1":
            return f
    if f260:
        return f260[0]
    return f264[0] if f264 else None


def _subjects(f: MarcField) -> list[Subject]:
    if f.tag == "653":
        return [Subject(strip_isbd(clean(v)), "keyword") for v in f.get_all("a") if v.strip()]
    name_parts: list[str] = []
    subdivisions: list[tuple[str, str]] = []
    for code, value in f.subfields:
        value = clean(value)
        if not value:
            continue
        if code in SUBDIVISIONS:
            subdivisions.append((SUBDIVISIONS[code], strip_isbd(value)))
        elif code in ("a", "b", "c", "d", "t") and not subdivisions:
            name_parts.append(value)
    heading = strip_isbd(" ".join(name_parts))
    return [Subject(heading, SUBJECT_KINDS[f.tag], subdivisions)] if heading else []


def _author(f: MarcField, alt: MarcField | None) -> Author | None:
    kind, level = AUTHOR_TAGS[f.tag]
    codes = "ab" if kind == "person" else "abcdn"
    name = _name(alt or f, codes)
    if not name:
        return None
    role = strip_isbd(clean(f.get("e") or (alt.get("e") if alt else "") or f.get("4")))
    return Author(name=name, role=role, kind=kind, level=level, pinyin=_name(f, codes) if alt else "")


def _name(f: MarcField, codes: str) -> str:
    return strip_isbd(" ".join(clean(v) for c, v in f.subfields if c in codes and v.strip()))


def _call_number(by: dict[str, list[MarcField]]) -> str:
    for tag in CALL_NUMBER_TAGS:
        for f in by.get(tag, ()):
            parts = [clean(v) for c, v in f.subfields if c in "ab" and v.strip()]
            if parts:
                return " ".join(parts)
    return ""
