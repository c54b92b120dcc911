"""The patient's consent as the SDOHCC Consent profile needs it, for referrals
made in the browser too: who recorded it and when, how the patient gave it (an
attestation or a document) and what it covers."""

import pytest

from referrals.fhir import emit
from referrals.models import Referral
from referrals.services import intake
from referrals.tests import states
from referrals.tests.factories import PatientFactory
from referrals.tests.test_intake_referrals import referral_post
from tests.shared_fixtures import fhir_schema_errors


@pytest.fixture
def patient(clinic_user):
    return PatientFactory(
        health_system=clinic_user.organization, created_by=clinic_user
    )


def test_consent_without_how_it_was_given_is_refused_beside_the_field_and_kept(
    login, clinic_user, clinic, patient
):
    response = login(clinic_user).post(
        f"/referrals/new/{patient.code}/",
        referral_post(clinic, consent_source="", notes_for_navigator="Call after 5"),
    )
    form = response.context["form"]
    assert form.errors["consent_source"] == [
        "Choose how the patient agreed (told you, or signed a form)."
    ]
    assert "Call after 5" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_form_records_how_and_what_and_the_page_shows_it(
    login, clinic_user, clinic, patient
):
    browser = login(clinic_user)
    browser.post(
        f"/referrals/new/{patient.code}/",
        referral_post(
            clinic, consent_source="written", consent_scope="cbo_and_resources"
        ),
    )
    referral = Referral.objects.get()
    assert (referral.consent_source, referral.consent_scope) == (
        "written",
        "cbo_and_resources",
    )
    assert referral.consent_recorded_by == clinic_user
    page = browser.get(f"/referrals/{referral.code}/").content.decode()
    assert "The patient signed a consent form, kept at the clinic." in page
    assert "Shared with: The CBO, its navigators and the resources" in page


def test_the_recording_stands_until_what_the_patient_agreed_to_changes(clinic_user):
    draft = states.draft_referral(clinic_user=clinic_user, consent_source="verbal")
    first = draft.consent_recorded_at
    data = states.FORM | {"clinic": draft.clinic, "consent_source": "verbal"}
    same = intake.referral_save_draft(
        actor=clinic_user, patient=draft.patient, data=data, referral=draft
    )
    assert same.consent_recorded_at == first
    wider = intake.referral_save_draft(
        actor=clinic_user,
        patient=draft.patient,
        data=data | {"consent_scope": "cbo_and_resources"},
        referral=same,
    )
    assert wider.consent_recorded_at > first
    assert wider.consent_scope == "cbo_and_resources"


def test_the_consent_resource_names_the_attestation_or_the_document(clinic_user):
    referral = states.submitted_referral(
        clinic_user=clinic_user, consent_source="verbal"
    )
    consent = emit.consent_resource(referral)
    assert fhir_schema_errors(consent) == []
    assert consent["sourceAttachment"]["title"] == (
        f"Verbal consent, attested by {clinic_user.get_full_name()}"
    )
    assert consent["performer"] == [{"reference": f"Patient/{referral.patient.code}"}]
    assert consent["policyRule"]["coding"][0]["code"] == "hipaa-auth"
    assert "CBO and its navigators" in consent["policyRule"]["text"]
    Referral.objects.filter(pk=referral.pk).update(
        consent_source="written", consent_scope="cbo_and_resources"
    )
    referral.refresh_from_db()
    consent = emit.consent_resource(referral)
    assert consent["sourceAttachment"]["title"].startswith(
        f"Signed consent form kept at {referral.clinic.name}"
    )
    assert "community resources" in consent["policyRule"]["text"]


def test_a_consent_recorded_before_chwlink_asked_how_has_no_source(clinic_user):
    referral = states.submitted_referral(clinic_user=clinic_user)
    Referral.objects.filter(pk=referral.pk).update(consent_source="")
    referral.refresh_from_db()
    consent = emit.consent_resource(referral)
    assert "sourceAttachment" not in consent
    assert fhir_schema_errors(consent) == []
