"""Service levels and business days: when is a referral overdue?

A partnership's signed contract in force sets its own service levels and business
days; whatever it leaves out comes from ``settings.REFERRAL_SERVICE_LEVELS``. A
business day is one of the partnership's weekdays that is neither a public holiday
of its country and state nor a day it closed (``partners.calendars``);
``is_business_day`` decides it for the inbox, caseloads, dashboard and reminders.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils import timezone

from partners.calendars import closed_days_by_partnership
from partners.models import Contract
from partners.selectors import contract_in_force, contracts_in_force

MONDAY_TO_FRIDAY = frozenset({0, 1, 2, 3, 4})
ONE_DAY = datetime.timedelta(days=1)


def _levels_of(contract) -> dict:
    levels = dict(settings.REFERRAL_SERVICE_LEVELS)
    if contract is not None:
        for name in Contract.SERVICE_LEVEL_FIELDS:
            value = getattr(contract, name)
            if value is not None:
                levels[name] = value
    return levels


def service_levels(partnership=None) -> dict:
    """The defaults, overridden by the levels the partnership's contract states."""
    if partnership is None:
        return _levels_of(None)
    return _levels_of(contract_in_force(partnership, with_service_levels=True))


def service_levels_by_partnership(partnerships) -> dict[int, dict]:
    """``service_levels`` of each partnership, by its id, in one query."""
    partnerships = list(partnerships)
    contracts = contracts_in_force(partnerships, with_service_levels=True)
    return {p.pk: _levels_of(contracts.get(p.pk)) for p in partnerships}


def attempted_since_assignment() -> Q:
    """A contact attempt, reached or not, since the navigator got the referral:
    what the first-contact service level asks for. ``last_contact_at`` is the
    latest attempt (``encounter_log`` keeps it), so no subquery is needed."""
    return Q(last_contact_at__gte=F("assigned_at"))


def last_activity() -> Greatest:
    """When a referral being worked last moved: its latest contact, or the latest
    change of status (resuming after a hold counts), whichever came last."""
    return Greatest("last_contact_at", "status_changed_at")


def is_business_day(
    day: datetime.date,
    business_days: frozenset[int] | None,
    closed: frozenset[datetime.date] = frozenset(),
) -> bool:
    """Monday to Friday unless the partnership names its own weekdays, and not a
    day it is closed (its public holidays and the days it added)."""
    return day.weekday() in (business_days or MONDAY_TO_FRIDAY) and day not in closed


def _next_business_day(day: datetime.date, business_days, closed) -> datetime.date:
    day += ONE_DAY
    while not is_business_day(day, business_days, closed):
        day += ONE_DAY
    return day


def _previous_business_day(day: datetime.date, business_days, closed) -> datetime.date:
    day -= ONE_DAY
    while not is_business_day(day, business_days, closed):
        day -= ONE_DAY
    return day


def business_days_after(
    moment: datetime.datetime,
    days: int,
    time_zone: str,
    business_days: frozenset[int] | None = None,
    closed: frozenset[datetime.date] = frozenset(),
) -> datetime.datetime:
    """The due moment ``days`` business days after ``moment``: the same local time
    on the ``days``-th business day after it.

    A moment on a non-business day counts from the start of the next business day,
    so a later start is never due earlier (and ``business_days_before`` can invert
    it exactly).
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if not is_business_day(local.date(), business_days, closed):
        day = _next_business_day(local.date(), business_days, closed)
        local = datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)
    for _ in range(days):
        day = _next_business_day(local.date(), business_days, closed)
        local = datetime.datetime.combine(day, local.timetz())
    return local.astimezone(datetime.UTC)  # pragma: no mutate (any zone: same moment)


def business_days_before(
    moment: datetime.datetime,
    days: int,
    time_zone: str,
    business_days: frozenset[int] | None = None,
    closed: frozenset[datetime.date] = frozenset(),
) -> datetime.datetime:
    """The latest start that is overdue at ``moment``: a start is at or before it
    exactly when ``business_days_after(start, days)`` is at or before ``moment``.
    """
    zone = zoneinfo.ZoneInfo(time_zone)
    local = moment.astimezone(zone)
    if not is_business_day(local.date(), business_days, closed):
        # Every time of the last business day has landed by now.
        day = _previous_business_day(local.date(), business_days, closed)
        local = datetime.datetime.combine(day, datetime.time.max, tzinfo=zone)
    for _ in range(days):
        day = _previous_business_day(local.date(), business_days, closed)
        local = datetime.datetime.combine(day, local.timetz())
    return local


def overdue_cutoffs_by_partnership(partnerships, *, now=None) -> dict[int, dict]:
    """The latest start that is overdue for each step, per partnership id (its
    time zone, business days and contract service levels), in one query: a step
    started at or before its cutoff is overdue now (the inverse of the reminders'
    due moments)."""
    partnerships = list(partnerships)
    levels = service_levels_by_partnership(partnerships)
    now = now or timezone.now()
    closed = closed_days_by_partnership(partnerships, around=now.date())
    return {p.pk: _cutoffs(now, p, levels[p.pk], closed[p.pk]) for p in partnerships}


def overdue_under_own_partnership(cutoffs_by_partnership: dict, overdue_q) -> Q:
    """Rows overdue under their own partnership's cutoffs: ``overdue_q(cutoffs)``
    gives the condition for one partnership's referrals."""
    condition = Q(pk__in=[])
    for partnership_id, cutoffs in cutoffs_by_partnership.items():
        condition |= Q(partnership_id=partnership_id) & overdue_q(cutoffs)
    return condition


def _cutoffs(now, partnership, levels: dict, closed: frozenset) -> dict:
    time_zone = partnership.time_zone or settings.TIME_ZONE
    business_days = frozenset(partnership.business_days or ()) or None

    def before(days):
        return business_days_before(now, days, time_zone, business_days, closed)

    return {
        "accept": before(levels["accept_business_days"]),
        "assign": before(levels["assign_business_days"]),
        "first_contact": before(levels["first_contact_business_days"]),
        "inactive": now - datetime.timedelta(days=levels["inactive_days"]),
        "inactive_days": levels["inactive_days"],
    }
