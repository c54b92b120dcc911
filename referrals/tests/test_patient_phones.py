"""Patients' numbers are stored in E.164; what is not a number is kept to fix."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from referrals.models import Patient
from referrals.phones import phone_parse, phones_checked
from referrals.services.intake import patient_update
from referrals.tests.factories import PatientFactory

BEFORE = [("referrals", "0029_hsds_import")]
AFTER = [("referrals", "0030_patient_phones_e164")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets)


@pytest.mark.django_db(transaction=True)
def test_migration_converts_numbers_and_keeps_the_unreadable_ones(clinic_user):
    old = migrate(BEFORE).apps
    try:
        OldPatient = old.get_model("referrals", "Patient")
        made = {}
        for mrn, phone, phone_alt in [
            ("A1", "503-555-0142", "(971) 555-0100"),
            ("A2", "call her sister", "503.555.0177"),
            ("A3", "503-555-0142 x12", ""),
            ("A4", "", ""),
        ]:
            made[mrn] = OldPatient.objects.create(
                health_system_id=clinic_user.organization_id,
                created_by_id=clinic_user.pk,
                first_name="Ana",
                last_name=mrn,
                date_of_birth=datetime.date(1980, 1, 1),
                mrn=mrn,
                phone=phone,
                phone_alt=phone_alt,
            ).pk
    finally:
        migrate(AFTER)
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = {
        p.mrn: (str(p.phone or ""), str(p.phone_alt or ""), p.phone_to_fix)
        for p in Patient.objects.filter(pk__in=made.values())
    }
    assert rows["A1"] == ("+1 503-555-0142", "+1 971-555-0100", "")
    assert rows["A2"] == ("", "+1 503-555-0177", "call her sister")
    assert rows["A3"] == ("", "", "503-555-0142 x12")
    assert rows["A4"] == ("", "", "")
    stored = Patient.objects.filter(mrn="A1").values_list("phone", flat=True).get()
    assert stored == "+15035550142"


def test_ehr_numbers_are_checked_like_typed_ones():
    assert phones_checked(["(503) 555-0142", "n/a", "503 555 0142", "9715550100"]) == {
        "phone": phone_parse("503-555-0142"),
        "phone_alt": phone_parse("971-555-0100"),
        "phone_to_fix": "n/a",
    }
    assert phone_parse("503-555-0142 ext 4") is None


@pytest.mark.django_db
def test_edit_form_shows_the_number_to_fix_and_a_new_number_replaces_it(
    login, clinic_user
):
    patient = PatientFactory(
        health_system=clinic_user.organization,
        phone="",
        phone_to_fix="call her sister",
        created_by=clinic_user,
    )
    page = login(clinic_user).get(f"/referrals/patients/{patient.code}/edit/")
    assert "call her sister" in page.content.decode()
    patient_update(actor=clinic_user, patient=patient, data={"city": "Salem"})
    patient.refresh_from_db()
    assert patient.phone_to_fix == "call her sister"
    patient_update(
        actor=clinic_user, patient=patient, data={"phone": phone_parse("5035550142")}
    )
    patient.refresh_from_db()
    assert patient.phone_to_fix == ""
    assert Patient.objects.filter(pk=patient.pk, phone="+15035550142").exists()
