# The moved models' tables get their plumbing_* names, the append-only trigger is
# reinstalled under its new name, and the content types follow so that permissions
# and admin log entries stay attached. Reversible: going back restores the old
# tables, trigger and content types.

import pgtrigger.compiler
import pgtrigger.migrations
from django.db import migrations

OLD_APP_LABELS = {
    'outboundemail': 'partners',
    'accessrecord': 'partners',
    'periodicrun': 'referrals',
}


def content_types_move(apps, *, back):
    ContentType = apps.get_model('contenttypes', 'ContentType')
    for model, old_label in OLD_APP_LABELS.items():
        source, target = (
            ('plumbing', old_label) if back else (old_label, 'plumbing')
        )
        moving = ContentType.objects.filter(app_label=source, model=model)
        if not moving.exists():
            continue
        # `manage.py migrate` adds content types for the models it knows after every
        # run, so a database migrated back and forth may already hold an unused
        # one (with its own copy of the permissions) under the target label.
        ContentType.objects.filter(app_label=target, model=model).delete()
        moving.update(app_label=target)


def content_types_to_plumbing(apps, schema_editor):
    content_types_move(apps, back=False)


def content_types_back(apps, schema_editor):
    content_types_move(apps, back=True)


class Migration(migrations.Migration):

    dependencies = [
        ('plumbing', '0001_initial'),
        # Going back past either of these needs the old table names again.
        ('partners', '0005_move_plumbing_models'),
        ('referrals', '0006_move_plumbing_models'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='accessrecord',
            name='accessrecord_append_only',
        ),
        # Removing a trigger leaves its function; the old one is named after the old
        # app and would linger. Going back, the trigger's reinstall recreates it.
        migrations.RunSQL(
            'DROP FUNCTION IF EXISTS pgtrigger_accessrecord_append_only_fae72();',
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.AlterModelTable(name='accessrecord', table=None),
        migrations.AlterModelTable(name='outboundemail', table=None),
        migrations.AlterModelTable(name='periodicrun', table=None),
        pgtrigger.migrations.AddTrigger(
            model_name='accessrecord',
            trigger=pgtrigger.compiler.Trigger(name='accessrecord_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='37632e903bdbcf3c756be699f02d7036c562d7ad', operation='UPDATE OR DELETE', pgid='pgtrigger_accessrecord_append_only_59862', table='plumbing_accessrecord', when='BEFORE')),
        ),
        migrations.RunPython(content_types_to_plumbing, content_types_back),
    ]
