from django.db import migrations
from django.db.models import Exists, Max, OuterRef, Subquery

BATCH = 50_000


def _batches(model):
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    for start in range(0, last + 1, BATCH):
        yield model.objects.filter(pk__gte=start, pk__lt=start + BATCH)


def mark_billed(apps, schema_editor):
    """Mark what issued statements already hold, a batch of rows at a time, then
    the statements whose lines were all there before the marking began."""
    Referral = apps.get_model("referrals", "Referral")
    Pathway = apps.get_model("referrals", "Pathway")
    Statement = apps.get_model("partners", "Statement")
    lines = apps.get_model("partners", "StatementLine").objects
    last_statement = Statement.objects.aggregate(last=Max("pk"))["last"] or 0
    billed = lines.filter(referral=OuterRef("pk"), method="accepted_referral")
    for referrals in _batches(Referral):
        referrals.filter(Exists(billed), acceptance_billed_at__isnull=True).update(
            acceptance_billed_at=Subquery(billed.values("statement__issued_at")[:1])
        )
    partnership = Referral.objects.filter(pk=OuterRef("referral_id"))
    for pathways in _batches(Pathway):
        pathways.filter(partnership__isnull=True).update(
            partnership_id=Subquery(partnership.values("partnership_id")),
            billed_at=Subquery(
                lines.filter(pathway=OuterRef("pk"), method="approved_pathway")
                .values("statement__issued_at")[:1]
            ),
        )
    Statement.objects.filter(pk__lte=last_statement).update(earners_marked=True)


class Migration(migrations.Migration):
    # The tables are large on a running system: rows are marked in batches, each
    # its own transaction.
    atomic = False

    dependencies = [
        ("partners", "0006_statement_earners_marked"),
        ("referrals", "0008_statement_billing_marks"),
    ]

    operations = [
        migrations.RunPython(mark_billed, migrations.RunPython.noop),
    ]
