"""预约 from the OPAC: queueing for a title that is out, cancelling, and the hold shelf on the public pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from xiaotu.circulation.models import Hold
from xiaotu.circulation.services import checkin
from xiaotu.opac import selectors
from xiaotu.opac.tests.school import PASSWORD, build_school

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    return build_school()


def url(name: str, school, **kwargs) -> str:
    return reverse(f"opac:{name}", kwargs={"library_id": school.library.pk, **kwargs})


def sign_in_as(client, school, card: str) -> None:
    client.post(url("sign_in", school), {"card": card, "password": PASSWORD})


def test_a_reader_queues_for_a_book_that_is_out(client, school):
    """Given 草房子 out on loan to 张小明, 李秘密 signs in and asks for it."""
    sign_in_as(client, school, "S0002")

    page = client.get(url("record", school, pk=school.cfz.pk)).content.decode()
    response = client.post(url("hold_place", school, pk=school.cfz.pk), follow=True)

    assert url("hold_place", school, pk=school.cfz.pk) in page
    hold = Hold.objects.get(reader=school.other, record=school.cfz)
    assert hold.status == Hold.Status.WAITING and hold.placed_by is None
    assert "排队中：你是第 1 位" in response.content.decode()


def test_a_hold_on_a_book_on_the_shelf_is_refused_with_the_reason(client, school):
    sign_in_as(client, school, "S0002")

    response = client.post(url("hold_place", school, pk=school.xyj.pk), follow=True)

    assert "书架上有可借的书" in response.content.decode()
    assert not Hold.objects.exists()


def test_a_reader_cancels_their_hold_but_not_anyone_elses(client, school):
    sign_in_as(client, school, "S0002")
    client.post(url("hold_place", school, pk=school.cfz.pk))
    hold = Hold.objects.get()
    client.post(url("sign_out", school))
    sign_in_as(client, school, "S0001")

    assert client.post(url("hold_cancel", school, hold_id=hold.pk)).status_code == 404
    client.post(url("sign_out", school))
    sign_in_as(client, school, "S0002")
    client.post(url("hold_cancel", school, hold_id=hold.pk))
    assert Hold.objects.get().status == Hold.Status.CANCELLED


def test_a_visitor_is_asked_to_sign_in_first_and_comes_back_to_the_book(client, school):
    record_url = url("record", school, pk=school.cfz.pk)

    page = client.get(record_url).content.decode()
    response = client.post(
        url("sign_in", school) + f"?next={record_url}", {"card": "S0002", "password": PASSWORD, "next": record_url}
    )

    assert "登录后预约" in page
    assert response["Location"] == record_url


def test_sign_in_never_sends_a_reader_off_the_opac(client, school):
    response = client.post(
        url("sign_in", school), {"card": "S0002", "password": PASSWORD, "next": "https://evil.example/"}
    )

    assert response["Location"] == url("account", school)


def test_a_copy_kept_on_the_hold_shelf_is_not_on_the_shelf_for_others_and_names_nobody(client, school, librarian):
    """Given 李秘密's hold on 草房子, the copy comes back and is kept for her."""
    sign_in_as(client, school, "S0002")
    client.post(url("hold_place", school, pk=school.cfz.pk))
    client.post(url("sign_out", school))

    checkin(item=school.cfz.items.get(), by=librarian)

    assert [c.on_shelf for c in selectors.copies_by_location([school.cfz])[school.cfz.pk]] == [0]
    page = client.get(url("record", school, pk=school.cfz.pk)).content.decode()
    assert "预约保留" in page and school.other.name not in page
