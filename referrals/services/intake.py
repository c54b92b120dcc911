"""Clinic intake: find or create the patient, draft the referral, submit it."""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from partners.models import Partnership, Site, User
from referrals.access import may_submit_referrals
from referrals.choices import ConsentScope, ConsentSource
from referrals.models import Patient, Referral
from referrals.services.workflow import (
    WorkflowError,
    apply_transition,
    conflict_for,
)
from referrals.texting.consent import consent_from_intake

PATIENT_FIELDS = [
    "first_name",
    "last_name",
    "date_of_birth",
    "mrn",
    "sex",
    "gender_identity",
    "preferred_language",
    "interpreter_needed",
    "phone",
    "phone_alt",
    "voicemail_ok",
    "texts_ok",
    "best_time_to_call",
    "address",
    "city",
    "state",
    "postal_code",
    "do_not_contact",
    "safe_contact_note",
]
REFERRAL_FIELDS = [
    "clinic",
    "medical_reasons",
    "medical_reason_other",
    "social_needs",
    "urgency",
    "notes_for_navigator",
]


def _require_clinic_staff(actor: User) -> None:
    if not may_submit_referrals(actor):
        raise PermissionDenied


class DuplicateMedicalRecordNumber(WorkflowError):
    """Another patient of the health system already has this MRN."""


def _require_unique_mrn(*, health_system_id, mrn: str, patient_id=None) -> None:
    others = Patient.objects.filter(health_system_id=health_system_id, mrn__iexact=mrn)
    if patient_id is not None:
        others = others.exclude(pk=patient_id)
    if others.exists():
        raise DuplicateMedicalRecordNumber(
            _("A patient with this medical record number already exists.")
        )


def _require_safe_contact_note(data: dict) -> None:
    if data.get("do_not_contact") and not data.get("safe_contact_note", "").strip():
        raise WorkflowError(
            _("Say how the patient can be reached safely when direct contact is off.")
        )


@claims_form_token
def patient_create(*, actor: User, data: dict) -> Patient:
    """Register a patient in the actor's health system.

    The medical record number is unique per health system, ignoring case (the
    database constraint is the last guard against two clerks saving at once); a
    patient who must not be contacted directly needs a safe-contact note.
    """
    _require_clinic_staff(actor)
    _require_safe_contact_note(data)
    _require_unique_mrn(health_system_id=actor.organization_id, mrn=data["mrn"])
    try:
        with transaction.atomic():
            patient = Patient.objects.create(
                health_system_id=actor.organization_id,
                created_by=actor,
                phone_to_fix=data.get("phone_to_fix", ""),
                **{name: data[name] for name in PATIENT_FIELDS if name in data},
            )
            consent_from_intake(
                actor=actor, patient=patient, was_ok=False, was_phone=None
            )
            return patient
    except IntegrityError as clash:
        raise DuplicateMedicalRecordNumber(
            _("A patient with this medical record number already exists.")
        ) from clash


def patient_update(*, actor: User, patient: Patient, data: dict) -> Patient:
    """Correct a patient's record: clinic staff of the patient's health system only,
    the MRN staying unique in that system."""
    _require_clinic_staff(actor)
    if patient.health_system_id != actor.organization_id:
        raise PermissionDenied
    _require_safe_contact_note(
        {
            "do_not_contact": data.get("do_not_contact", patient.do_not_contact),
            "safe_contact_note": data.get(
                "safe_contact_note", patient.safe_contact_note
            ),
        }
    )
    if "mrn" in data:
        _require_unique_mrn(
            health_system_id=patient.health_system_id,
            mrn=data["mrn"],
            patient_id=patient.pk,
        )
    was_ok, was_phone = patient.texts_ok, patient.phone
    for name in PATIENT_FIELDS:
        if name in data:
            setattr(patient, name, data[name])
    # The text to fix was shown beside the phone fields: a number entered there
    # replaces it.
    if data.get("phone") or data.get("phone_alt"):
        patient.phone_to_fix = ""
    try:
        with transaction.atomic():
            patient.save()
            consent_from_intake(
                actor=actor, patient=patient, was_ok=was_ok, was_phone=was_phone
            )
    except IntegrityError as clash:
        raise DuplicateMedicalRecordNumber(
            _("A patient with this medical record number already exists.")
        ) from clash
    return patient


def partnerships_for_clinic(*, clinic: Site) -> QuerySet[Partnership]:
    """The partnerships a clinic's referrals may go to: active ones of its health
    system that include the clinic (one listing no clinics includes them all).
    Never one still planned, paused, ended, or an invitation not yet accepted."""
    return (
        Partnership.objects.filter(
            health_system_id=clinic.organization_id,
            status=Partnership.Status.ACTIVE,
        )
        .filter(Q(clinics=clinic) | Q(clinics__isnull=True))
        .select_related("cbo")
        .distinct()
        .order_by("cbo__name", "pk")
    )


class PartnershipChoiceNeeded(WorkflowError):
    """The clinic refers to several CBOs: the referral must say which."""


def partnership_for_referral(
    *, actor: User, clinic: Site, partnership: Partnership | None = None
) -> Partnership:
    """Where a referral from ``clinic`` goes: the chosen partnership, which must be
    one of ``partnerships_for_clinic``; without a choice, the clinic's only one.
    Nothing is ever picked for the clinic among several."""
    if clinic.organization_id != actor.organization_id:
        raise PermissionDenied
    candidates = list(partnerships_for_clinic(clinic=clinic))
    if partnership is not None:
        if partnership.pk not in {p.pk for p in candidates}:
            raise PartnershipChoiceNeeded(
                _("Choose one of the organizations this clinic refers to.")
            )
        return partnership
    if not candidates:
        raise WorkflowError(
            _("%(clinic)s has no active partnership to refer to yet.")
            % {"clinic": clinic.name}
        )
    if len(candidates) > 1:
        raise PartnershipChoiceNeeded(
            _("Choose the community-based organization to refer to.")
        )
    return candidates[0]


@claims_form_token
def referral_save_draft(
    *, actor: User, patient: Patient, data: dict, referral: Referral | None = None
) -> Referral:
    """Create or update a draft; a stale form (older version) is refused."""
    _require_clinic_staff(actor)
    if patient.health_system_id != actor.organization_id:
        raise PermissionDenied
    if data["clinic"].organization_id != actor.organization_id:
        raise PermissionDenied
    consent = _consent_fields(actor, data, referral)
    values = {name: data[name] for name in REFERRAL_FIELDS} | consent
    if referral is not None and (
        referral.partnership.health_system_id != actor.organization_id
    ):
        raise PermissionDenied
    values["partnership"] = partnership_for_referral(
        actor=actor, clinic=data["clinic"], partnership=data.get("partnership")
    )
    if referral is None:
        return Referral.objects.create(
            patient=patient,
            referred_by=actor,
            status=Referral.Status.DRAFT,
            **values,
        )
    if referral.status != Referral.Status.DRAFT:
        raise WorkflowError(_("Only drafts can be edited."))
    with transaction.atomic():
        updated = Referral.objects.filter(
            pk=referral.pk,
            status=Referral.Status.DRAFT,
            version=data.get("version", referral.version),
        ).update(
            **values, version=F("version") + 1, updated=timezone.now(), patient=patient
        )
        if not updated:
            raise conflict_for(referral)
    referral.refresh_from_db()
    return referral


def _consent_fields(actor: User, data: dict, referral: Referral | None) -> dict:
    """Who recorded the consent and when, how the patient gave it and what it
    covers; recorded anew only when what the patient agreed to changes."""
    if not data.get("consent_given", False):
        return {
            "consent_given": False,
            "consent_recorded_by": None,
            "consent_recorded_at": None,
            "consent_source": "",
        }
    source = data.get("consent_source") or ConsentSource.VERBAL
    scope = data.get("consent_scope") or ConsentScope.CBO
    if (
        referral is not None
        and referral.consent_given
        and (referral.consent_source, referral.consent_scope) == (source, scope)
    ):
        return {}
    return {
        "consent_given": True,
        "consent_recorded_by": actor,
        "consent_recorded_at": timezone.now(),
        "consent_source": source,
        "consent_scope": scope,
    }


def referral_submit(*, actor: User, referral: Referral) -> Referral:
    """Send a draft to the CBO: needs at least one social need and consent (the
    transition's guard)."""
    _require_clinic_staff(actor)
    return apply_transition(referral=referral, actor=actor, name="submit")


@claims_form_token
def referral_save_and_submit(
    *, actor: User, patient: Patient, data: dict, referral: Referral | None = None
) -> Referral:
    """Save the form and send it in one step: when the submission is refused,
    nothing of the save is kept either."""
    with transaction.atomic():
        draft = referral_save_draft(
            actor=actor, patient=patient, data=data, referral=referral
        )
        return referral_submit(actor=actor, referral=draft)
