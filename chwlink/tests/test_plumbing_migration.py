"""Moving the outbox, the access log and the periodic-run bookkeeping into the
plumbing app loses nothing on a database that already holds them: the rows, the
append-only trigger, and the content types that permissions and admin history hang on
all come along."""

import uuid

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.utils import InternalError

from chwlink.lib.models import AccessRecord, OutboundEmail, PeriodicRun
from partners.models import User

OLD_HOMES = {
    "outboundemail": "partners",
    "accessrecord": "partners",
    "periodicrun": "referrals",
}


def migrate(targets=None):
    """Migrate the test database; no targets means the latest state."""
    executor = MigrationExecutor(connection)
    return executor.migrate(targets or executor.loader.graph.leaf_nodes())


def rows_before_the_move(old, supervisor):
    old.get_model("partners", "OutboundEmail").objects.create(
        to="sara@home.test",
        subject="2 referrals to look at",
        body_text="Open the inbox.",
        attachment_name="week.csv",
        attachment_content="a,b",
        status="sent",
        attempts=2,
    )
    record = old.get_model("partners", "AccessRecord").objects.create(
        user_id=supervisor.pk,
        organization_id=supervisor.organization_id,
        object_type="referral",
        object_code=uuid.UUID(int=7),
        shown_codes=[uuid.UUID(int=8)],
        action="view",
        path="/referrals/x/",
    )
    old.get_model("referrals", "PeriodicRun").objects.create(
        task="reminders_sweep_task",
        started_at="2026-11-30T10:00:00Z",
        outcome="3 reminders sent",
    )
    return record.pk


@pytest.mark.django_db(transaction=True)
def test_rows_content_types_and_trigger_survive_the_move(supervisor, administrator):
    old = migrate([("plumbing", None)]).apps
    try:
        old_types = old.get_model("contenttypes", "ContentType").objects
        type_ids = {
            model: old_types.get(app_label=label, model=model).pk
            for model, label in OLD_HOMES.items()
        }
        record_pk = rows_before_the_move(old, supervisor)
        supervisor.user_permissions.add(
            Permission.objects.get(
                content_type_id=type_ids["outboundemail"],
                codename="view_outboundemail",
            )
        )
        LogEntry.objects.create(
            user=administrator,
            content_type_id=type_ids["accessrecord"],
            object_id=str(record_pk),
            object_repr="a record",
            action_flag=CHANGE,
        )
        # What `manage.py migrate` leaves after a step back: a fresh content type
        # under the new label beside the one the permissions hang on.
        old_types.create(app_label="plumbing", model="periodicrun")
    finally:
        migrate()
        ContentType.objects.clear_cache()

    email = OutboundEmail.objects.get()
    assert (email.to, email.subject, email.body_text) == (
        "sara@home.test",
        "2 referrals to look at",
        "Open the inbox.",
    )
    assert (email.attachment_name, email.attachment_content) == ("week.csv", "a,b")
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 2)
    record = AccessRecord.objects.get()
    assert (record.user, record.organization) == (supervisor, supervisor.organization)
    assert record.object_code == uuid.UUID(int=7)
    assert record.shown_codes == [uuid.UUID(int=8)]
    run = PeriodicRun.objects.get()
    assert (run.task, run.outcome) == ("reminders_sweep_task", "3 reminders sent")

    moved = ContentType.objects.filter(model__in=OLD_HOMES)
    assert dict(moved.values_list("model", "pk")) == type_ids
    assert set(moved.values_list("app_label", flat=True)) == {"plumbing"}
    assert User.objects.get(pk=supervisor.pk).has_perm("plumbing.view_outboundemail")
    assert LogEntry.objects.get().get_edited_object() == record

    # Both append-only triggers are in place: pgtrigger's, reinstalled under the new
    # table name, and the project's own (which fires first).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
            " AND tgrelid = 'plumbing_accessrecord'::regclass ORDER BY tgname"
        )
        names = [row[0] for row in cursor.fetchall()]
    assert names[0] == "chwlink_audit_append_only"
    assert names[1].startswith("pgtrigger_accessrecord_append_only_")
    refused = pytest.raises(InternalError, match="UPDATE of the audit table")
    with refused, transaction.atomic():
        AccessRecord.objects.filter(pk=record.pk).update(path="/elsewhere/")
