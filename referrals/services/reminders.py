"""Reminder rules that keep referrals moving, evaluated by a periodic sweep.

Each rule finds referrals past a due moment computed from the record (in the
partnership's time zone and business days). A reminder is claimed by inserting a
``ReminderClaim`` (unique per rule, referral and due moment) in the same transaction
as its notifications: a second sweep, a retry or a worker dying mid-run cannot send
it twice, and a resolved situation no longer matches any rule.

A sweep reads what came due since the previous one finished (its window) and what
changed since it began; the rows that came due long ago and were claimed then are
not read again, so a sweep costs what is newly due, not every open referral. A
full sweep reads everything: the first, one a day, and whenever what the due
moments are computed from (partnerships, service levels, calendars, rules) changed.
"""

import datetime
import functools
import hashlib
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from partners.calendars import closed_days_by_partnership
from partners.models import Contract, Partnership, User
from partners.selectors import overdue_training
from referrals.models import Notification, Referral, ReminderClaim, ReminderSweepMark
from referrals.services import timeliness
from referrals.services.notifications import notify

Status = Referral.Status
Kind = Notification.Kind

MARK = 1  # the primary key of the single ``ReminderSweepMark``
FULL_SWEEP_EVERY = datetime.timedelta(days=1)
OVERLAP = datetime.timedelta(minutes=10)


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
    due: Callable[["Sweep", "Rule"], Iterable[Due]]


@dataclass
class Sweep:
    """What the rules of one sweep share: the running partnerships with their
    service levels, and the people to tell (loaded once, when first needed).

    Each rule asks in one query across every partnership for what is past due and
    not yet claimed, so a sweep with nothing newly due costs a query per rule.
    """

    now: datetime.datetime
    partnerships: dict[int, Partnership]
    levels: dict[int, dict]
    # The days each partnership does not work (holidays and its closed days).
    closed: dict[int, frozenset] = field(default_factory=dict)
    # Unset in a full sweep; otherwise due moments after ``since`` and rows changed
    # at or after ``changed_since`` are read (``look_back``).
    since: datetime.datetime | None = None
    changed_since: datetime.datetime | None = None
    _by_role: dict = field(default_factory=dict)

    @classmethod
    def of_running(cls, now: datetime.datetime) -> "Sweep":
        running = list(
            Partnership.objects.accepted().exclude(status=Partnership.Status.ENDED)
        )
        levels = timeliness.service_levels_by_partnership(running)
        closed = closed_days_by_partnership(running, around=now.date())
        return cls(now, {p.pk: p for p in running}, levels, closed)

    @property
    def full(self) -> bool:
        return self.since is None

    @functools.cached_property
    def configuration(self) -> str:
        """A digest of everything a due moment is computed from."""
        described = repr(
            [
                (
                    pk,
                    partnership.time_zone,
                    sorted(partnership.business_days or ()),
                    sorted(self.levels[pk].items()),
                    sorted(self.closed.get(pk, ())),
                )
                for pk, partnership in sorted(self.partnerships.items())
            ]
            + [rule.name for rule in RULES]
        )
        return hashlib.sha256(described.encode()).hexdigest()

    def look_back(self, mark: "ReminderSweepMark | None") -> None:
        """Read only what is new since ``mark``, unless a full sweep is due."""
        if (
            mark is None
            or self.now <= mark.clock_until
            or self.now - mark.full_at >= FULL_SWEEP_EVERY
            or mark.configuration != self.configuration
        ):
            return
        # Overlapping the last sweep: what a transaction still open then wrote
        # became visible only after it read (claims keep the overlap sending once).
        self.since = mark.clock_until - OVERLAP
        self.changed_since = mark.started_at - OVERLAP

    def newly_due(
        self, due: Callable[[int, dict], Q], newly: Callable[[int, dict], Q]
    ) -> Q:
        """Rows ``due`` in their partnership: all of them in a full sweep, else
        those ``newly`` due since the last sweep, and those changed since."""
        if self.full:
            return self.where(due)
        changed = Q(updated__gte=self.changed_since)
        return self.where(newly) | (changed & self.where(due))

    def _business_days(self, partnership_id):
        days = self.partnerships[partnership_id].business_days
        return frozenset(days or ()) or None

    def after(self, partnership_id, moment, days) -> datetime.datetime:
        return timeliness.business_days_after(
            moment,
            days,
            self.partnerships[partnership_id].time_zone,
            self._business_days(partnership_id),
            self.closed.get(partnership_id, frozenset()),
        )

    def where(self, condition: Callable[[int, dict], Q]) -> Q:
        """Rows meeting ``condition(partnership id, its levels)`` of their own
        partnership."""
        either = Q(pk__in=[])
        for partnership_id, levels in self.levels.items():
            either |= Q(partnership_id=partnership_id) & condition(
                partnership_id, levels
            )
        return either

    def started_by(self, anchor: str, level: str, extra_days: int = 0) -> Q:
        """Rows whose ``anchor`` lies at or before their partnership's cutoff:
        ``level`` business days (plus ``extra_days``) have passed since (in an
        incremental sweep, those that passed since the last one)."""

        def cutoff(moment, partnership_id, levels):
            return timeliness.business_days_before(
                moment,
                levels[level] + extra_days,
                self.partnerships[partnership_id].time_zone,
                self._business_days(partnership_id),
                self.closed.get(partnership_id, frozenset()),
            )

        def passed(partnership_id, levels):
            return Q(**{f"{anchor}__lte": cutoff(self.now, partnership_id, levels)})

        def newly(partnership_id, levels):
            return passed(partnership_id, levels) & Q(
                **{f"{anchor}__gt": cutoff(self.since, partnership_id, levels)}
            )

        return self.newly_due(passed, newly)

    def by_partnership(self, value: Callable[[int, dict], object]) -> Case:
        """An expression worth ``value(partnership id, its levels)`` on each row."""
        return Case(
            *(
                When(partnership_id=pk, then=value(pk, levels))
                for pk, levels in self.levels.items()
            ),
            default=None,
        )

    def new_day(self) -> bool:
        """Whether some partnership's date changed since the last sweep."""
        return any(
            self.today(pk, self.since) != self.today(pk) for pk in self.partnerships
        )

    def today(self, partnership_id, moment=None) -> datetime.date:
        """The partnership's date at ``moment`` (now unless given)."""
        zone = zoneinfo.ZoneInfo(self.partnerships[partnership_id].time_zone)
        return (moment or self.now).astimezone(zone).date()

    def _people(self, role) -> dict[int, list]:
        """Active people of ``role`` in the running partnerships' organizations, by
        organization (one query per role for the whole sweep)."""
        if role not in self._by_role:
            organizations = {
                pk
                for p in self.partnerships.values()
                for pk in (p.health_system_id, p.cbo_id)
            }
            by_organization = {}
            for user in User.objects.filter(
                organization_id__in=organizations, role=role, is_active=True
            ):
                by_organization.setdefault(user.organization_id, []).append(user)
            self._by_role[role] = by_organization
        return self._by_role[role]

    def supervisors(self, referral) -> list:
        """Active supervisors of the referral's CBO."""
        return self._people(User.Role.SUPERVISOR).get(referral.partnership.cbo_id, [])

    def managers(self, partnership) -> list:
        """Active program managers of both partners."""
        people = self._people(User.Role.PROGRAM_MANAGER)
        return people.get(partnership.health_system_id, []) + people.get(
            partnership.cbo_id, []
        )


def unclaimed(rule: Rule, *, since: str) -> Exists:
    """Rows whose reminder this rule has not claimed since ``since``.

    A due moment comes after the moment it counts from, and a claim is only made
    once its moment has passed: a claim at or after the row's ``since`` belongs to
    the row's current episode; earlier ones to an episode that has ended.
    """
    return ~Exists(
        ReminderClaim.objects.filter(
            rule=rule.name, object_code=OuterRef("code"), due_at__gte=OuterRef(since)
        )
    )


def without_claimed(rule: Rule, dues: list[Due]) -> list[Due]:
    """The dues not yet claimed (one query), for rules that cannot ask in SQL."""
    names = {_claim_rule(rule, due) for due in dues}
    claimed = set(
        ReminderClaim.objects.filter(
            rule__in=names, object_code__in={due.object_code for due in dues}
        ).values_list("rule", "object_code", "due_at")
    )
    return [
        due
        for due in dues
        if (_claim_rule(rule, due), due.object_code, due.due_at) not in claimed
    ]


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related("partnership", "navigator", "clinic")


def _for_navigator(referral, due_at, context=None) -> Due:
    navigator = [referral.navigator] if referral.navigator else []
    return Due(referral.code, due_at, navigator, referral, context=context or {})


def _waiting(sweep, rule, *, status, anchor, level):
    """Referrals still in ``status`` ``level`` business days after ``anchor``."""
    for referral in _referrals().filter(
        sweep.started_by(anchor, level), unclaimed(rule, since=anchor), status=status
    ):
        days = sweep.levels[referral.partnership_id][level]
        due_at = sweep.after(referral.partnership_id, getattr(referral, anchor), days)
        yield Due(referral.code, due_at, sweep.supervisors(referral), referral)


def _not_accepted(sweep, rule):
    return _waiting(
        sweep,
        rule,
        status=Status.SUBMITTED,
        anchor="submitted_at",
        level="accept_business_days",
    )


def _not_assigned(sweep, rule):
    return _waiting(
        sweep,
        rule,
        status=Status.ACCEPTED,
        anchor="accepted_at",
        level="assign_business_days",
    )


def _without_contact_since_assignment(sweep, rule, extra_days):
    level = "first_contact_business_days"
    for referral in _referrals().filter(
        ~timeliness.attempted_since_assignment(),
        sweep.started_by("assigned_at", level, extra_days),
        unclaimed(rule, since="assigned_at"),
        status=Status.ASSIGNED,
    ):
        days = sweep.levels[referral.partnership_id][level] + extra_days
        yield referral, sweep.after(referral.partnership_id, referral.assigned_at, days)


def _no_first_contact(sweep, rule):
    for referral, due_at in _without_contact_since_assignment(sweep, rule, 0):
        yield _for_navigator(referral, due_at)


def _no_first_contact_escalation(sweep, rule):
    for referral, due_at in _without_contact_since_assignment(sweep, rule, 1):
        yield Due(referral.code, due_at, sweep.supervisors(referral), referral)


def _inactive(sweep, rule):
    def spell(levels):
        return datetime.timedelta(days=levels["inactive_days"])

    def quiet(_partnership_id, levels):
        return Value(spell(levels))

    def due(_partnership_id, levels):
        return Q(last_activity__lte=sweep.now - spell(levels))

    def newly(partnership_id, levels):
        return due(partnership_id, levels) & Q(
            last_activity__gt=sweep.since - spell(levels)
        )

    # The due moment is computed in SQL, so the claim is matched exactly: a contact
    # logged late with an earlier date still starts a new quiet spell.
    claimed = ReminderClaim.objects.filter(
        rule=rule.name, object_code=OuterRef("code"), due_at=OuterRef("due_at")
    )
    for referral in (
        _referrals()
        .filter(status=Status.IN_PROGRESS)
        .alias(last_activity=timeliness.last_activity())
        .filter(sweep.newly_due(due, newly))
        .annotate(due_at=timeliness.last_activity() + sweep.by_partnership(quiet))
        .filter(~Exists(claimed))
    ):
        days = sweep.levels[referral.partnership_id]["inactive_days"]
        yield _for_navigator(referral, referral.due_at, context={"days": days})


def start_of_day(day: datetime.date, partnership) -> datetime.datetime:
    # Day-based rules fire on the date; this moment only keys their claim.
    local = datetime.datetime.combine(day, datetime.time(8, 0))  # pragma: no mutate
    return local.replace(  # pragma: no mutate
        tzinfo=zoneinfo.ZoneInfo(partnership.time_zone)  # pragma: no mutate
    )


def _hold_ended(sweep, rule):
    """On hold until a day that has come where the partnership works: once per
    hold (a claim made during an earlier hold is older than this one's start)."""

    def reached(partnership_id, _):
        return Q(hold_until__lte=sweep.today(partnership_id))

    def newly(partnership_id, levels):
        return reached(partnership_id, levels) & Q(
            hold_until__gt=sweep.today(partnership_id, sweep.since)
        )

    for referral in _referrals().filter(
        sweep.newly_due(reached, newly),
        unclaimed(rule, since="status_changed_at"),
        status=Status.ON_HOLD,
    ):
        partnership = sweep.partnerships[referral.partnership_id]
        yield _for_navigator(
            referral,
            start_of_day(referral.hold_until, partnership),
            context={"until": referral.hold_until.isoformat()},
        )


def _contract_ending(sweep, rule):
    dues = []
    for contract in Contract.objects.filter(
        partnership_id__in=sweep.partnerships,
        status=Contract.Status.SIGNED,
        ends_on__isnull=False,
    ):
        partnership = sweep.partnerships[contract.partnership_id]
        today = sweep.today(partnership.pk)
        notice_on = contract.renewal_notice_on()
        if contract.ends_on < today or notice_on is None or notice_on > today:
            continue
        dues.append(
            Due(
                contract.code,
                start_of_day(notice_on, partnership),
                sweep.managers(partnership),
                link=reverse("partners:partnership-detail", args=[partnership.code]),
                context={
                    "contract": contract.title,
                    "partnership": partnership.name,
                    "ends": contract.ends_on.isoformat(),
                },
            )
        )
    return without_claimed(rule, dues) if dues else []


def _training_overdue(sweep, rule):
    # Judged by the day: within a day nothing comes due by the clock, and a
    # change of rules, people or sessions is read by the first sweep of the next.
    if not sweep.full and not sweep.new_day():
        return []
    today = {pk: sweep.today(pk) for pk in sweep.partnerships}
    dues = [
        Due(
            person.code,
            start_of_day(standing.due_on, partnership),
            managers,
            link=reverse("partners:training", args=[partnership.code]),
            context={
                "person": person.get_full_name(),
                "training_kind": standing.rule.kind,
                "due": standing.due_on.isoformat(),
            },
            claim_suffix=str(standing.rule.code),
        )
        for partnership, person, standing in overdue_training(
            sweep.partnerships.values(), today_by_partnership=today
        )
        if (managers := sweep.managers(partnership))
    ]
    return without_claimed(rule, dues) if dues else []


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
    Rule("hold_ended", Kind.HOLD_ENDED, _hold_ended),
    Rule("contract_ending", Kind.CONTRACT_ENDING, _contract_ending),
    Rule("training_overdue", Kind.TRAINING_OVERDUE, _training_overdue),
]


def register(rule: Rule) -> None:
    """Add an app's rule to the sweep (from its ``AppConfig.ready``), once."""
    if all(known.name != rule.name for known in RULES):
        RULES.append(rule)


def _claim_rule(rule: Rule, due: Due) -> str:
    return f"{rule.name}:{due.claim_suffix}" if due.claim_suffix else rule.name


def reminder_send_once(*, rule: Rule, due: Due) -> bool:
    """Claim (rule, object, due moment) and notify; False if already claimed."""
    try:
        with transaction.atomic():
            ReminderClaim.objects.create(
                rule=_claim_rule(rule, due),
                object_code=due.object_code,
                due_at=due.due_at,
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


def reminders_sweep(*, now=None, full=False) -> int:
    """Evaluate every rule across the running partnerships; return reminders sent.

    Only what came due or changed since the last sweep is read, unless ``full``
    (or a full sweep is due: see ``Sweep.look_back``)."""
    started = timezone.now()
    sweep = Sweep.of_running(now or started)
    if not sweep.partnerships:
        return 0
    if not full:
        sweep.look_back(ReminderSweepMark.objects.filter(pk=MARK).first())
    sent = 0
    for rule in RULES:
        for due in rule.due(sweep, rule):
            sent += reminder_send_once(rule=rule, due=due)
    _mark(sweep, started)
    return sent


def _mark(sweep: Sweep, started: datetime.datetime) -> None:
    """Record how far this sweep looked, once everything it found was claimed."""
    fields = {
        "clock_until": sweep.now,
        "started_at": started,
        "configuration": sweep.configuration,
    }
    if sweep.full:
        fields["full_at"] = sweep.now
    updated = ReminderSweepMark.objects.filter(pk=MARK).update(**fields)
    if not updated:
        ReminderSweepMark.objects.get_or_create(
            pk=MARK, defaults={"full_at": sweep.now, **fields}
        )
