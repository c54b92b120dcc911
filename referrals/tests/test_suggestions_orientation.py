"""A navigator is flagged as missing the orientation only when this partnership
requires the CHW orientation of navigators and they have not attended this
partnership's orientation."""

import datetime

from partners import services
from partners.models import TrainingKind, User
from referrals.selectors import navigator_suggestions
from referrals.tests.factories import ReferralFactory

Role = User.Role


def require(
    partnership, manager, *, role=Role.NAVIGATOR, kind=TrainingKind.CHW_ORIENTATION
):
    services.required_training_save(
        actor=manager,
        partnership=partnership,
        data={
            "role": role,
            "kind": kind,
            "due_within_days": 30,
            "renew_every_months": None,
        },
    )


def attend(partnership, manager, attendees, *, kind=TrainingKind.CHW_ORIENTATION):
    services.training_session_save(
        actor=manager,
        partnership=partnership,
        data={
            "title": "Session",
            "kind": kind,
            "held_on": datetime.date.today(),
            "trainer": "Dr. Lee",
            "audience": partnership.cbo,
            "attendees": attendees,
        },
    )


def flagged(partnership):
    referral = ReferralFactory(partnership=partnership)
    return [n.missing_orientation for n in navigator_suggestions(referral=referral)]


def test_other_requirements_flag_nobody(partnership, manager, navigator):
    require(partnership, manager, role=Role.SUPERVISOR)
    other_kinds = [
        kind for kind in TrainingKind.values if kind != TrainingKind.CHW_ORIENTATION
    ]
    require(partnership, manager, kind=other_kinds[0])
    assert flagged(partnership) == [False]


def test_another_kind_of_session_does_not_count_as_the_orientation(
    partnership, manager, navigator
):
    require(partnership, manager)
    other_kinds = [
        kind for kind in TrainingKind.values if kind != TrainingKind.CHW_ORIENTATION
    ]
    attend(partnership, manager, [navigator], kind=other_kinds[0])
    assert flagged(partnership) == [True]
    attend(partnership, manager, [navigator])
    assert flagged(partnership) == [False]
