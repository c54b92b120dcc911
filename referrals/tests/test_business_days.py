"""Business days: the inbox's overdue cutoff is the exact inverse of the reminder's
due moment, so the inbox, the caseload and the reminders agree to the minute."""

import datetime
import zoneinfo

import pytest
import time_machine

from evaluation.tests.factories import caseload_referral
from partners import services
from partners.models import Contract
from referrals.models import Notification, ReminderClaim
from referrals.selectors import (
    caseload_for_navigator,
    inbox_counts_for_supervisor,
    inbox_for_supervisor,
    overdue_cutoffs_for_user,
)
from referrals.services import reminders
from referrals.services.timeliness import (
    business_days_after,
    business_days_before,
    overdue_cutoffs_by_partnership,
    service_levels,
)
from referrals.tests.factories import ReferralFactory

PORTLAND = "America/Los_Angeles"
ZONE = zoneinfo.ZoneInfo(PORTLAND)
MWF = frozenset({0, 2, 4})
TUESDAY_TO_SATURDAY = frozenset({1, 2, 3, 4, 5})
SUNDAY_AND_MONDAY = frozenset({6, 0})
ONE_MINUTE = datetime.timedelta(minutes=1)
Kind = Notification.Kind


def local(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZONE)


def every(start, end, step):
    moment = start
    while moment < end:
        yield moment
        moment += step


# Monday 16 November 2026 is a Monday; 1 November and 8 March are DST Sundays.
def test_mwf_referral_sent_monday_is_due_wednesday_not_tuesday():
    sent = local(2026, 11, 16, 10)
    assert business_days_after(sent, 1, PORTLAND, MWF) == local(2026, 11, 18, 10)
    assert sent > business_days_before(local(2026, 11, 17, 11), 1, PORTLAND, MWF)
    assert sent > business_days_before(local(2026, 11, 18, 9, 59), 1, PORTLAND, MWF)
    assert sent <= business_days_before(local(2026, 11, 18, 10), 1, PORTLAND, MWF)


def test_mwf_referral_sent_friday_is_due_monday():
    sent = local(2026, 11, 20, 10)
    assert business_days_after(sent, 1, PORTLAND, MWF) == local(2026, 11, 23, 10)
    assert sent > business_days_before(local(2026, 11, 23, 9, 59), 1, PORTLAND, MWF)
    assert sent <= business_days_before(local(2026, 11, 23, 10), 1, PORTLAND, MWF)


def test_monday_to_friday_skips_the_weekend_both_ways():
    sent = local(2026, 11, 20, 10)  # Friday
    assert business_days_after(sent, 1, PORTLAND) == local(2026, 11, 23, 10)
    assert business_days_after(sent, 3, PORTLAND) == local(2026, 11, 25, 10)
    assert business_days_before(local(2026, 11, 25, 10), 3, PORTLAND) == sent
    # On Sunday every moment of Friday counts as landed.
    end_of_friday = datetime.datetime(2026, 11, 20, 23, 59, 59, 999999, tzinfo=ZONE)
    assert business_days_before(local(2026, 11, 22, 12), 0, PORTLAND) == end_of_friday


def test_zero_business_days_is_due_at_once():
    sent = local(2026, 11, 18, 10)
    assert business_days_after(sent, 0, PORTLAND) == sent
    assert business_days_before(sent, 0, PORTLAND) == sent


def test_a_start_on_a_non_business_day_counts_from_the_next_business_day():
    saturday = local(2026, 11, 21, 15)
    # Monday is the first business day after it: due when Monday is over.
    assert business_days_after(saturday, 1, PORTLAND) == local(2026, 11, 24, 0)
    assert business_days_after(saturday, 0, PORTLAND) == local(2026, 11, 23, 0)
    tuesday = local(2026, 11, 17, 15)  # not a business day with MWF
    assert business_days_after(tuesday, 1, PORTLAND, MWF) == local(2026, 11, 20, 0)


def test_the_due_moment_keeps_the_local_time_across_a_dst_change():
    friday = local(2026, 10, 30, 10)  # 17:00 UTC, daylight time
    due = business_days_after(friday, 1, PORTLAND)
    assert due == datetime.datetime(2026, 11, 2, 18, tzinfo=datetime.UTC)
    assert business_days_before(due, 1, PORTLAND) == friday
    assert business_days_before(due - ONE_MINUTE, 1, PORTLAND) < friday


def test_a_non_business_day_start_is_never_due_before_an_earlier_start():
    # Sunday 9:00 must not fall due before Saturday 15:00 (both wait for Monday).
    saturday = business_days_after(local(2026, 11, 21, 15), 1, PORTLAND)
    sunday = business_days_after(local(2026, 11, 22, 9), 1, PORTLAND)
    assert saturday == sunday


AUTUMN = (local(2026, 10, 24, 0), local(2026, 11, 8, 0))  # clocks go back
SPRING = (local(2026, 3, 1, 0), local(2026, 3, 16, 0))  # clocks go forward
DECEMBER = (local(2026, 11, 28, 0), local(2026, 12, 13, 0))


@pytest.mark.parametrize("days", [0, 1, 3])
@pytest.mark.parametrize(
    "weeks, business_days",
    [
        (AUTUMN, None),
        (SPRING, None),
        (AUTUMN, MWF),
        (SPRING, MWF),
        (SPRING, TUESDAY_TO_SATURDAY),
        # Sunday business days only away from a Sunday clock change, whose
        # skipped or repeated hour has no single local time to count from.
        (DECEMBER, SUNDAY_AND_MONDAY),
    ],
)
def test_overdue_by_cutoff_exactly_when_the_due_moment_has_come(
    weeks, business_days, days
):
    first, last = (moment.astimezone(datetime.UTC) for moment in weeks)
    starts = list(every(first, last, datetime.timedelta(hours=2, minutes=37)))
    due = {s: business_days_after(s, days, PORTLAND, business_days) for s in starts}

    def cutoff(now):
        latest = business_days_before(now, days, PORTLAND, business_days)
        return latest.astimezone(datetime.UTC)

    for start in starts:
        assert start <= cutoff(due[start]), (start, due[start])
        assert start > cutoff(due[start] - ONE_MINUTE), (start, due[start])
    for now in every(first, last + datetime.timedelta(days=7), ONE_MINUTE * 211):
        latest = cutoff(now)
        for start in starts:
            assert (start <= latest) == (due[start] <= now), (start, now)


@pytest.fixture
def mwf(partnership):
    partnership.business_days = [0, 2, 4]
    partnership.save(update_fields=["business_days"])
    return partnership


def sent_at(partnership, moment):
    with time_machine.travel(moment, tick=False):
        return ReferralFactory(partnership=partnership)


def inbox_and_sweep(supervisor, moment):
    """(overdue in the inbox header, overdue rows, reminders sent) at ``moment``."""
    with time_machine.travel(moment, tick=False):
        counts = inbox_counts_for_supervisor(user=supervisor)
        rows = sum(row.is_overdue for row in inbox_for_supervisor(user=supervisor))
        sent = reminders.reminders_sweep()
    return counts["overdue_acceptance"], rows, sent


def claimed_due(rule):
    return list(
        ReminderClaim.objects.filter(rule=rule).values_list("due_at", flat=True)
    )


def test_mwf_inbox_and_reminder_agree_on_a_monday_referral(mwf, supervisor):
    sent_at(mwf, local(2026, 11, 16, 10))
    assert inbox_and_sweep(supervisor, local(2026, 11, 17, 11)) == (0, 0, 0)
    assert inbox_and_sweep(supervisor, local(2026, 11, 18, 9, 59)) == (0, 0, 0)
    assert inbox_and_sweep(supervisor, local(2026, 11, 18, 10)) == (1, 1, 1)
    assert claimed_due("not_accepted") == [local(2026, 11, 18, 10)]


def test_monday_to_friday_inbox_and_reminder_agree_over_the_weekend(
    partnership, supervisor
):
    sent_at(partnership, local(2026, 11, 20, 10))
    assert inbox_and_sweep(supervisor, local(2026, 11, 22, 12)) == (0, 0, 0)
    assert inbox_and_sweep(supervisor, local(2026, 11, 23, 9, 59)) == (0, 0, 0)
    assert inbox_and_sweep(supervisor, local(2026, 11, 23, 10)) == (1, 1, 1)
    assert claimed_due("not_accepted") == [local(2026, 11, 23, 10)]


def test_inbox_and_reminder_agree_across_the_dst_change(partnership, supervisor):
    sent_at(partnership, local(2026, 10, 30, 10))
    assert inbox_and_sweep(supervisor, local(2026, 11, 2, 9, 59)) == (0, 0, 0)
    assert inbox_and_sweep(supervisor, local(2026, 11, 2, 10)) == (1, 1, 1)
    assert claimed_due("not_accepted") == [
        datetime.datetime(2026, 11, 2, 18, tzinfo=datetime.UTC)
    ]


def test_a_saturday_referral_has_all_of_monday(partnership, supervisor):
    sent_at(partnership, local(2026, 11, 21, 15))
    assert inbox_and_sweep(supervisor, local(2026, 11, 23, 23, 59)) == (0, 0, 0)
    assert inbox_and_sweep(supervisor, local(2026, 11, 24, 0)) == (1, 1, 1)
    assert claimed_due("not_accepted") == [local(2026, 11, 24, 0)]


def test_with_zero_days_to_accept_a_referral_is_overdue_when_sent(
    partnership, supervisor, settings
):
    settings.REFERRAL_SERVICE_LEVELS = {
        **settings.REFERRAL_SERVICE_LEVELS,
        "accept_business_days": 0,
    }
    sent_at(partnership, local(2026, 11, 18, 10))
    assert inbox_and_sweep(supervisor, local(2026, 11, 18, 10)) == (1, 1, 1)
    assert claimed_due("not_accepted") == [local(2026, 11, 18, 10)]


def test_mwf_caseload_and_first_contact_reminders_agree(mwf, supervisor, navigator):
    with time_machine.travel(local(2026, 11, 16, 10), tick=False):
        referral = caseload_referral(
            partnership=mwf, supervisor=supervisor, navigator=navigator
        )

    def overdue_and_sent(moment):
        with time_machine.travel(moment, tick=False):
            overdue = [r.is_overdue for r in caseload_for_navigator(user=navigator)]
            return overdue, reminders.reminders_sweep()

    # Three business days after Monday 10:00 (Wednesday, Friday, Monday).
    assert overdue_and_sent(local(2026, 11, 23, 9, 59)) == ([0], 0)
    assert overdue_and_sent(local(2026, 11, 23, 10)) == ([1], 1)
    assert claimed_due("no_first_contact") == [local(2026, 11, 23, 10)]
    # The supervisors hear a business day later, Wednesday 10:00.
    assert overdue_and_sent(local(2026, 11, 25, 9, 59)) == ([1], 0)
    assert overdue_and_sent(local(2026, 11, 25, 10)) == ([1], 1)
    assert claimed_due("no_first_contact_escalation") == [local(2026, 11, 25, 10)]
    assert Notification.objects.filter(
        referral=referral, kind=Kind.NO_FIRST_CONTACT_ESCALATION, recipient=supervisor
    ).exists()


def test_the_inbox_uses_the_partnerships_business_days(mwf, supervisor):
    with time_machine.travel(local(2026, 11, 17, 11), tick=False):
        cutoffs = overdue_cutoffs_for_user(supervisor)[mwf.pk]
    now = local(2026, 11, 17, 11)
    assert cutoffs == overdue_cutoffs_by_partnership([mwf], now=now)[mwf.pk]
    # Tuesday is no business day: every moment of Friday has had its business day.
    assert cutoffs["accept"] == datetime.datetime(
        2026, 11, 13, 23, 59, 59, 999999, tzinfo=ZONE
    )


TOKYO = zoneinfo.ZoneInfo("Asia/Tokyo")


def test_a_non_business_day_start_waits_for_monday_in_its_own_time_zone():
    saturday = datetime.datetime(2026, 11, 21, 15, tzinfo=TOKYO)
    assert business_days_after(saturday, 1, "Asia/Tokyo") == datetime.datetime(
        2026, 11, 24, 0, tzinfo=TOKYO
    )


def test_cutoffs_follow_the_time_zone_given(partnership):
    # Monday 8:00 in Tokyo is Sunday in Portland: one business day back differs.
    now = datetime.datetime(2026, 11, 23, 8, tzinfo=TOKYO)
    for time_zone in (PORTLAND, "Asia/Tokyo"):
        partnership.time_zone = time_zone
        cutoffs = overdue_cutoffs_by_partnership([partnership], now=now)
        accept = cutoffs[partnership.pk]["accept"]
        assert accept == business_days_before(now, 1, time_zone)
    cutoffs = cutoffs[partnership.pk]
    assert cutoffs["accept"] == datetime.datetime(2026, 11, 20, 8, tzinfo=TOKYO)
    assert cutoffs["first_contact"] == datetime.datetime(2026, 11, 18, 8, tzinfo=TOKYO)


def test_the_inactive_cutoff_is_fourteen_days_back(partnership):
    now = local(2026, 11, 30, 11)
    cutoffs = overdue_cutoffs_by_partnership([partnership], now=now)
    assert cutoffs[partnership.pk]["inactive"] == local(2026, 11, 16, 11)


def test_a_later_contract_without_service_levels_keeps_the_earlier_levels(
    partnership, manager
):
    def contract(**fields):
        data = {
            "kind": Contract.Kind.SERVICE,
            "title": "Services",
            "status": Contract.Status.SIGNED,
            "effective_on": datetime.date(2026, 1, 1),
        } | fields
        return services.contract_save(actor=manager, partnership=partnership, data=data)

    contract(accept_business_days=2)
    contract(
        kind=Contract.Kind.DATA_SHARING,
        title="Data sharing",
        effective_on=datetime.date(2026, 6, 1),
    )
    assert service_levels(partnership)["accept_business_days"] == 2
