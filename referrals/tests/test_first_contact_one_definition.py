"""The first-contact service level asks for an attempt: a call that did not reach
the patient meets it on the caseload, on the dashboard and for the reminder alike."""

import datetime
import zoneinfo

import time_machine

from referrals import selectors
from referrals.services import contacts, reminders
from referrals.tests.states import assigned_referral, at

ZONE = zoneinfo.ZoneInfo("America/Los_Angeles")
MONDAY = datetime.datetime(2026, 11, 16, 10, tzinfo=ZONE)
# Three business days after Monday 10:00: Thursday 10:00.
DUE = datetime.datetime(2026, 11, 19, 10, tzinfo=ZONE)


def overdue_everywhere(login, manager, navigator, moment):
    with time_machine.travel(moment, tick=False):
        caseload = [
            r.is_overdue for r in selectors.caseload_for_navigator(user=navigator)
        ]
        dashboard = login(manager).get("/evaluation/").context["data"]["figures"]
        sent = reminders.reminders_sweep(now=moment)
    return caseload, dashboard["overdue"], sent


def test_an_unanswered_call_meets_the_first_contact_level(
    login, manager, supervisor, navigator, clinic_user
):
    referral = at(
        MONDAY,
        assigned_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )
    at(
        MONDAY + datetime.timedelta(days=1),
        contacts.encounter_log,
        referral=referral,
        actor=navigator,
        occurred_at=MONDAY + datetime.timedelta(days=1),
        mode="phone",
        reached=False,
        minutes=3,
    )
    assert overdue_everywhere(login, manager, navigator, DUE) == ([0], 0, 0)


def test_without_any_attempt_all_three_see_it_late_at_the_same_moment(
    login, manager, supervisor, navigator, clinic_user
):
    at(
        MONDAY,
        assigned_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )
    before = DUE - datetime.timedelta(minutes=1)
    assert overdue_everywhere(login, manager, navigator, before) == ([0], 0, 0)
    assert overdue_everywhere(login, manager, navigator, DUE) == ([1], 1, 1)
