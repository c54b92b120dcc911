"""The dashboard's rollups (``evaluation.models.rollups``), rebuilt from scratch.

Triggers keep them up to date with every write; a load that bypasses triggers
(``session_replication_role = replica``, as ``bench.generate`` does) must call
``rollups_rebuild`` afterwards.
"""

from django.db import connection, transaction


def rollups_rebuild(*, partnership_id: int | None = None) -> None:
    """Recompute the facts, monthly counts and utilization windows of one
    partnership, or of all, from referrals, pathways, patients and utilization."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT evaluation_rollups_rebuild(%s)", [partnership_id])
