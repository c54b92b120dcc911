"""Pathways at their edges: when one may be opened, who works it, the lock once a
supervisor approves it, and the return for more work."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from partners.tests.factories import UserFactory
from referrals.models import (
    Notification,
    Pathway,
    PathwayStep,
    ReferralEvent,
    ResourceOrganization,
    ResourceService,
)
from referrals.pathways import default_steps_for
from referrals.services import assignment, contacts, pathways, workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.factories import ReferralFactory

Status = Pathway.Status
UTC = datetime.UTC


def exactly(message: str) -> str:
    return f"^{re.escape(message)}$"


LOCKED = exactly("This pathway is approved and locked.")
CLOSED = exactly("This pathway is closed and can no longer be changed.")


@pytest.fixture
def referral(partnership, clinic, clinic_user, supervisor, navigator):
    referral = ReferralFactory(
        partnership=partnership, clinic=clinic, referred_by=clinic_user
    )
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


@pytest.fixture
def pathway(referral, navigator):
    return pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )


def service_of(owner, status="active"):
    organization, _ = ResourceOrganization.objects.get_or_create(
        directory_owner=owner, name="Pantry org"
    )
    return ResourceService.objects.create(
        organization=organization,
        name=f"Pantry {status}",
        needs=["food-insecurity"],
        languages=["es"],
        status=status,
    )


def approved(pathway, navigator, supervisor):
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="")
    return pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)


def edits(pathway, actor, partnership):
    step = pathway.steps.first()
    service = service_of(partnership.cbo)
    return {
        "toggle": lambda: pathways.pathway_step_toggle(
            pathway=pathway, actor=actor, step=step
        ),
        "add": lambda: pathways.pathway_step_add(
            pathway=pathway, actor=actor, title="Call"
        ),
        "link": lambda: pathways.pathway_resource_link(
            pathway=pathway, actor=actor, service=service
        ),
        "close": lambda: pathways.pathway_close(
            pathway=pathway, actor=actor, completed=False, note="Moved"
        ),
    }


class TestOpening:
    def test_opens_with_its_default_steps_in_order(
        self, referral, supervisor, time_machine
    ):
        opened = pathways.pathway_open(
            referral=referral,
            actor=supervisor,
            need="housing-instability",
            goal="  Stable housing  ",
        )
        assert opened.need == "housing-instability"
        assert (opened.kind, opened.goal, opened.opened_by) == (
            "housing",
            "Stable housing",
            supervisor,
        )
        steps = list(opened.steps.order_by("position"))
        assert [s.title for s in steps] == default_steps_for("housing")
        assert [s.position for s in steps] == list(range(1, len(steps) + 1))
        event = referral.events.get(kind=ReferralEvent.Kind.PATHWAY)
        assert (event.actor, event.pathway, event.reason_code) == (
            supervisor,
            opened,
            "opened",
        )

    @pytest.mark.parametrize("working", ["assigned", "in_progress", "on_hold"])
    def test_while_the_referral_is_worked(self, referral, navigator, working):
        if working != "assigned":
            contacts.encounter_log(
                referral=referral,
                actor=navigator,
                occurred_at=timezone.now(),
                mode="phone",
                reached=True,
                minutes=5,
            )
            referral.refresh_from_db()
        if working == "on_hold":
            workflow.referral_transition(
                referral=referral, actor=navigator, name="hold", reason_code="other"
            )
        assert referral.status == working
        assert pathways.pathway_open(
            referral=referral, actor=navigator, need="stress", goal="Calm"
        )

    def test_not_before_assignment_nor_after_closing(
        self, partnership, supervisor, navigator, clinic_user, referral
    ):
        waiting = ReferralFactory(partnership=partnership)
        workflow.referral_transition(referral=waiting, actor=supervisor, name="accept")
        cancelled = workflow.referral_transition(
            referral=referral,
            actor=clinic_user,
            name="cancel",
            reason_code="other",
        )
        for closed_or_waiting in [waiting, cancelled]:
            with pytest.raises(
                WorkflowError,
                match=exactly("Pathways are opened while a referral is worked."),
            ):
                pathways.pathway_open(
                    referral=closed_or_waiting,
                    actor=supervisor,
                    need="stress",
                    goal="Calm",
                )
        assert not Pathway.objects.exists()

    @pytest.mark.parametrize(
        ("need", "kind", "goal", "message"),
        [
            ("rent", "", "Goal", exactly("Choose the need this pathway answers.")),
            ("stress", "astrology", "Goal", exactly("Choose a pathway.")),
            ("stress", "", "   ", exactly("Write the goal of the pathway.")),
        ],
    )
    def test_bad_input_is_refused(self, referral, navigator, need, kind, goal, message):
        with pytest.raises(WorkflowError, match=message):
            pathways.pathway_open(
                referral=referral, actor=navigator, need=need, goal=goal, kind=kind
            )
        assert not Pathway.objects.exists()

    def test_a_second_open_pathway_of_a_kind_is_refused_by_name(
        self, referral, navigator, pathway
    ):
        with pytest.raises(
            WorkflowError,
            match=exactly("A Food security pathway is already open for this referral."),
        ):
            pathways.pathway_open(
                referral=referral,
                actor=navigator,
                need="food-insecurity",
                goal="Again",
            )
        assert Pathway.objects.count() == 1

    def test_strangers_cannot_open(self, referral, outsiders, clinic_user, partnership):
        colleague = UserFactory(role="navigator", organization=partnership.cbo)
        for stranger in [outsiders["supervisor"], clinic_user, colleague]:
            with pytest.raises(PermissionDenied):
                pathways.pathway_open(
                    referral=referral, actor=stranger, need="stress", goal="Calm"
                )


class TestWorking:
    def test_ticking_a_step_records_who_and_when(
        self, pathway, supervisor, time_machine
    ):
        time_machine.move_to(
            datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False
        )
        step = pathway.steps.order_by("position").first()
        done = pathways.pathway_step_toggle(
            pathway=pathway, actor=supervisor, step=step
        )
        step.refresh_from_db()
        assert (step.done_at, step.done_by) == (timezone.now(), supervisor)
        assert done.done_by == supervisor
        pathways.pathway_step_toggle(pathway=pathway, actor=supervisor, step=step)
        step.refresh_from_db()
        assert (step.done_at, step.done_by) == (None, None)

    def test_an_added_step_goes_last_and_is_trimmed(self, pathway, navigator):
        last = pathway.steps.order_by("-position").first().position
        step = pathways.pathway_step_add(
            pathway=pathway, actor=navigator, title="  Call WIC  "
        )
        assert (step.title, step.position) == ("Call WIC", last + 1)

    def test_the_first_step_of_an_empty_pathway_is_number_one(self, pathway, navigator):
        pathway.steps.all().delete()
        step = pathways.pathway_step_add(pathway=pathway, actor=navigator, title="A")
        assert step.position == 1

    def test_a_blank_step_is_refused(self, pathway, navigator):
        before = pathway.steps.count()
        with pytest.raises(WorkflowError, match=exactly("Write the step first.")):
            pathways.pathway_step_add(pathway=pathway, actor=navigator, title="  ")
        assert pathway.steps.count() == before

    def test_a_temporarily_closed_service_can_still_be_linked_once(
        self, pathway, navigator, partnership
    ):
        service = service_of(partnership.cbo, status="temporarily closed")
        link = pathways.pathway_resource_link(
            pathway=pathway, actor=navigator, service=service, note="  Opens May  "
        )
        assert (link.note, link.linked_by, link.service) == (
            "Opens May",
            navigator,
            service,
        )
        with pytest.raises(
            WorkflowError,
            match=exactly("This resource is already linked to the pathway."),
        ):
            pathways.pathway_resource_link(
                pathway=pathway, actor=navigator, service=service
            )
        assert pathway.resource_links.count() == 1

    @pytest.mark.parametrize("status", ["inactive", "defunct"])
    def test_a_service_no_longer_offered_cannot_be_linked(
        self, pathway, navigator, partnership, status
    ):
        with pytest.raises(
            WorkflowError, match=exactly("This service is no longer offered.")
        ):
            pathways.pathway_resource_link(
                pathway=pathway,
                actor=navigator,
                service=service_of(partnership.cbo, status=status),
            )
        assert not pathway.resource_links.exists()

    def test_people_outside_the_work_cannot_edit(
        self, pathway, partnership, clinic_user, outsiders
    ):
        colleague = UserFactory(role="navigator", organization=partnership.cbo)
        for stranger in [clinic_user, colleague, outsiders["supervisor"]]:
            for name, edit in edits(pathway, stranger, partnership).items():
                with pytest.raises(PermissionDenied):
                    edit()
                pathway.refresh_from_db()
                assert pathway.status == Status.OPEN, name

    def test_a_step_of_another_pathway_is_refused(self, pathway, navigator, referral):
        other = pathways.pathway_open(
            referral=referral, actor=navigator, need="stress", goal="Calm"
        )
        with pytest.raises(PermissionDenied):
            pathways.pathway_step_toggle(
                pathway=pathway, actor=navigator, step=other.steps.first()
            )


class TestClosing:
    def test_completed_waits_for_the_supervisors(
        self, pathway, navigator, supervisor, partnership, time_machine
    ):
        time_machine.move_to(
            datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False
        )
        other_supervisor = UserFactory(role="supervisor", organization=partnership.cbo)
        closed = pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=True, note="  SNAP  "
        )
        assert (closed.status, closed.outcome_note) == (Status.COMPLETED, "SNAP")
        assert (closed.closed_by, closed.closed_at) == (navigator, timezone.now())
        event = pathway.referral.events.filter(pathway=pathway).order_by("-pk")[0]
        assert event.kind == ReferralEvent.Kind.PATHWAY
        assert (event.reason_code, event.reason, event.actor) == (
            Status.COMPLETED,
            "SNAP",
            navigator,
        )
        told = Notification.objects.filter(kind=Notification.Kind.PATHWAY_TO_APPROVE)
        assert {n.recipient for n in told} == {supervisor, other_supervisor}
        assert {n.referral for n in told} == {pathway.referral}
        assert {n.link for n in told} == {
            reverse("referrals:pathway-detail", args=[pathway.code])
        }

    def test_incomplete_needs_a_reason_and_asks_no_approval(self, pathway, navigator):
        with pytest.raises(
            WorkflowError, match=exactly("Say why the pathway could not be completed.")
        ):
            pathways.pathway_close(
                pathway=pathway, actor=navigator, completed=False, note="   "
            )
        pathway.refresh_from_db()
        assert pathway.status == Status.OPEN
        closed = pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=False, note="Moved away"
        )
        assert (closed.status, closed.outcome_note) == (Status.INCOMPLETE, "Moved away")
        assert not Notification.objects.filter(
            kind=Notification.Kind.PATHWAY_TO_APPROVE
        ).exists()

    def test_a_closed_pathway_is_closed_for_edits(
        self, pathway, navigator, partnership
    ):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=False, note="Moved"
        )
        for name, edit in edits(pathway, navigator, partnership).items():
            with pytest.raises(WorkflowError, match=CLOSED):
                edit()
            assert pathway.steps.count() == len(default_steps_for(pathway.kind)), name

    def test_closing_from_a_stale_page_is_refused(self, pathway, navigator, supervisor):
        stale = Pathway.objects.get(pk=pathway.pk)
        pathways.pathway_close(
            pathway=pathway, actor=supervisor, completed=False, note="Moved"
        )
        with pytest.raises(
            WorkflowError, match=exactly("Someone else closed this pathway first.")
        ):
            pathways.pathway_close(
                pathway=stale, actor=navigator, completed=True, note=""
            )
        pathway.refresh_from_db()
        assert (pathway.status, pathway.closed_by) == (Status.INCOMPLETE, supervisor)

    def test_editing_from_a_stale_page_is_refused(
        self, pathway, navigator, supervisor, partnership
    ):
        stale = Pathway.objects.get(pk=pathway.pk)
        pathways.pathway_close(
            pathway=pathway, actor=supervisor, completed=False, note="Moved"
        )
        for name, edit in edits(stale, navigator, partnership).items():
            if name == "close":
                continue
            with pytest.raises(
                WorkflowError,
                match=exactly("This pathway was closed meanwhile. Reload the page."),
            ):
                edit()
        assert not stale.resource_links.exists()
        assert not PathwayStep.objects.filter(title="Call").exists()
        assert not stale.steps.filter(done_at__isnull=False).exists()


class TestReview:
    def test_approval_locks_it_for_everyone(
        self, pathway, navigator, supervisor, partnership, time_machine
    ):
        time_machine.move_to(
            datetime.datetime(2027, 3, 2, 17, 0, tzinfo=UTC), tick=False
        )
        done = approved(pathway, navigator, supervisor)
        assert (done.status, done.approved_by, done.approved_at) == (
            Status.APPROVED,
            supervisor,
            timezone.now(),
        )
        event = pathway.referral.events.filter(pathway=pathway).order_by("-pk")[0]
        assert event.kind == ReferralEvent.Kind.PATHWAY
        assert (event.reason_code, event.actor) == ("approved", supervisor)
        for actor in [navigator, supervisor]:
            for name, edit in edits(pathway, actor, partnership).items():
                with pytest.raises(WorkflowError, match=LOCKED):
                    edit()
                pathway.refresh_from_db()
                assert pathway.status == Status.APPROVED, name
        with pytest.raises(
            WorkflowError,
            match=exactly("This pathway is not waiting for approval any more."),
        ):
            pathways.pathway_review(
                pathway=pathway, actor=supervisor, approve=False, note="Redo"
            )
        assert pathways.pathway_permissions(actor=supervisor, pathway=pathway) == {
            "can_edit": False,
            "can_close": False,
            "can_review": False,
        }

    def test_returning_reopens_with_the_note(self, pathway, navigator, supervisor):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=True, note=""
        )
        with pytest.raises(
            WorkflowError, match=exactly("Tell the navigator what is missing.")
        ):
            pathways.pathway_review(
                pathway=pathway, actor=supervisor, approve=False, note="  "
            )
        pathway.refresh_from_db()
        assert pathway.status == Status.COMPLETED
        returned = pathways.pathway_review(
            pathway=pathway, actor=supervisor, approve=False, note="  Need proof  "
        )
        assert (returned.status, returned.closed_by, returned.closed_at) == (
            Status.OPEN,
            None,
            None,
        )
        assert returned.approved_by is None
        event = pathway.referral.events.filter(pathway=pathway).order_by("-pk")[0]
        assert (event.reason_code, event.reason) == ("returned", "Need proof")
        assert pathways.pathway_step_add(pathway=returned, actor=navigator, title="B")

    def test_an_approval_needs_no_note(self, pathway, navigator, supervisor):
        assert approved(pathway, navigator, supervisor).status == Status.APPROVED

    def test_only_a_supervisor_of_the_cbo_reviews(
        self, pathway, navigator, outsiders, clinic_user
    ):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=True, note=""
        )
        for person in [navigator, outsiders["supervisor"], clinic_user]:
            with pytest.raises(PermissionDenied):
                pathways.pathway_review(pathway=pathway, actor=person, approve=True)
        pathway.refresh_from_db()
        assert (pathway.status, pathway.approved_by) == (Status.COMPLETED, None)

    def test_an_open_or_incomplete_pathway_is_not_reviewed(
        self, pathway, navigator, supervisor
    ):
        for approve in [True, False]:
            with pytest.raises(
                WorkflowError,
                match=exactly("This pathway is not waiting for approval any more."),
            ):
                pathways.pathway_review(
                    pathway=pathway, actor=supervisor, approve=approve, note="x"
                )
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=False, note="Moved"
        )
        with pytest.raises(
            WorkflowError,
            match=exactly("This pathway is not waiting for approval any more."),
        ):
            pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)
        pathway.refresh_from_db()
        assert pathway.status == Status.INCOMPLETE

    def test_returning_when_the_kind_was_opened_again_names_it(
        self, pathway, navigator, supervisor, referral
    ):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=True, note=""
        )
        pathways.pathway_open(
            referral=referral, actor=navigator, need="food-insecurity", goal="Again"
        )
        with pytest.raises(
            WorkflowError,
            match=exactly(
                "Another Food security pathway is open for this referral: close it "
                "before returning this one."
            ),
        ):
            pathways.pathway_review(
                pathway=pathway, actor=supervisor, approve=False, note="Redo"
            )
        pathway.refresh_from_db()
        assert pathway.status == Status.COMPLETED


@pytest.mark.parametrize(
    ("state", "who", "expected"),
    [
        ("open", "navigator", (True, True, False)),
        ("open", "supervisor", (True, True, False)),
        ("open", "clinic_user", (False, False, False)),
        ("completed", "navigator", (False, False, False)),
        ("completed", "supervisor", (False, False, True)),
        ("incomplete", "supervisor", (False, False, False)),
    ],
)
def test_the_pathway_page_offers_what_the_rules_allow(
    pathway, navigator, supervisor, clinic_user, state, who, expected
):
    if state != "open":
        pathways.pathway_close(
            pathway=pathway,
            actor=navigator,
            completed=state == "completed",
            note="Moved",
        )
    actor = {"navigator": navigator, "supervisor": supervisor}.get(who, clinic_user)
    can = pathways.pathway_permissions(actor=actor, pathway=pathway)
    assert (can["can_edit"], can["can_close"], can["can_review"]) == expected


def test_closing_or_approving_one_pathway_leaves_the_others_alone(
    pathway, referral, navigator, supervisor, partnership
):
    other = pathways.pathway_open(
        referral=referral, actor=navigator, need="stress", goal="Calm"
    )
    stale = Pathway.objects.get(pk=pathway.pk)
    pathways.pathway_close(pathway=pathway, actor=navigator, completed=True, note="")
    other.refresh_from_db()
    assert other.status == Status.OPEN
    # The other pathway being open does not reopen this one to edits.
    with pytest.raises(
        WorkflowError,
        match=exactly("This pathway was closed meanwhile. Reload the page."),
    ):
        pathways.pathway_step_add(pathway=stale, actor=navigator, title="Late")
    pathways.pathway_close(pathway=other, actor=navigator, completed=True, note="")
    pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)
    other.refresh_from_db()
    assert other.status == Status.COMPLETED


def test_a_link_without_a_note_has_none(pathway, navigator, partnership):
    link = pathways.pathway_resource_link(
        pathway=pathway, actor=navigator, service=service_of(partnership.cbo)
    )
    assert link.note == ""
