"""PostgreSQL binds parameters on the server: values travel apart from the SQL instead of being quoted into it."""

from __future__ import annotations

import pytest
from django.db import connection

if connection.vendor == "postgresql":
    from django.db.backends.postgresql.base import ServerBindingCursor

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="server-side binding is PostgreSQL's"),
]


def test_parameters_are_bound_by_the_server_and_statements_are_not_prepared():
    with connection.cursor() as cursor:
        for card in range(8):
            cursor.execute("SELECT id FROM readers_reader WHERE card_barcode = %s", [f"C{card}"])
            cursor.fetchall()
        assert isinstance(cursor.cursor, ServerBindingCursor)  # not Django's default, which quotes values in
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        assert cursor.fetchone() == (0,)  # Django's default: nothing is prepared (see xiaotu/settings.py)
