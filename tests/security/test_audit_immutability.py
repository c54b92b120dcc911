"""The audit trail survives the application's own database role.

Every audit table (the access log, each pghistory event table and pghistory's
context) refuses UPDATE, DELETE and TRUNCATE by a trigger, even for the tables'
owner and even when pgtrigger is told to ignore its triggers. With the production
set-up of ``manage.py audit_roles`` the application's role owns no table: it can
neither empty an audit table nor switch the triggers off, and the application still
works as that role.

The role is created inside the test's transaction, so the rollback at the end of
each test removes it again.
"""

import io
import uuid
from contextlib import contextmanager

import pghistory
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse

from chwlink.lib import audit_guard
from chwlink.lib.models import AccessRecord
from referrals.forms.intake import PATIENT_FIELDS
from referrals.models import Patient
from referrals.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

TABLE_TRIGGER = "chwlink_audit_append_only"


@pytest.fixture
def patient(partnership, clinic_user):
    return PatientFactory(
        health_system=partnership.health_system,
        created_by=clinic_user,
        phone="503-555-0101",
    )


@pytest.fixture
def app_role(db):
    """A role set up as a deployer sets up the application's role."""
    name = f"chwlink_test_app_{uuid.uuid4().hex[:12]}"
    run(f"CREATE ROLE {name} NOLOGIN")
    call_command("audit_roles", app_role=name, stdout=io.StringIO())
    return name


def run(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


@contextmanager
def acting_as(role):
    run(f"SET ROLE {role}")
    try:
        yield
    finally:
        run("RESET ROLE")


def refused(sql) -> bool:
    """True if the statement fails (in a savepoint, so the test goes on)."""
    try:
        with transaction.atomic():
            run(sql)
    except DatabaseError:
        return True
    return False


def key_column(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_primary_key_column(cursor, table)


def test_every_audit_table_carries_the_guard_triggers():
    # A new event table (a model newly tracked by pghistory) fails here until its
    # migration installs the trigger.
    tables = audit_guard.audit_tables()
    assert {"plumbing_accessrecord", "pghistory_context"} <= set(tables)
    assert "referrals_patienthistory" in tables
    triggers = set(
        run(
            "SELECT c.relname, t.tgname FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal "
            "AND t.tgenabled = 'O'"
        )
    )
    missing = [table for table in tables if (table, TABLE_TRIGGER) not in triggers]
    assert not missing, f"Install {TABLE_TRIGGER} on: {missing}"
    assert ("pghistory_context", "chwlink_audit_context_grows_only") in triggers


@pytest.mark.parametrize("table", audit_guard.audit_tables())
def test_even_the_owner_cannot_truncate_update_or_delete_an_audit_table(patient, table):
    statements = [
        f"TRUNCATE {table}",
        f"TRUNCATE {table} CASCADE",
        f"DELETE FROM {table}",  # noqa: S608
    ]
    if table != audit_guard.CONTEXT_TABLE:
        # Context rows may gain metadata (see the next test); event rows never change.
        key = key_column(table)
        statements.append(f"UPDATE {table} SET {key} = {key}")  # noqa: S608
    # pgtrigger's own append-only triggers can be ignored per transaction; these
    # cannot.
    ignore_pgtrigger = (
        "SELECT set_config('pgtrigger.ignore', "
        "(SELECT '{' || string_agg(tgname, ',') || '}' FROM pg_trigger), true); "
    )
    assert [sql for sql in statements if not refused(sql)] == []
    assert [sql for sql in statements if not refused(ignore_pgtrigger + sql)] == []
    assert Patient.objects.filter(pk=patient.pk).exists()


def test_emptying_the_users_table_cannot_take_the_access_log_with_it(
    login, clinic_user, patient
):
    login(clinic_user).get(reverse("referrals:patient-detail", args=[patient.code]))
    assert AccessRecord.objects.exists()

    assert refused("TRUNCATE partners_user CASCADE")
    assert AccessRecord.objects.exists()


def test_context_rows_only_gain_metadata(patient, clinic_user):
    with pghistory.context(user=clinic_user.pk, url="/patients/"):
        patient.phone = "503-555-0102"
        patient.save()
        # Metadata added later in the same context reaches the row: the upsert.
        pghistory.context(note="second step")
        patient.phone = "503-555-0103"
        patient.save()
    context = patient.history.latest("pgh_id").pgh_context
    context.refresh_from_db()
    assert context.metadata == {
        "user": clinic_user.pk,
        "url": "/patients/",
        "note": "second step",
    }

    other = str(uuid.uuid4())
    table = "pghistory_context"
    assert refused(
        f"UPDATE {table} SET metadata = metadata || '{{\"user\": 0}}'::jsonb"  # noqa: S608
    )
    assert refused(f"UPDATE {table} SET metadata = '{{}}'::jsonb")  # noqa: S608
    assert refused(f"UPDATE {table} SET id = '{other}'")  # noqa: S608
    assert refused(f"UPDATE {table} SET created_at = now() - interval '1 day'")  # noqa: S608
    assert refused(f"DELETE FROM {table}")  # noqa: S608
    context.refresh_from_db()
    assert context.metadata["user"] == clinic_user.pk


@pytest.mark.parametrize("table", audit_guard.audit_tables())
def test_the_application_role_cannot_empty_disable_or_rewrite_an_audit_table(
    app_role, patient, table
):
    key = key_column(table)
    statements = [
        f"TRUNCATE {table}",
        f"ALTER TABLE {table} DISABLE TRIGGER ALL",
        f"ALTER TABLE {table} DISABLE TRIGGER {TABLE_TRIGGER}",
        f"ALTER TABLE {table} OWNER TO {app_role}",
        f"DROP TABLE {table}",
        f"DELETE FROM {table}",  # noqa: S608
        f"UPDATE {table} SET {key} = {key}",  # noqa: S608
    ]
    with acting_as(app_role):
        allowed = [sql for sql in statements if not refused(sql)]
    assert allowed == []


def test_the_application_works_as_the_application_role(
    app_role, client, clinic_user, patient
):
    detail = reverse("referrals:patient-detail", args=[patient.code])
    edit = reverse("referrals:patient-edit", args=[patient.code])
    form = model_to_dict(patient, fields=PATIENT_FIELDS) | {"phone": "503-555-0199"}
    form = {k: ("" if v is None else v) for k, v in form.items()}

    with acting_as(app_role):
        client.force_login(clinic_user)
        assert client.get(detail).status_code == 200
        assert client.post(edit, form).status_code == 302
        with pghistory.context(user=clinic_user.pk):
            patient.refresh_from_db()
            patient.city = "Salem"
            patient.save()
            pghistory.context(note="added later")
            patient.city = "Eugene"
            patient.save()

    assert AccessRecord.objects.filter(user=clinic_user, object_code=patient.code)
    update = patient.history.filter(phone="503-555-0199").earliest("pgh_id")
    assert update.pgh_context.metadata["user"] == clinic_user.pk
    assert patient.history.latest("pgh_id").pgh_context.metadata["note"] == (
        "added later"
    )


def test_the_role_command_refuses_a_role_that_could_undo_the_protection():
    with pytest.raises(CommandError, match="superuser"):
        call_command("audit_roles", app_role=run("SELECT current_user")[0][0])
    with pytest.raises(CommandError, match="no database role"):
        call_command("audit_roles", app_role="chwlink_nobody_by_this_name")

    owner = f"chwlink_test_owner_{uuid.uuid4().hex[:12]}"
    run(f"CREATE ROLE {owner} NOLOGIN")
    run(f"ALTER TABLE plumbing_accessrecord OWNER TO {owner}")
    with pytest.raises(CommandError, match="plumbing_accessrecord"):
        call_command("audit_roles", app_role=owner)


def test_the_role_command_prints_what_it_grants():
    out = io.StringIO()
    call_command("audit_roles", app_role="chwlink_app", print_only=True, stdout=out)
    printed = out.getvalue()
    assert (
        'GRANT SELECT, INSERT ON TABLE "plumbing_accessrecord" TO "chwlink_app";'
        in printed
    )
    assert 'GRANT SELECT, INSERT ON TABLE "referrals_patienthistory"' in printed
    assert (
        'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "referrals_patient" '
        'TO "chwlink_app";' in printed
    )
    assert "TRUNCATE" not in printed


def test_the_deploy_check_warns_about_a_role_that_could_undo_the_protection(
    app_role,
):
    # The tests connect as a superuser.
    [warning] = audit_guard.check_application_role(databases=["default"])
    assert warning.id == "chwlink.W001" and "superuser" in warning.msg
    assert audit_guard.check_application_role(databases=None) == []

    with acting_as(app_role):
        assert audit_guard.check_application_role(databases=["default"]) == []

    owner = f"chwlink_test_owner_{uuid.uuid4().hex[:12]}"
    run(f"CREATE ROLE {owner} NOLOGIN")
    run(f"ALTER TABLE referrals_patienthistory OWNER TO {owner}")
    run(f"GRANT {owner} TO {app_role}")
    with acting_as(app_role):
        [warning] = audit_guard.check_application_role(databases=["default"])
    assert "referrals_patienthistory" in warning.msg
