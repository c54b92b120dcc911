"""A referral being worked is quiet from its last contact or status change,
whichever came last, on the caseload and in the inactivity reminder alike."""

import datetime
import zoneinfo

import time_machine
from django.urls import reverse

from partners.tests.factories import signed_service_contract
from referrals import selectors
from referrals.models import Notification
from referrals.services import reminders, workflow
from referrals.tests.states import at, in_progress_referral

ZONE = zoneinfo.ZoneInfo("America/Los_Angeles")


def local(day, hour=10):
    return datetime.datetime(2026, 11, day, hour, tzinfo=ZONE)


def caseload_overdue(navigator, moment):
    with time_machine.travel(moment, tick=False):
        return [
            row.is_overdue for row in selectors.caseload_for_navigator(user=navigator)
        ]


def reminded(navigator):
    return Notification.objects.filter(
        recipient=navigator, kind=Notification.Kind.INACTIVE
    ).count()


def test_resuming_after_a_hold_starts_the_quiet_days_again(
    supervisor, navigator, clinic_user
):
    referral = at(
        local(2),
        in_progress_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        contacted_at=local(2),
    )
    for moment, name, reason in (
        (local(3), "hold", "waitlisted"),
        (local(20), "resume", ""),
    ):
        at(
            moment,
            workflow.referral_transition,
            referral=referral,
            actor=navigator,
            name=name,
            reason_code=reason,
        )
    # 23 days after the last contact, 5 after resuming: not quiet yet.
    assert caseload_overdue(navigator, local(25)) == [0]
    assert reminders.reminders_sweep(now=local(25)) == 0
    # Fourteen days after resuming, both see it at the same moment.
    just_before = datetime.datetime(2026, 12, 4, 9, 59, tzinfo=ZONE)
    due = datetime.datetime(2026, 12, 4, 10, tzinfo=ZONE)
    assert caseload_overdue(navigator, just_before) == [0]
    reminders.reminders_sweep(now=just_before)
    assert reminded(navigator) == 0
    assert caseload_overdue(navigator, due) == [1]
    reminders.reminders_sweep(now=due)
    assert reminded(navigator) == 1


def test_the_caseload_badge_names_the_partnerships_own_gap(
    login, partnership, manager, supervisor, navigator, clinic_user
):
    signed_service_contract(partnership, manager, inactive_days=7)
    at(
        local(2),
        in_progress_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
        contacted_at=local(2),
    )
    with time_machine.travel(local(9, 11), tick=False):
        page = login(navigator).get(reverse("referrals:caseload"))
    assert "No activity for 7 days" in page.content.decode()
