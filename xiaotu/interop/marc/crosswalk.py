"""BibRecord back to MARC fields, for CNMARC/UNIMARC and MARC21: the crosswalk both ways goes through here.

Each *group* owns some BibRecord attributes and some tags. Exporting a record into its own format keeps the
original fields and rebuilds only the groups whose attributes changed since import; exporting into the other
format builds every group from the BibRecord. What has no place in the target format (拼音 in MARC21, the
中图法 edition in 084) is left out rather than written somewhere invalid.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .bib import Author, BibRecord, Holding, Subject
from .record import MarcField
from .values import format_isbn, format_price, parse_price

Builder = Callable[[BibRecord, MarcField | None], list[MarcField]]


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    attributes: tuple[str, ...]
    tags: tuple[str, ...]
    build: Builder


def _price_text(bib: BibRecord, default_currency: str) -> str:
    if bib.price is None:
        return bib.price_text
    if bib.price_text and parse_price(bib.price_text, default_currency) == (bib.price, bib.currency):
        return bib.price_text
    return format_price(bib.price, bib.currency or default_currency)


def _keep(original: MarcField | None, managed: str) -> list[tuple[str, str]]:
    """Subfields of the original field that this group does not manage, kept in place on rebuild."""
    return [(c, v) for c, v in original.subfields if c not in managed] if original else []


def _split_volume(series: str) -> tuple[str, str]:
    title, sep, volume = series.rpartition(" ; ")
    return (title, volume) if sep else (series, "")


# ---------------------------------------------------------------- CNMARC / UNIMARC


def _u_control(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField.control("001", bib.control_number)] if bib.control_number else []


def _u_isbn(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    price = _price_text(bib, "CNY")
    fields = [MarcField("010", "  ", [("a", format_isbn(isbn))]) for isbn in bib.isbns]
    fields += [MarcField("010", "  ", [("z", isbn)]) for isbn in bib.invalid_isbns]
    if price:
        if fields:
            fields[0].subfields.append(("d", price))
        else:
            fields.append(MarcField("010", "  ", [("d", price)]))
    return fields


def _u_title(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    pinyin_code = "9" if original and original.get("9") and not original.get("A") else "A"
    subs = [("a", bib.title)]
    if bib.title_pinyin:
        subs.append((pinyin_code, bib.title_pinyin))
    subs += _keep(original, "aA9efghi")
    subs += [("e", part) for part in bib.subtitle.split(" : ") if part]
    if bib.part_number:
        subs.append(("h", bib.part_number))
    if bib.part_name:
        subs.append(("i", bib.part_name))
    subs += [("f" if i == 0 else "g", r) for i, r in enumerate(bib.responsibility)]
    return [MarcField("200", original.indicators if original else "1 ", subs)]


def _u_other_titles(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("517", "1 ", [("a", title)]) for title in bib.other_titles]


def _u_edition(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("205", "  ", [("a", bib.edition), *_keep(original, "a")])] if bib.edition else []


def _u_publication(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    subs = [(c, v) for c, v in (("a", bib.place), ("c", bib.publisher), ("d", bib.date)) if v]
    return [MarcField("210", "  ", subs)] if subs else []


def _u_physical(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    subs = [(c, v) for c, v in (("a", bib.pages), ("c", bib.illustrations), ("d", bib.size)) if v]
    subs += _keep(original, "acd")
    return [MarcField("215", "  ", subs)] if subs else []


def _u_series(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    fields = []
    for series in bib.series:
        title, volume = _split_volume(series)
        fields.append(MarcField("225", "2 ", [("a", title), *([("v", volume)] if volume else [])]))
    return fields


def _u_summary(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("330", "  ", [("a", line)]) for line in bib.summary.split("\n") if line]


_U_SUBJECT_TAGS = {"person": "600", "corporate": "601", "title": "605", "topic": "606", "place": "607"}
_U_SUBDIVISIONS = {"topic": "x", "place": "y", "time": "z", "form": "j"}


def _u_subjects(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    fields = []
    for subject in bib.subjects:
        if subject.kind == "keyword":
            fields.append(MarcField("610", "0 ", [("a", subject.heading)]))
            continue
        subs = [("a", subject.heading)] + [(_U_SUBDIVISIONS[k], text) for k, text in subject.subdivisions]
        fields.append(MarcField(_U_SUBJECT_TAGS.get(subject.kind, "606"), "0 ", subs))
    return fields


def _u_classes(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    edition = [("v", bib.clc_edition)] if bib.clc_edition else []
    return [MarcField("690", "  ", [("a", cls), *edition]) for cls in bib.clc_classes]


def _u_languages(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    if not bib.languages:
        return []
    return [MarcField("101", original.indicators if original else "0 ", [("a", code) for code in bib.languages])]


_U_AUTHOR_TAGS = {
    ("person", "primary"): "700",
    ("person", "alternative"): "701",
    ("person", "secondary"): "702",
    ("corporate", "primary"): "710",
    ("corporate", "alternative"): "711",
    ("corporate", "secondary"): "712",
}


def _u_authors(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    """700/710 take one name each; further primary names become 701/711 so that the record stays valid."""
    fields = []
    primary_seen: set[str] = set()
    for author in bib.authors:
        kind = "corporate" if author.kind == "corporate" else "person"
        level = author.level if author.level in ("primary", "alternative", "secondary") else "alternative"
        if level == "primary":
            level = "alternative" if kind in primary_seen else level
            primary_seen.add(kind)
        subs = [("a", author.name)]
        if author.pinyin:
            subs.append(("A", author.pinyin))
        if author.role:
            subs.append(("4", author.role))
        fields.append(MarcField(_U_AUTHOR_TAGS[kind, level], " 0" if kind == "person" else "02", subs))
    return fields


def unimarc_holding(h: Holding) -> MarcField:
    """905 as Chinese systems read it ($a $b $c $d $e $s), plus xiaotu's $h 登录号, $r 价格 and $t 流通类型."""
    cls, _, number = h.call_number.partition("/")
    subs = [
        ("a", h.library),
        ("b", h.barcode),
        ("c", h.location),
        ("d", cls if number else ""),
        ("e", number),
        ("s", h.call_number),
        ("h", h.accession_number),
        ("r", format_price(h.price, h.currency or "CNY") if h.price is not None else ""),
        ("t", h.item_type),
    ]
    return MarcField("905", "  ", [(c, v) for c, v in subs if v])


def _u_holdings(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [unimarc_holding(h) for h in bib.holdings]


UNIMARC_GROUPS = (
    Group("control", ("control_number",), ("001",), _u_control),
    Group("isbn", ("isbns", "invalid_isbns", "price", "currency", "price_text"), ("010",), _u_isbn),
    Group("languages", ("languages",), ("101",), _u_languages),
    Group(
        "title",
        ("title", "title_pinyin", "subtitle", "part_number", "part_name", "responsibility"),
        ("200",),
        _u_title,
    ),
    Group("edition", ("edition",), ("205",), _u_edition),
    Group("publication", ("place", "publisher", "date"), ("210", "214"), _u_publication),
    Group("physical", ("pages", "illustrations", "size"), ("215",), _u_physical),
    Group("series", ("series",), ("225",), _u_series),
    Group("summary", ("summary",), ("330",), _u_summary),
    Group(
        "other_titles",
        ("other_titles",),
        ("500", "510", "512", "513", "514", "515", "516", "517", "518", "532", "540", "541"),
        _u_other_titles,
    ),
    Group("subjects", ("subjects",), ("600", "601", "605", "606", "607", "610"), _u_subjects),
    Group("classes", ("clc_classes", "clc_edition"), ("690",), _u_classes),
    Group("authors", ("authors",), ("700", "701", "702", "710", "711", "712"), _u_authors),
    Group("holdings", ("holdings",), ("905", "906"), _u_holdings),
)


# ---------------------------------------------------------------- MARC21


def _m_control(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField.control("001", bib.control_number)] if bib.control_number else []


def _m_isbn(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    price = _price_text(bib, "")
    fields = [MarcField("020", "  ", [("a", isbn)]) for isbn in bib.isbns]
    fields += [MarcField("020", "  ", [("z", isbn)]) for isbn in bib.invalid_isbns]
    if price:
        if fields:
            fields[0].subfields.append(("c", price))
        else:
            fields.append(MarcField("020", "  ", [("c", price)]))
    return fields


def _punctuate(subs: list[tuple[str, str]], marks: dict[str, str]) -> list[tuple[str, str]]:
    """ISBD punctuation between subfields: the mark belongs at the end of the subfield before ``code``."""
    out: list[tuple[str, str]] = []
    for code, value in subs:
        if out and code in marks:
            prev_code, prev = out[-1]
            out[-1] = (prev_code, f"{prev}{marks[code]}")
        out.append((code, value))
    return out


def _m_title(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    subs = [("a", bib.title)]
    if bib.subtitle:
        subs.append(("b", bib.subtitle))
    if bib.part_number:
        subs.append(("n", bib.part_number))
    if bib.part_name:
        subs.append(("p", bib.part_name))
    if bib.responsibility:
        subs.append(("c", " ; ".join(bib.responsibility)))
    subs = _punctuate(subs, {"b": " :", "c": " /", "n": ".", "p": ","})
    indicators = original.indicators if original else ("1" if bib.authors else "0") + "0"
    return [MarcField("245", indicators, subs)]


def _m_other_titles(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("246", "3 ", [("a", title)]) for title in bib.other_titles]


def _m_edition(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("250", "  ", [("a", bib.edition)])] if bib.edition else []


def _m_publication(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    subs = [(c, v) for c, v in (("a", bib.place), ("b", bib.publisher), ("c", bib.date)) if v]
    if not subs:
        return []
    tag, ind = (original.tag, original.indicators) if original else ("260", "  ")
    return [MarcField(tag, ind, _punctuate(subs, {"b": " :", "c": ","}))]


def _m_physical(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    subs = [(c, v) for c, v in (("a", bib.pages), ("b", bib.illustrations), ("c", bib.size)) if v]
    return [MarcField("300", "  ", _punctuate(subs, {"b": " :", "c": " ;"}))] if subs else []


def _m_series(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    fields = []
    for series in bib.series:
        title, volume = _split_volume(series)
        subs = [("a", title), *([("v", volume)] if volume else [])]
        fields.append(MarcField("490", "0 ", _punctuate(subs, {"v": " ;"})))
    return fields


def _m_summary(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("520", "  ", [("a", line)]) for line in bib.summary.split("\n") if line]


_M_SUBJECT_TAGS = {"person": ("600", "14"), "corporate": ("610", "24"), "title": ("630", "04"), "place": ("651", " 4")}
_M_SUBDIVISIONS = {"topic": "x", "place": "z", "time": "y", "form": "v"}


def _m_subject(subject: Subject) -> MarcField:
    if subject.kind == "keyword":
        return MarcField("653", "  ", [("a", subject.heading)])
    tag, ind = _M_SUBJECT_TAGS.get(subject.kind, ("650", " 4"))
    subs = [("a", subject.heading)] + [(_M_SUBDIVISIONS[k], text) for k, text in subject.subdivisions]
    return MarcField(tag, ind, subs)


def _m_subjects(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [_m_subject(s) for s in bib.subjects]


def _m_classes(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [MarcField("084", "  ", [("a", cls), ("2", "clc")]) for cls in bib.clc_classes]


def _m_languages(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    """041 when there is more than one language; the first is also in 008/35-37, set by the writer."""
    return [MarcField("041", "0 ", [("a", code) for code in bib.languages])] if len(bib.languages) > 1 else []


def _m_author(author: Author, first: bool) -> MarcField:
    corporate = author.kind == "corporate"
    main = first and author.level == "primary"
    tag = ("110" if corporate else "100") if main else ("710" if corporate else "700")
    ind = "2 " if corporate else ("1 " if "," in author.name else "0 ")
    subs = [("a", author.name)]
    if author.role:
        subs = _punctuate([*subs, ("e", author.role)], {"e": ","})
    return MarcField(tag, ind, subs)


def _m_authors(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [_m_author(a, i == 0) for i, a in enumerate(bib.authors)]


def marc21_holding(h: Holding) -> MarcField:
    """949 in Koha's item layout: $a library, $c location, $o call number, $p barcode, $i accession, $g price."""
    subs = [
        ("a", h.library),
        ("c", h.location),
        ("o", h.call_number),
        ("p", h.barcode),
        ("i", h.accession_number),
        ("g", format_price(h.price, h.currency) if h.price is not None else ""),
        ("y", h.item_type),
    ]
    return MarcField("949", "  ", [(c, v) for c, v in subs if v])


def _m_holdings(bib: BibRecord, original: MarcField | None) -> list[MarcField]:
    return [marc21_holding(h) for h in bib.holdings]


MARC21_GROUPS = (
    Group("control", ("control_number",), ("001",), _m_control),
    Group("isbn", ("isbns", "invalid_isbns", "price", "currency", "price_text"), ("020",), _m_isbn),
    Group("languages", ("languages",), ("041",), _m_languages),
    Group("classes", ("clc_classes",), ("084",), _m_classes),
    Group("authors", ("authors",), ("100", "110", "111", "700", "710", "711"), _m_authors),
    Group("title", ("title", "subtitle", "part_number", "part_name", "responsibility"), ("245",), _m_title),
    Group("other_titles", ("other_titles",), ("130", "240", "246", "247", "740"), _m_other_titles),
    Group("edition", ("edition",), ("250",), _m_edition),
    Group("publication", ("place", "publisher", "date"), ("260", "264"), _m_publication),
    Group("physical", ("pages", "illustrations", "size"), ("300",), _m_physical),
    Group("series", ("series",), ("490", "440", "830"), _m_series),
    Group("summary", ("summary",), ("520",), _m_summary),
    Group("subjects", ("subjects",), ("600", "610", "611", "630", "650", "651", "653"), _m_subjects),
    Group("holdings", ("holdings",), ("852", "949", "952"), _m_holdings),
)
