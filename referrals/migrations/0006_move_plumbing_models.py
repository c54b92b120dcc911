# PeriodicRun now belongs to chwlink.lib (label "plumbing"), which took over its
# table: forget it here without touching the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('referrals', '0005_notification_inactive_label'),
        ('plumbing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='PeriodicRun'),
            ],
        ),
    ]
