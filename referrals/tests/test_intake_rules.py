"""Intake at its edges: who registers and corrects patients, unique record numbers,
look-alike patients, drafts that only the clinic sees, and what a submission needs."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from partners.models import Partnership
from partners.tests.factories import PartnershipFactory, SiteFactory, UserFactory
from referrals import selectors
from referrals.models import Notification, Patient, Referral, ReferralEvent
from referrals.services import intake
from referrals.services.intake import DuplicateMedicalRecordNumber
from referrals.services.workflow import ReferralConflict, WorkflowError
from referrals.tests.factories import PatientFactory

Status = Referral.Status
UTC = datetime.UTC
MRN_TAKEN = r"^A patient with this medical record number already exists\.$"
SAFE_WAY = r"^Say how the patient can be reached safely when direct contact is off\.$"


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


@pytest.fixture
def patient(clinic_user):
    return PatientFactory(
        health_system=clinic_user.organization,
        first_name="Rosa",
        last_name="Campos",
        date_of_birth=datetime.date(1971, 4, 2),
        mrn="E-100234",
        created_by=clinic_user,
    )


def patient_data(**changes):
    data = {
        "first_name": "Ana",
        "last_name": "Diaz",
        "date_of_birth": datetime.date(1980, 1, 31),
        "mrn": "E-555",
        "preferred_language": "es",
        "phone": "503-555-0100",
    }
    return data | changes


def referral_data(clinic, **changes):
    data = {
        "clinic": clinic,
        "medical_reasons": ["diabetes"],
        "medical_reason_other": "",
        "social_needs": ["food-insecurity"],
        "urgency": "urgent",
        "notes_for_navigator": "Mornings",
        "consent_given": True,
    }
    return data | changes


class TestPatients:
    def test_clinic_staff_register_in_their_own_health_system(self, clinic_user):
        created = intake.patient_create(
            actor=clinic_user, data=patient_data(city="Portland", unknown="x")
        )
        assert created.health_system == clinic_user.organization
        assert created.created_by == clinic_user
        assert (created.first_name, created.city, created.mrn) == (
            "Ana",
            "Portland",
            "E-555",
        )

    @pytest.mark.parametrize("who", ["supervisor", "navigator", "manager"])
    def test_other_roles_cannot_register_or_correct(self, who, request, patient):
        actor = request.getfixturevalue(who)
        with pytest.raises(PermissionDenied):
            intake.patient_create(actor=actor, data=patient_data())
        with pytest.raises(PermissionDenied):
            intake.patient_update(actor=actor, patient=patient, data={"city": "X"})
        assert Patient.objects.count() == 1

    def test_the_mrn_is_unique_ignoring_case(self, clinic_user, patient):
        with pytest.raises(DuplicateMedicalRecordNumber, match=MRN_TAKEN):
            intake.patient_create(actor=clinic_user, data=patient_data(mrn="e-100234"))
        assert Patient.objects.count() == 1

    def test_the_same_mrn_in_another_health_system_is_another_patient(
        self, patient, outsiders
    ):
        other = intake.patient_create(
            actor=outsiders["clinic_staff"], data=patient_data(mrn="E-100234")
        )
        assert other.health_system != patient.health_system

    def test_do_not_contact_needs_a_safe_way(self, clinic_user):
        for note in ["", "   "]:
            with pytest.raises(WorkflowError, match=SAFE_WAY):
                intake.patient_create(
                    actor=clinic_user,
                    data=patient_data(do_not_contact=True, safe_contact_note=note),
                )
        assert not Patient.objects.exists()
        safe = intake.patient_create(
            actor=clinic_user,
            data=patient_data(do_not_contact=True, safe_contact_note="Call her sister"),
        )
        assert safe.do_not_contact is True
        assert intake.patient_create(
            actor=clinic_user, data=patient_data(mrn="E-556", safe_contact_note="")
        )

    def test_correcting_a_patient_keeps_the_rest(self, clinic_user, patient):
        updated = intake.patient_update(
            actor=clinic_user,
            patient=patient,
            data={"phone": "503-555-0199", "mrn": "E-100234"},
        )
        patient.refresh_from_db()
        assert (patient.phone, patient.first_name) == ("503-555-0199", "Rosa")
        assert updated.phone == "503-555-0199"

    def test_correcting_to_another_patients_mrn_is_refused(self, clinic_user, patient):
        other = PatientFactory(health_system=clinic_user.organization, mrn="E-7")
        with pytest.raises(DuplicateMedicalRecordNumber, match=MRN_TAKEN):
            intake.patient_update(
                actor=clinic_user, patient=other, data={"mrn": "e-100234 ".strip()}
            )
        other.refresh_from_db()
        assert other.mrn == "E-7"

    def test_the_safe_contact_rule_reads_the_saved_record(self, clinic_user, patient):
        intake.patient_update(
            actor=clinic_user,
            patient=patient,
            data={"do_not_contact": True, "safe_contact_note": "At the clinic"},
        )
        # Turning the note off while contact stays off is refused...
        with pytest.raises(WorkflowError, match=SAFE_WAY):
            intake.patient_update(
                actor=clinic_user, patient=patient, data={"safe_contact_note": ""}
            )
        # ...and so is turning contact off for a patient saved without a note.
        other = PatientFactory(health_system=clinic_user.organization)
        with pytest.raises(WorkflowError, match=SAFE_WAY):
            intake.patient_update(
                actor=clinic_user, patient=other, data={"do_not_contact": True}
            )
        patient.refresh_from_db()
        assert patient.safe_contact_note == "At the clinic"

    def test_another_health_systems_patient_cannot_be_corrected(
        self, patient, outsiders
    ):
        with pytest.raises(PermissionDenied):
            intake.patient_update(
                actor=outsiders["clinic_staff"], patient=patient, data={"city": "X"}
            )
        patient.refresh_from_db()
        assert patient.city != "X"


class TestLookAlikePatients:
    @pytest.mark.parametrize(
        ("first_name", "last_name"),
        [("ROSA", "campos"), ("  rosa ", " Campos  "), ("Rosita", "CAMPOS")],
    )
    def test_same_birth_date_and_name_in_other_case_or_spacing_warns(
        self, login, clinic_user, patient, first_name, last_name
    ):
        response = login(clinic_user).post(
            "/referrals/patients/new/",
            {
                "first_name": first_name,
                "last_name": last_name,
                "date_of_birth": "1971-04-02",
                "mrn": "E-999",
                "preferred_language": "es",
                "sex": "female",
            },
        )
        content = response.content.decode()
        assert "This patient may already be registered" in content
        assert f"/referrals/patients/{patient.code}/" in content
        assert Patient.objects.count() == 1

    def test_same_name_on_another_birth_date_is_not_a_look_alike(
        self, clinic_user, patient
    ):
        found = selectors.patient_likely_duplicates(
            user=clinic_user,
            data={
                "first_name": "Rosa",
                "last_name": "Campos",
                "date_of_birth": datetime.date(1971, 4, 3),
                "mrn": "E-1",
            },
        )
        assert list(found) == []


def for_clinic(clinic):
    return list(intake.partnerships_for_clinic(clinic=clinic))


class TestPartnership:
    @pytest.mark.parametrize(
        "status",
        [
            Partnership.Status.PLANNING,
            Partnership.Status.PAUSED,
            Partnership.Status.ENDED,
            Partnership.Status.INVITED,
            Partnership.Status.DECLINED,
        ],
    )
    def test_only_an_active_partnership_takes_referrals(
        self, clinic_user, partnership, clinic, status
    ):
        # The attack of issue 13: a second partnership that is not active (a
        # manager's unanswered invitation, say) must never take the referral.
        PartnershipFactory(health_system=partnership.health_system, status=status)
        assert for_clinic(clinic) == [partnership]
        assert (
            intake.partnership_for_referral(actor=clinic_user, clinic=clinic)
            == partnership
        )

    @pytest.mark.parametrize(
        "status", [Partnership.Status.ENDED, Partnership.Status.PAUSED]
    )
    def test_an_ended_or_paused_partnership_takes_no_referrals(
        self, clinic_user, partnership, patient, clinic, status
    ):
        Partnership.objects.filter(pk=partnership.pk).update(status=status)
        with pytest.raises(
            WorkflowError,
            match=exactly("North Clinic has no active partnership to refer to yet."),
        ):
            intake.referral_save_draft(
                actor=clinic_user, patient=patient, data=referral_data(clinic)
            )
        assert not Referral.objects.exists()

    def test_a_partnership_listing_clinics_takes_only_theirs(
        self, partnership, clinic, other_clinic
    ):
        partnership.clinics.set([other_clinic])
        assert for_clinic(clinic) == []
        assert for_clinic(other_clinic) == [partnership]

    def test_with_two_cbos_the_clinic_must_choose(
        self, clinic_user, partnership, patient, clinic
    ):
        second = PartnershipFactory(health_system=partnership.health_system)
        with pytest.raises(intake.PartnershipChoiceNeeded):
            intake.referral_save_draft(
                actor=clinic_user, patient=patient, data=referral_data(clinic)
            )
        assert not Referral.objects.exists()
        draft = intake.referral_save_draft(
            actor=clinic_user,
            patient=patient,
            data=referral_data(clinic) | {"partnership": second},
        )
        assert draft.partnership == second

    def test_a_partnership_of_another_health_system_is_refused(
        self, clinic_user, patient, clinic, other_partnership
    ):
        with pytest.raises(intake.PartnershipChoiceNeeded):
            intake.referral_save_draft(
                actor=clinic_user,
                patient=patient,
                data=referral_data(clinic) | {"partnership": other_partnership},
            )
        assert not Referral.objects.exists()

    def test_a_draft_whose_partnership_stopped_is_not_sent(
        self, clinic_user, partnership, patient, clinic
    ):
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        Partnership.objects.filter(pk=partnership.pk).update(
            status=Partnership.Status.PAUSED
        )
        draft.refresh_from_db()
        with pytest.raises(WorkflowError, match="partnership is not active"):
            intake.referral_submit(actor=clinic_user, referral=draft)
        draft.refresh_from_db()
        assert draft.status == Referral.Status.DRAFT


class TestDrafts:
    def test_a_draft_is_the_clinics_until_it_is_submitted(
        self, clinic_user, patient, clinic, partnership, supervisor, time_machine
    ):
        time_machine.move_to(
            datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False
        )
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        assert (draft.status, draft.partnership, draft.referred_by) == (
            Status.DRAFT,
            partnership,
            clinic_user,
        )
        assert (draft.consent_recorded_by, draft.consent_recorded_at) == (
            clinic_user,
            timezone.now(),
        )
        assert draft.submitted_at is None
        assert not Notification.objects.filter(recipient=supervisor).exists()
        assert list(selectors.referral_list_for_user(clinic_user)) == [draft]
        assert list(selectors.referral_list_for_user(supervisor)) == []

        submitted = intake.referral_submit(actor=clinic_user, referral=draft)
        assert submitted.status == Status.SUBMITTED
        assert submitted.submitted_at == timezone.now()
        assert list(selectors.referral_list_for_user(supervisor)) == [draft]
        assert Notification.objects.get(recipient=supervisor).kind == (
            Notification.Kind.NEW_REFERRAL
        )

    def test_editing_a_draft_saves_every_field_and_the_version(
        self, clinic_user, patient, clinic, other_clinic
    ):
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        other_patient = PatientFactory(health_system=clinic_user.organization)
        edited = intake.referral_save_draft(
            actor=clinic_user,
            patient=other_patient,
            referral=draft,
            data=referral_data(
                other_clinic,
                social_needs=["homelessness"],
                urgency="routine",
                notes_for_navigator="Evenings",
                version=draft.version,
            ),
        )
        assert edited.version == draft.version
        edited.refresh_from_db()
        assert (edited.clinic, edited.patient, edited.urgency) == (
            other_clinic,
            other_patient,
            "routine",
        )
        assert edited.social_needs == ["homelessness"]
        assert edited.notes_for_navigator == "Evenings"
        assert edited.version == 1

    def test_a_stale_draft_form_is_refused_and_changes_nothing(
        self, clinic_user, patient, clinic
    ):
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        intake.referral_save_draft(
            actor=clinic_user,
            patient=patient,
            referral=draft,
            data=referral_data(clinic, urgency="routine", version=0),
        )
        with pytest.raises(ReferralConflict):
            intake.referral_save_draft(
                actor=clinic_user,
                patient=patient,
                referral=draft,
                data=referral_data(clinic, notes_for_navigator="Late", version=0),
            )
        draft.refresh_from_db()
        assert (draft.notes_for_navigator, draft.version) == ("Mornings", 1)

    def test_consent_is_recorded_once_and_withdrawn_when_unticked(
        self, clinic_user, patient, clinic, time_machine
    ):
        time_machine.move_to(
            datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False
        )
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        first = draft.consent_recorded_at
        colleague = UserFactory(
            role="clinic_staff", organization=clinic_user.organization
        )
        time_machine.shift(datetime.timedelta(hours=1))
        again = intake.referral_save_draft(
            actor=colleague, patient=patient, referral=draft, data=referral_data(clinic)
        )
        assert (again.consent_recorded_by, again.consent_recorded_at) == (
            clinic_user,
            first,
        )
        withdrawn = intake.referral_save_draft(
            actor=colleague,
            patient=patient,
            referral=draft,
            data=referral_data(clinic, consent_given=False),
        )
        assert (
            withdrawn.consent_given,
            withdrawn.consent_recorded_by,
            withdrawn.consent_recorded_at,
        ) == (False, None, None)
        given = intake.referral_save_draft(
            actor=colleague, patient=patient, referral=draft, data=referral_data(clinic)
        )
        assert (given.consent_recorded_by, given.consent_recorded_at) == (
            colleague,
            timezone.now(),
        )

    def test_no_consent_is_the_default(self, clinic_user, patient, clinic):
        data = referral_data(clinic)
        del data["consent_given"]
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=data
        )
        assert (draft.consent_given, draft.consent_recorded_by) == (False, None)

    def test_a_submitted_referral_is_no_longer_a_draft_to_edit(
        self, clinic_user, patient, clinic
    ):
        referral = intake.referral_save_and_submit(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        with pytest.raises(WorkflowError, match=exactly("Only drafts can be edited.")):
            intake.referral_save_draft(
                actor=clinic_user,
                patient=patient,
                referral=referral,
                data=referral_data(clinic, urgency="routine"),
            )
        referral.refresh_from_db()
        assert referral.urgency == "urgent"

    def test_only_clinic_staff_of_the_health_system_draft(
        self, clinic_user, patient, clinic, supervisor, outsiders
    ):
        with pytest.raises(PermissionDenied):
            intake.referral_save_draft(
                actor=supervisor, patient=patient, data=referral_data(clinic)
            )
        stranger = outsiders["clinic_staff"]
        with pytest.raises(PermissionDenied):
            intake.referral_save_draft(
                actor=stranger, patient=patient, data=referral_data(clinic)
            )
        own = PatientFactory(health_system=stranger.organization)
        with pytest.raises(PermissionDenied):
            intake.referral_save_draft(
                actor=stranger, patient=own, data=referral_data(clinic)
            )
        assert not Referral.objects.exists()

    def test_another_health_system_cannot_edit_our_draft(
        self, clinic_user, patient, clinic, outsiders
    ):
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        stranger = outsiders["clinic_staff"]
        theirs = PatientFactory(health_system=stranger.organization)
        with pytest.raises(PermissionDenied):
            intake.referral_save_draft(
                actor=stranger,
                patient=theirs,
                referral=draft,
                data=referral_data(SiteFactory(organization=stranger.organization)),
            )
        draft.refresh_from_db()
        assert draft.patient == patient


class TestSubmit:
    def test_needs_a_social_need(self, clinic_user, patient, clinic):
        draft = intake.referral_save_draft(
            actor=clinic_user,
            patient=patient,
            data=referral_data(clinic, social_needs=[]),
        )
        with pytest.raises(
            WorkflowError,
            match=exactly("Choose at least one social need before submitting."),
        ):
            intake.referral_submit(actor=clinic_user, referral=draft)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_needs_consent(self, clinic_user, patient, clinic):
        draft = intake.referral_save_draft(
            actor=clinic_user,
            patient=patient,
            data=referral_data(clinic, consent_given=False),
        )
        refusal = (
            "Record the patient's consent to share with the CBO before submitting."
        )
        with pytest.raises(WorkflowError, match=exactly(refusal)):
            intake.referral_submit(actor=clinic_user, referral=draft)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    @pytest.mark.parametrize("who", ["supervisor", "manager"])
    def test_only_clinic_staff_submit(self, clinic_user, patient, clinic, who, request):
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        with pytest.raises(PermissionDenied):
            intake.referral_submit(actor=request.getfixturevalue(who), referral=draft)
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_save_and_submit_in_one_step(self, clinic_user, patient, clinic):
        referral = intake.referral_save_and_submit(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        assert referral.status == Status.SUBMITTED
        event = referral.events.get()
        assert (event.kind, event.from_status, event.to_status, event.actor) == (
            ReferralEvent.Kind.STATUS,
            Status.DRAFT,
            Status.SUBMITTED,
            clinic_user,
        )

    def test_a_refused_submission_keeps_nothing_of_the_save(
        self, clinic_user, patient, clinic
    ):
        with pytest.raises(WorkflowError):
            intake.referral_save_and_submit(
                actor=clinic_user,
                patient=patient,
                data=referral_data(clinic, consent_given=False),
            )
        assert not Referral.objects.exists()
        draft = intake.referral_save_draft(
            actor=clinic_user, patient=patient, data=referral_data(clinic)
        )
        with pytest.raises(WorkflowError):
            intake.referral_save_and_submit(
                actor=clinic_user,
                patient=patient,
                referral=draft,
                data=referral_data(clinic, social_needs=[], urgency="routine"),
            )
        draft.refresh_from_db()
        assert (draft.status, draft.urgency) == (Status.DRAFT, "urgent")


def test_the_cbo_finds_a_referral_page_only_once_it_is_submitted(
    login, clinic_user, patient, clinic, supervisor
):
    draft = intake.referral_save_draft(
        actor=clinic_user, patient=patient, data=referral_data(clinic)
    )
    page = f"/referrals/{draft.code}/"
    assert login(clinic_user).get(page).status_code == 200
    assert login(supervisor).get(page).status_code == 404
    intake.referral_submit(actor=clinic_user, referral=draft)
    assert login(supervisor).get(page).status_code == 200


def test_do_not_contact_without_any_note_field_is_refused(clinic_user):
    with pytest.raises(WorkflowError, match=SAFE_WAY):
        intake.patient_create(actor=clinic_user, data=patient_data(do_not_contact=True))
    assert not Patient.objects.exists()


def test_two_clerks_saving_the_same_mrn_at_once_get_the_same_refusal(
    clinic_user, patient, monkeypatch
):
    # Both passed the look-up before either saved: the database constraint decides.
    monkeypatch.setattr(intake, "_require_unique_mrn", lambda **kwargs: None)
    with pytest.raises(DuplicateMedicalRecordNumber, match=MRN_TAKEN):
        intake.patient_create(actor=clinic_user, data=patient_data(mrn="e-100234"))
    other = PatientFactory(health_system=clinic_user.organization, mrn="E-7")
    with pytest.raises(DuplicateMedicalRecordNumber, match=MRN_TAKEN):
        intake.patient_update(
            actor=clinic_user, patient=other, data={"mrn": "E-100234"}
        )
    assert Patient.objects.filter(mrn__iexact="E-100234").count() == 1


def test_editing_a_draft_touches_only_that_draft_and_stamps_it(
    clinic_user, patient, clinic, time_machine
):
    time_machine.move_to(datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False)
    draft = intake.referral_save_draft(
        actor=clinic_user, patient=patient, data=referral_data(clinic)
    )
    twin = intake.referral_save_draft(
        actor=clinic_user, patient=patient, data=referral_data(clinic)
    )
    time_machine.shift(datetime.timedelta(hours=3))
    edited = intake.referral_save_draft(
        actor=clinic_user,
        patient=patient,
        referral=draft,
        data=referral_data(clinic, urgency="routine", version=0),
    )
    assert edited.updated == timezone.now()
    twin.refresh_from_db()
    assert (twin.urgency, twin.version) == ("urgent", 0)
