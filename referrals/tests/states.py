"""Referrals in each workflow state, reached through the real services.

A state set by hand (``status=…`` and save) skips what the services do on the way:
the moments (``accepted_at``, ``first_contact_at`` …), the timeline events, the
notifications and the rules that refuse a move. Tests built that way drift from
the workflow they claim to test, so every builder here calls the services.

Each builder starts from a submitted referral: either one you pass
(``referral=``, e.g. a ``ReferralFactory`` row, which is born submitted) or one
that ``clinic_user`` registers and sends (``patient=`` and the referral form's
fields as keywords). The people who act on it are named: the CBO ``supervisor``
accepts and assigns, the ``navigator`` contacts the patient and closes the work.
"""

import datetime
import zoneinfo

import time_machine
from django.utils import timezone

from referrals.models import Referral
from referrals.services import assignment, contacts, intake, workflow
from referrals.tests.factories import PatientFactory

FORM = {
    "medical_reasons": ["diabetes"],
    "medical_reason_other": "",
    "social_needs": ["food-insecurity"],
    "urgency": "routine",
    "notes_for_navigator": "",
    "consent_given": True,
}


def draft_referral(*, clinic_user, patient=None, **fields) -> Referral:
    """A draft saved by clinic staff at their own clinic (for a new patient of
    their health system unless ``patient`` is given)."""
    if patient is None:
        patient = PatientFactory(
            health_system=clinic_user.organization, created_by=clinic_user
        )
    data = FORM | {"clinic": clinic_user.site} | fields
    return intake.referral_save_draft(actor=clinic_user, patient=patient, data=data)


def submitted_referral(*, clinic_user, patient=None, **fields) -> Referral:
    """A referral the clinic sent to the CBO: waiting in the supervisors' inbox."""
    draft = draft_referral(clinic_user=clinic_user, patient=patient, **fields)
    return intake.referral_submit(actor=clinic_user, referral=draft)


def _submitted(referral, clinic_user, fields) -> Referral:
    if referral is None:
        return submitted_referral(clinic_user=clinic_user, **fields)
    if fields or clinic_user is not None:
        raise TypeError("Pass either a submitted referral or what to submit.")
    return referral


def accepted_referral(
    *, supervisor, referral=None, clinic_user=None, **fields
) -> Referral:
    """Accepted by the CBO, waiting for a navigator."""
    referral = _submitted(referral, clinic_user, fields)
    return workflow.referral_transition(
        referral=referral, actor=supervisor, name="accept"
    )


def assigned_referral(
    *, supervisor, navigator, referral=None, clinic_user=None, **fields
) -> Referral:
    """Accepted and given to the navigator, who has not reached the patient yet."""
    referral = accepted_referral(
        supervisor=supervisor, referral=referral, clinic_user=clinic_user, **fields
    )
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


def in_progress_referral(
    *,
    supervisor,
    navigator,
    referral=None,
    clinic_user=None,
    contacted_at=None,
    **fields,
) -> Referral:
    """Assigned, and the navigator's first successful contact (at ``contacted_at``,
    now by default) started the work."""
    referral = assigned_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=referral,
        clinic_user=clinic_user,
        **fields,
    )
    return first_contact(referral, navigator, contacted_at=contacted_at)


def first_contact(referral, navigator, *, contacted_at=None) -> Referral:
    """The assigned navigator reaches the patient (a 15-minute call, now by
    default): the work on the referral starts."""
    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=contacted_at or timezone.now(),
        mode="phone",
        reached=True,
        minutes=15,
    )
    referral.refresh_from_db()
    return referral


def on_hold_referral(
    *,
    supervisor,
    navigator,
    referral=None,
    clinic_user=None,
    reason_code="waitlisted",
    **fields,
) -> Referral:
    """In progress, then put on hold by the navigator."""
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=referral,
        clinic_user=clinic_user,
        **fields,
    )
    return workflow.referral_transition(
        referral=referral, actor=navigator, name="hold", reason_code=reason_code
    )


def closing_of(referral, note="Needs met; the patient knows whom to call.") -> dict:
    """What closing as "needs addressed" asks beyond the transition: an outcome
    for every confirmed need (all resolved here) and the note for the clinic."""
    needs = workflow.needs_to_close(referral)
    return {"outcomes": dict.fromkeys(needs, "resolved"), "reason": note}


def closed_referral(
    *,
    supervisor,
    navigator,
    referral=None,
    clinic_user=None,
    name="complete",
    reason_code="",
    **fields,
) -> Referral:
    """In progress, then closed by the navigator: ``complete`` (needs addressed)
    or ``close_unable`` with its ``reason_code``."""
    referral = in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=referral,
        clinic_user=clinic_user,
        **fields,
    )
    extra = closing_of(referral) if name == "complete" else {}
    return workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name=name,
        reason_code=reason_code,
        **extra,
    )


def declined_referral(
    *,
    supervisor,
    referral=None,
    clinic_user=None,
    reason_code="out_of_scope",
    **fields,
) -> Referral:
    """Declined by the CBO straight from the inbox."""
    referral = _submitted(referral, clinic_user, fields)
    return workflow.referral_transition(
        referral=referral, actor=supervisor, name="decline", reason_code=reason_code
    )


def cancelled_referral(
    *, clinic_user, referral=None, reason_code="no_longer_needed", **fields
) -> Referral:
    """Sent, then cancelled by the clinic (``referral`` must be of its clinic)."""
    if referral is None:
        referral = submitted_referral(clinic_user=clinic_user, **fields)
    return workflow.referral_transition(
        referral=referral, actor=clinic_user, name="cancel", reason_code=reason_code
    )


PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")


def local(year, month, day, hour, minute=0, zone=PORTLAND) -> datetime.datetime:
    """A moment on the wall clock of the partnership (in Portland by default)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=zone)


def at(moment, action, **kwargs):
    """Call a service as if at ``moment`` (the clock stands still meanwhile)."""
    with time_machine.travel(moment, tick=False):
        return action(**kwargs)


def transition_at(moment, referral, actor, name, **reason) -> Referral:
    """The actor makes one of the manual transitions at ``moment`` (closing as
    "needs addressed" with ``closing_of`` unless the outcomes are given)."""
    if name == "complete" and "outcomes" not in reason:
        reason = closing_of(referral) | reason
    return at(
        moment,
        workflow.referral_transition,
        referral=referral,
        actor=actor,
        name=name,
        **reason,
    )


def contact_at(referral, navigator, moment, *, reached=True) -> Referral:
    """A ten-minute phone contact the navigator logs at ``moment``."""
    at(
        moment,
        contacts.encounter_log,
        referral=referral,
        actor=navigator,
        occurred_at=moment,
        mode="phone",
        reached=reached,
        minutes=10,
    )
    referral.refresh_from_db()
    return referral
