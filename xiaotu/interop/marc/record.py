"""A MARC record as it stands in the file — leader and fields in Unicode — and its MARC-in-JSON form.

MARC-in-JSON (https://github.com/marc4j/marc4j/wiki/MARC-in-JSON-Description, read by pymarc's JSONReader) holds
every field, indicator and repeated subfield in order, exactly, as Unicode, so an export can re-encode it as UTF-8
or GB18030 and as ISO 2709 or MARCXML. It is one of the two forms the catalogue keeps originals in (see kept): the
one for records that did not come cleanly from an ISO 2709 file. It is several times faster to write than
MARCXML, and XML 1.0 cannot carry the control characters some records contain.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring as _encode_string

Subfield = tuple[str, str]
# JSON keys for subfield codes and numeric tags, encoded once.
_JSON_KEYS = {k: _encode_string(k) for k in [chr(c) for c in range(0x21, 0x7F)] + [f"{n:03d}" for n in range(1000)]}


@dataclass(slots=True)
class MarcField:
    """One field: a control field (001–009) has ``data``; a data field has indicators and subfields."""

    tag: str
    indicators: str
    subfields: list[Subfield]
    data: str | None = None

    @classmethod
    def control(cls, tag: str, data: str) -> MarcField:
        return cls(tag, "", [], data)

    @property
    def is_control(self) -> bool:
        return self.data is not None

    def get(self, code: str, default: str = "") -> str:
        """The first subfield ``code``, or ``default``."""
        for c, v in self.subfields:
            if c == code:
                return v
        return default

    def get_all(self, code: str) -> list[str]:
        return [v for c, v in self.subfields if c == code]

    def __str__(self) -> str:
        if self.data is not None:
            return f"{self.tag} {self.data}"
        subs = "".join(f"${c}{v}" for c, v in self.subfields)
        return f"{self.tag} {self.indicators.replace(' ', '_')} {subs}"


@dataclass(slots=True)
class MarcRecord:
    leader: str
    fields: list[MarcField]

    def get_fields(self, *tags: str) -> Iterator[MarcField]:
        for f in self.fields:
            if f.tag in tags:
                yield f

    def first(self, tag: str) -> MarcField | None:
        for f in self.fields:
            if f.tag == tag:
                return f
        return None

    def to_json(self) -> str:
        """MARC-in-JSON, compact and with Chinese kept as characters.

        Written out by hand with the json module's C string encoder: building the dict-per-subfield structure
        for ``json.dumps`` took twice as long, and every imported record is serialised once.
        """
        enc = _encode_string
        keys = _JSON_KEYS
        out: list[str] = []
        append = out.append
        for f in self.fields:
            tag = keys.get(f.tag) or enc(f.tag)
            if f.data is not None:
                append(f"{{{tag}:{enc(f.data)}}}")
                continue
            ind = f.indicators
            subs = ",".join([f"{{{keys.get(c) or enc(c)}:{enc(v)}}}" for c, v in f.subfields])
            append(f'{{{tag}:{{"ind1":{enc(ind[:1] or " ")},"ind2":{enc(ind[1:2] or " ")},"subfields":[{subs}]}}}}')
        return f'{{"leader":{enc(self.leader)},"fields":[{",".join(out)}]}}'

    @classmethod
    def from_json(cls, text: str) -> MarcRecord:
        obj = json.loads(text)
        fields: list[MarcField] = []
        for entry in obj["fields"]:
            ((tag, value),) = entry.items()
            if isinstance(value, str):
                fields.append(MarcField.control(tag, value))
            else:
                subs = [(c, v) for sub in value["subfields"] for c, v in sub.items()]
                fields.append(MarcField(tag, (value.get("ind1") or " ")[:1] + (value.get("ind2") or " ")[:1], subs))
        return cls(str(obj["leader"]), fields)

    def __str__(self) -> str:
        return "\n".join([f"LDR {self.leader}", *map(str, self.fields)])


def is_control_tag(tag: str) -> bool:
    """001–009 are control fields; alphanumeric tags (AVA, CAT…) are data fields, as in pymarc."""
    return tag < "010" and tag.isdigit()
