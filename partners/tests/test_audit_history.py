"""Every change to PHI is recorded by database triggers, with who, what and which
request; the history cannot be rewritten."""

import pghistory.models
import pytest
from django.apps import apps
from django.db import transaction
from django.db.utils import InternalError
from django.forms.models import model_to_dict
from django.urls import reverse

from evaluation.models import Story, UtilizationRecord
from referrals.forms.intake import PATIENT_FIELDS
from referrals.models import Patient, Referral
from referrals.tests.factories import PatientFactory, ReferralFactory


@pytest.fixture
def patient(partnership, clinic_user):
    return PatientFactory(
        health_system=partnership.health_system,
        created_by=clinic_user,
        phone="503-555-0101",
    )


def _edit_form(patient, **changes):
    data = model_to_dict(patient, fields=PATIENT_FIELDS)
    data.update(changes)
    return {k: ("" if v is None else v) for k, v in data.items()}


def test_editing_a_patient_records_old_and_new_values_with_user_and_request(
    login, clinic_user, patient
):
    client = login(clinic_user)
    url = reverse("referrals:patient-edit", args=[patient.code])

    response = client.post(url, _edit_form(patient, phone="503-555-0199"))

    assert response.status_code == 302
    update = patient.history.get(pgh_label="update")
    assert update.phone == "+15035550199"
    assert update.pgh_context.metadata["user"] == clinic_user.pk
    assert update.pgh_context.metadata["url"] == url
    assert update.pgh_context.metadata["request_id"]
    event = pghistory.models.Events.objects.tracks(patient).get(pgh_label="update")
    assert event.pgh_diff["phone"] == ["+15035550101", "+15035550199"]


def test_bulk_update_of_referrals_is_recorded(partnership):
    referral = ReferralFactory(partnership=partnership, notes_for_navigator="")

    Referral.objects.filter(pk=referral.pk).update(notes_for_navigator="Call after 5")

    assert referral.history.filter(
        pgh_label="update", notes_for_navigator="Call after 5"
    ).exists()


def test_deleting_a_patient_keeps_a_snapshot(patient):
    code = patient.code

    Patient.objects.filter(pk=patient.pk).delete()

    assert (
        apps.get_model("referrals", "PatientHistory")
        .objects.filter(pgh_label="delete", code=code)
        .exists()
    )


@pytest.mark.parametrize("change", ["update", "delete"])
def test_history_rows_cannot_be_changed_or_deleted(patient, change):
    history = patient.history.all()
    with pytest.raises(InternalError), transaction.atomic():
        if change == "update":
            history.update(phone="000")
        else:
            history.delete()
    assert patient.history.filter(phone="503-555-0101").exists()


def test_stories_and_utilization_records_are_tracked():
    assert hasattr(Story, "history")
    assert hasattr(UtilizationRecord, "history")
