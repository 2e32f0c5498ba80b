"""PostgreSQL binds parameters on the server, so statements a desk repeats are prepared once per connection."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]


def test_a_statement_run_again_and_again_is_prepared_on_the_server():
    with connection.cursor() as cursor:
        for card in range(8):  # psycopg prepares a statement from its sixth run
            cursor.execute("SELECT id FROM readers_reader WHERE card_barcode = %s", [f"C{card}"])
            cursor.fetchall()
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%readers_reader%"])
        (prepared,) = cursor.fetchone()
    assert prepared >= 1
