"""The patient's "who viewed or changed" page shows a field's old and new values only
to those who may see the field on the record's own page: program managers, who do not
see a patient's phone and address, see that they changed and nothing more."""

import pytest
from django.urls import reverse

from referrals.models import Encounter, Patient
from referrals.tests import states
from referrals.tests.factories import PatientFactory


@pytest.fixture
def referral(partnership, clinic_user, supervisor, navigator):
    patient = PatientFactory(
        health_system=partnership.health_system,
        created_by=clinic_user,
        phone="503-555-0101",
        address="12 Alder St",
    )
    return states.in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        patient=patient,
    )


def changes_page(client, patient):
    url = reverse("partners:patient-audit", args=[patient.code])
    response = client.get(url + "?show=changes")
    assert response.status_code == 200
    return response.content.decode()


def move(patient, **fields):
    Patient.objects.filter(pk=patient.pk).update(
        phone="503-555-0199", address="98 Birch Ave", first_name="Mariela", **fields
    )


def test_program_manager_sees_that_phone_and_address_changed_but_not_to_what(
    login, manager, referral
):
    move(referral.patient)

    page = changes_page(login(manager), referral.patient)

    for value in ("+15035550101", "+15035550199", "12 Alder St", "98 Birch Ave"):
        assert value not in page
    assert "phone" in page and "address" in page
    assert page.count("changed (values not shown to your role)") == 2
    # Fields the manager sees on the patient page keep their values.
    assert "Mariela" in page


def test_supervisor_sees_old_and_new_phone_and_address(login, supervisor, referral):
    move(referral.patient)

    page = changes_page(login(supervisor), referral.patient)

    for value in ("+15035550101", "+15035550199", "12 Alder St", "98 Birch Ave"):
        assert value in page


def test_nobody_sees_the_numbers_of_a_patient_not_to_be_contacted_directly(
    login, supervisor, referral
):
    move(
        referral.patient,
        do_not_contact=True,
        safe_contact_note="Only through her sister",
    )

    page = changes_page(login(supervisor), referral.patient)

    assert "5035550199" not in page and "98 Birch Ave" not in page
    assert "Only through her sister" in page


def test_program_manager_does_not_read_contact_notes_in_the_history(
    login, manager, supervisor, referral
):
    Encounter.objects.filter(referral=referral).update(note="Moved in with her son")

    assert "Moved in with her son" not in changes_page(login(manager), referral.patient)
    assert "Moved in with her son" in changes_page(login(supervisor), referral.patient)
