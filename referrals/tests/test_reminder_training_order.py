"""A training not yet due does not hide another that is overdue."""

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
