"""The database connection's own settings."""

from django.db import connection


def test_queries_are_never_jit_compiled(db):
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
