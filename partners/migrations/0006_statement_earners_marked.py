from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0005_move_plumbing_models"),
    ]

    operations = [
        migrations.AddField(
            model_name="statement",
            name="earners_marked",
            field=models.BooleanField(db_default=False, default=False, editable=False),
        ),
    ]
