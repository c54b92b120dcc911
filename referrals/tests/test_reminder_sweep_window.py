"""A sweep reads what came due or changed since the last one: what came due
before it and was claimed then is not read again, a change (a referral recorded
late, a PAM baseline entered late) is read at once, and a full sweep (one a day,
or after the service levels or calendars changed) reads everything."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection

from evaluation.reminders import _baselines_coming_due
from evaluation.selectors import months_later
from evaluation.tests.factories import pam_row
from partners.models import ClosedDay, RequiredTraining, TrainingKind, User
from partners.tests.factories import UserFactory
from referrals.models import Notification, ReminderClaim, ReminderSweepMark
from referrals.services import reminders
from referrals.tests.factories import PatientFactory, ReferralFactory
from referrals.tests.states import in_progress_referral

Kind = Notification.Kind
PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")
MONDAY = datetime.datetime(2026, 11, 2, 10, tzinfo=PORTLAND)
TWO_WEEKS_LATER = MONDAY + datetime.timedelta(days=14)
HOUR = datetime.timedelta(hours=1)


def sweep(moment, **options):
    with time_machine.travel(moment, tick=False):
        return reminders.reminders_sweep(**options)


@pytest.fixture
def overdue(partnership, supervisor):
    """A referral submitted on Monday, its not-accepted reminder sent two weeks
    later, and then its claim taken away: only a sweep that reads it again
    sends it again."""
    with time_machine.travel(MONDAY, tick=False):
        referral = ReferralFactory(partnership=partnership)
    assert sweep(TWO_WEEKS_LATER) == 1
    ReminderClaim.objects.filter(object_code=referral.code).delete()
    return referral


def test_what_came_due_before_the_last_sweep_is_not_read_again(overdue):
    assert sweep(TWO_WEEKS_LATER + HOUR) == 0
    mark = ReminderSweepMark.objects.get()
    assert mark.clock_until == TWO_WEEKS_LATER + HOUR
    assert mark.full_at == TWO_WEEKS_LATER


def test_a_full_sweep_reads_everything_again(overdue):
    assert sweep(TWO_WEEKS_LATER + HOUR, full=True) == 1


def test_the_first_sweep_of_a_new_day_of_sweeps_reads_everything(overdue):
    assert sweep(TWO_WEEKS_LATER + 23 * HOUR) == 0
    assert sweep(TWO_WEEKS_LATER + 24 * HOUR) == 1


def test_a_day_closed_since_the_last_sweep_makes_the_next_read_everything(
    overdue, partnership, manager
):
    ClosedDay.objects.create(
        partnership=partnership,
        day=datetime.date(2026, 12, 24),
        name="Staff day",
        added_by=manager,
    )
    assert sweep(TWO_WEEKS_LATER + HOUR) == 1


def test_a_clock_set_back_makes_the_sweep_read_everything(overdue):
    assert sweep(TWO_WEEKS_LATER - HOUR) == 1


def test_what_came_due_since_the_last_sweep_is_read(partnership, supervisor):
    with time_machine.travel(MONDAY, tick=False):
        ReferralFactory(partnership=partnership)
    # One business day in Portland: due on Tuesday at 10:00.
    assert sweep(MONDAY + 23 * HOUR) == 0
    assert sweep(MONDAY + 25 * HOUR) == 1
    assert sweep(MONDAY + 26 * HOUR) == 0


def test_a_referral_recorded_late_is_read_whenever_it_came_due(partnership, supervisor):
    assert sweep(TWO_WEEKS_LATER) == 0
    with time_machine.travel(TWO_WEEKS_LATER + HOUR, tick=False):
        ReferralFactory(partnership=partnership, submitted_at=MONDAY)
    assert sweep(TWO_WEEKS_LATER + 2 * HOUR) == 1
    reminded = Notification.objects.get(kind=Kind.NOT_ACCEPTED)
    assert reminded.recipient == supervisor


def caseload_patient(partnership, supervisor, navigator):
    patient = PatientFactory(health_system=partnership.health_system)
    with time_machine.travel(datetime.datetime(2026, 4, 1, 10, tzinfo=PORTLAND)):
        in_progress_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership, patient=patient),
        )
    return patient


def pam_due(navigator):
    return Notification.objects.filter(recipient=navigator, kind=Kind.PAM_FOLLOW_UP_DUE)


def test_a_pam_follow_up_coming_due_overnight_is_read_by_the_next_sweep(
    partnership, supervisor, navigator
):
    patient = caseload_patient(partnership, supervisor, navigator)
    pam_row(patient=patient, partnership=partnership, by=navigator, on=MONDAY.date())
    # Six months after a baseline of 2 November 2026 is 2 May 2027.
    evening = datetime.datetime(2027, 5, 1, 22, tzinfo=PORTLAND)
    sweep(evening)
    sweep(evening + HOUR)
    assert not pam_due(navigator).exists()
    sweep(evening + 3 * HOUR)
    assert [note.context["due"] for note in pam_due(navigator)] == ["2027-05-02"]


def test_a_pam_baseline_entered_late_is_read_by_the_next_sweep(
    partnership, supervisor, navigator
):
    patient = caseload_patient(partnership, supervisor, navigator)
    sweep(TWO_WEEKS_LATER)
    with time_machine.travel(TWO_WEEKS_LATER + HOUR, tick=False):
        pam_row(
            patient=patient,
            partnership=partnership,
            by=navigator,
            on=datetime.date(2026, 4, 2),
        )
    sweep(TWO_WEEKS_LATER + 2 * HOUR)
    assert [note.context["due"] for note in pam_due(navigator)] == ["2026-10-02"]


def test_a_training_falling_overdue_is_read_by_the_first_sweep_of_that_day(
    partnership, manager
):
    with time_machine.travel(MONDAY, tick=False):
        UserFactory(role=User.Role.NAVIGATOR, organization=partnership.cbo)
        RequiredTraining.objects.create(
            partnership=partnership,
            role=User.Role.NAVIGATOR,
            kind=TrainingKind.CHW_ORIENTATION,
            due_within_days=7,
        )
    late = Notification.objects.filter(recipient=manager, kind=Kind.TRAINING_OVERDUE)
    last_day = MONDAY + datetime.timedelta(days=7)
    sweep(last_day + 12 * HOUR)
    sweep(last_day + 13 * HOUR)
    assert not late.exists()
    sweep(last_day + 15 * HOUR)  # 01:00 the next day in Portland
    assert late.count() == 1


@pytest.mark.parametrize("months", [1, 6, 12])
def test_months_later_is_postgresqls_date_plus_months(db, months):
    days = [
        datetime.date(2027, 1, 1) + datetime.timedelta(days=n) for n in range(0, 800)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (d + make_interval(months => %s))::date FROM unnest(%s) d",
            [months, days],
        )
        in_postgresql = [row[0] for row in cursor.fetchall()]
    assert [months_later(day, months) for day in days] == in_postgresql


@pytest.mark.parametrize(
    "after, through",
    [
        (datetime.date(2026, 12, 4), datetime.date(2026, 12, 4)),
        (datetime.date(2026, 12, 4), datetime.date(2026, 12, 5)),
        (datetime.date(2027, 2, 27), datetime.date(2027, 3, 2)),
        (datetime.date(2028, 2, 28), datetime.date(2028, 3, 1)),
        (datetime.date(2027, 8, 30), datetime.date(2027, 9, 1)),
    ],
)
def test_the_baselines_coming_due_are_exactly_those_whose_date_falls_between(
    settings, after, through
):
    settings.PAM_FOLLOW_UP_MONTHS = 6
    first, last = _baselines_coming_due(after, through)
    start = after - datetime.timedelta(days=400)
    every_day = [start + datetime.timedelta(days=n) for n in range(800)]
    coming = [day for day in every_day if after < months_later(day, 6) <= through]
    if coming:
        assert (first, last) == (coming[0], coming[-1])
    else:
        assert first > last


def test_a_quiet_spell_ending_since_the_last_sweep_is_read_once(
    partnership, supervisor, navigator
):
    with time_machine.travel(MONDAY, tick=False):
        in_progress_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
    quiet = Notification.objects.filter(recipient=navigator, kind=Kind.INACTIVE)
    # Fourteen days without activity: due on Monday the 16th at 10:00.
    sweep(TWO_WEEKS_LATER - HOUR)
    assert not quiet.exists()
    sweep(TWO_WEEKS_LATER + HOUR)
    assert quiet.count() == 1
    ReminderClaim.objects.filter(rule="inactive").delete()
    sweep(TWO_WEEKS_LATER + 2 * HOUR)
    assert quiet.count() == 1
