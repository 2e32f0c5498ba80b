"""The English catalogue: every message translated, the compiled .mo in step, no Chinese text in the code left out.

Chinese is the source language: user text is written in Chinese as the msgid, and xiaotu/locale/en holds the English.
A developer who adds or changes Chinese text without running `make messages` and translating the new entries gets a
failing test here that lists the strings. The second half checks that pages and the API really come out in English.
"""

from __future__ import annotations

import gettext
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.services import api_token_issue
from xiaotu.circulation import services
from xiaotu.testing.factories import ItemFactory, ReaderFactory, UserFactory

SOURCE = Path(settings.BASE_DIR)
PO = SOURCE / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
HOW_TO_FIX = "run `make messages`, translate the new entries in xiaotu/locale/en/LC_MESSAGES/django.po, run it again"

# Han characters and the full-width punctuation that only Chinese text uses.
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff01-\uff5e]")
PYTHON_FORMAT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_FORMAT = re.compile(r"\{[^{}]*\}")


# --- a small PO reader (polib is not a dependency) -----------------------------------------------------------------


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    references: list[str] = field(default_factory=list)

    @property
    def key(self) -> tuple[str | None, str, str | None]:
        return (self.msgctxt, self.msgid, self.msgid_plural)

    def where(self) -> str:
        context = f" [context {self.msgctxt!r}]" if self.msgctxt is not None else ""
        return f"{self.msgid!r}{context} ({', '.join(self.references[:3]) or 'no reference'})"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def _unquote(text: str) -> str:
    assert text.startswith('"') and text.endswith('"'), text
    return re.sub(r"\\(.)", lambda m: _ESCAPES[m.group(1)], text[1:-1])


def read_po(path: Path) -> list[Entry]:
    """The entries of a PO file, the header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    entry, last, started = Entry(), "", False
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#"):
            if started and last.startswith("msgstr"):  # a comment after msgstr starts the next entry
                entries.append(entry)
                entry, last, started = Entry(), "", False
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            elif line.startswith("#:"):
                entry.references += line[2:].split()
            continue
        if match := _KEYWORD.match(line):
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword in ("msgctxt", "msgid") and started and last.startswith("msgstr"):
                entries.append(entry)
                entry = Entry()
            started = True
            if keyword == "msgctxt":
                entry.msgctxt = value
            elif keyword == "msgid":
                entry.msgid = value
            elif keyword == "msgid_plural":
                entry.msgid_plural = value
            else:
                entry.msgstr[int(index or 0)] = value
            last = keyword
        elif line.startswith('"') and last:
            value = _unquote(line)
            if last == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif last == "msgid":
                entry.msgid += value
            elif last == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            else:
                index_match = re.search(r"\[(\d+)\]", last)
                slot = int(index_match.group(1)) if index_match else 0
                entry.msgstr[slot] += value
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    if started:
        entries.append(entry)
    return entries


def messages(path: Path) -> list[Entry]:
    entries = read_po(path)
    assert entries and entries[0].msgid == "", f"{path} has no header entry"
    return entries[1:]


def listing(lines: Iterable[str]) -> str:
    return "\n  " + "\n  ".join(sorted(lines))


# --- (a) the catalogue is complete ---------------------------------------------------------------------------------


def test_the_header_says_english_with_two_plural_forms():
    header = read_po(PO)[0]
    assert "fuzzy" not in header.flags, "the PO header is still marked fuzzy"
    assert "Language: en\n" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]


def test_every_message_has_an_english_translation():
    entries = messages(PO)
    assert len(entries) > 500, "the English catalogue looks truncated"
    fuzzy = [e.where() for e in entries if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries (check the translation, then remove the fuzzy flag):{listing(fuzzy)}"
    empty = [e.where() for e in entries if not e.msgstr or not all(s.strip() for s in e.msgstr.values())]
    assert not empty, f"messages without an English translation ({HOW_TO_FIX}):{listing(empty)}"
    plurals = [e.where() for e in entries if e.msgid_plural is not None and sorted(e.msgstr) != [0, 1]]
    assert not plurals, f"plural messages need msgstr[0] and msgstr[1]:{listing(plurals)}"


def test_translations_are_english():
    """Chinese may stay only inside “quotes” or {tokens} (what the user types), never as the translation itself."""
    left = []
    for entry in messages(PO):
        for text in entry.msgstr.values():
            if CHINESE.search(re.sub(r"“[^”]*”|\{[^{}]*\}", "", text)):
                left.append(f"{entry.where()} -> {text!r}")
    assert not left, f"translations that still contain Chinese:{listing(left)}"


def test_translations_keep_the_placeholders():
    """%(name)s and {name} must survive translation; only the singular of a plural may drop the count."""
    broken = []
    for entry in messages(PO):
        for index, text in entry.msgstr.items():
            source = entry.msgid_plural if index > 0 and entry.msgid_plural is not None else entry.msgid
            for pattern, flag in ((PYTHON_FORMAT, "python-format"), (BRACE_FORMAT, "python-brace-format")):
                if flag not in entry.flags:
                    continue
                wanted, found = sorted(pattern.findall(source)), sorted(pattern.findall(text))
                singular = entry.msgid_plural is not None and index == 0
                if (singular and not set(found) <= set(wanted)) or (not singular and wanted != found):
                    broken.append(f"{entry.where()}: {wanted} -> {found} in {text!r}")
    assert not broken, f"translations with different placeholders:{listing(broken)}"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="msgfmt is not installed (gettext; scripts/system-deps)")
def test_msgfmt_accepts_the_catalogue():
    result = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --- (b) the committed .mo is the compiled .po ---------------------------------------------------------------------


def compiled(entries: list[Entry]) -> dict[object, str]:
    """The catalogue msgfmt makes from these entries, in the shape gettext.GNUTranslations reads it."""
    catalogue: dict[object, str] = {}
    for entry in entries:
        if "fuzzy" in entry.flags or not all(entry.msgstr.values()):
            continue
        msgid = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            catalogue[msgid] = entry.msgstr[0]
        else:
            catalogue.update({(msgid, index): text for index, text in entry.msgstr.items()})
    return catalogue


def test_the_compiled_catalogue_matches_the_po():
    assert MO.exists(), f"{MO} is missing: run `make messages` and commit it"
    with MO.open("rb") as handle:
        in_mo: dict[object, str] = dict(getattr(gettext.GNUTranslations(handle), "_catalog"))  # noqa: B009
    in_mo.pop("", None)  # the header
    in_po = compiled(messages(PO))
    stale = [f"{key!r}: .mo has {in_mo.get(key)!r}, .po has {in_po.get(key)!r}" for key in in_mo.keys() ^ in_po.keys()]
    stale += [
        f"{key!r}: .mo has {in_mo[key]!r}, .po has {in_po[key]!r}"
        for key in in_po
        if in_mo.get(key, in_po[key]) != in_po[key]
    ]
    assert not stale, f"django.mo is older than django.po (run `make messages` and commit both):{listing(stale)}"


# --- (c) the catalogue covers the code -----------------------------------------------------------------------------


def _code_only(folder: str, names: list[str]) -> set[str]:
    """What makemessages reads: Python and templates; not the catalogue itself, caches or static files."""
    skip = {"locale", "__pycache__", "static", "node_modules"}
    return {
        name
        for name in names
        if name in skip
        or name.startswith(".")
        or (Path(folder, name).is_file() and not name.endswith((".py", ".html", ".txt")))
    }


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="xgettext is not installed (gettext; scripts/system-deps)")
def test_every_message_in_the_code_is_in_the_catalogue(tmp_path, monkeypatch, settings):
    """makemessages on a copy of the source, into an empty catalogue: every msgid it finds must be in ours."""
    copy = tmp_path / "xiaotu"
    shutil.copytree(SOURCE, copy, ignore=_code_only)
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [str(copy / "locale")]
    call_command("makemessages", locale=["en"], verbosity=0)
    found = messages(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")
    assert len(found) > 500, "makemessages found too few messages: is it reading the copy?"
    ours = {entry.key for entry in messages(PO)}
    missing = [entry.where() for entry in found if entry.key not in ours]
    assert not missing, f"Chinese text in the code that the English catalogue lacks ({HOW_TO_FIX}):{listing(missing)}"


# --- pages and the API in English ----------------------------------------------------------------------------------


def chinese_left(page: str, *data: str) -> list[str]:
    """Chinese still on a page once scripts, the brand mark, the 中文 button and the school's own data are taken out."""
    page = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    page = re.sub(r'<span class="brand-mark"[^>]*>校</span>', "", page)
    page = re.sub(r'<button[^>]*lang="zh-hans"[^>]*>中文</button>', "", page)
    for text in sorted(data, key=len, reverse=True):
        page = page.replace(text, "")
    return sorted({m.group(0) for m in re.finditer(r".{0,20}[\u4e00-\u9fff]+.{0,20}", page)})


@pytest.fixture
def english(client: Client) -> Client:
    """A browser whose user pressed the English button (the page language lives in the django_language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_the_login_page_in_english(english: Client):
    response = english.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en"
    page = response.content.decode()
    assert '<html lang="en">' in page
    for text in ("Sign in to Xiaotu", "Username", "Password", "Sign in"):
        assert text in page
    assert not chinese_left(page)


@pytest.mark.django_db
def test_a_wrong_password_is_refused_in_english(english: Client, librarian: User):
    response = english.post(reverse("accounts:login"), {"username": librarian.username, "password": "wrong"})
    assert "The username or password is incorrect." in response.content.decode()


@pytest.mark.django_db
def test_the_desk_in_english(english: Client, rules, student_librarian: User):
    english.force_login(student_librarian)
    response = english.get(reverse("circulation:desk"))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Desk", "Check out", "Return", "Renew", "Keyboard", "Please scan a library card"):
        assert text in page, text
    library = student_librarian.library
    assert library is not None
    assert not chinese_left(page, library.name, str(student_librarian))


@pytest.mark.django_db
def test_a_desk_refusal_in_english(english: Client, rules, student_librarian: User, librarian: User):
    english.force_login(student_librarian)
    item = ItemFactory.create()
    holder = ReaderFactory.create()
    services.checkout(reader=holder, item=item, by=librarian)
    reader = ReaderFactory.create()
    response = english.post(
        reverse("circulation:desk_scan"),
        {"mode": "lend", "q": item.barcode, "reader": reader.pk},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert f"“{item.record.title}” is on loan to {holder.name}, due" in page


@pytest.mark.django_db
def test_the_loan_rules_page_in_english(english: Client, rules, library):
    english.force_login(UserFactory.create(library=library, role=Role.ADMIN))
    page = english.get(reverse("loan_rules:edit")).content.decode()
    assert "Loan rules" in page and "Reader type \\ item category" in page and "May borrow" in page


@pytest.mark.django_db
def test_the_api_refuses_in_english_when_asked(client: Client, rules, librarian: User):
    token = api_token_issue(user=librarian, name="desk")
    item = ItemFactory.create()
    holder = ReaderFactory.create()
    services.checkout(reader=holder, item=item, by=librarian)
    body = {"reader": ReaderFactory.create().card_barcode, "item": item.barcode}
    headers = {"authorization": f"Bearer {token}", "accept-language": "en"}
    response = client.post("/api/v1/circulation/checkout", body, content_type="application/json", headers=headers)
    assert response.status_code == 409
    assert response.headers["Content-Language"] == "en"
    assert response.json()["code"] == "item_on_loan"
    assert response.json()["message"].startswith(f"“{item.record.title}” is on loan to {holder.name}, due ")

    chinese = client.post(
        "/api/v1/circulation/checkout",
        body,
        content_type="application/json",
        headers={"authorization": headers["authorization"]},
    )
    assert chinese.json()["message"].startswith(f"《{item.record.title}》已被 {holder.name} 借出")


@pytest.mark.django_db
def test_the_api_asks_for_a_token_in_english(client: Client):
    response = client.get("/api/v1/readers", headers={"accept-language": "en-GB,en;q=0.9"})
    assert response.status_code == 401
    assert response.json()["message"] == "Please provide a valid API token (Authorization: Bearer <token>)"
