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
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from partners.models import Contract, Partnership, User
from referrals.models import Notification, Referral, ReminderClaim
from referrals.services import timeliness
from referrals.services.notifications import notify, supervisors_of

Status = Referral.Status
Kind = Notification.Kind


@dataclass(frozen=True)
class Due:
    """One thing past its due moment, and who should hear about it."""

    object_code: object
    due_at: datetime.datetime
    recipients: list
    referral: Referral | None = None
    link: str = ""
    context: dict = field(default_factory=dict)
    claim_suffix: str = ""


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    due: Callable[[Partnership, datetime.datetime], Iterable[Due]]


def _levels(partnership):
    return timeliness.service_levels(partnership)


def _business_days(partnership):
    return frozenset(partnership.business_days or ()) or None


def _after(partnership, moment, days):
    return timeliness.business_days_after(
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


def _for_supervisors(referral, due_at) -> Due:
    return Due(referral.code, due_at, list(supervisors_of(referral)), referral)


def _for_navigator(referral, due_at, context=None) -> Due:
    navigator = [referral.navigator] if referral.navigator else []
    return Due(referral.code, due_at, navigator, referral, context=context or {})


def _not_accepted(partnership, now):
    days = _levels(partnership)["accept_business_days"]
    cutoff = _before(partnership, now, days)
    for referral in _referrals(partnership).filter(
        status=Status.SUBMITTED, submitted_at__lte=cutoff
    ):
        yield _for_supervisors(
            referral, _after(partnership, referral.submitted_at, days)
        )


def _not_assigned(partnership, now):
    days = _levels(partnership)["assign_business_days"]
    cutoff = _before(partnership, now, days)
    for referral in _referrals(partnership).filter(
        status=Status.ACCEPTED, accepted_at__lte=cutoff
    ):
        yield _for_supervisors(
            referral, _after(partnership, referral.accepted_at, days)
        )


def _without_contact_since_assignment(partnership, days, now):
    cutoff = _before(partnership, now, days)
    for referral in _referrals(partnership).filter(
        ~timeliness.attempted_since_assignment(),
        status=Status.ASSIGNED,
        assigned_at__lte=cutoff,
    ):
        yield referral, _after(partnership, referral.assigned_at, days)


def _no_first_contact(partnership, now):
    days = _levels(partnership)["first_contact_business_days"]
    for referral, due_at in _without_contact_since_assignment(partnership, days, now):
        yield _for_navigator(referral, due_at)


def _no_first_contact_escalation(partnership, now):
    days = _levels(partnership)["first_contact_business_days"] + 1
    for referral, due_at in _without_contact_since_assignment(partnership, days, now):
        yield _for_supervisors(referral, due_at)


def _inactive(partnership, now):
    quiet = datetime.timedelta(days=_levels(partnership)["inactive_days"])
    for referral in (
        _referrals(partnership)
        .filter(status=Status.IN_PROGRESS)
        .annotate(last_activity=timeliness.last_activity())
        .filter(last_activity__lte=now - quiet)
    ):
        yield _for_navigator(
            referral, referral.last_activity + quiet, context={"days": quiet.days}
        )


def start_of_day(day: datetime.date, partnership) -> datetime.datetime:
    # Day-based rules fire on the date; this moment only keys their claim.
    local = datetime.datetime.combine(day, datetime.time(8, 0))  # pragma: no mutate
    return local.replace(  # pragma: no mutate
        tzinfo=zoneinfo.ZoneInfo(partnership.time_zone)  # pragma: no mutate
    )


def _managers_of(partnership) -> list:
    return list(
        User.objects.filter(
            Q(organization_id=partnership.health_system_id)
            | Q(organization_id=partnership.cbo_id),
            role=User.Role.PROGRAM_MANAGER,
            is_active=True,
        )
    )


def _contract_ending(partnership, now):
    today = now.astimezone(zoneinfo.ZoneInfo(partnership.time_zone)).date()
    for contract in Contract.objects.filter(
        partnership=partnership,
        status=Contract.Status.SIGNED,
        ends_on__gte=today,
    ):
        notice_on = contract.renewal_notice_on()
        if notice_on is None or notice_on > today:
            continue
        yield Due(
            contract.code,
            start_of_day(notice_on, partnership),
            _managers_of(partnership),
            link=reverse("partners:partnership-detail", args=[partnership.code]),
            context={
                "contract": contract.title,
                "partnership": partnership.name,
                "ends": contract.ends_on.isoformat(),
            },
        )


def _training_overdue(partnership, now):
    from partners.selectors import partnership_people, training_status_for_people

    managers = _managers_of(partnership)
    if not managers:
        return
    for row in training_status_for_people(partnership, partnership_people(partnership)):
        for standing in row["required"]:
            if not standing.is_overdue:
                continue
            yield Due(
                row["person"].code,
                start_of_day(standing.due_on, partnership),
                managers,
                link=reverse("partners:training", args=[partnership.code]),
                context={
                    "person": row["person"].get_full_name(),
                    "training_kind": standing.rule.kind,
                    "due": standing.due_on.isoformat(),
                },
                claim_suffix=str(standing.rule.code),
            )


# Other apps add theirs with ``register`` (evaluation: PAM follow-ups), so this
# module needs none of them.
RULES = [
    Rule("not_accepted", Kind.NOT_ACCEPTED, _not_accepted),
    Rule("not_assigned", Kind.NOT_ASSIGNED, _not_assigned),
    Rule("no_first_contact", Kind.NO_FIRST_CONTACT, _no_first_contact),
    Rule(
        "no_first_contact_escalation",
        Kind.NO_FIRST_CONTACT_ESCALATION,
        _no_first_contact_escalation,
    ),
    Rule("inactive", Kind.INACTIVE, _inactive),
    Rule("contract_ending", Kind.CONTRACT_ENDING, _contract_ending),
    Rule("training_overdue", Kind.TRAINING_OVERDUE, _training_overdue),
]


def register(rule: Rule) -> None:
    """Add an app's rule to the sweep (from its ``AppConfig.ready``), once."""
    if all(known.name != rule.name for known in RULES):
        RULES.append(rule)


def reminder_send_once(*, rule: Rule, due: Due) -> bool:
    """Claim (rule, object, due moment) and notify; False if already claimed."""
    claim_rule = f"{rule.name}:{due.claim_suffix}" if due.claim_suffix else rule.name
    try:
        with transaction.atomic():
            ReminderClaim.objects.create(
                rule=claim_rule, object_code=due.object_code, due_at=due.due_at
            )
            notify(
                kind=rule.kind,
                recipients=due.recipients,
                referral=due.referral,
                link=due.link,
                context=due.context,
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
            for due in rule.due(partnership, now):
                sent += reminder_send_once(rule=rule, due=due)
    return sent
