"""The state machine: every transition allowed to the right role, refused otherwise."""

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from referrals.models import Pathway, Referral, ReferralEvent
from referrals.services import assignment, workflow
from referrals.services.workflow import TRANSITIONS, WorkflowError
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import (
    assigned_referral,
    closing_of,
    contact_at,
    first_contact,
)

Status = Referral.Status


@pytest.fixture
def submitted(partnership, clinic, clinic_user):
    return ReferralFactory(
        partnership=partnership, clinic=clinic, referred_by=clinic_user
    )


@pytest.fixture
def assigned(submitted, supervisor, navigator):
    return assigned_referral(
        supervisor=supervisor, navigator=navigator, referral=submitted
    )


@pytest.fixture
def in_progress(assigned, navigator):
    return first_contact(assigned, navigator)


def test_supervisor_accepts_a_submitted_referral(submitted, supervisor):
    referral = workflow.referral_transition(
        referral=submitted, actor=supervisor, name="accept"
    )
    assert referral.status == Status.ACCEPTED
    assert referral.accepted_at is not None
    event = referral.events.get()
    assert (event.actor, event.from_status, event.to_status) == (
        supervisor,
        Status.SUBMITTED,
        Status.ACCEPTED,
    )


@pytest.mark.parametrize("role", ["clinic_user", "navigator", "manager"])
def test_only_supervisors_accept(submitted, role, request):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        workflow.referral_transition(referral=submitted, actor=actor, name="accept")
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_supervisor_of_another_cbo_cannot_accept(submitted, outsiders):
    with pytest.raises(PermissionDenied):
        workflow.referral_transition(
            referral=submitted, actor=outsiders["supervisor"], name="accept"
        )


def test_decline_needs_a_reason_from_the_list(submitted, supervisor):
    with pytest.raises(WorkflowError):
        workflow.referral_transition(
            referral=submitted, actor=supervisor, name="decline"
        )
    with pytest.raises(WorkflowError):
        workflow.referral_transition(
            referral=submitted,
            actor=supervisor,
            name="decline",
            reason_code="moved",
        )
    referral = workflow.referral_transition(
        referral=submitted,
        actor=supervisor,
        name="decline",
        reason_code="no_capacity",
        reason="Full until January",
    )
    assert referral.status == Status.DECLINED
    assert referral.closed_at is not None
    assert referral.events.get().reason == "Full until January"


def test_assignment_records_the_navigator(assigned, navigator):
    assert assigned.status == Status.ASSIGNED
    assert assigned.navigator == navigator
    event = assigned.events.get(kind=ReferralEvent.Kind.ASSIGNMENT)
    assert event.navigator == navigator


def test_assigning_a_navigator_of_another_cbo_is_refused(
    submitted, supervisor, outsiders
):
    with pytest.raises(WorkflowError):
        assignment.referral_assign(
            referral=submitted, actor=supervisor, navigator=outsiders["navigator"]
        )


def test_failed_contact_keeps_assigned_successful_one_starts_work(assigned, navigator):
    contact_at(assigned, navigator, timezone.now(), reached=False)
    assert assigned.status == Status.ASSIGNED
    assert assigned.first_contact_at is None
    first_contact(assigned, navigator)
    assert assigned.status == Status.IN_PROGRESS
    assert assigned.first_contact_at is not None


def test_hold_and_resume_return_to_where_work_was(in_progress, navigator):
    held = workflow.referral_transition(
        referral=in_progress, actor=navigator, name="hold", reason_code="waitlisted"
    )
    assert held.status == Status.ON_HOLD
    resumed = workflow.referral_transition(
        referral=held, actor=navigator, name="resume"
    )
    assert resumed.status == Status.IN_PROGRESS


def test_resume_before_any_contact_returns_to_assigned(assigned, navigator):
    held = workflow.referral_transition(
        referral=assigned,
        actor=navigator,
        name="hold",
        reason_code="unreachable_for_now",
    )
    resumed = workflow.referral_transition(
        referral=held, actor=navigator, name="resume"
    )
    assert resumed.status == Status.ASSIGNED


def test_only_the_assigned_navigator_works_the_referral(in_progress, partnership):
    from partners.tests.factories import UserFactory

    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    with pytest.raises(PermissionDenied):
        workflow.referral_transition(
            referral=in_progress,
            actor=colleague,
            name="complete",
            **closing_of(in_progress),
        )


def test_complete_needs_every_pathway_closed(in_progress, navigator):
    from referrals.services import pathways

    pathway = pathways.pathway_open(
        referral=in_progress, actor=navigator, need="food-insecurity", goal="Food"
    )
    with pytest.raises(WorkflowError):
        workflow.referral_transition(
            referral=in_progress,
            actor=navigator,
            name="complete",
            **closing_of(in_progress),
        )
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="")
    done = workflow.referral_transition(
        referral=in_progress,
        actor=navigator,
        name="complete",
        **closing_of(in_progress),
    )
    assert done.status == Status.COMPLETED
    assert Pathway.objects.get(pk=pathway.pk).status == Pathway.Status.COMPLETED


def test_close_unable_records_why(in_progress, navigator):
    closed = workflow.referral_transition(
        referral=in_progress,
        actor=navigator,
        name="close_unable",
        reason_code="unreachable",
        reason="Five calls, two texts, one home visit",
    )
    assert closed.status == Status.UNABLE_TO_COMPLETE
    assert closed.status_reason_code == "unreachable"


def test_clinic_cancels_with_a_reason_but_the_cbo_cannot(
    in_progress, navigator, clinic_user
):
    with pytest.raises(PermissionDenied):
        workflow.referral_transition(
            referral=in_progress,
            actor=navigator,
            name="cancel",
            reason_code="no_longer_needed",
        )
    cancelled = workflow.referral_transition(
        referral=in_progress,
        actor=clinic_user,
        name="cancel",
        reason_code="no_longer_needed",
    )
    assert cancelled.status == Status.CANCELLED


def test_entered_in_error_is_final(submitted, clinic_user, supervisor):
    marked = workflow.referral_transition(
        referral=submitted,
        actor=clinic_user,
        name="enter_in_error",
        reason_code="wrong_patient",
    )
    assert marked.status == Status.ENTERED_IN_ERROR
    with pytest.raises(WorkflowError):
        workflow.referral_transition(referral=marked, actor=supervisor, name="accept")


@pytest.mark.parametrize(
    "name",
    ["accept", "hold", "resume", "complete", "close_unable"],
)
def test_transitions_from_closed_referrals_are_refused(
    submitted, supervisor, navigator, name
):
    declined = workflow.referral_transition(
        referral=submitted,
        actor=supervisor,
        name="decline",
        reason_code="duplicate",
    )
    actor = supervisor if name == "accept" else navigator
    with pytest.raises((WorkflowError, PermissionDenied)):
        workflow.referral_transition(
            referral=declined, actor=actor, name=name, reason_code="other"
        )


def test_a_stale_copy_gets_a_conflict_naming_who_acted(submitted, supervisor):
    stale = Referral.objects.get(pk=submitted.pk)
    workflow.referral_transition(referral=submitted, actor=supervisor, name="accept")
    with pytest.raises(workflow.ReferralConflict) as conflict:
        workflow.referral_transition(
            referral=stale, actor=supervisor, name="decline", reason_code="duplicate"
        )
    assert supervisor.get_full_name() in str(conflict.value)


def test_allowed_transitions_drive_the_buttons(submitted, supervisor, clinic_user):
    assert [
        t.name
        for t in workflow.allowed_transitions(actor=supervisor, referral=submitted)
    ] == [
        "accept",
        "decline",
    ]
    assert [
        t.name
        for t in workflow.allowed_transitions(actor=clinic_user, referral=submitted)
    ] == [
        "cancel",
        "enter_in_error",
    ]


def test_every_transition_target_is_a_status():
    # A reassignment (no target) keeps the status.
    targets = {t.target for t in TRANSITIONS.values()}
    assert targets - {None} <= set(Status.values)


def test_reassign_moves_the_referral_and_needs_a_reason(
    in_progress, supervisor, partnership
):
    from partners.tests.factories import UserFactory

    other = UserFactory(role="navigator", organization=partnership.cbo)
    with pytest.raises(WorkflowError):
        assignment.referral_reassign(
            referral=in_progress, actor=supervisor, navigator=other, reason=" "
        )
    moved = assignment.referral_reassign(
        referral=in_progress, actor=supervisor, navigator=other, reason="Covering leave"
    )
    assert moved.navigator == other
    assert moved.status == Status.IN_PROGRESS
