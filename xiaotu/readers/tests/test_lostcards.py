"""补办借书证: the old number is refused at the desk as lost, the new one lends, loans stay with the reader."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from xiaotu.accounts.models import AuditEvent
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Loan
from xiaotu.circulation.selectors import reader_by_card
from xiaotu.circulation.services import checkout
from xiaotu.readers.lostcards import card_replace, next_card_barcode
from xiaotu.readers.models import Reader, RetiredCard
from xiaotu.testing.factories import ItemFactory, ReaderFactory, ReaderTypeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pupil(library, rules):
    return ReaderFactory.create(library=library, name="张小明", card_barcode="S00012", reader_type=rules.reader_type)


def test_a_lost_card_is_replaced_and_the_desk_refuses_the_old_one(library, librarian, pupil):
    loan = checkout(reader=pupil, item=ItemFactory.create(library=library), by=librarian)
    card_replace(reader=pupil, new_barcode=" s00500 ", reason="lost", by=librarian)

    with pytest.raises(LoanRefused) as refused:
        reader_by_card(library=library, barcode="S00012")
    assert refused.value.code == "card_reported_lost"
    assert "已挂失" in refused.value.message and "张小明" in refused.value.message

    found = reader_by_card(library=library, barcode="S00500")
    assert found.pk == pupil.pk
    assert Loan.objects.get(pk=loan.pk).reader_id == pupil.pk
    assert checkout(reader=found, item=ItemFactory.create(library=library), by=librarian).reader_id == pupil.pk
    assert Loan.objects.filter(reader=pupil, returned_at__isnull=True).count() == 2

    retired = RetiredCard.objects.get(library=library)
    assert (retired.barcode, retired.reader_id, retired.reason, retired.retired_by) == (
        "S00012",
        pupil.pk,
        "lost",
        librarian,
    )
    event = AuditEvent.objects.get(action="reader.card_replace")
    assert event.data == {"from": "S00012", "to": "S00500", "reason": "lost"}


def test_a_new_number_continues_the_pattern_of_the_reader_type(library, librarian, rules, pupil):
    ReaderFactory.create(library=library, card_barcode="S00107", reader_type=rules.reader_type)
    ReaderFactory.create(library=library, card_barcode="X9", reader_type=rules.reader_type)
    teacher = ReaderTypeFactory.create(library=library, code="teacher", name="教师", kind="staff")
    ReaderFactory.create(library=library, card_barcode="S99999", reader_type=teacher, school_class=None)
    assert next_card_barcode(library=library, reader_type=rules.reader_type) == "S00108"

    replaced = card_replace(reader=pupil, new_barcode=None, reason="damaged", by=librarian)
    assert replaced.card_barcode == "S00108"
    assert Reader.objects.get(pk=pupil.pk).card_barcode == "S00108"


def test_a_generated_number_skips_numbers_retired_or_taken(library, librarian, rules, pupil):
    other = ReaderFactory.create(library=library, card_barcode="S00013", reader_type=rules.reader_type)
    card_replace(reader=other, new_barcode="S00014", reason="lost", by=librarian)
    # S00013 is retired, S00014 in use: the highest of both is 14, so the next is 15.
    assert card_replace(reader=pupil, new_barcode="", reason="lost", by=librarian).card_barcode == "S00015"


def test_a_reader_type_without_cards_starts_a_pattern(library):
    teacher = ReaderTypeFactory.create(library=library, code="teacher", name="教师", kind="staff")
    assert next_card_barcode(library=library, reader_type=teacher) == "T00001"


@pytest.mark.parametrize(
    ("new", "says"),
    [
        ("S00013", "已被 李华 使用"),
        ("S00001", "已挂失或作废的旧证"),
        ("T0000999", "是一本书的条码"),
        ("S00012", "与原证号相同"),
        ("证001", "只能由字母、数字"),
        ("S" * 33, "最多 32 个字符"),
    ],
)
def test_a_number_already_used_is_refused_and_nothing_changes(library, librarian, rules, pupil, new, says):
    ReaderFactory.create(library=library, name="李华", card_barcode="S00013", reader_type=rules.reader_type)
    gone = ReaderFactory.create(library=library, card_barcode="S00001", reader_type=rules.reader_type)
    card_replace(reader=gone, new_barcode="S00002", reason="lost", by=librarian)
    ItemFactory.create(library=library, barcode="T0000999")
    with pytest.raises(ValidationError) as refused:
        card_replace(reader=pupil, new_barcode=new, reason="lost", by=librarian)
    assert says in refused.value.messages[0]
    assert Reader.objects.get(pk=pupil.pk).card_barcode == "S00012"
    assert not RetiredCard.objects.filter(reader=pupil).exists()


def test_a_reader_who_left_gets_no_new_card(library, librarian, pupil):
    Reader.objects.filter(pk=pupil.pk).update(status=Reader.Status.GRADUATED)
    with pytest.raises(ValidationError, match="已毕业"):
        card_replace(reader=pupil, new_barcode=None, reason="lost", by=librarian)


def test_an_unknown_reason_is_refused(library, librarian, pupil):
    with pytest.raises(ValidationError, match="请选择补办原因"):
        card_replace(reader=pupil, new_barcode=None, reason="stolen", by=librarian)
    assert not RetiredCard.objects.exists()
