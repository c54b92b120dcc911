"""Whether chwlink may text a patient, and the consent records that decide it.

A text goes only to the patient's own number, never when direct contact is off,
only with the patient's consent in force for that number (the latest record), and
never to a number that replied STOP to the partnership."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from partners.models import User
from referrals.access import acts_for, works_at_cbo
from referrals.models import (
    PartnershipTexting,
    Patient,
    Referral,
    TextConsent,
    TextOptOut,
)

Method = TextConsent.Method


def consent_in_force(patient: Patient, phone) -> TextConsent | None:
    """The latest consent record for the patient's number."""
    if not phone:
        return None
    return (
        TextConsent.objects.filter(patient=patient, phone=phone)
        .select_related("recorded_by")
        .first()
    )


def texting_settings(partnership) -> PartnershipTexting | None:
    try:
        return partnership.texting
    except PartnershipTexting.DoesNotExist:
        return None


def texting_refusal(referral: Referral) -> str:
    """Why no text may go to the referral's patient now; empty when one may."""
    patient = referral.patient
    setup = texting_settings(referral.partnership)
    if setup is None or not setup.enabled:
        return _("Texting is not set up for this partnership.")
    if patient.do_not_contact:
        return _("Direct contact is off for this patient: no texts.")
    if not patient.phone:
        return _("The patient has no phone number to text.")
    if TextOptOut.objects.filter(
        partnership=referral.partnership, phone=patient.phone
    ).exists():
        return _("The patient replied STOP: no texts until they reply START.")
    consent = consent_in_force(patient, patient.phone)
    if consent is None or not consent.given:
        return _("Record the patient's consent to texts first.")
    return ""


def may_record_consent(user, referral) -> bool:
    """The assigned navigator and the CBO's supervisors record consent."""
    return works_at_cbo(user) and acts_for(user, referral)


def consent_record(
    *, actor: User, referral: Referral, given: bool, method: str
) -> TextConsent:
    """Record that the patient gives (or withdraws) consent to texts to their
    number, said or signed to the navigator; a keyword is the patient's own."""
    if not may_record_consent(actor, referral):
        raise PermissionDenied
    if method not in (Method.VERBAL, Method.WRITTEN):
        raise ValueError(method)
    patient = referral.patient
    if not patient.phone:
        raise ValueError("no phone")
    with transaction.atomic():
        _texts_ok_show([patient.pk], given)
        return TextConsent.objects.create(
            patient=patient,
            phone=patient.phone,
            given=given,
            method=method,
            recorded_by=actor,
        )


def _texts_ok_show(patient_ids, given: bool) -> None:
    # The patient record's "text messages OK" box shows the consent in force, so
    # the clinic's form never offers back a consent the patient withdrew.
    Patient.objects.filter(pk__in=patient_ids).update(texts_ok=given)


def consent_from_intake(*, actor: User, patient: Patient, was_ok: bool, was_phone):
    """The clinic's "text messages OK" box, ticked or cleared: the patient said so
    to clinic staff. Recorded for the patient's number when the box or the number
    changed and the consent in force says otherwise."""
    if not patient.phone or (patient.texts_ok, patient.phone) == (was_ok, was_phone):
        return None
    in_force = consent_in_force(patient, patient.phone)
    if (in_force.given if in_force else False) == patient.texts_ok:
        return None
    return TextConsent.objects.create(
        patient=patient,
        phone=patient.phone,
        given=patient.texts_ok,
        method=Method.VERBAL,
        recorded_by=actor,
    )


def keyword_stop(*, partnership, phone, patients) -> None:
    """STOP: the number gets nothing more from the partnership, at once, and each
    patient with that number has their consent withdrawn (by keyword)."""
    TextOptOut.objects.get_or_create(partnership=partnership, phone=phone)
    _texts_ok_show([p.pk for p in patients], False)
    TextConsent.objects.bulk_create(
        TextConsent(patient=p, phone=phone, given=False, method=Method.KEYWORD)
        for p in patients
    )


def keyword_start(*, partnership, phone, patients) -> None:
    """START: the number may be texted again; its patient (when only one has the
    number) consents by keyword. A shared number waits for a navigator."""
    TextOptOut.objects.filter(partnership=partnership, phone=phone).delete()
    if len(patients) == 1:
        _texts_ok_show([patients[0].pk], True)
        TextConsent.objects.create(
            patient=patients[0], phone=phone, given=True, method=Method.KEYWORD
        )
