"""Copies described inside bibliographic records (CNMARC 905/906, MARC21 852/949/952) turned into Holdings.

CNMARC leaves local holdings to each system, so these follow what Chinese systems actually write (dp2 issues
#262, #263, #305, #645 collect samples from 金盘/GDLIS-style, Interlib-style and other exports):

- 905 $a 馆藏地/馆代码, $b 条码 (repeatable, and often a range: ``D040394-5``, ``0010201-10``), $c 馆藏地/排架号,
  $d 分类号, $e 种次号/书次号, $f 复本量, $s 索书号. One field may hold several copies as repeated $b, or as
  repeated groups each starting with $a. xiaotu also writes $h 登录号, $r 价格 and $t 流通类型 here.
- 906 one copy per field (or per $a group): $a 馆藏地, $b or $h 条码, $c 登录号, $d 分类号, $e 种次号, $r 价格.
- MARC21 852 $a library, $b location, $k/$h/$i (or $j) call number, $p barcode; 949 and 952 in Koha's
  item layout: $a home library, $c location, $o call number, $p barcode, $i inventory (accession) number,
  $g price, $y item type. A 090/099/050 call number stands in for a copy that has none.

A 905 without barcodes carries the call number and location for the title; it applies to 906 copies that
lack them, and alone it becomes copies without barcodes ($f of them) for the import to number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from .bib import Holding
from .record import MarcField
from .values import clean, parse_price

_RANGE = re.compile(r"^(.*?)(\d+)-(\d+)$")
MAX_RANGE = 500


def expand_barcodes(value: str) -> list[str]:
    """'D040394-5' -> ['D040394', 'D040395']; '0010201-10' -> ten barcodes; anything else as given.

    The digits after the hyphen replace the same number of trailing digits of the first barcode.
    """
    value = value.strip()
    if "-" not in value:
        return [value] if value else []
    match = _RANGE.match(value)
    if not match:
        return [value]
    prefix, first, tail = match.groups()
    if len(tail) > len(first):
        return [value]
    last = first[: len(first) - len(tail)] + tail
    start, stop = int(first), int(last)
    if stop < start or stop - start >= MAX_RANGE:
        return [value]
    return [f"{prefix}{n:0{len(first)}d}" for n in range(start, stop + 1)]


class _Group:
    """One copy group of a holdings field: the first value of each subfield, and every barcode."""

    __slots__ = ("barcodes", "first")

    def __init__(self) -> None:
        self.first: dict[str, str] = {}
        self.barcodes: list[str] = []

    def call_number(self) -> str:
        first = self.first
        full = first.get("s")
        if full:
            return full
        cls, number = first.get("d", ""), first.get("e", "")
        return f"{cls}/{number}" if cls and number else cls

    def price(self) -> tuple[Decimal | None, str]:
        text = self.first.get("r")
        return parse_price(text, "CNY") if text else (None, "")


def _groups(field: MarcField, barcode_codes: str) -> list[_Group]:
    """Split a holdings field into copy groups: a repeated $a starts the next group."""
    groups = [_Group()]
    group = groups[0]
    for code, value in field.subfields:
        value = value.strip()
        if code == "a" and (group.first or group.barcodes):
            group = _Group()
            groups.append(group)
        if code in barcode_codes:
            group.barcodes.extend(expand_barcodes(value))
        elif value and code not in group.first:
            group.first[code] = value
    return groups


def unimarc_holdings(h905: Iterable[MarcField], h906: Iterable[MarcField]) -> list[Holding]:
    with_barcode: list[Holding] = []
    titles_only: list[tuple[Holding, int]] = []  # 905 groups without barcodes, with their 复本量
    for field in h905:
        for group in _groups(field, "b"):
            first = group.first
            price, currency = group.price()
            call_number = group.call_number()
            location, library = first.get("c", ""), first.get("a", "")
            accession, item_type = first.get("h", ""), first.get("t", "")
            if group.barcodes:
                with_barcode.extend(
                    Holding(b, accession, call_number, location, library, price, currency, item_type, "905")
                    for b in group.barcodes
                )
            elif first:
                copies = first.get("f", "")
                count = int(copies) if copies.isdigit() and 0 < int(copies) <= MAX_RANGE else 1
                template = Holding("", accession, call_number, location, library, price, currency, item_type, "905")
                titles_only.append((template, count))
    for field in h906:
        for group in _groups(field, "bh"):
            first = group.first
            price, currency = group.price()
            for barcode in group.barcodes or [""]:
                with_barcode.append(
                    Holding(
                        barcode=barcode,
                        accession_number=first.get("c", ""),
                        call_number=group.call_number(),
                        location=first.get("a", ""),
                        price=price,
                        currency=currency,
                        source="906",
                    )
                )
    if not with_barcode:
        return [_copy(t) for t, count in titles_only for _ in range(count)]
    if titles_only:
        default = titles_only[0][0]
        for h in with_barcode:
            h.call_number = h.call_number or default.call_number
            h.location = h.location or default.location
            h.library = h.library or default.library
    return _dedupe(with_barcode) if len(with_barcode) > 1 else with_barcode


def marc21_holdings(fields: Iterable[MarcField], fallback_call_number: str, clc: bool) -> list[Holding]:
    """852, 949 and 952 in field order; ``clc`` joins 852 $h/$i with '/' as 中图法 call numbers are written."""
    holdings: list[Holding] = []
    for field in fields:
        first: dict[str, str] = {}
        for code, value in field.subfields:
            value = clean(value)
            if value and code not in first:
                first[code] = value
        get = first.get
        if field.tag == "852":
            call = ("/" if clc else " ").join(p for p in (get("h", ""), get("i", "")) if p) or get("j", "")
            prefix = get("k", "")
            call = f"{prefix} {call}".strip() if prefix else call
            holdings.append(
                Holding(
                    barcode=get("p", ""),
                    call_number=call or fallback_call_number,
                    location=get("b", ""),
                    library=get("a", ""),
                    source="852",
                )
            )
        else:
            price_text = get("g") or get("v", "")
            amount, currency = parse_price(price_text) if price_text else (None, "")
            holdings.append(
                Holding(
                    barcode=get("p", ""),
                    accession_number=get("i", ""),
                    call_number=get("o") or fallback_call_number,
                    location=get("c", ""),
                    library=get("a") or get("b", ""),
                    price=amount,
                    currency=currency,
                    item_type=get("y", ""),
                    source=field.tag,
                )
            )
    return _dedupe(holdings)


def _copy(h: Holding, **changes: str) -> Holding:
    new = Holding(
        h.barcode,
        h.accession_number,
        h.call_number,
        h.location,
        h.library,
        h.price,
        h.currency,
        h.item_type,
        h.source,
    )
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _dedupe(holdings: list[Holding]) -> list[Holding]:
    """The same barcode twice (905 and 906 both listing it) is one copy; fill its blanks from the second."""
    seen: dict[str, Holding] = {}
    out: list[Holding] = []
    for h in holdings:
        if not h.barcode:
            out.append(h)
            continue
        first = seen.get(h.barcode)
        if first is None:
            seen[h.barcode] = h
            out.append(h)
            continue
        for name in ("accession_number", "call_number", "location", "library", "currency", "item_type"):
            if not getattr(first, name):
                setattr(first, name, getattr(h, name))
        if first.price is None:
            first.price = h.price
    return out
