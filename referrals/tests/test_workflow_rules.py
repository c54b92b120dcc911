"""The state machine at its edges: every transition from every status, every role
a transition names and the ones it doesn't, the moments it records, stale pages."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from partners.tests.factories import OrganizationFactory, UserFactory
from referrals.models import Notification, Referral, ReferralEvent
from referrals.services import assignment, contacts, intake, pathways, workflow
from referrals.services.workflow import ReferralConflict, WorkflowError
from referrals.tests.factories import PatientFactory, ReferralFactory
from referrals.tests.states import closing_of

Status = Referral.Status
UTC = datetime.UTC

# Written out by hand: the table in workflow.py is what these tests check.
SOURCES = {
    "submit": {Status.DRAFT},
    "accept": {Status.SUBMITTED},
    "decline": {Status.SUBMITTED, Status.ACCEPTED},
    "assign": {Status.SUBMITTED, Status.ACCEPTED},
    "start": {Status.ASSIGNED},
    "hold": {Status.ASSIGNED, Status.IN_PROGRESS},
    "resume": {Status.ON_HOLD},
    "complete": {Status.IN_PROGRESS},
    "close_unable": {Status.ASSIGNED, Status.IN_PROGRESS, Status.ON_HOLD},
    "reopen": {Status.COMPLETED, Status.UNABLE_TO_COMPLETE},
    "cancel": {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.ON_HOLD,
    },
    "enter_in_error": set(Status.values) - {Status.ENTERED_IN_ERROR},
}
TARGETS = {
    "submit": Status.SUBMITTED,
    "accept": Status.ACCEPTED,
    "decline": Status.DECLINED,
    "assign": Status.ASSIGNED,
    "start": Status.IN_PROGRESS,
    "hold": Status.ON_HOLD,
    # Reached here only after a first contact, so work goes on where it was.
    "resume": Status.IN_PROGRESS,
    "complete": Status.COMPLETED,
    "close_unable": Status.UNABLE_TO_COMPLETE,
    # Reached here only after a first contact, so work goes on where it was.
    "reopen": Status.IN_PROGRESS,
    "cancel": Status.CANCELLED,
    "enter_in_error": Status.ENTERED_IN_ERROR,
}
REASONS = {
    "decline": "no_capacity",
    "hold": "waitlisted",
    "close_unable": "unreachable",
    "reopen": "need_returned",
    "cancel": "no_longer_needed",
    "enter_in_error": "wrong_patient",
}
CLINIC_SIDE = {"submit", "cancel", "enter_in_error"}
SUPERVISOR_ONLY = {"accept", "decline", "assign", "reopen"}


@pytest.fixture
def cast(partnership, clinic, clinic_user, supervisor, navigator):
    return {
        "partnership": partnership,
        "clinic": clinic,
        "clinic_user": clinic_user,
        "supervisor": supervisor,
        "navigator": navigator,
    }


def draft_for(cast) -> Referral:
    patient = PatientFactory(
        health_system=cast["partnership"].health_system,
        created_by=cast["clinic_user"],
    )
    return intake.referral_save_draft(
        actor=cast["clinic_user"],
        patient=patient,
        data={
            "clinic": cast["clinic"],
            "medical_reasons": ["diabetes"],
            "medical_reason_other": "",
            "social_needs": ["food-insecurity"],
            "urgency": "routine",
            "notes_for_navigator": "",
            "consent_given": True,
        },
    )


def contact(referral, navigator, *, reached=True):
    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=timezone.now(),
        mode="phone",
        reached=reached,
        minutes=10,
    )
    referral.refresh_from_db()
    return referral


def reach(status: str, cast) -> Referral:
    """A referral in ``status``, walked there through the services."""
    if status == Status.DRAFT:
        return draft_for(cast)
    supervisor, navigator = cast["supervisor"], cast["navigator"]
    clinic_user = cast["clinic_user"]
    referral = ReferralFactory(
        partnership=cast["partnership"], clinic=cast["clinic"], referred_by=clinic_user
    )
    closing_early = {
        Status.DECLINED: (supervisor, "decline", "duplicate"),
        Status.CANCELLED: (clinic_user, "cancel", "duplicate"),
        Status.ENTERED_IN_ERROR: (clinic_user, "enter_in_error", "duplicate"),
    }
    if status in closing_early:
        actor, name, reason_code = closing_early[status]
        return workflow.referral_transition(
            referral=referral, actor=actor, name=name, reason_code=reason_code
        )
    if status == Status.SUBMITTED:
        return referral
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    if status == Status.ACCEPTED:
        return referral
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    if status == Status.ASSIGNED:
        return referral
    contact(referral, navigator)
    later = {
        Status.ON_HOLD: ("hold", "waitlisted"),
        Status.COMPLETED: ("complete", ""),
        Status.UNABLE_TO_COMPLETE: ("close_unable", "moved"),
    }
    if status in later:
        name, reason_code = later[status]
        workflow.referral_transition(
            referral=referral,
            actor=navigator,
            name=name,
            reason_code=reason_code,
            **(closing_of(referral) if name == "complete" else {}),
        )
    return referral


def act(name: str, referral: Referral, actor, cast) -> Referral:
    if name == "assign":
        return assignment.referral_assign(
            referral=referral, actor=actor, navigator=cast["navigator"]
        )
    if name in {"submit", "start"}:
        return workflow.apply_transition(referral=referral, actor=actor, name=name)
    return workflow.referral_transition(
        referral=referral,
        actor=actor,
        name=name,
        reason_code=REASONS.get(name, ""),
        **(closing_of(referral) if name == "complete" else {}),
    )


def outcome(name: str, referral_pk: int, actor, cast) -> str:
    """The status the transition leads to, or how it was refused; always undone."""
    referral = Referral.objects.get(pk=referral_pk)
    events = referral.events.count()
    try:
        with transaction.atomic():
            moved = act(name, referral, actor, cast)
            transaction.set_rollback(True)
            return moved.status
    except PermissionDenied:
        result = "forbidden"
    except WorkflowError as refusal:
        result = f"refused: {refusal}"
    unchanged = Referral.objects.get(pk=referral_pk)
    assert (unchanged.status, unchanged.version) == (
        referral.status,
        referral.version,
    )
    assert unchanged.events.count() == events
    return result


def default_actor(name: str, cast):
    if name in CLINIC_SIDE:
        return cast["clinic_user"]
    return cast["supervisor"]


@pytest.mark.parametrize("status", Status.values)
def test_each_transition_from_each_status(status, cast):
    referral = reach(status, cast)
    assert referral.status == status
    label = Status(status).label
    refusal = f"refused: This referral is “{label}”: it cannot be changed that way now."
    seen = {
        name: outcome(name, referral.pk, default_actor(name, cast), cast)
        for name in TARGETS
    }
    expected = {
        name: TARGETS[name] if status in SOURCES[name] else refusal for name in TARGETS
    }
    assert seen == expected


ROLE_CHECK_FROM = {
    "submit": Status.DRAFT,
    "accept": Status.SUBMITTED,
    "decline": Status.ACCEPTED,
    "assign": Status.ACCEPTED,
    "start": Status.ASSIGNED,
    "hold": Status.IN_PROGRESS,
    "resume": Status.ON_HOLD,
    "complete": Status.IN_PROGRESS,
    "close_unable": Status.ON_HOLD,
    "reopen": Status.COMPLETED,
    "cancel": Status.ASSIGNED,
    "enter_in_error": Status.IN_PROGRESS,
}


@pytest.mark.parametrize("name", list(ROLE_CHECK_FROM))
def test_only_the_roles_a_transition_names_may_make_it(
    name, cast, manager, administrator, outsiders
):
    referral = reach(ROLE_CHECK_FROM[name], cast)
    colleague = UserFactory(
        role="navigator", organization=cast["partnership"].cbo, first_name="Colleague"
    )
    actors = {
        "clinic staff": cast["clinic_user"],
        "supervisor": cast["supervisor"],
        "assigned navigator": cast["navigator"],
        "other navigator of the CBO": colleague,
        "program manager": manager,
        "administrator": administrator,
        **{f"outsider {role}": user for role, user in outsiders.items()},
    }
    if name in CLINIC_SIDE:
        allowed = {"clinic staff"}
    elif name in SUPERVISOR_ONLY:
        allowed = {"supervisor"}
    else:
        allowed = {"supervisor", "assigned navigator"}
    seen = {who: outcome(name, referral.pk, user, cast) for who, user in actors.items()}
    assert seen == {
        who: TARGETS[name] if who in allowed else "forbidden" for who in actors
    }


def test_a_navigator_who_moved_to_another_organization_cannot_work_the_referral(
    cast,
):
    referral = reach(Status.IN_PROGRESS, cast)
    navigator = cast["navigator"]
    navigator.organization = OrganizationFactory(kind="cbo")
    navigator.save()
    assert outcome("hold", referral.pk, navigator, cast) == "forbidden"
    assert workflow.allowed_transitions(actor=navigator, referral=referral) == []


def test_clinic_staff_of_another_health_system_of_the_same_cbo_cannot_cancel(cast):
    referral = reach(Status.SUBMITTED, cast)
    stranger = UserFactory(role="clinic_staff", organization=OrganizationFactory())
    assert outcome("cancel", referral.pk, stranger, cast) == "forbidden"


@pytest.mark.parametrize(
    ("name", "status", "wrong_reason"),
    [
        ("decline", Status.SUBMITTED, "waitlisted"),
        ("hold", Status.IN_PROGRESS, "unreachable"),
        ("close_unable", Status.IN_PROGRESS, "waitlisted"),
        ("cancel", Status.SUBMITTED, "wrong_patient"),
        ("enter_in_error", Status.SUBMITTED, "no_longer_needed"),
    ],
)
def test_a_reason_of_another_transition_is_refused(name, status, wrong_reason, cast):
    referral = reach(status, cast)
    actor = default_actor(name, cast)
    for reason_code in ["", wrong_reason]:
        with pytest.raises(WorkflowError, match=r"^Choose a reason\.$"):
            workflow.referral_transition(
                referral=referral, actor=actor, name=name, reason_code=reason_code
            )
    referral.refresh_from_db()
    assert referral.status == status
    assert referral.status_reason_code != wrong_reason


def test_every_listed_reason_is_accepted(cast):
    listed = {
        "decline": (
            Status.SUBMITTED,
            [
                "no_capacity",
                "out_of_scope",
                "out_of_area",
                "not_eligible",
                "unreachable",
                "duplicate",
                "other",
            ],
        ),
        "hold": (
            Status.IN_PROGRESS,
            ["waitlisted", "unreachable_for_now", "patient_request", "other"],
        ),
        "close_unable": (
            Status.ON_HOLD,
            ["unreachable", "patient_declined", "not_eligible", "moved", "other"],
        ),
        "cancel": (
            Status.ACCEPTED,
            ["no_longer_needed", "duplicate", "patient_declined", "other"],
        ),
        "reopen": (
            Status.COMPLETED,
            ["need_returned", "closed_too_early", "patient_asked_again", "other"],
        ),
        "enter_in_error": (Status.COMPLETED, ["wrong_patient", "duplicate", "other"]),
    }
    for name, (status, codes) in listed.items():
        referral = reach(status, cast)
        for code in codes:
            with transaction.atomic():
                moved = workflow.referral_transition(
                    referral=Referral.objects.get(pk=referral.pk),
                    actor=default_actor(name, cast),
                    name=name,
                    reason_code=code,
                )
                assert (moved.status, moved.status_reason_code) == (
                    TARGETS[name],
                    code,
                )
                transaction.set_rollback(True)


def test_transitions_without_a_reason_need_none(cast):
    referral = reach(Status.SUBMITTED, cast)
    accepted = workflow.referral_transition(
        referral=referral, actor=cast["supervisor"], name="accept"
    )
    assert accepted.status == Status.ACCEPTED
    assert accepted.status_reason_code == ""
    assert [t.needs_reason for t in workflow.TRANSITIONS.values()] == [
        name in REASONS for name in workflow.TRANSITIONS
    ]


def test_an_unknown_or_automatic_action_is_refused_by_name(cast):
    referral = reach(Status.ASSIGNED, cast)
    for name in ["start", "assign", "submit", "delete"]:
        with pytest.raises(WorkflowError, match=r"^Unknown action\.$"):
            workflow.referral_transition(
                referral=referral, actor=cast["supervisor"], name=name
            )
    referral.refresh_from_db()
    assert referral.status == Status.ASSIGNED


def test_the_referral_records_each_moment_and_reason(cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False)
    referral = draft_for(cast)
    assert referral.version == 0
    submitted = intake.referral_submit(actor=cast["clinic_user"], referral=referral)
    t_submit = timezone.now()
    assert (submitted.submitted_at, submitted.status_changed_at) == (t_submit, t_submit)
    assert (submitted.accepted_at, submitted.assigned_at, submitted.closed_at) == (
        None,
        None,
        None,
    )
    assert submitted.version == 1
    assert (submitted.status_reason_code, submitted.status_reason) == ("", "")

    time_machine.shift(datetime.timedelta(hours=2))
    accepted = workflow.referral_transition(
        referral=submitted, actor=cast["supervisor"], name="accept"
    )
    t_accept = timezone.now()
    assert accepted.accepted_at == t_accept
    assert accepted.submitted_at == t_submit
    assert accepted.updated == t_accept
    assert accepted.version == 2

    time_machine.shift(datetime.timedelta(hours=3))
    assigned = assignment.referral_assign(
        referral=accepted, actor=cast["supervisor"], navigator=cast["navigator"]
    )
    t_assign = timezone.now()
    assert (assigned.accepted_at, assigned.assigned_at) == (t_accept, t_assign)
    assert assigned.status_changed_at == t_assign
    assert assigned.closed_at is None
    assert (assigned.status_reason_code, assigned.status_reason) == ("", "")
    assigned_event = assigned.events.get(kind=ReferralEvent.Kind.ASSIGNMENT)
    assert (assigned_event.reason_code, assigned_event.reason) == ("", "")

    time_machine.shift(datetime.timedelta(days=1))
    held = workflow.referral_transition(
        referral=assigned,
        actor=cast["navigator"],
        name="hold",
        reason_code="patient_request",
        reason="  Back from Mexico in May  ",
    )
    assert held.closed_at is None
    assert (held.assigned_at, held.accepted_at) == (t_assign, t_accept)
    assert (held.status_reason_code, held.status_reason) == (
        "patient_request",
        "Back from Mexico in May",
    )
    event = held.events.order_by("-pk").first()
    assert (event.kind, event.actor, event.from_status, event.to_status) == (
        ReferralEvent.Kind.STATUS,
        cast["navigator"],
        Status.ASSIGNED,
        Status.ON_HOLD,
    )
    assert (event.reason_code, event.reason) == (
        "patient_request",
        "Back from Mexico in May",
    )

    time_machine.shift(datetime.timedelta(days=30))
    resumed = workflow.referral_transition(
        referral=held, actor=cast["navigator"], name="resume"
    )
    assert (resumed.status_reason_code, resumed.status_reason) == ("", "")
    time_machine.shift(datetime.timedelta(hours=1))
    closed = workflow.referral_transition(
        referral=resumed,
        actor=cast["navigator"],
        name="close_unable",
        reason_code="moved",
    )
    assert closed.closed_at == timezone.now()
    assert closed.version == 6


def test_assigning_straight_from_the_inbox_also_accepts(cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False)
    referral = reach(Status.SUBMITTED, cast)
    assigned = assignment.referral_assign(
        referral=referral, actor=cast["supervisor"], navigator=cast["navigator"]
    )
    assert assigned.accepted_at == assigned.assigned_at == timezone.now()
    event = assigned.events.get()
    assert (event.kind, event.navigator, event.from_status, event.to_status) == (
        ReferralEvent.Kind.ASSIGNMENT,
        cast["navigator"],
        Status.SUBMITTED,
        Status.ASSIGNED,
    )


@pytest.mark.parametrize(
    ("status", "closes"),
    [
        (Status.COMPLETED, True),
        (Status.UNABLE_TO_COMPLETE, True),
        (Status.DECLINED, True),
        (Status.CANCELLED, True),
        (Status.ENTERED_IN_ERROR, True),
        (Status.ON_HOLD, False),
        (Status.IN_PROGRESS, False),
        (Status.ACCEPTED, False),
    ],
)
def test_a_closing_status_records_when_it_closed(status, closes, cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False)
    referral = reach(status, cast)
    assert (referral.closed_at == timezone.now()) is closes
    assert (referral.closed_at is None) is not closes


def test_the_clinic_hears_of_a_completed_referral_and_the_navigator_of_assignment(
    cast,
):
    referral = reach(Status.IN_PROGRESS, cast)
    assert Notification.objects.filter(
        recipient=cast["navigator"], kind=Notification.Kind.ASSIGNED_TO_YOU
    ).exists()
    workflow.referral_transition(
        referral=referral,
        actor=cast["navigator"],
        name="complete",
        **closing_of(referral),
    )
    closed = Notification.objects.get(
        recipient=cast["clinic_user"], kind=Notification.Kind.REFERRAL_CLOSED
    )
    assert closed.referral == referral


def test_complete_is_hidden_and_refused_while_a_pathway_is_open(cast):
    referral = reach(Status.IN_PROGRESS, cast)
    navigator = cast["navigator"]
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food box"
    )
    names = [
        t.name for t in workflow.allowed_transitions(actor=navigator, referral=referral)
    ]
    assert names == ["hold", "close_unable"]
    assert outcome("complete", referral.pk, navigator, cast) == (
        "refused: Close or finish every open pathway before closing the referral."
    )
    # Closing unable to complete is still possible with an open pathway.
    assert outcome("close_unable", referral.pk, navigator, cast) == (
        Status.UNABLE_TO_COMPLETE
    )
    pathways.pathway_close(
        pathway=pathway, actor=navigator, completed=False, note="Moved"
    )
    names = [
        t.name for t in workflow.allowed_transitions(actor=navigator, referral=referral)
    ]
    assert names == ["hold", "complete", "close_unable"]


@pytest.mark.parametrize(
    ("status", "who", "buttons"),
    [
        (Status.SUBMITTED, "supervisor", ["accept", "decline"]),
        (Status.ACCEPTED, "supervisor", ["decline"]),
        (Status.ASSIGNED, "navigator", ["hold", "close_unable"]),
        (Status.IN_PROGRESS, "navigator", ["hold", "complete", "close_unable"]),
        (Status.IN_PROGRESS, "supervisor", ["hold", "complete", "close_unable"]),
        (Status.ON_HOLD, "navigator", ["resume", "close_unable"]),
        (Status.ON_HOLD, "clinic_user", ["cancel", "enter_in_error"]),
        (Status.COMPLETED, "clinic_user", ["enter_in_error"]),
        (Status.COMPLETED, "navigator", []),
        (Status.COMPLETED, "supervisor", ["reopen"]),
        (Status.UNABLE_TO_COMPLETE, "supervisor", ["reopen"]),
        (Status.DECLINED, "supervisor", []),
        (Status.DRAFT, "clinic_user", ["enter_in_error"]),
        (Status.ENTERED_IN_ERROR, "clinic_user", []),
    ],
)
def test_the_buttons_offered_match_the_rules(status, who, buttons, cast):
    referral = reach(status, cast)
    offered = workflow.allowed_transitions(actor=cast[who], referral=referral)
    assert [t.name for t in offered] == buttons


def test_people_outside_the_referral_are_offered_nothing(
    cast, manager, administrator, outsiders
):
    referral = reach(Status.IN_PROGRESS, cast)
    colleague = UserFactory(role="navigator", organization=cast["partnership"].cbo)
    for person in [manager, administrator, colleague, *outsiders.values()]:
        assert workflow.allowed_transitions(actor=person, referral=referral) == []


def test_a_stale_page_is_told_who_acted_first_and_when(cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 17, 5, tzinfo=UTC), tick=False)
    referral = reach(Status.SUBMITTED, cast)
    seen_version = referral.version
    workflow.referral_transition(
        referral=referral, actor=cast["supervisor"], name="accept"
    )
    time_machine.shift(datetime.timedelta(minutes=1))
    other_supervisor = UserFactory(
        role="supervisor",
        organization=cast["partnership"].cbo,
        first_name="Olga",
        last_name="Ortiz",
    )
    with pytest.raises(ReferralConflict) as conflict:
        workflow.referral_transition(
            referral=referral,
            actor=other_supervisor,
            name="decline",
            reason_code="duplicate",
            expected_version=seen_version,
        )
    # 17:05 UTC is 9:05 in the partnership's Pacific time.
    assert str(conflict.value) == (
        f"{cast['supervisor'].get_full_name()} changed this referral at "
        "March 2, 2026, 9:05 a.m., before you. Reload the page to see what they did."
    )
    referral.refresh_from_db()
    assert (referral.status, referral.version) == (Status.ACCEPTED, seen_version + 1)
    assert referral.events.count() == 1


def test_the_conflict_names_the_latest_actor(cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False)
    referral = reach(Status.ACCEPTED, cast)
    time_machine.shift(datetime.timedelta(minutes=10))
    workflow.referral_transition(
        referral=referral,
        actor=cast["clinic_user"],
        name="cancel",
        reason_code="duplicate",
    )
    error = workflow.conflict_for(referral)
    assert cast["clinic_user"].get_full_name() in str(error)
    assert cast["supervisor"].get_full_name() not in str(error)
    assert "9:10 a.m." in str(error)


def test_the_conflict_names_the_latest_actor_of_the_same_moment(cast, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False)
    referral = reach(Status.ACCEPTED, cast)
    workflow.referral_transition(
        referral=referral,
        actor=cast["clinic_user"],
        name="cancel",
        reason_code="duplicate",
    )
    error = str(workflow.conflict_for(referral))
    assert cast["clinic_user"].get_full_name() in error
    assert cast["supervisor"].get_full_name() not in error


def test_a_stale_page_without_any_event_is_told_to_reload(cast):
    referral = reach(Status.SUBMITTED, cast)
    with pytest.raises(ReferralConflict) as conflict:
        workflow.referral_transition(
            referral=referral,
            actor=cast["supervisor"],
            name="accept",
            expected_version=referral.version + 1,
        )
    assert str(conflict.value) == (
        "Someone else changed this referral. Reload the page to see it."
    )
    referral.refresh_from_db()
    assert referral.status == Status.SUBMITTED


def test_a_copy_read_before_someone_acted_loses_to_them(cast):
    referral = reach(Status.IN_PROGRESS, cast)
    stale = Referral.objects.get(pk=referral.pk)
    workflow.referral_transition(
        referral=referral,
        actor=cast["clinic_user"],
        name="cancel",
        reason_code="duplicate",
    )
    with pytest.raises(ReferralConflict, match=cast["clinic_user"].get_full_name()):
        workflow.referral_transition(
            referral=stale, actor=cast["navigator"], name="hold", reason_code="other"
        )
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert referral.events.filter(to_status=Status.ON_HOLD).count() == 0


def test_a_copy_read_before_a_reassignment_loses_to_it(cast):
    referral = reach(Status.IN_PROGRESS, cast)
    stale = Referral.objects.get(pk=referral.pk)
    other_supervisor = UserFactory(
        role="supervisor", organization=cast["partnership"].cbo, first_name="Olga"
    )
    colleague = UserFactory(role="navigator", organization=cast["partnership"].cbo)
    assignment.referral_reassign(
        referral=referral, actor=other_supervisor, navigator=colleague, reason="Leave"
    )
    with pytest.raises(ReferralConflict, match=other_supervisor.get_full_name()):
        workflow.referral_transition(
            referral=stale, actor=cast["supervisor"], name="hold", reason_code="other"
        )
    referral.refresh_from_db()
    assert (referral.status, referral.navigator) == (Status.IN_PROGRESS, colleague)


def test_explaining_a_conflict_reads_the_event_and_its_actor_at_once(
    cast, django_assert_num_queries
):
    referral = reach(Status.ACCEPTED, cast)
    # One query: the newest event joined to its actor.
    with django_assert_num_queries(1):
        message = str(workflow.conflict_for(referral))
    assert cast["supervisor"].get_full_name() in message


def test_a_current_version_is_accepted(cast):
    referral = reach(Status.SUBMITTED, cast)
    accepted = workflow.referral_transition(
        referral=referral,
        actor=cast["supervisor"],
        name="accept",
        expected_version=referral.version,
    )
    assert accepted.status == Status.ACCEPTED


class TestMessages:
    def test_each_side_writes_on_the_timeline(self, cast):
        referral = reach(Status.ASSIGNED, cast)
        for who in ["clinic_user", "supervisor", "navigator"]:
            event = workflow.referral_message_add(
                referral=referral, actor=cast[who], text=f"  From {who}  "
            )
            assert (event.kind, event.actor, event.reason) == (
                ReferralEvent.Kind.MESSAGE,
                cast[who],
                f"From {who}",
            )

    def test_a_navigator_it_is_shared_with_may_write(self, cast):
        referral = reach(Status.ASSIGNED, cast)
        colleague = UserFactory(role="navigator", organization=cast["partnership"].cbo)
        with pytest.raises(PermissionDenied):
            workflow.referral_message_add(
                referral=referral, actor=colleague, text="Hello"
            )
        assignment.referral_share(
            referral=referral, actor=cast["supervisor"], navigator=colleague
        )
        event = workflow.referral_message_add(
            referral=referral, actor=colleague, text="I speak Mam"
        )
        assert event.actor == colleague

    def test_a_shared_supervisor_of_another_cbo_may_not_write(self, cast, outsiders):
        referral = reach(Status.ASSIGNED, cast)
        referral.shared_with.add(outsiders["supervisor"])
        with pytest.raises(PermissionDenied):
            workflow.referral_message_add(
                referral=referral, actor=outsiders["supervisor"], text="Hi"
            )

    def test_an_empty_message_is_refused(self, cast):
        referral = reach(Status.SUBMITTED, cast)
        with pytest.raises(WorkflowError, match=r"^Write a message first\.$"):
            workflow.referral_message_add(
                referral=referral, actor=cast["clinic_user"], text="   "
            )
        assert referral.events.count() == 0

    def test_nobody_writes_on_a_draft_or_from_outside(self, cast, outsiders, manager):
        draft = reach(Status.DRAFT, cast)
        with pytest.raises(PermissionDenied):
            workflow.referral_message_add(
                referral=draft, actor=cast["clinic_user"], text="Note"
            )
        submitted = reach(Status.SUBMITTED, cast)
        for stranger in [manager, outsiders["clinic_staff"], outsiders["navigator"]]:
            with pytest.raises(PermissionDenied):
                workflow.referral_message_add(
                    referral=submitted, actor=stranger, text="Hi"
                )
        assert submitted.events.count() == 0
