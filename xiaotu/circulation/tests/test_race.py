"""Two desks at the same instant: several processes race through the services against the real database file or server.

Each round forks fresh processes that open their own connections, wait at a barrier, then call one service at once.
The rows must be committed for the children to see them, hence `transactional_db`.
"""

from __future__ import annotations

import multiprocessing
import queue
import traceback
from collections import Counter
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent, User
from xiaotu.catalogue.models import Item
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Loan, LoanRule
from xiaotu.circulation.services import checkin, checkout
from xiaotu.readers.models import Reader
from xiaotu.testing.factories import ItemFactory, ReaderFactory

ROUNDS = 10
DESKS = 4
# Generous: a child that cannot reach the barrier or finish in this time has hung, which is itself a failure.
TIMEOUT = 60


def race(desks: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Run each callable in its own forked process, all released together; return what each one ended with.

    An outcome is ("ok", value), ("refused", code) or ("crash", traceback text).
    """
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(desks), timeout=TIMEOUT)
    results = ctx.Queue()

    def desk(index: int, call: Callable[[], Any]) -> None:
        # Never share the parent's socket or SQLite handle: each desk is its own client.
        connections.close_all()
        try:
            barrier.wait()
            outcome: tuple[str, Any] = ("ok", call())
        except LoanRefused as refusal:
            outcome = ("refused", refusal.code)
        except BaseException:
            outcome = ("crash", traceback.format_exc())
        finally:
            connections.close_all()
        results.put((index, outcome))

    connections.close_all()
    processes = [ctx.Process(target=desk, args=(i, call), daemon=True) for i, call in enumerate(desks)]
    for process in processes:
        process.start()
    outcomes: dict[int, tuple[str, Any]] = {}
    try:
        # Read before joining, so no desk is left blocked on a full pipe; a desk that died silently times out here.
        for _ in desks:
            index, outcome = results.get(timeout=TIMEOUT)
            outcomes[index] = outcome
    except queue.Empty:
        pass
    for process in processes:
        process.join(TIMEOUT)
        if process.is_alive():
            process.kill()
    assert sorted(outcomes) == list(range(len(desks))), (outcomes, [p.exitcode for p in processes])
    assert all(p.exitcode == 0 for p in processes), [p.exitcode for p in processes]
    crashes = [text for kind, text in outcomes.values() if kind == "crash"]
    assert not crashes, "\n".join(crashes)
    return [outcomes[i] for i in range(len(desks))]


def lend(reader: Reader, item: Item, by: User) -> int:
    return checkout(reader=reader, item=item, by=by).pk


def give_back(item: Item, by: User) -> int:
    return checkin(item=item, by=by).loan.pk


def kinds(outcomes: list[tuple[str, Any]]) -> Counter[str]:
    return Counter("ok" if kind == "ok" else value for kind, value in outcomes)


@pytest.mark.race
def test_one_loan_when_desks_lend_the_same_book_at_once(transactional_db, rules, librarian):
    """Given one book and four pupils at four desks, when all scan it at once, then exactly one loan is made."""
    readers = [ReaderFactory.create() for _ in range(DESKS)]
    for _ in range(ROUNDS):
        item = ItemFactory.create()

        outcomes = race([partial(lend, r, item, librarian) for r in readers])

        assert kinds(outcomes) == {"ok": 1, "item_on_loan": DESKS - 1}
        loans = list(Loan.objects.filter(item=item))
        assert len(loans) == 1 and loans[0].returned_at is None
        assert [value for kind, value in outcomes if kind == "ok"] == [loans[0].pk]
        assert AuditEvent.objects.filter(action="loan.checkout", object_id=loans[0].pk).count() == 1
        assert AuditEvent.objects.filter(action="loan.checkout", data__item=item.barcode).count() == 1
        # Free the readers for the next round.
        checkin(item=item, by=librarian)


@pytest.mark.race
def test_one_return_when_desks_return_the_same_book_at_once(transactional_db, rules, librarian):
    """Given a book on loan, when four desks scan it back at once, then one return closes it, three say not on loan."""
    reader = ReaderFactory.create()
    for _ in range(ROUNDS):
        item = ItemFactory.create()
        loan = checkout(reader=reader, item=item, by=librarian)

        outcomes = race([partial(give_back, item, librarian) for _ in range(DESKS)])

        assert kinds(outcomes) == {"ok": 1, "item_not_on_loan": DESKS - 1}
        loan.refresh_from_db()
        assert loan.returned_at is not None
        assert not Loan.objects.filter(item=item, returned_at__isnull=True).exists()
        assert AuditEvent.objects.filter(action="loan.checkin", object_id=loan.pk).count() == 1


@pytest.mark.race
def test_return_and_relend_of_the_same_book_at_once_never_deadlock(transactional_db, rules, librarian):
    """Given a pupil's book, when one desk returns it as another lends it to the same pupil again,
    then both finish (the re-loan before or after the return), never a deadlock."""
    reader = ReaderFactory.create()
    for _ in range(ROUNDS):
        item = ItemFactory.create()
        checkout(reader=reader, item=item, by=librarian)

        outcomes = race([partial(give_back, item, librarian), partial(lend, reader, item, librarian)])

        assert outcomes[0][0] == "ok"
        assert outcomes[1] == ("refused", "item_on_loan") or outcomes[1][0] == "ok"
        open_loans = Loan.objects.filter(item=item, returned_at__isnull=True).count()
        assert open_loans == (1 if outcomes[1][0] == "ok" else 0)
        if open_loans:
            checkin(item=item, by=librarian)


@pytest.mark.race
def test_cap_holds_when_one_reader_borrows_different_books_at_once(transactional_db, rules, librarian):
    """Given a pupil one book below the total cap of 3, when four desks lend four different books at once,
    then exactly one more loan is made and the cap is never exceeded."""
    # Raise the per-category limit so that only the total cap (3) can refuse.
    LoanRule.objects.filter(pk=rules.pk).update(max_loans=100)
    reader = ReaderFactory.create()
    held = [ItemFactory.create(), ItemFactory.create()]
    for item in held:
        checkout(reader=reader, item=item, by=librarian)
    for _ in range(ROUNDS):
        books = [ItemFactory.create() for _ in range(DESKS)]

        outcomes = race([partial(lend, reader, b, librarian) for b in books])

        assert kinds(outcomes) == {"ok": 1, "reader_limit_reached": DESKS - 1}
        assert Loan.objects.filter(reader=reader, returned_at__isnull=True).count() == 3
        [lent] = [value for kind, value in outcomes if kind == "ok"]
        checkin(item=Loan.objects.get(pk=lent).item, by=librarian)


@pytest.mark.django_db
def test_database_refuses_a_second_open_loan_for_an_item(rules, librarian):
    """Given an open loan, when code bypasses the service to insert another for the item, the database refuses."""
    item = ItemFactory.create()
    first, second = ReaderFactory.create(), ReaderFactory.create()
    now = timezone.now()
    Loan.objects.create(library=item.library, item=item, reader=first, issued_at=now, due_on=now.date())

    with pytest.raises(IntegrityError), transaction.atomic():
        Loan.objects.create(library=item.library, item=item, reader=second, issued_at=now, due_on=now.date())

    # A returned loan does not count: the same item may have any number of closed loans.
    Loan.objects.filter(item=item).update(returned_at=now)
    Loan.objects.create(library=item.library, item=item, reader=second, issued_at=now, due_on=now.date())
    assert Loan.objects.filter(item=item).count() == 2
