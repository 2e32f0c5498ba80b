"""CNMARC and UNIMARC bibliographic records mapped to BibRecord.

CNMARC is UNIMARC with Chinese practice: 690 holds the 中图法 class, $A/$9 hold 拼音, $4 holds the role in
words (著, 编, 译, 主编) and 905/906 hold local copies.
"""

from __future__ import annotations

from typing import Any

from .bib import Author, BibRecord, Subject
from .holdings import unimarc_holdings
from .record import MarcField, MarcRecord
from .values import clean, normalise_isbn, parse_price, parse_year

Issue = tuple[str, dict[str, Any]]

# 5XX related titles that are other titles of the same work.
OTHER_TITLE_TAGS = ("500", "510", "512", "513", "514", "515", "516", "517", "518", "532", "540", "541")
SUBJECT_KINDS = {"600": "person", "601": "corporate", "605": "title", "606": "topic", "607": "place"}
SUBDIVISIONS = {"x": "topic", "y": "place", "z": "time", "j": "form"}
AUTHOR_LEVELS = {
    "700": ("person", "primary"),
    "701": ("person", "alternative"),
    "702": ("person", "secondary"),
    "710": ("corporate", "primary"),
    "711": ("corporate", "alternative"),
    "712": ("corporate", "secondary"),
}
# What each field is for, so one pass over the record dispatches on a small int.
_ISBN, _TITLE, _OTHER_TITLE, _EDITION, _PUBLICATION, _GENERAL, _PHYSICAL, _SERIES, _SUMMARY = range(9)
_SUBJECT, _CLASS, _LANGUAGE, _AUTHOR, _HOLDING, _CONTROL = range(9, 15)
_ROLES = {
    "001": _CONTROL,
    "010": _ISBN,
    "100": _GENERAL,
    "101": _LANGUAGE,
    "200": _TITLE,
    "205": _EDITION,
    "210": _PUBLICATION,
    "214": _PUBLICATION,
    "215": _PHYSICAL,
    "225": _SERIES,
    "330": _SUMMARY,
    "690": _CLASS,
    "905": _HOLDING,
    "906": _HOLDING,
    **dict.fromkeys(OTHER_TITLE_TAGS, _OTHER_TITLE),
    **dict.fromkeys(("600", "601", "605", "606", "607", "610"), _SUBJECT),
    **dict.fromkeys(AUTHOR_LEVELS, _AUTHOR),
}


def join_name(first: str, second: str) -> str:
    """Entry element and the rest of a name: '张' + '三' as is, 'Asimov' + 'Isaac' with a comma."""
    if not second:
        return first
    if not first:
        return second
    if second[0] in ",.(（，":
        return first + second
    if first[-1] > "\u2e7f" or second[0] > "\u2e7f":
        return first + second
    return f"{first}, {second}"


def charset_code(record: MarcRecord) -> str:
    """CNMARC 100 $a/26–29, the character set the record says it is in ('50  ' Unicode, '0120' GB…)."""
    for f in record.fields:
        if f.tag == "100":
            return f.get("a")[26:30]
    return ""


def map_unimarc(record: MarcRecord, marc_format: str) -> tuple[BibRecord, list[Issue]]:
    """One pass over the fields; the first 200, 205, 210/214 and 215 count, the others are all collected."""
    issues: list[Issue] = []
    bib = BibRecord(format=marc_format)
    title_field: MarcField | None = None
    publication: MarcField | None = None
    general = ""
    other_titles: list[MarcField] = []
    subjects: list[MarcField] = []
    authors: list[MarcField] = []
    holdings: list[MarcField] = []
    roles = _ROLES
    for f in record.fields:
        role = roles.get(f.tag)
        if role is None:
            continue
        if role == _ISBN:
            _map_isbn(f, bib, issues)
        elif role == _TITLE:
            title_field = title_field or f
        elif role == _AUTHOR:
            authors.append(f)
        elif role == _SUBJECT:
            subjects.append(f)
        elif role == _HOLDING:
            holdings.append(f)
        elif role == _CLASS:
            cls = f.get("a").strip()
            if cls and cls not in bib.clc_classes:
                bib.clc_classes.append(cls)
            if not bib.clc_edition:
                bib.clc_edition = f.get("v").strip()
        elif role == _PUBLICATION:
            if publication is None or (publication.tag == "214" and f.tag == "210"):
                publication = f
        elif role == _PHYSICAL:
            if not (bib.pages or bib.illustrations or bib.size):
                bib.pages, bib.illustrations, bib.size = f.get("a").strip(), f.get("c").strip(), f.get("d").strip()
        elif role == _GENERAL:
            general = general or f.get("a")
        elif role == _LANGUAGE:
            if not bib.languages:
                bib.languages = [v.strip() for v in f.get_all("a") if v.strip()]
        elif role == _EDITION:
            bib.edition = bib.edition or clean(f.get("a"))
        elif role == _SUMMARY:
            text = "\n".join(v.strip() for v in f.get_all("a") if v.strip())
            if text:
                bib.summary = f"{bib.summary}\n{text}" if bib.summary else text
        elif role == _SERIES:
            series, volume = clean(f.get("a")), f.get("v").strip()
            if series:
                bib.series.append(f"{series} ; {volume}" if volume else series)
        elif role == _OTHER_TITLE:
            other_titles.append(f)
        elif role == _CONTROL and f.data is not None:
            bib.control_number = f.data.strip()

    if title_field is not None:
        _map_title(title_field, bib)
    if not bib.title:
        issues.append(("no_title", {}))
    for f in sorted(other_titles, key=_tag) if len(other_titles) > 1 else other_titles:
        title = clean(f.get("a"))
        if title and title not in bib.other_titles:
            bib.other_titles.append(title)
    if publication is not None:
        bib.place, bib.publisher, bib.date = (
            publication.get("a").strip(),
            clean(publication.get("c")),
            publication.get("d").strip(),
        )
    bib.year = parse_year(bib.date, general[9:13])
    for f in subjects:
        bib.subjects.extend(_subjects(f))
    for f in sorted(authors, key=_tag) if len(authors) > 1 else authors:
        author = _author(f)
        if author:
            bib.authors.append(author)
    if holdings:
        bib.holdings = unimarc_holdings(
            [f for f in holdings if f.tag == "905"], [f for f in holdings if f.tag == "906"]
        )
    return bib, issues


def _tag(f: MarcField) -> str:
    return f.tag


def _map_isbn(f: MarcField, bib: BibRecord, issues: list[Issue]) -> None:
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
        elif code == "d" and not bib.price_text:
            bib.price_text = value
            bib.price, bib.currency = parse_price(value, "CNY")


def _map_title(f: MarcField, bib: BibRecord) -> None:
    subtitle: list[str] = []
    for code, value in f.subfields:
        value = clean(value)
        if not value:
            continue
        if code == "a":
            if not bib.title:
                bib.title = value
            elif value not in bib.other_titles:
                bib.other_titles.append(value)
        elif code in ("A", "9"):
            bib.title_pinyin = bib.title_pinyin or value
        elif code == "e":
            subtitle.append(value)
        elif code == "d":
            parallel = value.lstrip("= ").strip()
            if parallel and parallel not in bib.other_titles:
                bib.other_titles.append(parallel)
        elif code in ("f", "g"):
            bib.responsibility.append(value)
        elif code == "h":
            bib.part_number = bib.part_number or value
        elif code == "i":
            bib.part_name = bib.part_name or value
    bib.subtitle = " : ".join(subtitle)


def _subjects(f: MarcField) -> list[Subject]:
    if f.tag == "610":
        return [Subject(clean(v), "keyword") for v in f.get_all("a") if clean(v)]
    heading = ""
    subdivisions: list[tuple[str, str]] = []
    for code, value in f.subfields:
        value = clean(value)
        if not value:
            continue
        if code == "a" and not heading:
            heading = value
        elif code == "b" and heading and f.tag in ("600", "601"):
            heading = join_name(heading, value) if f.tag == "600" else f"{heading}{value}"
        elif code in SUBDIVISIONS:
            subdivisions.append((SUBDIVISIONS[code], value))
    return [Subject(heading, SUBJECT_KINDS[f.tag], subdivisions)] if heading else []


def _author(f: MarcField) -> Author | None:
    kind, level = AUTHOR_LEVELS[f.tag]
    name = clean(f.get("a"))
    rest = clean(f.get("b"))
    if kind == "person":
        name = join_name(name, rest)
    elif rest:
        name = f"{name}{rest}" if name[-1:] > "\u2e7f" else f"{name}. {rest}"
    if not name:
        return None
    return Author(
        name=name,
        role=clean(f.get("4")),
        kind=kind,
        level=level,
        pinyin=clean(f.get("A") or f.get("9")),
    )
