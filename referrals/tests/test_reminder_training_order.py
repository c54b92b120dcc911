"""Reminders beyond referrals at their edges: a training not yet due does not hide
another that is overdue; the contract notice day is the partnership's date."""

import datetime
import zoneinfo

import time_machine

from partners.models import RequiredTraining, TrainingKind
from referrals.models import Notification
from referrals.services import reminders

PORTLAND = zoneinfo.ZoneInfo("America/Los_Angeles")


def test_an_overdue_training_is_reminded_after_one_still_within_its_time(
    partnership, manager, navigator
):
    # Orientation (listed first) is due within 90 days, clinic protocols within 30.
    for kind, days in (
        (TrainingKind.CHW_ORIENTATION, 90),
        (TrainingKind.CLINIC_PROTOCOLS, 30),
    ):
        RequiredTraining.objects.create(
            partnership=partnership, role="navigator", kind=kind, due_within_days=days
        )
    later = navigator.date_joined.date() + datetime.timedelta(days=45)
    noon = datetime.datetime(later.year, later.month, later.day, 12, tzinfo=PORTLAND)
    with time_machine.travel(noon, tick=False):
        assert reminders.reminders_sweep() == 1
    [note] = Notification.objects.filter(
        recipient=manager, kind=Notification.Kind.TRAINING_OVERDUE
    )
    assert note.context["training_kind"] == TrainingKind.CLINIC_PROTOCOLS


def test_the_contract_notice_day_is_the_partnerships_whatever_the_servers_zone(
    partnership, manager
):
    from partners.models import Contract

    Contract.objects.create(
        partnership=partnership, kind=Contract.Kind.SERVICE, title="Navigation",
        status=Contract.Status.SIGNED, effective_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31), renewal_notice_days=60,
    )  # fmt: skip
    # Notice from 1 November. 03:00 UTC that day is still 31 October in Portland.
    utc = datetime.UTC
    with time_machine.travel(datetime.datetime(2026, 11, 1, 3, tzinfo=utc), tick=False):
        assert reminders.reminders_sweep() == 0
    partnership.time_zone = "Asia/Tokyo"
    partnership.save(update_fields=["time_zone"])
    # 15:30 UTC on 31 October is already 1 November in Tokyo.
    with time_machine.travel(
        datetime.datetime(2026, 10, 31, 15, 30, tzinfo=utc), tick=False
    ):
        assert reminders.reminders_sweep() == 1


def test_an_apps_rule_joins_the_sweep_once():
    rules = reminders.RULES
    rule = reminders.Rule(
        "test_only", Notification.Kind.INACTIVE, lambda sweep, rule: []
    )
    try:
        reminders.register(rule)
        reminders.register(rule)
        assert [known.name for known in rules].count("test_only") == 1
        assert rules[-1] is rule
    finally:
        rules[:] = [known for known in rules if known is not rule]
    # Evaluation registers its PAM follow-up rule when the app is ready.
    assert "pam_follow_up_due" in [known.name for known in rules]
