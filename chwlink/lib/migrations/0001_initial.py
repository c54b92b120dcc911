# The three models move here from partners and referrals with their rows: this
# migration only tells Django where they now live (still in their old tables); 0002
# renames the tables.

import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
import django.utils.timezone
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('partners', '0004_audit'),
        ('referrals', '0002_notifications'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PeriodicRun',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('task', models.CharField(max_length=200, unique=True, verbose_name='task')),
                        ('started_at', models.DateTimeField(verbose_name='last started')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='last finished')),
                        ('outcome', models.CharField(blank=True, max_length=200, verbose_name='outcome')),
                    ],
                    options={
                        'verbose_name': 'periodic task run',
                        'verbose_name_plural': 'periodic task runs',
                        'db_table': 'referrals_periodicrun',
                    },
                ),
                migrations.CreateModel(
                    name='OutboundEmail',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('to', models.EmailField(max_length=254, verbose_name='to')),
                        ('subject', models.CharField(max_length=255, verbose_name='subject')),
                        ('body_text', models.TextField(verbose_name='text body')),
                        ('body_html', models.TextField(blank=True, verbose_name='HTML body')),
                        ('attachment_name', models.CharField(blank=True, max_length=120, verbose_name='attachment name')),
                        ('attachment_content', models.TextField(blank=True, verbose_name='attachment')),
                        ('attachment_type', models.CharField(blank=True, default='text/csv', max_length=60, verbose_name='attachment type')),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10, verbose_name='status')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='sent at')),
                    ],
                    options={
                        'verbose_name': 'outbound e-mail',
                        'verbose_name_plural': 'outbound e-mails',
                        'ordering': ['-created'],
                        'indexes': [models.Index(condition=models.Q(('status', 'pending')), fields=['created'], name='outboundemail_pending_idx')],
                        'db_table': 'partners_outboundemail',
                    },
                ),
                migrations.CreateModel(
                    name='AccessRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('object_type', models.CharField(choices=[('patient', 'Patient'), ('referral', 'Referral'), ('pathway', 'Pathway'), ('story', 'Story'), ('pam', 'PAM administration'), ('utilization', 'Utilization record'), ('report', 'Report'), ('dataset', 'Data export'), ('contract', 'Contract document'), ('statement', 'Statement'), ('audit_log', 'Audit log'), ('partnership', 'Partnership record'), ('other', 'Other record')], max_length=20, verbose_name='record type')),
                        ('object_code', models.UUIDField(blank=True, null=True, verbose_name='record')),
                        ('shown_codes', django.contrib.postgres.fields.ArrayField(base_field=models.UUIDField(), blank=True, default=list, size=None, verbose_name='records shown')),
                        ('action', models.CharField(choices=[('view', 'Viewed'), ('list', 'Listed'), ('export', 'Exported'), ('download', 'Downloaded'), ('denied', 'Refused')], max_length=10, verbose_name='action')),
                        ('created', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='time')),
                        ('ip_address', models.GenericIPAddressField(blank=True, null=True, verbose_name='IP address')),
                        ('request_id', models.UUIDField(blank=True, null=True, verbose_name='request')),
                        ('path', models.CharField(max_length=500, verbose_name='page')),
                        ('organization', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='partners.organization', verbose_name='organization')),
                        ('user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'access record',
                        'verbose_name_plural': 'access records',
                        'ordering': ['-created', '-id'],
                        'indexes': [models.Index(fields=['object_code', '-created'], name='accessrecord_object_idx'), models.Index(fields=['user', '-created'], name='accessrecord_user_idx'), django.contrib.postgres.indexes.GinIndex(fields=['shown_codes'], name='accessrecord_shown_idx')],
                        'db_table': 'partners_accessrecord',
                    },
                ),
                # The trigger as partners.0004_audit installed it, so that 0002 can
                # drop it by its name before renaming the table.
                pgtrigger.migrations.AddTrigger(
                    model_name='accessrecord',
                    trigger=pgtrigger.compiler.Trigger(name='accessrecord_append_only', sql=pgtrigger.compiler.UpsertTriggerSql(func="RAISE EXCEPTION 'pgtrigger: Cannot update or delete rows from % table', TG_TABLE_NAME;", hash='a10f736163ad627d71ee5d1a3d84425341336f9a', operation='UPDATE OR DELETE', pgid='pgtrigger_accessrecord_append_only_fae72', table='partners_accessrecord', when='BEFORE')),
                ),
            ],
        ),
    ]
