"""Service levels and business days: when is a referral overdue?

Until partnerships carry their own contract service levels, the defaults come from
``settings.REFERRAL_SERVICE_LEVELS``.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.utils import timezone

WEEKEND = {5, 6}


def service_levels() -> dict:
    return settings.REFERRAL_SERVICE_LEVELS


def business_days_before(
    moment: datetime.datetime, days: int, time_zone: str
) -> datetime.datetime:
    """The moment ``days`` business days (Mon–Fri) before ``moment``, local time."""
    local = moment.astimezone(zoneinfo.ZoneInfo(time_zone))
    remaining = days
    while remaining > 0:
        local -= datetime.timedelta(days=1)
        if local.weekday() not in WEEKEND:
            remaining -= 1
    return local


def overdue_cutoffs(*, now=None, time_zone: str | None = None) -> dict:
    """Moments before which each step is overdue (compare with the step's start)."""
    now = now or timezone.now()
    time_zone = time_zone or settings.TIME_ZONE
    levels = service_levels()
    return {
        "accept": business_days_before(now, levels["accept_business_days"], time_zone),
        "assign": business_days_before(now, levels["assign_business_days"], time_zone),
        "first_contact": business_days_before(
            now, levels["first_contact_business_days"], time_zone
        ),
        "inactive": now - datetime.timedelta(days=levels["inactive_days"]),
    }
