"""Contact attempts at their edges: the minutes and moments allowed, who logs them,
and the first successful contact that starts the work."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied

from partners.tests.factories import UserFactory
from referrals.models import Encounter, Referral, ReferralEvent
from referrals.services import assignment, contacts, workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import closing_of

Status = Referral.Status
UTC = datetime.UTC
SENT = datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC)
NOW = SENT + datetime.timedelta(days=3)


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


@pytest.fixture
def referral(partnership, clinic, clinic_user, supervisor, navigator, time_machine):
    time_machine.move_to(SENT, tick=False)
    referral = ReferralFactory(
        partnership=partnership, clinic=clinic, referred_by=clinic_user
    )
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    time_machine.move_to(NOW, tick=False)
    return referral


def log(referral, navigator, *, at=NOW, reached=True, minutes=15, **extra):
    return contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=at,
        mode=extra.pop("mode", "phone"),
        reached=reached,
        minutes=minutes,
        **extra,
    )


def test_a_contact_is_recorded_with_its_event(referral, navigator):
    encounter = log(
        referral, navigator, minutes=25, mode="home_visit", note="  Brought forms  "
    )
    assert (encounter.navigator, encounter.minutes, encounter.mode) == (
        navigator,
        25,
        "home_visit",
    )
    assert (encounter.occurred_at, encounter.reached) == (NOW, True)
    assert encounter.note == "Brought forms"
    event = referral.events.get(kind=ReferralEvent.Kind.CONTACT)
    assert (event.actor, event.encounter) == (navigator, encounter)


@pytest.mark.parametrize(
    ("minutes", "accepted"), [(0, False), (1, True), (480, True), (481, False)]
)
def test_minutes_from_one_to_480(referral, navigator, minutes, accepted):
    if accepted:
        assert log(referral, navigator, minutes=minutes).minutes == minutes
    else:
        with pytest.raises(
            WorkflowError, match=exactly("Minutes spent must be between 1 and 480.")
        ):
            log(referral, navigator, minutes=minutes)
        assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (datetime.timedelta(minutes=5), True),
        (datetime.timedelta(minutes=5, seconds=1), False),
    ],
)
def test_up_to_five_minutes_ahead_of_the_clock(referral, navigator, offset, accepted):
    if accepted:
        assert log(referral, navigator, at=NOW + offset)
    else:
        with pytest.raises(
            WorkflowError, match=exactly("The contact cannot be in the future.")
        ):
            log(referral, navigator, at=NOW + offset)
        assert not Encounter.objects.exists()


@pytest.mark.parametrize(
    ("offset", "accepted"),
    [
        (datetime.timedelta(minutes=5), True),
        (datetime.timedelta(minutes=5, seconds=1), False),
    ],
)
def test_up_to_five_minutes_before_the_referral_was_sent(
    referral, navigator, offset, accepted
):
    if accepted:
        assert log(referral, navigator, at=SENT - offset)
    else:
        with pytest.raises(
            WorkflowError,
            match=exactly("The contact cannot be before the referral was sent."),
        ):
            log(referral, navigator, at=SENT - offset)
        assert not Encounter.objects.exists()


def test_an_unknown_mode_is_refused(referral, navigator):
    with pytest.raises(
        WorkflowError, match=exactly("Choose how the contact happened.")
    ):
        log(referral, navigator, mode="pigeon")
    assert not Encounter.objects.exists()


def test_the_first_successful_contact_starts_the_work(referral, navigator):
    log(referral, navigator, at=NOW - datetime.timedelta(hours=5), reached=False)
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED
    assert referral.first_contact_at is None
    assert referral.last_contact_at == NOW - datetime.timedelta(hours=5)
    reached_at = NOW - datetime.timedelta(hours=2)
    log(referral, navigator, at=reached_at)
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    assert referral.first_contact_at == referral.last_contact_at == reached_at
    event = referral.events.get(kind=ReferralEvent.Kind.STATUS)
    assert (event.actor, event.from_status, event.to_status) == (
        navigator,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
    )


def test_a_late_entry_of_an_older_contact_keeps_the_latest(referral, navigator):
    log(referral, navigator, at=NOW)
    log(referral, navigator, at=NOW - datetime.timedelta(days=1))
    referral.refresh_from_db()
    assert referral.last_contact_at == NOW
    assert referral.first_contact_at == NOW
    assert referral.status == Status.IN_PROGRESS
    assert referral.events.filter(kind=ReferralEvent.Kind.STATUS).count() == 1


def test_a_reached_contact_while_on_hold_keeps_it_on_hold(referral, navigator):
    workflow.referral_transition(
        referral=referral, actor=navigator, name="hold", reason_code="waitlisted"
    )
    log(referral, navigator)
    referral.refresh_from_db()
    assert referral.status == Status.ON_HOLD
    assert referral.first_contact_at == NOW
    resumed = workflow.referral_transition(
        referral=referral, actor=navigator, name="resume"
    )
    assert resumed.status == Status.IN_PROGRESS


@pytest.mark.parametrize("who", ["supervisor", "clinic_user"])
def test_only_the_assigned_navigator_logs(referral, who, request, partnership):
    for actor in [request.getfixturevalue(who), UserFactory(role="navigator")]:
        with pytest.raises(PermissionDenied):
            log(referral, actor)
    assert not Encounter.objects.exists()


def test_a_navigator_reassigned_away_cannot_log_from_an_old_page(
    referral, navigator, supervisor, partnership
):
    stale = Referral.objects.get(pk=referral.pk)
    other = UserFactory(role="navigator", organization=partnership.cbo)
    assignment.referral_reassign(
        referral=referral, actor=supervisor, navigator=other, reason="Leave"
    )
    with pytest.raises(PermissionDenied):
        log(stale, navigator)
    assert not Encounter.objects.exists()


@pytest.mark.parametrize("closing", ["complete", "close_unable", "cancel"])
def test_no_contact_once_closed(referral, navigator, clinic_user, closing):
    log(referral, navigator)
    stale = Referral.objects.get(pk=referral.pk)
    actor = clinic_user if closing == "cancel" else navigator
    workflow.referral_transition(
        referral=referral,
        actor=actor,
        name=closing,
        reason_code="other",
        **(closing_of(referral) if closing == "complete" else {}),
    )
    with pytest.raises(
        WorkflowError, match=exactly("Contacts are logged while a referral is worked.")
    ):
        log(stale, navigator)
    assert Encounter.objects.count() == 1


def test_a_contact_without_a_note_has_none(referral, navigator):
    assert log(referral, navigator).note == ""


def test_a_navigator_promoted_to_supervisor_no_longer_logs_as_the_navigator(
    referral, navigator
):
    navigator.role = "supervisor"
    navigator.save()
    with pytest.raises(PermissionDenied):
        log(referral, navigator)
    assert not Encounter.objects.exists()
