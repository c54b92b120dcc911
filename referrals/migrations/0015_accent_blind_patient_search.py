from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.operations import (
    AddIndexConcurrently,
    TrigramExtension,
    UnaccentExtension,
)
from django.db import migrations, models
from django.db.models import F

from chwlink.lib.folding import CREATE_FOLD_FUNCTION, DROP_FOLD_FUNCTION, Folded


class Migration(migrations.Migration):
    # The patients table is large on a running system: build the indexes without
    # locking out writes (which cannot happen inside a transaction).
    atomic = False

    dependencies = [
        ("referrals", "0014_notification_invitation_withdrawn"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(CREATE_FOLD_FUNCTION, DROP_FOLD_FUNCTION),
        AddIndexConcurrently(
            model_name="patient",
            index=models.Index(
                F("health_system"),
                OpClass(Folded("last_name"), name="text_pattern_ops"),
                name="patient_last_name_start_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=GinIndex(
                OpClass(Folded("last_name"), name="gin_trgm_ops"),
                name="patient_last_name_trgm_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="patient",
            index=GinIndex(
                OpClass(Folded("first_name"), name="gin_trgm_ops"),
                name="patient_first_name_trgm_idx",
            ),
        ),
    ]
