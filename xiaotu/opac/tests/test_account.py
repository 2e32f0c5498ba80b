"""Readers' sign-in and their own pages: who may sign in, the lock-out, renewing, and nobody else's loans."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.accounts.models import AuditEvent
from xiaotu.circulation.models import Loan
from xiaotu.opac import services, signin
from xiaotu.opac.tests.school import PASSWORD, build_school, lend
from xiaotu.readers.models import Reader

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return build_school()


def url(name: str, school, **kwargs) -> str:
    return reverse(f"opac:{name}", kwargs={"library_id": school.library.pk, **kwargs})


def sign_in(client, school, card: str = "S0001", password: str = PASSWORD):
    return client.post(url("sign_in", school), {"card": card, "password": password})


def test_a_pupil_signs_in_with_card_and_password_and_sees_their_loans(client, school):
    response = sign_in(client, school, card=" s0001 ")

    assert response.status_code == 302 and response["Location"] == url("account", school)
    page = client.get(url("account", school))
    assert "草房子" in page.content.decode()
    assert school.loan.due_on.strftime("%Y-%m-%d") in page.content.decode()


def test_a_signed_in_reader_is_not_a_django_user(client, school):
    sign_in(client, school)

    response = client.get(url("account", school))

    assert not response.wsgi_request.user.is_authenticated
    assert client.get(reverse("readers:reader_list")).status_code == 302


@pytest.mark.parametrize(
    ("card", "password"), [("S0001", "wrong-one"), ("NOSUCH", PASSWORD), ("", PASSWORD), ("S0001", "")]
)
def test_a_wrong_card_or_password_is_refused_with_one_message(client, school, card, password):
    response = sign_in(client, school, card=card, password=password)

    assert response.status_code == 400
    assert signin.SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "change",
    [
        {"status": Reader.Status.LEFT},
        {"status": Reader.Status.GRADUATED},
        {"erased_at": timezone.now()},
        {"password": ""},
    ],
)
def test_a_pupil_who_left_graduated_was_erased_or_has_no_password_cannot_sign_in(client, school, change):
    Reader.objects.filter(pk=school.pupil.pk).update(**change)

    response = sign_in(client, school)

    assert response.status_code == 400 and "借书证号或密码不正确" in response.content.decode()


def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, school):
    for _ in range(5):
        sign_in(client, school, password="guess")

    response = sign_in(client, school)

    assert response.status_code == 400 and "错误次数太多" in response.content.decode()


def test_the_lock_out_is_per_card(client, school):
    for _ in range(5):
        sign_in(client, school, card="S0002", password="guess")

    assert sign_in(client, school).status_code == 302


def test_the_account_pages_need_a_sign_in(client, school):
    for name in ("account", "history"):
        assert client.get(url(name, school))["Location"] == url("sign_in", school)


def test_another_readers_loans_are_not_shown(client, school):
    lend(school.other, school.xyj.items.first())
    sign_in(client, school)

    text = client.get(url("account", school)).content.decode()
    history = client.get(url("history", school)).content.decode()

    assert "草房子" in text and "西游记" not in text and "西游记" not in history


def test_another_readers_loan_cannot_be_renewed(client, school):
    theirs = lend(school.other, school.xyj.items.first())
    sign_in(client, school)

    response = client.post(url("renew", school, loan_id=theirs.pk))

    assert response.status_code == 404
    assert Loan.objects.get(pk=theirs.pk).renewals == 0


def test_a_reader_renews_their_loan(client, school, settings):
    Loan.objects.filter(pk=school.loan.pk).update(due_on=timezone.localdate() + dt.timedelta(days=2))
    sign_in(client, school)

    response = client.post(url("renew", school, loan_id=school.loan.pk), follow=True)

    loan = Loan.objects.get(pk=school.loan.pk)
    assert loan.renewals == 1 and loan.due_on > timezone.localdate() + dt.timedelta(days=2)
    assert "已续借" in response.content.decode()
    assert AuditEvent.objects.filter(action="loan.renew", object_id=loan.pk).exists()


def test_a_refused_renewal_shows_the_desks_reason(client, school):
    Loan.objects.filter(pk=school.loan.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    sign_in(client, school)

    response = client.post(url("renew", school, loan_id=school.loan.pk), follow=True)

    assert "已超期，请先归还，不能续借" in response.content.decode()
    assert Loan.objects.get(pk=school.loan.pk).renewals == 0


def test_an_overdue_loan_is_marked(client, school):
    Loan.objects.filter(pk=school.loan.pk).update(due_on=timezone.localdate() - dt.timedelta(days=3))
    sign_in(client, school)

    assert "已超期 3 天" in client.get(url("account", school)).content.decode()


def test_history_pages_twenty_at_a_time(client, school):
    now = timezone.now()
    item = school.xyj.items.first()
    for days in range(25):
        Loan.objects.create(
            library=school.library,
            item=item,
            reader=school.pupil,
            issued_at=now - dt.timedelta(days=100 + days),
            due_on=timezone.localdate(),
            returned_at=now - dt.timedelta(days=99 + days),
        )
    sign_in(client, school)

    first = client.get(url("history", school))
    second = client.get(url("history", school) + "?page=2")

    assert len(first.context["page"].object_list) == 20 and len(second.context["page"].object_list) == 6


def test_signing_out_ends_the_reader_session(client, school):
    sign_in(client, school)

    client.post(url("sign_out", school))

    assert client.get(url("account", school)).status_code == 302


def test_a_new_password_ends_sessions_opened_with_the_old_one(client, school, librarian):
    sign_in(client, school)

    services.reader_password_set(reader=school.pupil, password="new-secret", by=librarian)

    assert client.get(url("account", school))["Location"] == url("sign_in", school)


def test_a_pupil_who_leaves_is_signed_out(client, school):
    sign_in(client, school)

    Reader.objects.filter(pk=school.pupil.pk).update(status=Reader.Status.LEFT)

    assert client.get(url("account", school))["Location"] == url("sign_in", school)


def test_an_idle_session_ends(client, school):
    sign_in(client, school)
    session = client.session
    session[signin.SESSION_KEY] = {**session[signin.SESSION_KEY], "seen": 0}
    session.save()

    assert client.get(url("account", school))["Location"] == url("sign_in", school)


def test_a_sign_in_holds_only_in_its_own_library(client, school):
    from xiaotu.testing.factories import LibraryFactory

    elsewhere = build_school(LibraryFactory.create(code="other-school", name="二小"))
    sign_in(client, school)

    assert client.get(url("account", elsewhere))["Location"] == url("sign_in", elsewhere)


def test_the_readers_pages_are_never_cached_for_the_next_pupil_at_the_computer(client, school):
    sign_in(client, school)

    for name in ("account", "history"):
        assert "no-store" in client.get(url(name, school))["Cache-Control"]


def test_a_pupil_is_pointed_to_their_grades_reading_lists(client, school):
    sign_in(client, school)

    page = client.get(url("account", school)).content.decode()

    assert url("lists", school) + f"?grade={school.pupil.school_class.grade.number}" in page


def test_a_reader_changes_their_password_and_stays_signed_in(client, school):
    sign_in(client, school)

    response = client.post(
        url("change_password", school), {"current": PASSWORD, "new": "my-own-1", "again": "my-own-1"}
    )

    assert response["Location"] == url("account", school)
    assert client.get(url("account", school)).status_code == 200
    client.post(url("sign_out", school))
    assert sign_in(client, school, password="my-own-1").status_code == 302
    assert AuditEvent.objects.filter(action="reader.opac_password_change", actor=None).count() == 1


@pytest.mark.parametrize(
    ("current", "new", "again"),
    [("wrong", "my-own-1", "my-own-1"), (PASSWORD, "my-own-1", "my-own-2"), (PASSWORD, "12", "12")],
)
def test_a_bad_password_change_is_refused_and_the_old_password_still_works(client, school, current, new, again):
    sign_in(client, school)

    response = client.post(url("change_password", school), {"current": current, "new": new, "again": again})

    assert response.status_code == 400
    client.post(url("sign_out", school))
    assert sign_in(client, school).status_code == 302


def test_wrong_current_passwords_count_towards_the_lock_out(client, school):
    sign_in(client, school)
    for _ in range(5):
        client.post(url("change_password", school), {"current": "guess", "new": "my-own-1", "again": "my-own-1"})

    response = client.post(
        url("change_password", school), {"current": PASSWORD, "new": "my-own-1", "again": "my-own-1"}
    )

    assert "错误次数太多" in response.content.decode()
