"""The intake forms refuse bad input with a message beside the field."""

import datetime

import pytest
from django.utils import timezone

from partners.models import Partnership
from partners.tests.factories import PartnershipFactory
from referrals.forms.intake import PatientForm, PatientSearchForm, ReferralForm
from referrals.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def patient_data(**changes):
    data = {
        "first_name": "Rosa",
        "last_name": "Campos",
        "date_of_birth": "1971-04-02",
        "mrn": "E-100234",
        "sex": "female",
        "preferred_language": "es",
        "phone": "503-555-0142",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_patient_form_accepts_a_complete_patient():
    form = PatientForm(patient_data())
    assert form.is_valid(), form.errors
    assert form.patient_data()["date_of_birth"] == datetime.date(1971, 4, 2)


@pytest.mark.parametrize("missing", ["first_name", "last_name", "date_of_birth", "mrn"])
def test_patient_form_requires_name_birth_date_and_mrn(missing):
    form = PatientForm(patient_data(**{missing: ""}))
    assert not form.is_valid()
    assert missing in form.errors


def test_patient_form_refuses_a_birth_date_in_the_future():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = PatientForm(patient_data(date_of_birth=tomorrow.isoformat()))
    assert form.errors["date_of_birth"] == [
        "The date of birth cannot be in the future."
    ]


def test_patient_form_refuses_an_absurdly_old_birth_date():
    form = PatientForm(patient_data(date_of_birth="1880-01-01"))
    assert "over 120 years old" in form.errors["date_of_birth"][0]


def test_do_not_contact_needs_a_safe_contact_note_beside_the_note_field():
    form = PatientForm(patient_data(do_not_contact="on", safe_contact_note="  "))
    assert not form.is_valid()
    assert "safe_contact_note" in form.errors
    assert not form.non_field_errors()


def test_do_not_contact_with_a_note_is_accepted():
    form = PatientForm(
        patient_data(do_not_contact="on", safe_contact_note="Call her sister.")
    )
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    "phone", ["call me", "12", "503-555-O142", "555 x12345", "+1 111 555 0142"]
)
def test_patient_form_refuses_something_that_is_not_a_phone_number(phone):
    form = PatientForm(patient_data(phone=phone))
    assert form.errors["phone"] == [
        "Enter a phone number, for example 503-555-0142 (with +52… for a number in "
        "another country)."
    ]


@pytest.mark.parametrize("field", ["phone", "phone_alt"])
def test_an_extension_is_refused_beside_the_field(field):
    form = PatientForm(patient_data(**{field: "+1 503.555.0142 ext. 12"}))
    assert "without its extension" in form.errors[field][0]


@pytest.mark.parametrize(
    "phone, e164",
    [
        ("(503) 555-0142", "+15035550142"),
        ("503.555.0142", "+15035550142"),
        ("+52 55 1234 5678", "+525512345678"),
    ],
)
def test_usual_phone_formats_become_e164(phone, e164):
    form = PatientForm(patient_data(phone=phone))
    assert form.is_valid(), form.errors
    assert form.patient_data()["phone"].as_e164 == e164


def test_patient_form_refuses_a_malformed_zip_code():
    form = PatientForm(patient_data(postal_code="9721"))
    assert "postal_code" in form.errors


def test_same_mrn_is_a_field_error_the_different_person_box_cannot_override(
    clinic_user,
):
    existing = PatientFactory(health_system=clinic_user.organization, mrn="e-100234")
    form = PatientForm(patient_data(different_person="on"))
    assert form.is_valid()
    assert form.refuse_duplicates([existing]) is False
    assert form.errors["mrn"] == [
        "A patient with this medical record number already exists."
    ]


def test_search_needs_mrn_or_last_name_with_more():
    assert not PatientSearchForm({"last_name": "C"}).is_valid()
    assert PatientSearchForm({"last_name": "Campos", "first_name": "R"}).is_valid()
    assert PatientSearchForm({"mrn": "E-1"}).is_valid()
    assert not PatientSearchForm({}).is_valid()


def referral_form(clinic, **changes):
    data = {"clinic": clinic.pk, "urgency": "routine", "action": "submit"}
    data.update(changes)
    return ReferralForm(
        data,
        clinics=type(clinic).objects.all(),
        partnerships=Partnership.objects.all(),
    )


def test_submitting_needs_a_social_need_and_consent_beside_those_fields(clinic):
    form = referral_form(clinic)
    assert not form.is_valid()
    assert "social_needs" in form.errors
    assert "consent_given" in form.errors


def test_a_draft_may_leave_needs_and_consent_for_later(clinic):
    assert referral_form(clinic, action="draft").is_valid()


def test_other_medical_reason_needs_a_description(clinic):
    form = referral_form(clinic, action="draft", medical_reasons=["other"])
    assert "medical_reason_other" in form.errors


def test_describing_another_reason_ticks_other(clinic):
    form = referral_form(clinic, action="draft", medical_reason_other="Lupus")
    assert form.is_valid()
    assert form.cleaned_data["medical_reasons"] == ["other"]


def choosing_form(clinic, **changes):
    return referral_form(clinic, action="draft", **changes)


def test_with_one_active_partnership_none_is_asked_for(clinic, partnership):
    form = choosing_form(clinic)
    assert form.is_valid(), form.errors
    assert not form.offers_partnership_choice
    assert form.referral_data()["partnership"] == partnership


def test_with_two_cbos_the_form_asks_which_and_keeps_the_choice(clinic, partnership):
    second = PartnershipFactory(health_system=partnership.health_system)
    form = choosing_form(clinic)
    assert form.offers_partnership_choice
    assert form.errors == {
        "partnership": ["Choose the community-based organization to refer to."]
    }
    form = choosing_form(clinic, partnership=second.pk)
    assert form.is_valid(), form.errors
    assert form.referral_data()["partnership"] == second


def test_a_foreign_partnership_is_refused_beside_the_field(
    clinic, partnership, other_partnership
):
    form = ReferralForm(
        {
            "clinic": clinic.pk,
            "urgency": "routine",
            "partnership": other_partnership.pk,
        },
        clinics=type(clinic).objects.all(),
        partnerships=Partnership.objects.filter(
            health_system=partnership.health_system
        ),
    )
    assert list(form.errors) == ["partnership"]
    assert f'value="{other_partnership.pk}"' not in str(form["partnership"])


def test_a_partnership_not_including_the_clinic_is_refused(
    clinic, other_clinic, partnership
):
    second = PartnershipFactory(health_system=partnership.health_system)
    second.clinics.set([other_clinic])
    form = choosing_form(clinic, partnership=second.pk)
    assert form.errors == {
        "partnership": [f"North Clinic does not refer to {second.cbo.name}."]
    }
