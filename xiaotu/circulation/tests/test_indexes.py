"""The loan and audit tables keep only indexes no other covers: each one is written on every check-out."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def indexes(table: str) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {name: info["columns"] for name, info in found.items() if info["index"] and not info["primary_key"]}


def test_loans_are_found_by_reader_and_library_through_the_composite_indexes():
    loan = indexes("circulation_loan")
    for dropped in (
        "circulation_loan_issued_by_id_5631cf84",
        "circulation_loan_library_id_34d47007",
        "circulation_loan_reader_id_671dc258",
    ):
        assert dropped not in loan
    assert loan["loan_reader_open_idx"] == ["reader_id", "returned_at"]
    assert loan["loan_issued_idx"] == ["library_id", "issued_at"]
    # Still there: a copy's history, and the desk's list of what this member of staff took back today.
    assert ["item_id"] in loan.values()
    assert ["returned_by_id"] in loan.values()


def test_the_audit_log_is_indexed_by_object_and_time_not_by_library_alone():
    audit = indexes("accounts_auditevent")
    assert "accounts_auditevent_library_id_ae1b38f9" not in audit
    assert audit["audit_object_idx"] == ["object_type", "object_id"]
    assert ["at"] in audit.values()
