"""What a reminder sweep costs: with nothing newly due it asks a query per rule,
however many partnerships and overdue referrals there are, and claims nothing; a
newly due item costs its own claim. And each reminder still fires once per
episode: the right one when the same referral comes due again."""

import datetime
import zoneinfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.tests.factories import pam_row
from partners.models import RequiredTraining, TrainingKind, User
from partners.tests.factories import PartnershipFactory, UserFactory
from referrals.models import Notification
from referrals.services import contacts, reminders, workflow
from referrals.tests.factories import PatientFactory, ReferralFactory
from referrals.tests.states import (
    accepted_referral,
    assigned_referral,
    in_progress_referral,
)

Kind = Notification.Kind
Role = User.Role
PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")
START = datetime.datetime(2026, 11, 2, 10, tzinfo=PORTLAND)  # a Monday
LATER = datetime.datetime(2026, 12, 7, 10, tzinfo=PORTLAND)


def sweep(moment):
    with (
        time_machine.travel(moment, tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        sent = reminders.reminders_sweep()
    claims = [q for q in queries if 'INSERT INTO "referrals_reminderclaim"' in q["sql"]]
    return sent, len(queries), len(claims)


def overdue_partnership():
    """A partnership where every kind of reminder is due by LATER."""
    with time_machine.travel(START, tick=False):
        partnership = PartnershipFactory()
        cbo, health_system = partnership.cbo, partnership.health_system
        supervisor = UserFactory(role=Role.SUPERVISOR, organization=cbo)
        navigator = UserFactory(role=Role.NAVIGATOR, organization=cbo)
        UserFactory(role=Role.PROGRAM_MANAGER, organization=health_system)
        RequiredTraining.objects.create(
            partnership=partnership,
            role=Role.NAVIGATOR,
            kind=TrainingKind.CHW_ORIENTATION,
            due_within_days=7,
        )
        ReferralFactory(partnership=partnership)
        accepted_referral(
            supervisor=supervisor, referral=ReferralFactory(partnership=partnership)
        )
        assigned_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
        worked = in_progress_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
    pam_row(
        patient=worked.patient,
        partnership=partnership,
        by=navigator,
        on=datetime.date(2026, 5, 1),
    )
    return partnership


def quiet_sweep_after_everything_was_sent(partnerships):
    for _ in range(partnerships):
        overdue_partnership()
    sent, _, tried = sweep(LATER)
    # Not accepted, not assigned, no first contact and its escalation, inactive,
    # PAM follow-up and training, in each new partnership.
    assert sent == tried == 7 * partnerships
    sent, queries, tried = sweep(LATER + datetime.timedelta(hours=1))
    assert (sent, tried) == (0, 0)
    return queries


def test_a_sweep_with_nothing_newly_due_costs_the_same_for_one_partnership_or_three(
    db,
):
    one = quiet_sweep_after_everything_was_sent(1)
    three = quiet_sweep_after_everything_was_sent(2)
    assert one == three
    # The partnerships, their levels and their closed days, a query per rule, and
    # the four more that judge required trainings in Python (rules, people,
    # sessions, claims) plus the managers who would hear, and the mark of how far
    # the last sweep looked, read and written.
    assert one <= 3 + len(reminders.RULES) + 4 + 2


def test_a_newly_due_referral_costs_its_own_claim_only(db):
    partnership = overdue_partnership()
    sweep(LATER)
    with time_machine.travel(LATER, tick=False):
        ReferralFactory(partnership=partnership)
    sent, _, tried = sweep(LATER + datetime.timedelta(days=7))
    assert (sent, tried) == (1, 1)
    assert Notification.objects.filter(kind=Kind.NOT_ACCEPTED).count() == 2


def test_a_contact_logged_late_with_an_earlier_date_starts_a_new_quiet_spell(
    partnership, supervisor, navigator
):
    with time_machine.travel(START, tick=False):
        referral = in_progress_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
    # Quiet for 14 days since 2 November: due on the 16th.
    assert sweep(START + datetime.timedelta(days=15))[0] == 1
    with time_machine.travel(START + datetime.timedelta(days=16), tick=False):
        contacts.encounter_log(
            referral=referral,
            actor=navigator,
            occurred_at=START + datetime.timedelta(days=13),
            mode="phone",
            reached=True,
            minutes=10,
        )
    # The new spell runs from the 15th: due on the 29th, not before.
    assert sweep(START + datetime.timedelta(days=26))[0] == 0
    assert sweep(START + datetime.timedelta(days=27, hours=1))[0] == 1
    inactive = Notification.objects.filter(recipient=navigator, kind=Kind.INACTIVE)
    assert inactive.count() == 2


def test_a_referral_back_from_hold_before_any_contact_is_reminded_again(
    partnership, supervisor, navigator
):
    with time_machine.travel(START, tick=False):
        referral = assigned_referral(
            supervisor=supervisor,
            navigator=navigator,
            referral=ReferralFactory(partnership=partnership),
        )
    first = START + datetime.timedelta(days=7)
    sweep(first)
    reminded = Notification.objects.filter(
        recipient=navigator, kind=Kind.NO_FIRST_CONTACT
    )
    assert reminded.count() == 1
    with time_machine.travel(first + datetime.timedelta(hours=1), tick=False):
        referral = workflow.referral_transition(
            referral=referral, actor=navigator, name="hold", reason_code="waitlisted"
        )
        workflow.referral_transition(referral=referral, actor=navigator, name="resume")
    assert sweep(first + datetime.timedelta(hours=2))[0] == 0
    sweep(first + datetime.timedelta(days=7))
    assert reminded.count() == 2


def test_a_pam_follow_up_due_reaches_every_navigator_with_the_patient_once(
    partnership, supervisor, navigator
):
    second = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    patient = PatientFactory(health_system=partnership.health_system)
    for person in (navigator, second):
        in_progress_referral(
            supervisor=supervisor,
            navigator=person,
            referral=ReferralFactory(partnership=partnership, patient=patient),
        )
    pam_row(
        patient=patient,
        partnership=partnership,
        by=navigator,
        on=datetime.date(2026, 5, 1),
    )
    sweep(datetime.datetime(2026, 11, 2, 9, tzinfo=PORTLAND))
    sweep(datetime.datetime(2026, 11, 3, 9, tzinfo=PORTLAND))
    due = Notification.objects.filter(kind=Kind.PAM_FOLLOW_UP_DUE)
    assert sorted(due.values_list("recipient_id", flat=True)) == sorted(
        [navigator.pk, second.pk]
    )
    assert {note.context["due"] for note in due} == {"2026-11-01"}
