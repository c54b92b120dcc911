"""The referral state machine: every allowed transition, who may make it, and what
it records. Views, admin actions and tasks all change a referral's status here.

Each transition is one conditional UPDATE (``WHERE status = <seen> AND version =
<seen>``): when two people act at once exactly one wins, the other gets a
``ReferralConflict`` naming who acted first.
"""

import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from chwlink.lib.submissions import claims_form_token
from partners.access import has_role
from partners.models import Partnership, User
from referrals.access import acts_for, may_message
from referrals.choices import ADDRESSED_OUTCOMES, NeedOutcome, SocialNeed, StatusReason
from referrals.fhir.status import task_state
from referrals.models import (
    CASELOAD_STATUSES,
    CLOSED_STATUSES,
    Pathway,
    Referral,
    ReferralEvent,
    ReferralNeedOutcome,
)
from referrals.services.eligibility import not_eligible_until
from referrals.services.notifications import notify_transition

Role = User.Role
Status = Referral.Status
Reason = StatusReason

CLINIC = frozenset({Role.CLINIC_STAFF})
CBO = frozenset({Role.SUPERVISOR, Role.NAVIGATOR})
SUPERVISOR = frozenset({Role.SUPERVISOR})
# Closing the work records each need's outcome (``referrals.services.closing``).
CLOSINGS = ("complete", "close_unable")


class WorkflowError(ValidationError):
    """A rule refused the action; the message is shown to the user.

    Every service speaks one contract: ``ValidationError`` (this is one) for what
    the person can put right, shown beside the field or atop the form, and
    ``PermissionDenied`` for what their role or organization may not do.
    """

    def __str__(self):
        return " ".join(self.messages)


class ReferralConflict(WorkflowError):
    """Someone else changed the referral between reading and acting."""


def _pathways_still_open(referral: Referral) -> str | None:
    if referral.pathways.filter(status=Pathway.Status.OPEN).exists():
        return _("Close or finish every open pathway before closing the referral.")
    return None


def _within_reopen_window(referral: Referral) -> str | None:
    days = referral.partnership.reopen_window_days
    if referral.closed_at and timezone.now() > referral.closed_at + timedelta(days):
        return ngettext(
            "This referral closed more than %(days)d day ago and can no longer be "
            "reopened: the clinic can send a new referral.",
            "This referral closed more than %(days)d days ago and can no longer be "
            "reopened: the clinic can send a new referral.",
            days,
        ) % {"days": days}
    return None


def _ready_to_send(referral: Referral) -> str | None:
    if not referral.social_needs:
        return _("Choose at least one social need before submitting.")
    if not referral.consent_given:
        return _(
            "Record the patient's consent to share with the CBO before submitting."
        )
    # Referrals go only through an active partnership (the draft may be older).
    if referral.partnership.status != Partnership.Status.ACTIVE:
        return _(
            "This referral's partnership is not active: edit the draft and choose "
            "another organization."
        )
    blocked = not_eligible_until(
        patient_id=referral.patient_id, partnership_ids=[referral.partnership_id]
    )
    if blocked:
        return _(
            "%(cbo)s found this patient not eligible: it takes no new referral of "
            "them until %(until)s. Edit the draft and choose another organization."
        ) % {
            "cbo": referral.partnership.cbo.name,
            "until": date_format(
                timezone.localtime(blocked[referral.partnership_id]),
                "SHORT_DATE_FORMAT",
            ),
        }
    return None


@dataclass(frozen=True)
class Transition:
    """One row of the table. ``target`` None keeps the status (a reassignment);
    ``guard`` is a rule beyond the status table: the refusal it returns, or None;
    ``wrong_status`` replaces the generic refusal from a status not in ``sources``."""

    name: str
    label: str
    sources: frozenset
    target: str | None
    roles: frozenset
    reasons: tuple = field(default=())
    guard: Callable[[Referral], str | None] | None = None
    wrong_status: str = ""
    # What the flash message says once it is done, as a sentence.
    done: str = ""

    @property
    def needs_reason(self) -> bool:
        return bool(self.reasons)

    @property
    def has_page(self) -> bool:
        """Asked on a page of its own rather than by one tap: a reason to give,
        or a closing whose outcomes the clinic will read."""
        return self.needs_reason or self.name in CLOSINGS


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit",
            gettext_lazy("Submit to the CBO"),
            frozenset({Status.DRAFT}),
            Status.SUBMITTED,
            CLINIC,
            guard=_ready_to_send,
        ),
        Transition(
            "accept",
            gettext_lazy("Accept"),
            frozenset({Status.SUBMITTED}),
            Status.ACCEPTED,
            SUPERVISOR,
            done=gettext_lazy("Referral accepted."),
        ),
        Transition(
            "decline",
            gettext_lazy("Decline"),
            frozenset({Status.SUBMITTED, Status.ACCEPTED}),
            Status.DECLINED,
            SUPERVISOR,
            (
                Reason.NO_CAPACITY,
                Reason.OUT_OF_SCOPE,
                Reason.OUT_OF_AREA,
                Reason.NOT_ELIGIBLE,
                Reason.UNREACHABLE,
                Reason.DUPLICATE,
                Reason.OTHER,
            ),
            done=gettext_lazy("Referral declined."),
        ),
        Transition(
            "assign",
            gettext_lazy("Assign a navigator"),
            frozenset({Status.SUBMITTED, Status.ACCEPTED}),
            Status.ASSIGNED,
            SUPERVISOR,
        ),
        Transition(
            "reassign",
            gettext_lazy("Reassign"),
            CASELOAD_STATUSES,
            None,
            SUPERVISOR,
            wrong_status=gettext_lazy("Only referrals being worked can be reassigned."),
        ),
        Transition(
            "start",
            gettext_lazy("Start work"),
            frozenset({Status.ASSIGNED}),
            Status.IN_PROGRESS,
            CBO,
        ),
        Transition(
            "hold",
            gettext_lazy("Put on hold"),
            CASELOAD_STATUSES - {Status.ON_HOLD},
            Status.ON_HOLD,
            CBO,
            (
                Reason.WAITLISTED,
                Reason.UNREACHABLE_FOR_NOW,
                Reason.PATIENT_REQUEST,
                Reason.OTHER,
            ),
            done=gettext_lazy("Referral put on hold."),
        ),
        Transition(
            "resume",
            gettext_lazy("Resume"),
            frozenset({Status.ON_HOLD}),
            Status.IN_PROGRESS,
            CBO,
            done=gettext_lazy("Work on the referral resumed."),
        ),
        Transition(
            "complete",
            gettext_lazy("Close: needs addressed"),
            frozenset({Status.IN_PROGRESS}),
            Status.COMPLETED,
            CBO,
            guard=_pathways_still_open,
            done=gettext_lazy("Referral closed with its needs addressed."),
        ),
        Transition(
            "close_unable",
            gettext_lazy("Close: unable to complete"),
            CASELOAD_STATUSES,
            Status.UNABLE_TO_COMPLETE,
            CBO,
            (
                Reason.UNREACHABLE,
                Reason.PATIENT_DECLINED,
                Reason.NOT_ELIGIBLE,
                Reason.MOVED,
                Reason.OTHER,
            ),
            done=gettext_lazy("Referral closed as unable to complete."),
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen the referral"),
            frozenset({Status.COMPLETED, Status.UNABLE_TO_COMPLETE}),
            Status.IN_PROGRESS,
            SUPERVISOR,
            (
                Reason.NEED_RETURNED,
                Reason.CLOSED_TOO_EARLY,
                Reason.PATIENT_ASKED_AGAIN,
                Reason.OTHER,
            ),
            guard=_within_reopen_window,
            done=gettext_lazy("Referral reopened."),
        ),
        Transition(
            "cancel",
            gettext_lazy("Cancel the referral"),
            frozenset({Status.SUBMITTED, Status.ACCEPTED}) | CASELOAD_STATUSES,
            Status.CANCELLED,
            CLINIC,
            (
                Reason.NO_LONGER_NEEDED,
                Reason.DUPLICATE,
                Reason.PATIENT_DECLINED,
                Reason.OTHER,
            ),
            done=gettext_lazy("Referral cancelled."),
        ),
        Transition(
            "enter_in_error",
            gettext_lazy("Mark as entered in error"),
            frozenset(Status.values) - {Status.ENTERED_IN_ERROR},
            Status.ENTERED_IN_ERROR,
            CLINIC,
            (Reason.WRONG_PATIENT, Reason.DUPLICATE, Reason.OTHER),
            done=gettext_lazy("Referral marked as entered in error."),
        ),
    ]
}

# The transitions a person starts from the referral page with a reason form or a
# single button (assignment and first contact have their own pages).
MANUAL_TRANSITIONS = (
    "accept",
    "decline",
    "hold",
    "resume",
    "complete",
    "close_unable",
    "reopen",
    "cancel",
    "enter_in_error",
)


def allowed_transitions(*, actor: User, referral: Referral) -> list[Transition]:
    """What the actor may do to the referral right now (drives the page's buttons)."""
    if not acts_for(actor, referral):
        return []
    return [
        TRANSITIONS[name]
        for name in MANUAL_TRANSITIONS
        if referral.status in TRANSITIONS[name].sources
        and has_role(actor, *TRANSITIONS[name].roles)
        and not (TRANSITIONS[name].guard and TRANSITIONS[name].guard(referral))
    ]


def transition_check(
    *,
    actor: User,
    referral: Referral,
    name: str,
    reason_code: str = "",
    expected_version: int | None = None,
) -> Transition:
    """Refuse (PermissionDenied, ReferralConflict, WorkflowError) or return the
    transition the actor may make now."""
    transition = TRANSITIONS[name]
    if expected_version is not None and expected_version != referral.version:
        raise conflict_for(referral)
    if not has_role(actor, *transition.roles) or not acts_for(actor, referral):
        raise PermissionDenied
    if referral.status not in transition.sources:
        raise WorkflowError(
            transition.wrong_status
            or _("This referral is “%(status)s”: it cannot be changed that way now.")
            % {"status": referral.get_status_display()}
        )
    if transition.needs_reason and reason_code not in transition.reasons:
        raise WorkflowError(_("Choose a reason."))
    refusal = transition.guard and transition.guard(referral)
    if refusal:
        raise WorkflowError(refusal)
    return transition


def _moment_fields(referral: Referral, target: str, now) -> dict:
    fields = {}
    if target == Status.SUBMITTED:
        fields["submitted_at"] = now
    if target in {Status.ACCEPTED, Status.ASSIGNED} and referral.accepted_at is None:
        fields["accepted_at"] = now
    if target == Status.ASSIGNED:
        fields["assigned_at"] = now
    if target in CLOSED_STATUSES:
        fields["closed_at"] = now
    return fields


def conflict_for(referral: Referral) -> ReferralConflict:
    """Explain who acted first, from the newest event on the referral."""
    latest = (
        ReferralEvent.objects.filter(referral_id=referral.pk)
        .select_related("actor")
        .order_by("-created", "-pk")
        .first()
    )
    if latest is None:
        return ReferralConflict(
            _("Someone else changed this referral. Reload the page to see it.")
        )
    return ReferralConflict(
        _(
            "%(name)s changed this referral at %(time)s, before you. "
            "Reload the page to see what they did."
        )
        % {
            "name": latest.actor.get_full_name(),
            "time": date_format(timezone.localtime(latest.created), "DATETIME_FORMAT"),
        }
    )


def apply_transition(
    *,
    referral: Referral,
    actor: User,
    name: str,
    reason_code: str = "",
    reason: str = "",
    target: str | None = None,
    extra_fields: dict | None = None,
    event_kind: str = ReferralEvent.Kind.STATUS,
    event_navigator: User | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Move the referral along one transition, record the event, or refuse.

    ``expected_version`` is the version the person saw: if the referral changed
    since, they are told who changed it instead of acting on a stale page.
    """
    transition = transition_check(
        actor=actor,
        referral=referral,
        name=name,
        reason_code=reason_code,
        expected_version=expected_version,
    )
    target = target or transition.target or referral.status
    now = timezone.now()
    fields = {"version": F("version") + 1, "updated": now, **(extra_fields or {})}
    if transition.target is not None:
        # A hold's end date lives only as long as the hold.
        fields.setdefault("hold_until", None)
        fields |= {
            "status": target,
            "status_changed_at": now,
            "status_reason_code": reason_code,
            "status_reason": reason.strip(),
            **_moment_fields(referral, target, now),
        }
    with transaction.atomic():
        updated = Referral.objects.filter(
            pk=referral.pk, status=referral.status, version=referral.version
        ).update(**fields)
        if not updated:
            raise conflict_for(referral)
        ReferralEvent.objects.create(
            referral=referral,
            kind=event_kind,
            actor=actor,
            from_status=referral.status,
            to_status=target,
            reason_code=reason_code,
            reason=reason.strip(),
            navigator=event_navigator,
        )
        notify_transition(
            referral=referral,
            target=target,
            navigator=event_navigator,
            reason_code=reason_code,
        )
        if transition.target is not None:
            # A Task the clinic's FHIR server hosts learns the new status from it.
            from referrals.fhir.sync import writeback_enqueue

            writeback_enqueue(referral=referral)
    referral.refresh_from_db()
    return referral


def referral_transition(
    *,
    referral: Referral,
    actor: User,
    name: str,
    reason_code: str = "",
    reason: str = "",
    expected_version: int | None = None,
    outcomes: Mapping[str, str] | None = None,
    hold_until: date | None = None,
) -> Referral:
    """Apply one of the manual transitions (accept, decline, hold, close…).

    A closing (``complete``, ``close_unable``) also records ``outcomes``, each
    need's ``NeedOutcome``, and takes ``reason`` as the note the clinic reads
    (see ``referral_close_check``)."""
    if name not in MANUAL_TRANSITIONS:
        raise WorkflowError(_("Unknown action."))
    if name in CLOSINGS:
        return _referral_close(
            referral=referral,
            actor=actor,
            name=name,
            outcomes=outcomes or {},
            note=reason,
            reason_code=reason_code,
            expected_version=expected_version,
        )
    if name == "hold":
        return apply_transition(
            referral=referral,
            actor=actor,
            name=name,
            reason_code=reason_code,
            reason=reason,
            extra_fields={"hold_until": _checked_hold_until(referral, hold_until)},
            expected_version=expected_version,
        )
    if name == "reopen":
        return _referral_reopen(
            referral=referral,
            actor=actor,
            reason_code=reason_code,
            reason=reason,
            expected_version=expected_version,
        )
    target = None
    if name == "resume":
        target = Status.IN_PROGRESS if referral.first_contact_at else Status.ASSIGNED
    return apply_transition(
        referral=referral,
        actor=actor,
        name=name,
        reason_code=reason_code,
        reason=reason,
        target=target,
        expected_version=expected_version,
    )


def hold_until_bounds(referral: Referral) -> tuple[date, date]:
    """The first and last day a hold may end on: tomorrow, a year from today, in
    the partnership's time zone."""
    zone = zoneinfo.ZoneInfo(referral.partnership.time_zone or settings.TIME_ZONE)
    today = timezone.now().astimezone(zone).date()
    return today + timedelta(days=1), today + timedelta(days=365)


def _checked_hold_until(referral: Referral, hold_until: date | None) -> date | None:
    if hold_until is None:
        return None
    first, last = hold_until_bounds(referral)
    if not first <= hold_until <= last:
        raise WorkflowError(
            _("Choose a day from %(first)s to %(last)s for the hold to end.")
            % {
                "first": date_format(first, "SHORT_DATE_FORMAT"),
                "last": date_format(last, "SHORT_DATE_FORMAT"),
            }
        )
    return hold_until


def _referral_reopen(
    *, referral, actor, reason_code, reason, expected_version
) -> Referral:
    """A supervisor takes a closed referral back into work, within the
    partnership's window and with a reason: back to its navigator, in progress
    (or waiting for the first contact if the patient was never reached), no longer
    closed, its needs' outcomes to be recorded again at the next closing."""
    with transaction.atomic():
        referral = apply_transition(
            referral=referral,
            actor=actor,
            name="reopen",
            reason_code=reason_code,
            reason=reason,
            target=Status.IN_PROGRESS if referral.first_contact_at else Status.ASSIGNED,
            extra_fields={
                "closed_at": None,
                "task_closed_as": referral.task_closed_as
                or task_state(referral).status,
            },
            event_navigator=referral.navigator,
            expected_version=expected_version,
        )
        referral.need_outcomes.all().delete()
    return referral


NEED_LABELS = dict(SocialNeed.choices)


def needs_to_close(referral: Referral) -> list[str]:
    """The referral's confirmed needs: those the clinic referred for, then any
    need a pathway was opened for, each once, in that order."""
    needs = list(referral.social_needs)
    for pathway in referral.pathways.all():
        if pathway.need not in needs:
            needs.append(pathway.need)
    return needs


def _checked_outcomes(name: str, needs: list[str], outcomes: Mapping) -> dict:
    unknown = set(outcomes) - set(needs)
    if unknown:
        raise WorkflowError(_("An outcome was given for a need this referral lacks."))
    chosen = {need: outcomes[need] for need in needs if outcomes.get(need)}
    if any(value not in NeedOutcome.values for value in chosen.values()):
        raise WorkflowError(_("Choose one of the listed outcomes."))
    if name != "complete":
        return chosen
    missing = [NEED_LABELS.get(need, need) for need in needs if need not in chosen]
    if missing:
        raise WorkflowError(
            _("Record the outcome of every need before closing: %(needs)s.")
            % {"needs": ", ".join(str(label) for label in missing)}
        )
    if not ADDRESSED_OUTCOMES.intersection(chosen.values()):
        raise WorkflowError(
            _(
                "No need was resolved, even partly: close the referral as "
                "“unable to complete” instead."
            )
        )
    return chosen


def referral_close_check(
    *,
    referral: Referral,
    actor: User,
    name: str,
    outcomes: Mapping[str, str],
    note: str = "",
    reason_code: str = "",
    expected_version: int | None = None,
) -> dict[str, str]:
    """Refuse (PermissionDenied, WorkflowError) a closing ``referral_close`` would
    refuse, before the confirmation page promises it; the outcomes to record."""
    if name not in CLOSINGS:
        raise WorkflowError(_("Unknown action."))
    transition_check(
        actor=actor,
        referral=referral,
        name=name,
        reason_code=reason_code,
        expected_version=expected_version,
    )
    chosen = _checked_outcomes(name, needs_to_close(referral), outcomes)
    if name == "complete" and not note.strip():
        raise WorkflowError(_("Write a closing note for the clinic."))
    return chosen


def _referral_close(
    *,
    referral: Referral,
    actor: User,
    name: str,
    outcomes: Mapping[str, str],
    note: str = "",
    reason_code: str = "",
    expected_version: int | None = None,
) -> Referral:
    """Close as ``complete`` (needs addressed) or ``close_unable`` (with its reason
    code) and record each need's outcome, or refuse.

    "Needs addressed" asks an outcome for every confirmed need (at least one
    resolved or partly resolved), a closing note for the clinic and no open
    pathway; "unable to complete" takes the outcomes the navigator knows. Of two
    closings at once only the first counts (the transition's conditional update).
    """
    chosen = referral_close_check(
        referral=referral,
        actor=actor,
        name=name,
        outcomes=outcomes,
        note=note,
        reason_code=reason_code,
        expected_version=expected_version,
    )
    with transaction.atomic():
        referral = apply_transition(
            referral=referral,
            actor=actor,
            name=name,
            reason_code=reason_code,
            reason=note,
            expected_version=expected_version,
        )
        # A reopened referral closing again says what became of its needs now.
        referral.need_outcomes.all().delete()
        now = timezone.now()
        ReferralNeedOutcome.objects.bulk_create(
            ReferralNeedOutcome(
                referral=referral,
                need=need,
                outcome=outcome,
                recorded_by=actor,
                recorded_at=now,
            )
            for need, outcome in chosen.items()
        )
    return referral


@claims_form_token
def referral_message_add(
    *, referral: Referral, actor: User, text: str
) -> ReferralEvent:
    """A message between the clinic and the CBO, shown on the shared timeline."""
    text = text.strip()
    if not text:
        raise WorkflowError(_("Write a message first."))
    if not may_message(actor, referral):
        raise PermissionDenied
    return ReferralEvent.objects.create(
        referral=referral, kind=ReferralEvent.Kind.MESSAGE, actor=actor, reason=text
    )
