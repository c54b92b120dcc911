"""The dashboard's rollups (``evaluation.models.rollups``), rebuilt from scratch.

Triggers keep them up to date with every write; a load that bypasses triggers
(``session_replication_role = replica``, as ``bench.generate`` does) must call
``rollups_rebuild`` afterwards.
"""

from contextlib import contextmanager

from django.db import connection, transaction

# The tables whose rollup triggers (migrations evaluation 0005 and 0006) a bulk
# load may pause.
TRIGGERED = [
    "referrals_patient", "referrals_referral", "referrals_encounter",
    "referrals_pathway", "referrals_pathwayresource",
    "evaluation_pamadministration", "evaluation_utilizationrecord",
]  # fmt: skip
TRIGGERS = """
    SELECT tgrelid::regclass::text, tgname FROM pg_trigger
    WHERE NOT tgisinternal AND tgname LIKE 'evaluation_rollups%%'
      AND tgrelid::regclass::text = ANY(%s)
    ORDER BY 1, 2
"""


def rollups_rebuild(*, partnership_id: int | None = None) -> None:
    """Recompute the facts, monthly counts and utilization windows of one
    partnership, or of all, from referrals, pathways, patients and utilization."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT evaluation_rollups_rebuild(%s)", [partnership_id])


@contextmanager
def rollups_paused(*, partnership_id: int):
    """A bulk load of one partnership's rows: the rollup triggers off while it
    runs (row by row they would take minutes), the partnership's rollups rebuilt
    after, all in one transaction (other writers wait for it)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # A table cannot be altered with foreign-key checks pending on it: they
        # run at each statement while the load lasts.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(TRIGGERS, [TRIGGERED])
        triggers = cursor.fetchall()
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
        yield
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SELECT evaluation_rollups_rebuild(%s)", [partnership_id])
