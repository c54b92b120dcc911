"""Service levels and business days: when is a referral overdue?

A partnership's signed contract in force sets its own service levels and business
days; whatever it leaves out comes from ``settings.REFERRAL_SERVICE_LEVELS``.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone

WEEKEND = {5, 6}
CONTRACT_LEVELS = (
    "accept_business_days",
    "assign_business_days",
    "first_contact_business_days",
    "inactive_days",
    "max_active_referrals",
)


def service_levels(partnership=None) -> dict:
    """The defaults, overridden by the levels the partnership's contract states."""
    levels = dict(settings.REFERRAL_SERVICE_LEVELS)
    if partnership is None:
        return levels
    from partners.selectors import contract_in_force

    contract = contract_in_force(partnership, with_service_levels=True)
    if contract is not None:
        for name in CONTRACT_LEVELS:
            value = getattr(contract, name)
            if value is not None:
                levels[name] = value
    return levels


def business_days_before(
    moment: datetime.datetime,
    days: int,
    time_zone: str,
    business_days: frozenset[int] | None = None,
) -> datetime.datetime:
    """The moment ``days`` business days (Mon–Fri unless told) before, local time."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    is_business_day = (
        (lambda day: day.weekday() in business_days)
        if business_days
        else (lambda day: day.weekday() not in WEEKEND)
    )
    remaining = days
    while remaining > 0:
        local -= datetime.timedelta(days=1)
        if is_business_day(local):
            remaining -= 1
    return local


def overdue_cutoffs(
    *, now=None, time_zone: str | None = None, partnership=None
) -> dict:
    """Moments before which each step is overdue (compare with the step's start).

    With a partnership: its time zone, business days and contract service levels.
    """
    now = now or timezone.now()
    business_days = None
    if partnership is not None:
        time_zone = time_zone or partnership.time_zone
        business_days = frozenset(partnership.business_days or ()) or None
    time_zone = time_zone or settings.TIME_ZONE
    levels = service_levels(partnership)

    def before(days):
        return business_days_before(now, days, time_zone, business_days)

    return {
        "accept": before(levels["accept_business_days"]),
        "assign": before(levels["assign_business_days"]),
        "first_contact": before(levels["first_contact_business_days"]),
        "inactive": now - datetime.timedelta(days=levels["inactive_days"]),
    }
