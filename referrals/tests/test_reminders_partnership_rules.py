"""Reminders beyond referrals: PAM follow-ups, contracts ending, trainings overdue."""

import datetime

import time_machine

from evaluation.tests.factories import caseload_referral, pam_row
from partners.models import (
    Contract,
    RequiredTraining,
    TrainingKind,
    TrainingSession,
    User,
)
from partners.tests.factories import PartnershipFactory, UserFactory
from referrals.models import Notification
from referrals.services import reminders
from referrals.services.notifications import notification_text

UTC = datetime.UTC


def sweep(day, hour=18):
    with time_machine.travel(datetime.datetime(*day, hour, tzinfo=UTC), tick=False):
        return reminders.reminders_sweep()


def notes(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def test_pam_follow_up_due_reminds_the_navigator_once(
    partnership, supervisor, navigator
):
    referral = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    pam_row(
        patient=referral.patient,
        partnership=partnership,
        by=navigator,
        on=datetime.date(2026, 5, 10),
    )
    sweep((2026, 11, 9))
    assert notes(navigator, "pam_follow_up_due") == []
    sweep((2026, 11, 10))
    sweep((2026, 11, 11))
    [reminder] = notes(navigator, "pam_follow_up_due")
    assert "2026-11-10" in reminder.context["due"]
    pam_row(
        patient=referral.patient,
        partnership=partnership,
        by=navigator,
        on=datetime.date(2026, 11, 12),
        kind="follow_up",
    )
    assert sweep((2026, 11, 20)) == 0


def test_contract_in_its_notice_period_reminds_program_managers(
    partnership, manager, supervisor
):
    contract = Contract.objects.create(
        partnership=partnership,
        kind=Contract.Kind.SERVICE,
        title="Navigation services 2026",
        status=Contract.Status.SIGNED,
        effective_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        renewal_notice_days=60,
    )
    sweep((2026, 10, 31))
    assert notes(manager, "contract_ending") == []
    sweep((2026, 11, 2))
    sweep((2026, 11, 3))
    [reminder] = notes(manager, "contract_ending")
    assert reminder.context["contract"] == contract.title
    assert notes(supervisor, "contract_ending") == []


def test_overdue_required_training_reminds_program_managers(
    partnership, manager, navigator
):
    RequiredTraining.objects.create(
        partnership=partnership,
        role="navigator",
        kind=TrainingKind.CHW_ORIENTATION,
        due_within_days=30,
    )
    joined = navigator.date_joined.date()
    later = joined + datetime.timedelta(days=45)
    sweep((later.year, later.month, later.day))
    sweep((later.year, later.month, later.day), hour=20)
    [reminder] = notes(manager, "training_overdue")
    assert reminder.context["person"] == navigator.get_full_name()
    assert "CHW orientation" in notification_text(reminder)
    assert navigator.get_full_name() in notification_text(reminder)


def test_a_training_reminder_names_only_whom_the_rule_binds_and_who_missed_it(
    partnership, manager, navigator, supervisor, outsiders
):
    """The rule binds the navigators of this partnership's partners: not their
    supervisor, not another partnership's navigator; and only a session of this
    partnership counts (the CBO holds another partnership too)."""
    RequiredTraining.objects.create(
        partnership=partnership,
        role="navigator",
        kind=TrainingKind.CHW_ORIENTATION,
        due_within_days=30,
    )
    second = PartnershipFactory(cbo=partnership.cbo, name="Second partnership")
    trained, trained_elsewhere = (
        UserFactory(role="navigator", organization=partnership.cbo, first_name=name)
        for name in ("Trained", "Elsewhere")
    )
    for held_by, person in ((partnership, trained), (second, trained_elsewhere)):
        session = TrainingSession.objects.create(
            partnership=held_by,
            title="Orientation",
            kind=TrainingKind.CHW_ORIENTATION,
            held_on=datetime.date(2025, 1, 20),
            trainer="Dr. Lee",
            audience=partnership.cbo,
        )
        session.attendees.add(person)
    User.objects.update(date_joined=datetime.datetime(2025, 1, 1, tzinfo=UTC))
    sweep((2026, 11, 10))
    reminded = {note.context["person"] for note in notes(manager, "training_overdue")}
    assert reminded == {navigator.get_full_name(), trained_elsewhere.get_full_name()}
