"""Pathway services: who may open, work, close and approve a pathway, and when."""

import pytest
from django.core.exceptions import PermissionDenied

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.models import Pathway, PathwayStep, ResourceOrganization, ResourceService
from referrals.pathways import default_steps_for, suggested_need
from referrals.services import assignment, pathways, workflow
from referrals.services.workflow import WorkflowError
from referrals.tests.factories import ReferralFactory

Role = User.Role
Status = Pathway.Status


@pytest.fixture
def referral(partnership, clinic, supervisor, navigator):
    referral = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        social_needs=["food-insecurity", "transportation-insecurity"],
    )
    workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


@pytest.fixture
def pathway(referral, navigator):
    return pathways.pathway_open(
        referral=referral,
        actor=navigator,
        need="food-insecurity",
        goal="Family has food every day",
    )


def make_service(owner, name="Food pantry", **fields):
    organization, _ = ResourceOrganization.objects.get_or_create(
        directory_owner=owner, name=f"{name} org"
    )
    return ResourceService.objects.create(
        organization=organization,
        name=name,
        needs=["food-insecurity"],
        languages=["es"],
        **fields,
    )


def completed(pathway, actor):
    return pathways.pathway_close(
        pathway=pathway, actor=actor, completed=True, note="SNAP approved"
    )


# --- Opening -------------------------------------------------------------------


def test_navigator_opens_the_usual_pathway_with_its_default_steps(pathway):
    assert pathway.kind == "food_security"
    assert pathway.status == Status.OPEN
    titles = list(pathway.steps.values_list("title", flat=True))
    assert titles == default_steps_for("food_security")
    assert list(pathway.steps.values_list("position", flat=True)) == [1, 2, 3, 4]
    assert pathway.events.get().reason_code == "opened"


def test_the_pathway_kind_can_be_changed(referral, supervisor):
    pathway = pathways.pathway_open(
        referral=referral,
        actor=supervisor,
        need="food-insecurity",
        kind="social_service_referral",
        goal="Connected to benefits",
    )
    assert pathway.kind == "social_service_referral"
    assert pathway.steps.count() == 4


def test_only_one_open_pathway_per_kind(referral, navigator, pathway):
    with pytest.raises(WorkflowError, match="already open"):
        pathways.pathway_open(
            referral=referral, actor=navigator, need="food-insecurity", goal="Again"
        )
    assert Pathway.objects.count() == 1


def test_a_kind_closed_incomplete_can_be_opened_again(referral, navigator, pathway):
    pathways.pathway_close(
        pathway=pathway, actor=navigator, completed=False, note="Moved away"
    )
    again = pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Second try"
    )
    assert again.status == Status.OPEN


def test_pathway_needs_a_goal(referral, navigator):
    with pytest.raises(WorkflowError):
        pathways.pathway_open(
            referral=referral, actor=navigator, need="food-insecurity", goal="  "
        )


@pytest.mark.parametrize("role", ["clinic_user", "manager"])
def test_clinic_side_may_not_open_pathways(request, referral, role):
    with pytest.raises(PermissionDenied):
        pathways.pathway_open(
            referral=referral,
            actor=request.getfixturevalue(role),
            need="food-insecurity",
            goal="Food",
        )


def test_other_navigators_and_outsiders_may_not_open(referral, partnership, outsiders):
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    for actor in (colleague, outsiders["supervisor"], outsiders["navigator"]):
        with pytest.raises(PermissionDenied):
            pathways.pathway_open(
                referral=referral, actor=actor, need="food-insecurity", goal="Food"
            )


def test_no_pathway_before_a_navigator_is_assigned(partnership, supervisor):
    submitted = ReferralFactory(partnership=partnership)
    with pytest.raises(WorkflowError):
        pathways.pathway_open(
            referral=submitted, actor=supervisor, need="food-insecurity", goal="Food"
        )


def test_suggested_need_skips_needs_whose_pathway_is_open():
    needs = ["food-insecurity", "transportation-insecurity"]
    assert suggested_need(needs, set()) == "food-insecurity"
    assert suggested_need(needs, {"food_security"}) == "transportation-insecurity"
    assert suggested_need([], set()) == ""


# --- Working an open pathway ---------------------------------------------------


def test_ticking_a_step_marks_it_done_and_ticking_again_undoes_it(pathway, navigator):
    step = pathway.steps.first()
    pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    step.refresh_from_db()
    assert step.done_at is not None
    assert step.done_by == navigator
    pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    step.refresh_from_db()
    assert step.done_at is None
    assert step.done_by is None


def test_a_step_of_another_pathway_is_refused(referral, navigator, pathway):
    other = pathways.pathway_open(
        referral=referral,
        actor=navigator,
        need="transportation-insecurity",
        goal="Rides",
    )
    with pytest.raises(PermissionDenied):
        pathways.pathway_step_toggle(
            pathway=pathway, actor=navigator, step=other.steps.first()
        )


def test_added_step_goes_last(pathway, supervisor):
    step = pathways.pathway_step_add(
        pathway=pathway, actor=supervisor, title="  Call the pantry  "
    )
    assert step.position == 5
    assert step.title == "Call the pantry"
    with pytest.raises(WorkflowError):
        pathways.pathway_step_add(pathway=pathway, actor=supervisor, title=" ")


@pytest.mark.parametrize("role", ["clinic_user", "manager"])
def test_clinic_side_may_not_change_steps(request, pathway, role):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        pathways.pathway_step_add(pathway=pathway, actor=actor, title="Step")
    with pytest.raises(PermissionDenied):
        pathways.pathway_step_toggle(
            pathway=pathway, actor=actor, step=pathway.steps.first()
        )


def test_a_navigator_the_referral_is_shared_with_may_not_edit(
    referral, partnership, supervisor, pathway
):
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    assignment.referral_share(referral=referral, actor=supervisor, navigator=colleague)
    with pytest.raises(PermissionDenied):
        pathways.pathway_step_add(pathway=pathway, actor=colleague, title="Step")


def test_linking_a_resource_of_the_cbo_directory(partnership, pathway, navigator):
    service = make_service(partnership.cbo)
    link = pathways.pathway_resource_link(
        pathway=pathway, actor=navigator, service=service, note=" Tue 10am "
    )
    assert link.note == "Tue 10am"
    with pytest.raises(WorkflowError, match="already linked"):
        pathways.pathway_resource_link(
            pathway=pathway, actor=navigator, service=service
        )


def test_a_resource_of_another_directory_is_refused(
    other_partnership, pathway, navigator
):
    service = make_service(other_partnership.cbo)
    with pytest.raises(PermissionDenied):
        pathways.pathway_resource_link(
            pathway=pathway, actor=navigator, service=service
        )


def test_a_service_closed_for_good_cannot_be_linked(partnership, pathway, navigator):
    service = make_service(partnership.cbo, status="defunct")
    with pytest.raises(WorkflowError):
        pathways.pathway_resource_link(
            pathway=pathway, actor=navigator, service=service
        )


# --- Closing and review --------------------------------------------------------


def test_closing_completed_waits_for_approval(pathway, navigator):
    pathway = completed(pathway, navigator)
    assert pathway.status == Status.COMPLETED
    assert pathway.closed_by == navigator
    assert pathway.outcome_note == "SNAP approved"


def test_closing_incomplete_needs_a_reason(pathway, navigator):
    with pytest.raises(WorkflowError):
        pathways.pathway_close(
            pathway=pathway, actor=navigator, completed=False, note=" "
        )
    pathway = pathways.pathway_close(
        pathway=pathway, actor=navigator, completed=False, note="Patient moved"
    )
    assert pathway.status == Status.INCOMPLETE


def test_a_completed_pathway_cannot_be_edited_while_it_waits(pathway, navigator):
    pathway = completed(pathway, navigator)
    with pytest.raises(WorkflowError):
        pathways.pathway_step_add(pathway=pathway, actor=navigator, title="More")
    with pytest.raises(WorkflowError):
        completed(pathway, navigator)


def test_supervisor_approval_locks_the_pathway(
    partnership, pathway, navigator, supervisor
):
    pathway = completed(pathway, navigator)
    pathway = pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)
    assert pathway.status == Status.APPROVED
    assert pathway.is_locked
    assert pathway.approved_by == supervisor
    step = pathway.steps.first()
    service = make_service(partnership.cbo)
    for actor in (navigator, supervisor):
        with pytest.raises(WorkflowError, match="approved and locked"):
            pathways.pathway_step_toggle(pathway=pathway, actor=actor, step=step)
        with pytest.raises(WorkflowError, match="approved and locked"):
            pathways.pathway_step_add(pathway=pathway, actor=actor, title="More")
        with pytest.raises(WorkflowError, match="approved and locked"):
            pathways.pathway_resource_link(
                pathway=pathway, actor=actor, service=service
            )
        with pytest.raises(WorkflowError, match="approved and locked"):
            completed(pathway, actor)
    with pytest.raises(WorkflowError):
        pathways.pathway_review(
            pathway=pathway, actor=supervisor, approve=False, note="Undo"
        )
    step.refresh_from_db()
    assert step.done_at is None


def test_an_edit_started_before_the_approval_is_refused(pathway, navigator, supervisor):
    stale = Pathway.objects.get(pk=pathway.pk)
    pathways.pathway_review(
        pathway=completed(pathway, navigator), actor=supervisor, approve=True
    )
    with pytest.raises(WorkflowError, match="closed meanwhile"):
        pathways.pathway_step_add(pathway=stale, actor=navigator, title="Late")
    assert not PathwayStep.objects.filter(title="Late").exists()


def test_returning_reopens_the_pathway_with_the_note(pathway, navigator, supervisor):
    pathway = completed(pathway, navigator)
    with pytest.raises(WorkflowError):
        pathways.pathway_review(pathway=pathway, actor=supervisor, approve=False)
    pathway = pathways.pathway_review(
        pathway=pathway, actor=supervisor, approve=False, note="Confirm 30 days"
    )
    assert pathway.status == Status.OPEN
    assert pathway.closed_at is None
    assert pathway.events.latest("pk").reason == "Confirm 30 days"
    pathways.pathway_step_add(pathway=pathway, actor=navigator, title="Call back")


def test_returning_is_refused_when_the_same_kind_was_opened_again(
    referral, pathway, navigator, supervisor
):
    pathway = completed(pathway, navigator)
    pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="New one"
    )
    with pytest.raises(WorkflowError, match="Another"):
        pathways.pathway_review(
            pathway=pathway, actor=supervisor, approve=False, note="Missing proof"
        )
    pathway.refresh_from_db()
    assert pathway.status == Status.COMPLETED


def test_only_a_supervisor_of_the_cbo_reviews(pathway, navigator, outsiders):
    pathway = completed(pathway, navigator)
    for actor in (navigator, outsiders["supervisor"]):
        with pytest.raises(PermissionDenied):
            pathways.pathway_review(pathway=pathway, actor=actor, approve=True)


def test_an_open_pathway_cannot_be_approved(pathway, supervisor):
    with pytest.raises(WorkflowError):
        pathways.pathway_review(pathway=pathway, actor=supervisor, approve=True)


def test_permissions_follow_role_and_state(pathway, navigator, supervisor, clinic_user):
    assert pathways.pathway_permissions(actor=navigator, pathway=pathway)["can_edit"]
    assert not pathways.pathway_permissions(actor=clinic_user, pathway=pathway)[
        "can_edit"
    ]
    pathway = completed(pathway, navigator)
    assert not pathways.pathway_permissions(actor=navigator, pathway=pathway)[
        "can_edit"
    ]
    assert not pathways.pathway_permissions(actor=navigator, pathway=pathway)[
        "can_review"
    ]
    assert pathways.pathway_permissions(actor=supervisor, pathway=pathway)["can_review"]
