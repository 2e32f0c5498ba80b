"""Readers signed in to the OPAC: card number and password, kept in the session apart from staff logins.

A reader is never a Django user. The session holds the reader's id, their library and a digest of their password
hash, so that resetting or clearing the password ends every session opened with the old one; a session also ends
after a quarter of an hour without a page, because pupils leave computer-room PCs signed in.
"""

from __future__ import annotations

import time

from django.contrib.auth.hashers import check_password
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare, salted_hmac

from xiaotu.accounts import ratelimit
from xiaotu.accounts.forms import client_ip
from xiaotu.barcodes import MAX_BARCODE, clean_barcode, is_scannable
from xiaotu.readers.models import Reader
from xiaotu.schools.models import Library

SESSION_KEY = "opac_reader"
IDLE_SECONDS = 15 * 60
# Who may sign in: pupils who left, graduated or were erased may not; a suspended card may still look at its loans.
SIGN_IN_STATUSES = (Reader.Status.ACTIVE, Reader.Status.SUSPENDED)


def _digest(reader: Reader) -> str:
    return salted_hmac("xiaotu.opac.signin", reader.password).hexdigest()


def _throttle_keys(library: Library, card: str, request: HttpRequest) -> tuple[str, str]:
    # Apart from the staff login's counters: pupils mistyping in the computer room must not lock out the librarian.
    return f"opac:{library.pk}:{card[:MAX_BARCODE]}", f"opac:{client_ip(request)}"


def is_locked(*, library: Library, card: str, request: HttpRequest) -> bool:
    return ratelimit.is_locked(*_throttle_keys(library, clean_barcode(card), request))


def authenticate(*, library: Library, card: str, password: str, request: HttpRequest) -> Reader | None:
    """The reader with this card and password who may sign in, or None (and one more failure counted)."""
    code = clean_barcode(card)
    reader = (
        Reader.objects.filter(library=library, card_barcode=code, status__in=SIGN_IN_STATUSES, erased_at=None).first()
        if is_scannable(code)
        else None
    )
    # check_password hashes even for a missing reader or an empty password, so the answer takes as long either way.
    if check_password(password, reader.password if reader else "") and reader is not None:
        ratelimit.clear(*_throttle_keys(library, code, request))
        return reader
    ratelimit.record_failure(*_throttle_keys(library, code, request))
    return None


def sign_in(request: HttpRequest, reader: Reader) -> None:
    # A new session key against fixation; a member of staff signed in in the same browser stays signed in.
    request.session.cycle_key()
    request.session[SESSION_KEY] = {
        "id": reader.pk,
        "library": reader.library_id,
        "digest": _digest(reader),
        "seen": int(time.time()),
    }


def sign_out(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.cycle_key()


def signed_in_reader(request: HttpRequest, library: Library) -> Reader | None:
    """The reader signed in to this library's OPAC, if the sign-in still holds; else None (and it is forgotten)."""
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or data.get("library") != library.pk:
        return None
    reader_id = data.get("id")
    if not isinstance(reader_id, int):
        return None
    now = int(time.time())
    reader = (
        Reader.objects.filter(pk=reader_id, library=library, status__in=SIGN_IN_STATUSES, erased_at=None)
        .select_related("school_class__grade", "reader_type")
        .first()
    )
    fresh = now - int(data.get("seen", 0)) <= IDLE_SECONDS
    if reader is None or not fresh or not constant_time_compare(str(data.get("digest", "")), _digest(reader)):
        request.session.pop(SESSION_KEY, None)
        return None
    if now - int(data["seen"]) > 30:
        # Refreshed at most twice a minute so that reading a page does not write the session every time.
        request.session[SESSION_KEY] = {**data, "seen": now}
    return reader
