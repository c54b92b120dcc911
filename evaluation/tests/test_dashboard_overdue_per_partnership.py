"""A health system with two CBOs: the dashboard counts each referral as overdue
under its own partnership's business days, as each CBO's inbox does."""

import datetime

import time_machine

from partners.tests.factories import PartnershipFactory
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
MONDAY = datetime.datetime(2026, 11, 16, 18, 0, tzinfo=UTC)  # 10:00 in Los Angeles
TUESDAY = MONDAY + datetime.timedelta(days=1, hours=1)


def test_the_overdue_count_follows_each_referrals_own_partnership(
    login, manager, partnership
):
    partnership.business_days = [0, 2, 4]
    partnership.save(update_fields=["business_days"])
    weekdays = PartnershipFactory(
        health_system=partnership.health_system, time_zone=partnership.time_zone
    )
    with time_machine.travel(MONDAY, tick=False):
        ReferralFactory(partnership=partnership)
        ReferralFactory(partnership=weekdays)
    with time_machine.travel(TUESDAY, tick=False):
        data = login(manager).get("/evaluation/").context["data"]
    # Tuesday is a business day of the second partnership only: one is late.
    assert data["figures"]["overdue"] == 1
