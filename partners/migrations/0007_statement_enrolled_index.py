from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    # Two million lines at statewide scale: build the index without locking out
    # writes (which cannot happen inside a transaction).
    atomic = False

    dependencies = [
        ("partners", "0006_statement_earners_marked"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="statementline",
            index=models.Index(
                condition=models.Q(("method", "enrolled_patient")),
                fields=["period_start", "patient"],
                name="statementline_enrolled_idx",
            ),
        ),
    ]
