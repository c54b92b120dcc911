"""A hold may end on a date; when it comes, the navigator is told, once."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from referrals.models import Notification, Referral
from referrals.services import notifications, reminders, workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.states import at, in_progress_referral, transition_at

Status = Referral.Status
ZONE = zoneinfo.ZoneInfo("America/Los_Angeles")
# Monday 16 November 2026, 10:00 where the partnership works.
MONDAY = datetime.datetime(2026, 11, 16, 10, tzinfo=ZONE)
FRIDAY = datetime.date(2026, 11, 20)


@pytest.fixture
def working(supervisor, navigator, clinic_user):
    return at(
        MONDAY,
        in_progress_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )


def hold(referral, navigator, until, moment=MONDAY):
    return transition_at(
        moment,
        referral,
        navigator,
        "hold",
        reason_code="waitlisted",
        hold_until=until,
    )


def told(navigator):
    return [
        notifications.notification_text(n)
        for n in Notification.objects.filter(
            recipient=navigator, kind=Notification.Kind.HOLD_ENDED
        )
    ]


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.reminders_sweep(now=moment)


def test_the_navigator_is_told_once_when_the_day_comes(working, navigator):
    held = hold(working, navigator, FRIDAY)
    assert held.hold_until == FRIDAY
    thursday_night = datetime.datetime(2026, 11, 19, 23, 59, tzinfo=ZONE)
    sweep_at(thursday_night)
    assert told(navigator) == []
    friday_morning = datetime.datetime(2026, 11, 20, 0, 1, tzinfo=ZONE)
    sweep_at(friday_morning)
    sweep_at(friday_morning + datetime.timedelta(hours=3))
    assert told(navigator) == [
        f"Referral {working.short_code} was on hold until 2026-11-20: check back "
        "with the patient and resume the work or close it."
    ]


def test_a_new_hold_with_a_new_date_is_told_again(working, navigator):
    hold(working, navigator, FRIDAY)
    sweep_at(datetime.datetime(2026, 11, 20, 9, tzinfo=ZONE))
    referral = transition_at(
        datetime.datetime(2026, 11, 20, 10, tzinfo=ZONE), working, navigator, "resume"
    )
    assert referral.hold_until is None
    hold(
        referral,
        navigator,
        datetime.date(2026, 11, 27),
        moment=datetime.datetime(2026, 11, 23, 10, tzinfo=ZONE),
    )
    sweep_at(datetime.datetime(2026, 11, 27, 9, tzinfo=ZONE))
    assert len(told(navigator)) == 2


def test_a_hold_without_a_date_is_never_told(working, navigator):
    hold(working, navigator, None)
    sweep_at(MONDAY + datetime.timedelta(days=60))
    assert told(navigator) == []


def test_resumed_before_the_day_nothing_is_told(working, navigator):
    held = hold(working, navigator, FRIDAY)
    transition_at(MONDAY + datetime.timedelta(hours=1), held, navigator, "resume")
    sweep_at(datetime.datetime(2026, 11, 21, 9, tzinfo=ZONE))
    assert told(navigator) == []


@pytest.mark.parametrize(
    "until", [datetime.date(2026, 11, 16), datetime.date(2027, 12, 1)]
)
def test_a_day_that_is_today_past_or_over_a_year_away_is_refused(
    working, navigator, until
):
    with pytest.raises(WorkflowError, match="for the hold to end"):
        hold(working, navigator, until)
    assert Referral.objects.get(pk=working.pk).status == Status.IN_PROGRESS


def test_the_hold_page_keeps_what_was_typed_beside_a_bad_date(
    login, working, navigator
):
    url = reverse("referrals:referral-transition", args=[working.code, "hold"])
    with time_machine.travel(MONDAY, tick=False):
        page = login(navigator).post(
            url,
            {
                "version": working.version,
                "reason_code": "waitlisted",
                "reason": "Rent list, about three weeks",
                "hold_until": "2026-11-16",
            },
        )
    assert list(page.context["form"].errors) == ["hold_until"]
    assert "Rent list, about three weeks" in page.content.decode()
    with time_machine.travel(MONDAY, tick=False):
        done = login(navigator).post(
            url,
            {
                "version": working.version,
                "reason_code": "waitlisted",
                "hold_until": "2026-11-20",
            },
        )
        assert done.status_code == 302
        detail = login(navigator).get(
            reverse("referrals:referral-detail", args=[working.code])
        )
    assert "On hold until" in detail.content.decode()
    assert Referral.objects.get(pk=working.pk).hold_until == FRIDAY


def test_the_caseload_says_until_when(login, working, navigator):
    hold(working, navigator, FRIDAY)
    with time_machine.travel(MONDAY, tick=False):
        page = login(navigator).get(reverse("referrals:caseload"))
    assert "On hold until 11/20/2026: then check back with the patient" in (
        page.content.decode()
    )


def test_the_database_refuses_an_end_date_on_a_referral_not_on_hold(working):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.filter(pk=working.pk).update(hold_until=FRIDAY)


def test_workflow_hold_without_date_via_service(working, navigator):
    held = workflow.referral_transition(
        referral=working, actor=navigator, name="hold", reason_code="waitlisted"
    )
    assert held.status == Status.ON_HOLD and held.hold_until is None
