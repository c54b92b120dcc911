"""Texts chwlink sends by itself, each on or off per partnership: when a navigator
is assigned, before a scheduled visit, and a check-in after some days on hold.

Each is claimed before it is queued (a ``ReminderClaim`` unique per rule, object
and due moment, inserted in the same transaction as the text), so two sweeps at
once or a retry send it once. They go out only within the partnership's sending
hours, in its time zone: outside them the sweep leaves them for a later run."""

import datetime
import zoneinfo

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from referrals.models import (
    CASELOAD_STATUSES,
    PartnershipTexting,
    Referral,
    ReminderClaim,
    ScheduledVisit,
    TextMessage,
)
from referrals.texting.consent import texting_refusal
from referrals.texting.outbox import text_queue
from referrals.texting.texts import context_for, text_render

Kind = TextMessage.Kind
# A navigator assigned longer ago than this is not news to text about.
ASSIGNED_WITHIN = datetime.timedelta(days=2)


def within_sending_hours(setup: PartnershipTexting, now: datetime.datetime) -> bool:
    local = now.astimezone(zoneinfo.ZoneInfo(setup.partnership.time_zone))
    return setup.send_from <= local.time() < setup.send_until


def _claimed(rule):
    return ReminderClaim.objects.filter(rule=rule, object_code=OuterRef("code"))


def _send_once(*, rule, object_code, due_at, referral, kind, visit=None) -> bool:
    """Claim the (rule, object, moment) and queue the text in one transaction;
    False when another sweep claimed it first or texting is not allowed."""
    if texting_refusal(referral):
        return False
    try:
        with transaction.atomic():
            ReminderClaim.objects.create(
                rule=rule, object_code=object_code, due_at=due_at
            )
            text_queue(
                partnership=referral.partnership,
                referral=referral,
                phone=referral.patient.phone,
                body=text_render(
                    kind,
                    language=referral.patient.preferred_language,
                    context=context_for(referral, visit=visit),
                ),
                kind=kind,
            )
    except IntegrityError:
        return False
    return True


def _referrals(partnership_ids):
    return Referral.objects.filter(partnership_id__in=partnership_ids).select_related(
        "patient", "navigator", "partnership__cbo", "partnership__texting"
    )


def texts_automatic_sweep(now: datetime.datetime | None = None) -> int:
    """Queue every automatic text now due in a partnership within its sending
    hours; the number queued."""
    now = now or timezone.now()
    setups = [
        s
        for s in PartnershipTexting.objects.filter(enabled=True).select_related(
            "partnership"
        )
        if within_sending_hours(s, now)
    ]
    sent = 0
    assigned = [s.partnership_id for s in setups if s.on_assigned]
    for referral in (
        _referrals(assigned)
        .filter(status__in=CASELOAD_STATUSES, assigned_at__gte=now - ASSIGNED_WITHIN)
        .filter(
            ~Exists(_claimed("text_assigned").filter(due_at=OuterRef("assigned_at")))
        )
    ):
        sent += _send_once(
            rule="text_assigned",
            object_code=referral.code,
            due_at=referral.assigned_at,
            referral=referral,
            kind=Kind.AUTO_ASSIGNED,
        )
    for setup in (s for s in setups if s.on_hold):
        cutoff = now - datetime.timedelta(days=setup.hold_check_in_days)
        for referral in (
            _referrals([setup.partnership_id])
            .filter(status=Referral.Status.ON_HOLD, status_changed_at__lte=cutoff)
            .filter(
                ~Exists(
                    _claimed("text_hold").filter(due_at=OuterRef("status_changed_at"))
                )
            )
        ):
            sent += _send_once(
                rule="text_hold",
                object_code=referral.code,
                due_at=referral.status_changed_at,
                referral=referral,
                kind=Kind.AUTO_HOLD,
            )
    for setup in (s for s in setups if s.on_visit):
        ahead = now + datetime.timedelta(hours=setup.visit_reminder_hours)
        visits = (
            ScheduledVisit.objects.filter(
                referral__partnership_id=setup.partnership_id,
                referral__status__in=CASELOAD_STATUSES,
                starts_at__gt=now,
                starts_at__lte=ahead,
            )
            .filter(
                ~Exists(_claimed("text_visit").filter(due_at=OuterRef("starts_at")))
            )
            .select_related(
                "referral__patient",
                "referral__navigator",
                "referral__partnership__cbo",
                "referral__partnership__texting",
            )
        )
        for visit in visits:
            sent += _send_once(
                rule="text_visit",
                object_code=visit.code,
                due_at=visit.starts_at,
                referral=visit.referral,
                kind=Kind.AUTO_VISIT,
                visit=visit,
            )
    return sent
