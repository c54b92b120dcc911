from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # The tables are large on a running system: build the indexes without locking
    # out writes (which cannot happen inside a transaction).
    atomic = False

    dependencies = [
        ("referrals", "0009_statement_billing_backfill"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="pathway",
            index=models.Index(
                condition=models.Q(("billed_at__isnull", True), ("status", "approved")),
                fields=["partnership", "kind", "approved_at"],
                include=("referral",),
                name="pathway_unbilled_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="referral",
            index=models.Index(
                condition=models.Q(
                    ("acceptance_billed_at__isnull", True),
                    ("accepted_at__isnull", False),
                ),
                fields=["partnership", "accepted_at"],
                include=("status",),
                name="referral_unbilled_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="referral",
            index=models.Index(
                condition=models.Q(("accepted_at__isnull", False)),
                fields=["partnership", "closed_at"],
                include=("accepted_at", "status", "patient"),
                name="referral_open_accepted_idx",
            ),
        ),
        # Only approved pathways are ever billed: without the pairs counted
        # together the planner takes the two as independent, expects several
        # times the unbilled approved pathways there are, and then reads every
        # referral to join them. (billed_at holds few values: issue moments.)
        migrations.RunSQL(
            "CREATE STATISTICS referrals_pathway_status_billed (mcv) "
            "ON status, billed_at FROM referrals_pathway",
            "DROP STATISTICS referrals_pathway_status_billed",
        ),
    ]
