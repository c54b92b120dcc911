"""The clinic's "text messages OK" box is the patient's consent to texts: ticking
or clearing it is recorded (who, when, how), and the box shows the consent in
force afterwards, so a STOP is never undone by an unrelated edit."""

import datetime

import pytest

from referrals.models import Patient, TextConsent
from referrals.services import intake
from referrals.tests.texting import SENDING_NUMBER, texting_referral
from referrals.texting import webhook
from referrals.texting.consent import consent_record, texting_refusal

pytestmark = pytest.mark.django_db
NO_CONSENT = "Record the patient's consent to texts first."


def patient_data(**changes):
    data = {
        "first_name": "Ana",
        "last_name": "Diaz",
        "date_of_birth": datetime.date(1980, 1, 31),
        "mrn": "E-555",
        "preferred_language": "es",
        "phone": "503-555-0100",
        "texts_ok": True,
    }
    return data | changes


def consents(patient):
    return list(
        TextConsent.objects.filter(patient=patient)
        .order_by("pk")
        .values_list("phone", "given", "method", "recorded_by")
    )


def e164(rows):
    return [(phone.as_e164, *rest) for phone, *rest in rows]


def test_the_clinic_form_records_the_ticked_box_as_consent(login, clinic_user):
    form = {
        "first_name": "Ana",
        "last_name": "Diaz",
        "date_of_birth": "1980-01-31",
        "mrn": "E-555",
        "sex": "female",
        "preferred_language": "es",
        "phone": "503-555-0100",
        "texts_ok": "on",
    }
    response = login(clinic_user).post("/referrals/patients/new/", form)
    assert response.status_code == 302
    patient = Patient.objects.get(mrn="E-555")
    assert e164(consents(patient)) == [("+15035550100", True, "verbal", clinic_user.pk)]


def test_an_unticked_box_records_nothing(clinic_user):
    patient = intake.patient_create(
        actor=clinic_user, data=patient_data(texts_ok=False)
    )
    assert consents(patient) == []


def test_the_navigator_may_text_once_the_clinic_recorded_consent(
    clinic_user, supervisor, navigator
):
    referral = texting_referral(
        clinic_user=clinic_user,
        supervisor=supervisor,
        navigator=navigator,
        consent=False,
    )
    assert texting_refusal(referral) == NO_CONSENT
    intake.patient_update(
        actor=clinic_user, patient=referral.patient, data={"texts_ok": True}
    )
    assert texting_refusal(referral) == ""
    intake.patient_update(
        actor=clinic_user, patient=referral.patient, data={"texts_ok": False}
    )
    assert texting_refusal(referral) == NO_CONSENT
    assert [given for _, given, *_ in consents(referral.patient)] == [True, False]


def test_a_new_number_with_the_box_ticked_is_consented_for_that_number(clinic_user):
    patient = intake.patient_create(actor=clinic_user, data=patient_data())
    intake.patient_update(
        actor=clinic_user, patient=patient, data={"phone": "503-555-0199"}
    )
    assert [row[:2] for row in e164(consents(patient))] == [
        ("+15035550100", True),
        ("+15035550199", True),
    ]


def test_an_unrelated_edit_records_nothing_more(clinic_user):
    patient = intake.patient_create(actor=clinic_user, data=patient_data())
    intake.patient_update(actor=clinic_user, patient=patient, data={"city": "Salem"})
    assert len(consents(patient)) == 1


def test_stop_clears_the_box_and_an_unrelated_edit_does_not_undo_it(
    clinic_user, supervisor, navigator
):
    referral = texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )
    webhook.inbound_receive(
        sid="SMstop",
        sender=referral.patient.phone.as_e164,
        to=SENDING_NUMBER,
        body="ALTO",
    )
    patient = Patient.objects.get(pk=referral.patient_id)
    assert patient.texts_ok is False
    intake.patient_update(actor=clinic_user, patient=patient, data={"city": "Salem"})
    assert TextConsent.objects.filter(patient=patient).first().given is False


def test_consent_the_navigator_records_shows_on_the_patient_record(
    clinic_user, supervisor, navigator
):
    referral = texting_referral(
        clinic_user=clinic_user,
        supervisor=supervisor,
        navigator=navigator,
        consent=False,
    )
    consent_record(actor=navigator, referral=referral, given=True, method="written")
    assert Patient.objects.get(pk=referral.patient_id).texts_ok is True
    consent_record(actor=navigator, referral=referral, given=False, method="verbal")
    assert Patient.objects.get(pk=referral.patient_id).texts_ok is False
