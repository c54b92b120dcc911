"""Reminder rules that keep referrals moving, evaluated by a periodic sweep.

Each rule finds referrals past a due moment computed from the record (in the
partnership's time zone and business days). A reminder is claimed by inserting a
``ReminderClaim`` (unique per rule, referral and due moment) in the same transaction
as its notifications: a second sweep, a retry or a worker dying mid-run cannot send
it twice, and a resolved situation no longer matches any rule.
"""

import datetime
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from partners.models import Partnership
from referrals.models import Encounter, Notification, Referral, ReminderClaim
from referrals.services import timeliness
from referrals.services.notifications import notify, supervisors_of

Status = Referral.Status
Kind = Notification.Kind
WEEKEND = timeliness.WEEKEND


def business_days_after(
    moment: datetime.datetime,
    days: int,
    time_zone: str,
    business_days: frozenset[int] | None = None,
) -> datetime.datetime:
    """The moment ``days`` business days after ``moment``, counted in local time
    (Monday–Friday unless the partnership says otherwise)."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    remaining = days
    while remaining > 0:
        local += datetime.timedelta(days=1)
        if (
            local.weekday() in business_days
            if business_days
            else local.weekday() not in WEEKEND
        ):
            remaining -= 1
    return local.astimezone(datetime.UTC)


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    due: Callable[[Partnership, datetime.datetime], Iterable[tuple]]
    recipients: Callable[[Referral], Iterable]


def _levels(partnership):
    return timeliness.service_levels(partnership)


def _business_days(partnership):
    return frozenset(partnership.business_days or ()) or None


def _after(partnership, moment, days):
    return business_days_after(
        moment, days, partnership.time_zone, _business_days(partnership)
    )


def _before(partnership, now, days):
    return timeliness.business_days_before(
        now, days, partnership.time_zone, _business_days(partnership)
    )


def _referrals(partnership) -> QuerySet[Referral]:
    return Referral.objects.filter(partnership=partnership).select_related(
        "partnership", "navigator", "clinic"
    )


def _not_accepted(partnership, now):
    days = _levels(partnership)["accept_business_days"]
    cutoff = _before(partnership, now, days)
    for referral in _referrals(partnership).filter(
        status=Status.SUBMITTED, submitted_at__lt=cutoff
    ):
        yield (
            referral,
            _after(partnership, referral.submitted_at, days),
        )


def _not_assigned(partnership, now):
    days = _levels(partnership)["assign_business_days"]
    cutoff = _before(partnership, now, days)
    for referral in _referrals(partnership).filter(
        status=Status.ACCEPTED, accepted_at__lt=cutoff
    ):
        yield (
            referral,
            _after(partnership, referral.accepted_at, days),
        )


def _without_contact_since_assignment(partnership, days, now):
    cutoff = _before(partnership, now, days)
    attempted = Exists(
        Encounter.objects.filter(
            referral_id=OuterRef("pk"), occurred_at__gte=OuterRef("assigned_at")
        )
    )
    for referral in _referrals(partnership).filter(
        ~Q(attempted), status=Status.ASSIGNED, assigned_at__lt=cutoff
    ):
        yield (
            referral,
            _after(partnership, referral.assigned_at, days),
        )


def _no_first_contact(partnership, now):
    days = _levels(partnership)["first_contact_business_days"]
    yield from _without_contact_since_assignment(partnership, days, now)


def _no_first_contact_escalation(partnership, now):
    days = _levels(partnership)["first_contact_business_days"] + 1
    yield from _without_contact_since_assignment(partnership, days, now)


def _inactive(partnership, now):
    quiet = datetime.timedelta(days=_levels(partnership)["inactive_days"])
    for referral in (
        _referrals(partnership)
        .filter(status=Status.IN_PROGRESS)
        .annotate(last_activity=Coalesce("last_contact_at", "status_changed_at"))
        .filter(last_activity__lt=now - quiet)
    ):
        yield referral, referral.last_activity + quiet


def _navigator(referral):
    return [referral.navigator] if referral.navigator else []


RULES = [
    Rule("not_accepted", Kind.NOT_ACCEPTED, _not_accepted, supervisors_of),
    Rule("not_assigned", Kind.NOT_ASSIGNED, _not_assigned, supervisors_of),
    Rule("no_first_contact", Kind.NO_FIRST_CONTACT, _no_first_contact, _navigator),
    Rule(
        "no_first_contact_escalation",
        Kind.NO_FIRST_CONTACT_ESCALATION,
        _no_first_contact_escalation,
        supervisors_of,
    ),
    Rule("inactive", Kind.INACTIVE, _inactive, _navigator),
]


def reminder_send_once(*, rule: Rule, referral: Referral, due_at) -> bool:
    """Claim (rule, referral, due moment) and notify; False if already claimed."""
    try:
        with transaction.atomic():
            ReminderClaim.objects.create(
                rule=rule.name, object_code=referral.code, due_at=due_at
            )
            notify(
                kind=rule.kind,
                recipients=list(rule.recipients(referral)),
                referral=referral,
            )
    except IntegrityError:
        return False
    return True


def reminders_sweep(*, now=None) -> int:
    """Evaluate every rule for every running partnership; return reminders sent."""
    now = now or timezone.now()
    sent = 0
    running = Partnership.objects.exclude(status=Partnership.Status.ENDED)
    for partnership in running:
        for rule in RULES:
            for referral, due_at in rule.due(partnership, now):
                sent += reminder_send_once(rule=rule, referral=referral, due_at=due_at)
    return sent
