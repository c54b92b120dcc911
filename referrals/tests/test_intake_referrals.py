"""Clinic staff draft a referral, edit it and submit it to the CBO."""

import uuid

import pytest

from partners import services as partner_services
from partners.tests.factories import PartnershipFactory
from referrals.models import Referral, ReferralEvent
from referrals.services import intake
from referrals.tests.factories import PatientFactory, ReferralFactory

Status = Referral.Status


@pytest.fixture
def patient(clinic_user):
    return PatientFactory(
        health_system=clinic_user.organization,
        first_name="Rosa",
        last_name="Campos",
        created_by=clinic_user,
    )


@pytest.fixture
def draft(clinic_user, clinic, patient, partnership):
    return intake.referral_save_draft(
        actor=clinic_user,
        patient=patient,
        data={
            "clinic": clinic,
            "medical_reasons": ["diabetes"],
            "medical_reason_other": "",
            "social_needs": [],
            "urgency": "routine",
            "notes_for_navigator": "Prefers mornings.",
        },
    )


def referral_post(clinic, **changes):
    data = {
        "clinic": clinic.pk,
        "social_needs": ["food-insecurity", "transportation-insecurity"],
        "medical_reasons": ["diabetes"],
        "urgency": "urgent",
        "notes_for_navigator": "Has trouble getting to the pharmacy.",
        "consent_given": "on",
        "consent_source": "verbal",
        "action": "submit",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_referral_form_defaults_to_the_users_clinic_and_lists_only_ours(
    login, clinic_user, clinic, other_clinic, outsiders, patient
):
    form = login(clinic_user).get(f"/referrals/new/{patient.code}/").context["form"]
    assert form["clinic"].value() == clinic.pk
    names = {site.name for site in form.fields["clinic"].queryset}
    assert names == {"North Clinic", "South Clinic"}


def test_submitting_a_new_referral_sends_it_to_the_cbo(
    login, clinic_user, clinic, patient, partnership
):
    response = login(clinic_user).post(
        f"/referrals/new/{patient.code}/", referral_post(clinic), follow=True
    )
    referral = Referral.objects.get(patient=patient)
    assert response.redirect_chain[-1][0] == f"/referrals/{referral.code}/"
    assert "The referral is sent to the CBO." in response.content.decode()
    assert referral.status == Status.SUBMITTED
    assert referral.submitted_at is not None
    assert referral.partnership == partnership
    assert referral.consent_recorded_by == clinic_user
    assert referral.social_needs == ["food-insecurity", "transportation-insecurity"]
    assert referral.events.get().to_status == Status.SUBMITTED


def test_submit_without_need_or_consent_keeps_input_and_writes_nothing(
    login, clinic_user, clinic, patient, partnership
):
    response = login(clinic_user).post(
        f"/referrals/new/{patient.code}/",
        referral_post(clinic, social_needs=None, consent_given=None),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Choose at least one social need before submitting." in content
    assert "Record the patient&#x27;s consent before submitting." in content
    assert "Has trouble getting to the pharmacy." in content
    assert response.context["form"]["urgency"].value() == "urgent"
    assert not Referral.objects.exists()


def test_save_draft_keeps_it_with_the_clinic(
    login, clinic_user, clinic, patient, partnership, supervisor
):
    response = login(clinic_user).post(
        f"/referrals/new/{patient.code}/",
        referral_post(clinic, action="draft", social_needs=None, consent_given=None),
        follow=True,
    )
    referral = Referral.objects.get(patient=patient)
    assert referral.status == Status.DRAFT
    assert referral.submitted_at is None
    assert "Draft saved" in response.content.decode()
    assert not ReferralEvent.objects.exists()


def test_draft_save_then_edit_then_submit(
    login, clinic_user, clinic, other_clinic, patient, partnership
):
    client = login(clinic_user)
    client.post(
        f"/referrals/new/{patient.code}/",
        referral_post(clinic, action="draft", consent_given=None),
    )
    referral = Referral.objects.get(patient=patient)
    edit_url = f"/referrals/{referral.code}/edit/"
    form = client.get(edit_url).context["form"]
    assert form["notes_for_navigator"].value() == "Has trouble getting to the pharmacy."
    assert form["version"].value() == referral.version
    client.post(
        edit_url,
        referral_post(
            other_clinic, action="draft", version=referral.version, urgency="routine"
        ),
    )
    referral.refresh_from_db()
    assert referral.status == Status.DRAFT
    assert referral.clinic == other_clinic
    assert referral.consent_given is True
    response = client.post(f"/referrals/{referral.code}/submit/", follow=True)
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED
    assert referral.submitted_at is not None
    event = referral.events.get()
    assert (event.actor, event.from_status, event.to_status) == (
        clinic_user,
        Status.DRAFT,
        Status.SUBMITTED,
    )
    assert "The referral is sent to the CBO." in response.content.decode()


def test_submit_button_from_the_edit_form(login, clinic_user, clinic, draft):
    response = login(clinic_user).post(
        f"/referrals/{draft.code}/edit/", referral_post(clinic, version=draft.version)
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED


def test_refused_submit_from_the_edit_form_saves_nothing(
    login, clinic_user, clinic, draft
):
    response = login(clinic_user).post(
        f"/referrals/{draft.code}/edit/",
        referral_post(
            clinic, version=draft.version, consent_given=None, notes_for_navigator="New"
        ),
    )
    assert "consent_given" in response.context["form"].errors
    draft.refresh_from_db()
    assert draft.notes_for_navigator == "Prefers mornings."
    assert draft.version == 0


def test_stale_edit_is_refused_and_keeps_the_input(login, clinic_user, clinic, draft):
    stale_version = draft.version
    intake.referral_save_draft(
        actor=clinic_user,
        patient=draft.patient,
        referral=draft,
        data={
            "clinic": clinic,
            "medical_reasons": [],
            "medical_reason_other": "",
            "social_needs": ["stress"],
            "urgency": "routine",
            "notes_for_navigator": "Saved by a colleague.",
            "version": stale_version,
        },
    )
    response = login(clinic_user).post(
        f"/referrals/{draft.code}/edit/",
        referral_post(
            clinic,
            action="draft",
            version=stale_version,
            notes_for_navigator="My late edit",
        ),
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed this referral" in content
    assert "My late edit" in content
    draft.refresh_from_db()
    assert draft.notes_for_navigator == "Saved by a colleague."


def test_submit_button_on_an_incomplete_draft_goes_back_to_the_edit_page(
    login, clinic_user, draft
):
    response = login(clinic_user).post(f"/referrals/{draft.code}/submit/", follow=True)
    assert response.redirect_chain[-1][0] == f"/referrals/{draft.code}/edit/"
    assert "Choose at least one social need" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_submit_only_accepts_post(login, clinic_user, draft):
    response = login(clinic_user).get(f"/referrals/{draft.code}/submit/")
    assert response.status_code == 405


def test_submitted_referral_is_no_longer_editable(
    login, clinic_user, clinic, partnership, patient
):
    referral = ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    response = login(clinic_user).get(f"/referrals/{referral.code}/edit/", follow=True)
    assert response.redirect_chain[-1][0] == f"/referrals/{referral.code}/"
    assert "cannot be edited" in response.content.decode()


def test_new_referral_page_warns_about_open_referrals(
    login, clinic_user, clinic, partnership, patient
):
    open_referral = ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    content = login(clinic_user).get(f"/referrals/new/{patient.code}/")
    content = content.content.decode()
    assert "This patient already has open referrals" in content
    assert f"/referrals/{open_referral.code}/" in content


def test_do_not_contact_patient_shows_the_warning_on_the_referral_form(
    login, clinic_user, patient, partnership
):
    patient.do_not_contact = True
    patient.safe_contact_note = "Call her sister Ana."
    patient.save()
    content = login(clinic_user).get(f"/referrals/new/{patient.code}/")
    assert "Call her sister Ana." in content.content.decode()


# Access


@pytest.fixture
def outsider_patient(outsiders):
    return PatientFactory(
        health_system=outsiders["clinic_staff"].organization,
        created_by=outsiders["clinic_staff"],
    )


@pytest.mark.parametrize(
    "role", ["clinic_staff", "supervisor", "navigator", "program_manager"]
)
def test_outsiders_get_404_on_every_referral_url_of_ours(
    login, outsiders, role, draft, patient
):
    client = login(outsiders[role])
    assert client.get(f"/referrals/new/{patient.code}/").status_code == 404
    assert client.post(f"/referrals/new/{patient.code}/", {}).status_code == 404
    assert client.get(f"/referrals/{draft.code}/edit/").status_code == 404
    assert client.post(f"/referrals/{draft.code}/edit/", {}).status_code == 404
    assert client.post(f"/referrals/{draft.code}/submit/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_clinic_staff_cannot_refer_another_health_systems_patient(
    login, clinic_user, outsider_patient, clinic
):
    response = login(clinic_user).post(
        f"/referrals/new/{outsider_patient.code}/", referral_post(clinic)
    )
    assert response.status_code == 404
    assert not Referral.objects.exists()


def test_a_clinic_of_another_health_system_is_refused(
    login, clinic_user, patient, outsiders, partnership
):
    foreign_clinic = outsiders["clinic_staff"].site
    response = login(clinic_user).post(
        f"/referrals/new/{patient.code}/", referral_post(foreign_clinic)
    )
    assert "clinic" in response.context["form"].errors
    assert not Referral.objects.exists()


def test_cbo_roles_get_403_on_a_submitted_referral_they_can_see(
    login, supervisor, manager, clinic_user, clinic, partnership, patient
):
    referral = ReferralFactory(
        partnership=partnership, clinic=clinic, patient=patient, referred_by=clinic_user
    )
    for user in (supervisor, manager):
        client = login(user)
        assert client.get(f"/referrals/new/{patient.code}/").status_code == 403
        assert client.get(f"/referrals/{referral.code}/edit/").status_code == 403
        assert client.post(f"/referrals/{referral.code}/submit/").status_code == 403


def test_supervisor_never_reaches_a_draft(login, supervisor, draft):
    client = login(supervisor)
    assert client.get(f"/referrals/{draft.code}/edit/").status_code == 404
    assert client.post(f"/referrals/{draft.code}/submit/").status_code == 404


def test_unknown_codes_are_404(login, clinic_user):
    client = login(clinic_user)
    assert client.get(f"/referrals/new/{uuid.uuid4()}/").status_code == 404
    assert client.get(f"/referrals/{uuid.uuid4()}/edit/").status_code == 404


def test_no_active_partnership_is_explained_and_nothing_saved(
    login, clinic_user, clinic, patient, partnership, manager
):
    partner_services.partnership_update(
        actor=manager, partnership=partnership, data={"status": "ended"}
    )
    response = login(clinic_user).post(
        f"/referrals/new/{patient.code}/", referral_post(clinic, action="draft")
    )
    assert "no active partnership" in response.content.decode()
    assert not Referral.objects.exists()


def test_with_two_cbos_the_page_asks_which_and_keeps_the_choice_on_error(
    login, clinic_user, clinic, patient, partnership, other_partnership
):
    second = PartnershipFactory(
        health_system=partnership.health_system, cbo__name="Second CBO"
    )
    client = login(clinic_user)
    url = f"/referrals/new/{patient.code}/"
    page = client.get(url).content.decode()
    assert "Refer to" in page and "Second CBO" in page
    assert other_partnership.cbo.name not in page

    asked = client.post(url, referral_post(clinic))
    assert asked.context["form"].errors == {
        "partnership": ["Choose the community-based organization to refer to."]
    }
    foreign = client.post(url, referral_post(clinic, partnership=other_partnership.pk))
    assert list(foreign.context["form"].errors) == ["partnership"]
    kept = client.post(
        url, referral_post(clinic, partnership=second.pk, consent_given=None)
    )
    assert kept.context["form"]["partnership"].value() == str(second.pk)
    assert f'value="{second.pk}" selected' in kept.content.decode()
    assert not Referral.objects.exists()

    client.post(url, referral_post(clinic, partnership=second.pk))
    assert Referral.objects.get().partnership == second


def test_a_clinic_without_an_active_partnership_is_told_so(
    login, clinic_user, clinic, patient, partnership
):
    partnership.status = "paused"
    partnership.save()
    page = login(clinic_user).post(
        f"/referrals/new/{patient.code}/", referral_post(clinic)
    )
    assert page.context["form"].errors == {
        "clinic": ["North Clinic has no active partnership to refer to yet."]
    }
    assert not Referral.objects.exists()
