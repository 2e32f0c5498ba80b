"""期末归还: before the holidays, every book still out, by class, on the page and as slips."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from xiaotu.circulation.overdue import out_by_class
from xiaotu.circulation.services import checkin, checkout
from xiaotu.schools.models import Term
from xiaotu.testing.factories import GradeFactory, ItemFactory, ReaderFactory, RecordFactory, SchoolClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def out(rules, librarian, library):
    """Two classes with books out (one late, one not), and a book already back."""
    grade = GradeFactory.create(library=library)
    first, second = SchoolClassFactory.create(grade=grade, number=1), SchoolClassFactory.create(grade=grade, number=2)
    late = ReaderFactory.create(name="张小明", school_class=first)
    on_time = ReaderFactory.create(name="王芳", school_class=second)
    checkout(
        reader=late,
        item=ItemFactory.create(record=RecordFactory.create(title="西游记")),
        by=librarian,
        at=timezone.now() - dt.timedelta(days=40),
    )
    checkout(reader=on_time, item=ItemFactory.create(record=RecordFactory.create(title="草房子")), by=librarian)
    back = ItemFactory.create(record=RecordFactory.create(title="小王子"))
    checkout(reader=on_time, item=back, by=librarian)
    checkin(item=back, by=librarian)
    return first, second


def test_every_book_still_out_is_listed_by_class_late_or_not(out, library):
    groups = out_by_class(library=library, today=timezone.localdate())
    titles = {group.school_class: [row.title for row in group.rows] for group in groups}
    assert titles == {out[0]: ["西游记"], out[1]: ["草房子"]}
    assert groups[1].rows[0].days == 0 and groups[0].rows[0].days > 0


def test_the_page_names_the_term_end(client, out, librarian, library):
    today = timezone.localdate()
    Term.objects.create(library=library, name="第一学期", starts_on=today, ends_on=today + dt.timedelta(days=20))
    client.force_login(librarian)
    page = client.get(reverse("circulation:term_end")).content.decode()
    assert "第一学期在" in page and "《西游记》" in page and "《草房子》" in page and "《小王子》" not in page


def test_the_slips_have_a_page_per_class(client, out, librarian):
    client.force_login(librarian)
    response = client.get(reverse("circulation:term_end_slips"))
    assert response["Content-Type"] == "application/pdf"
    assert len(re.findall(rb"/Type\s*/Page(?!s)", response.content)) == 2


def test_a_student_librarian_may_not_see_the_list(client, out, student_librarian):
    client.force_login(student_librarian)
    assert client.get(reverse("circulation:term_end")).status_code == 403
