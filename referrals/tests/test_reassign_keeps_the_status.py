"""A reassignment is a row of the transitions table that keeps the status."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from partners.tests.factories import UserFactory
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services import assignment
from referrals.services.workflow import WorkflowError
from referrals.tests.states import at, on_hold_referral, submitted_referral

Status = Referral.Status
HELD = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
MOVED = HELD + datetime.timedelta(days=3)


@pytest.fixture
def cover(partnership):
    return UserFactory(role="navigator", organization=partnership.cbo)


def test_an_on_hold_referral_moves_with_its_hold_reason_and_status_time(
    supervisor, navigator, clinic_user, cover
):
    held = at(
        HELD,
        on_hold_referral,
        supervisor=supervisor,
        navigator=navigator,
        clinic_user=clinic_user,
    )
    version = held.version
    moved = at(
        MOVED,
        assignment.referral_reassign,
        referral=held,
        actor=supervisor,
        navigator=cover,
        reason="Covering leave",
    )
    assert (moved.status, moved.navigator) == (Status.ON_HOLD, cover)
    assert moved.status_reason_code == "waitlisted"
    assert moved.status_changed_at == HELD
    assert moved.assigned_at == MOVED
    assert moved.version == version + 1
    event = ReferralEvent.objects.filter(referral=moved).latest("created")
    assert (event.kind, event.from_status, event.to_status, event.reason) == (
        ReferralEvent.Kind.ASSIGNMENT,
        Status.ON_HOLD,
        Status.ON_HOLD,
        "Covering leave",
    )
    assert Notification.objects.filter(
        recipient=cover, kind=Notification.Kind.ASSIGNED_TO_YOU
    ).exists()


def test_a_referral_not_yet_worked_is_assigned_not_reassigned(
    clinic_user, supervisor, cover
):
    referral = submitted_referral(clinic_user=clinic_user)
    with pytest.raises(
        WorkflowError, match="^Only referrals being worked can be reassigned.$"
    ):
        assignment.referral_reassign(
            referral=referral, actor=supervisor, navigator=cover, reason="Cover"
        )
    referral.refresh_from_db()
    assert referral.navigator is None


def test_the_navigator_cannot_hand_their_referral_on(
    supervisor, navigator, clinic_user, cover
):
    held = on_hold_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    with pytest.raises(PermissionDenied):
        assignment.referral_reassign(
            referral=held, actor=navigator, navigator=cover, reason="Leaving"
        )
    held.refresh_from_db()
    assert held.navigator == navigator
