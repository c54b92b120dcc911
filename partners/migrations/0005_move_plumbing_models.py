# OutboundEmail and AccessRecord now belong to chwlink.lib (label "plumbing"), which
# took over their tables: forget them here without touching the database.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('partners', '0004_audit'),
        ('plumbing', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='OutboundEmail'),
                migrations.DeleteModel(name='AccessRecord'),
            ],
        ),
    ]
