"""Evaluation records for tests: referrals reach the caseload through the services;
PAM rows for analysis tests are built directly (their recording is tested through
``pam_record``)."""

import datetime
from decimal import Decimal

from django.utils import timezone

from evaluation.models import PamAdministration
from evaluation.statistics import pam_level, pam_raw
from referrals.choices import ContactMode, StatusReason
from referrals.services import assignment, contacts, intake, workflow
from referrals.tests.factories import PatientFactory, ReferralFactory
from referrals.tests.states import closing_of


def caseload_referral(*, partnership, supervisor, navigator, **fields):
    """A referral accepted by the supervisor and assigned to the navigator."""
    referral = ReferralFactory(partnership=partnership, **fields)
    referral = workflow.referral_transition(
        referral=referral, actor=supervisor, name="accept"
    )
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


def accepted_referral(*, partnership, supervisor, **fields):
    """A referral the supervisor accepted, waiting for a navigator."""
    referral = ReferralFactory(partnership=partnership, **fields)
    return workflow.referral_transition(
        referral=referral, actor=supervisor, name="accept"
    )


def declined_referral(*, partnership, supervisor, **fields):
    referral = ReferralFactory(partnership=partnership, **fields)
    return workflow.referral_transition(
        referral=referral,
        actor=supervisor,
        name="decline",
        reason_code=StatusReason.OUT_OF_SCOPE,
    )


def contact_logged(*, referral, navigator, occurred_at=None, reached=True):
    """The navigator logs a contact; a first reached one starts the work."""
    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=occurred_at or timezone.now(),
        mode=ContactMode.PHONE,
        reached=reached,
        minutes=15,
    )
    referral.refresh_from_db()
    return referral


def in_progress_referral(*, partnership, supervisor, navigator, **fields):
    """On the navigator's caseload, first contact made now."""
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator, **fields
    )
    return contact_logged(referral=referral, navigator=navigator)


def completed_referral(*, partnership, supervisor, navigator, **fields):
    """Worked by the navigator and closed with the needs addressed."""
    referral = in_progress_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator, **fields
    )
    return workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **closing_of(referral),
    )


def draft_referral(*, clinic_user, clinic):
    """A draft saved by clinic staff and never sent."""
    patient = PatientFactory(
        health_system=clinic_user.organization, created_by=clinic_user
    )
    return intake.referral_save_draft(
        actor=clinic_user,
        patient=patient,
        data={
            "clinic": clinic,
            "medical_reasons": ["diabetes"],
            "medical_reason_other": "",
            "social_needs": ["food-insecurity"],
            "urgency": "routine",
            "notes_for_navigator": "",
            "consent_given": True,
        },
    )


def pam_row(
    *,
    patient,
    partnership,
    by,
    on,
    kind="baseline",
    score=None,
    answers=None,
    cut_set="current",
):
    answers = answers or [3, 2, 3, 4, 3, 2, 3, 3, 2, 3, 4, 3, 2]
    scored = {}
    if score is not None:
        score = Decimal(str(score))
        scored = {
            "score": score,
            "score_source": "manual",
            "cut_set": cut_set,
            "level": pam_level(score, cut_set),
        }
    return PamAdministration.objects.create(
        patient=patient, partnership=partnership, administered_on=on,
        administered_by=by, language="es", mode="phone", kind=kind,
        answers=answers, **pam_raw(answers), **scored,
    )  # fmt: skip


def months_after(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)
