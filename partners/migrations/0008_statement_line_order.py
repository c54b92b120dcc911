import django.db.models.deletion
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Two million lines at statewide scale: the new index is built without locking
    # out writes, then takes over from the statement's own (its first column).
    atomic = False

    dependencies = [
        ("partners", "0007_statement_enrolled_index"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="statementline",
            index=models.Index(
                fields=["statement", "method", "earned_on", "id"],
                include=("amount",),
                name="statementline_order_idx",
            ),
        ),
        migrations.AlterField(
            model_name="statementline",
            name="statement",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lines",
                to="partners.statement",
            ),
        ),
    ]
