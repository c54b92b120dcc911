"""Reminder rules, rule by rule, on a controlled clock (Portland business days)."""

import datetime

import pytest
import time_machine
from django.core import mail

from chwlink.lib.models import OutboundEmail
from referrals.models import Notification, ReminderClaim
from referrals.services import assignment, contacts, reminders, workflow
from referrals.services.timeliness import business_days_after
from referrals.tests.factories import ReferralFactory

Kind = Notification.Kind
UTC = datetime.UTC


def at(year, month, day, hour, minute=0):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


# Friday 20 November 2026, 10:00 in Portland (18:00 UTC).
FRIDAY_MORNING = at(2026, 11, 20, 18)


@pytest.fixture
def submitted_friday(partnership):
    with time_machine.travel(FRIDAY_MORNING, tick=False):
        return ReferralFactory(partnership=partnership)


def sweep(moment):
    with time_machine.travel(moment, tick=False):
        return reminders.reminders_sweep()


def kinds_for(user):
    return list(
        Notification.objects.filter(recipient=user)
        .order_by("created", "pk")
        .values_list("kind", flat=True)
    )


def test_business_days_skip_the_weekend_in_local_time():
    # Friday 17:30 in Portland is already Saturday in UTC: still one business day
    # after it is Monday 17:30 local.
    friday_evening = at(2026, 11, 21, 1, 30)
    due = business_days_after(friday_evening, 1, "America/Los_Angeles")
    assert due == at(2026, 11, 24, 1, 30)


def test_unaccepted_referral_reminds_supervisors_once_when_due(
    submitted_friday, supervisor, navigator
):
    assert sweep(at(2026, 11, 23, 17)) == 0  # Monday 9:00, not yet due
    assert sweep(at(2026, 11, 23, 19)) == 1  # Monday 11:00, overdue
    assert kinds_for(supervisor) == [Kind.NOT_ACCEPTED]
    assert kinds_for(navigator) == []
    assert sweep(at(2026, 11, 23, 21)) == 0  # the same due moment: claimed


def test_accepting_stops_the_reminder_and_starts_the_assignment_clock(
    submitted_friday, supervisor
):
    with time_machine.travel(at(2026, 11, 23, 17), tick=False):
        workflow.referral_transition(
            referral=submitted_friday, actor=supervisor, name="accept"
        )
    assert sweep(at(2026, 11, 23, 21)) == 0
    assert sweep(at(2026, 11, 24, 18)) == 1  # Tuesday 10:00: not assigned in time
    assert Notification.objects.filter(kind=Kind.NOT_ASSIGNED).count() == 1


def test_first_contact_goes_to_the_navigator_then_escalates(
    submitted_friday, supervisor, navigator
):
    with time_machine.travel(at(2026, 11, 23, 17), tick=False):
        assignment.referral_assign(
            referral=submitted_friday, actor=supervisor, navigator=navigator
        )
    # Three business days from Monday 9:00 is Thursday 9:00.
    assert sweep(at(2026, 11, 26, 16)) == 0
    assert sweep(at(2026, 11, 26, 18)) == 1
    assert Kind.NO_FIRST_CONTACT in kinds_for(navigator)
    assert Kind.NO_FIRST_CONTACT_ESCALATION not in kinds_for(supervisor)
    # Still nothing a business day later (Friday 9:00): the supervisor hears of it.
    assert sweep(at(2026, 11, 27, 18)) == 1
    assert Kind.NO_FIRST_CONTACT_ESCALATION in kinds_for(supervisor)


def test_a_contact_attempt_resolves_the_first_contact_rule(
    submitted_friday, supervisor, navigator
):
    with time_machine.travel(at(2026, 11, 23, 17), tick=False):
        assignment.referral_assign(
            referral=submitted_friday, actor=supervisor, navigator=navigator
        )
    with time_machine.travel(at(2026, 11, 24, 17), tick=False):
        contacts.encounter_log(
            referral=submitted_friday,
            actor=navigator,
            occurred_at=at(2026, 11, 24, 17),
            mode="phone",
            reached=False,
            minutes=5,
        )
    assert sweep(at(2026, 12, 1, 18)) == 0
    assert Kind.NO_FIRST_CONTACT not in kinds_for(navigator)


def test_fourteen_quiet_days_remind_the_navigator(
    submitted_friday, supervisor, navigator
):
    with time_machine.travel(at(2026, 11, 23, 17), tick=False):
        assignment.referral_assign(
            referral=submitted_friday, actor=supervisor, navigator=navigator
        )
        contacts.encounter_log(
            referral=submitted_friday,
            actor=navigator,
            occurred_at=at(2026, 11, 23, 17),
            mode="phone",
            reached=True,
            minutes=20,
        )
    assert sweep(at(2026, 12, 7, 16)) == 0
    assert sweep(at(2026, 12, 7, 18)) == 1
    assert kinds_for(navigator)[-1] == Kind.INACTIVE
    assert sweep(at(2026, 12, 8, 18)) == 0


def test_closed_referrals_get_no_reminders(submitted_friday, supervisor):
    with time_machine.travel(at(2026, 11, 23, 17), tick=False):
        workflow.referral_transition(
            referral=submitted_friday,
            actor=supervisor,
            name="decline",
            reason_code="duplicate",
        )
    assert sweep(at(2026, 12, 23, 17)) == 0
    assert not ReminderClaim.objects.exists()


def test_reminder_e_mails_name_no_patient(submitted_friday, supervisor):
    patient = submitted_friday.patient
    sweep(at(2026, 11, 23, 19))

    bodies = " ".join(e.subject + e.body_text for e in OutboundEmail.objects.all())
    assert "overdue" in bodies or "accepted in time" in bodies
    phone = str(patient.phone)
    for detail in (patient.first_name, patient.last_name, phone, patient.mrn):
        assert detail not in bodies
    assert str(patient.date_of_birth) not in bodies
    assert f"/referrals/{submitted_friday.code}/" in bodies
    assert mail.outbox == []  # sent by the worker after commit, not inline
