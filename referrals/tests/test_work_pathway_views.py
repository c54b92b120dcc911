"""Pathway pages: navigators work them, supervisors approve them, the clinic reads
them, and nobody else learns they exist."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import User
from partners.tests.factories import UserFactory
from referrals.models import Pathway, PathwayStep, ResourceOrganization, ResourceService
from referrals.services import assignment, contacts, pathways, workflow
from referrals.tests.factories import ReferralFactory

Role = User.Role
Status = Pathway.Status


@pytest.fixture
def referral(partnership, clinic, supervisor, navigator):
    referral = ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        patient__first_name="Rosa",
        patient__last_name="Home",
        patient__preferred_language="es",
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


@pytest.fixture
def directory(partnership, other_partnership):
    """Two food services of the home CBO (one in Spanish) and one elsewhere."""
    home = ResourceOrganization.objects.create(
        directory_owner=partnership.cbo, name="Eastside Food Bank"
    )
    other = ResourceOrganization.objects.create(
        directory_owner=other_partnership.cbo, name="Faraway Pantry"
    )
    return {
        "spanish": ResourceService.objects.create(
            organization=home,
            name="Despensa en español",
            needs=["food-insecurity"],
            languages=["es", "en"],
            hours="Tue–Sat 9–5",
            fees="Free",
            capacity_note="Taking new clients",
        ),
        "english": ResourceService.objects.create(
            organization=home,
            name="English-only pantry",
            needs=["food-insecurity"],
            languages=["en"],
        ),
        "elsewhere": ResourceService.objects.create(
            organization=other,
            name="Faraway pantry",
            needs=["food-insecurity"],
            languages=["es"],
        ),
    }


def page(pathway, suffix=""):
    return f"/referrals/pathways/{pathway.code}/{suffix}"


def complete(pathway, navigator):
    return pathways.pathway_close(
        pathway=pathway, actor=navigator, completed=True, note="SNAP approved"
    )


# --- Opening -------------------------------------------------------------------


def test_open_form_suggests_the_first_need_without_a_pathway(
    login, navigator, referral, pathway
):
    content = login(navigator).get(f"/referrals/{referral.code}/pathways/new/")
    content = content.content.decode()
    assert '<option value="transportation-insecurity" selected>' in content
    assert "Needs on the referral" in content


def test_opening_a_pathway_shows_its_default_steps(login, navigator, referral):
    client = login(navigator)
    response = client.post(
        f"/referrals/{referral.code}/pathways/new/",
        {"need": "transportation-insecurity", "kind": "", "goal": "Gets to dialysis"},
        follow=True,
    )
    content = response.content.decode()
    assert "Transportation pathway" in content
    assert "Confirm upcoming appointments that need a ride" in content
    assert "Gets to dialysis" in content


def test_a_second_open_pathway_of_a_kind_is_refused_beside_the_field(
    login, navigator, referral, pathway
):
    response = login(navigator).post(
        f"/referrals/{referral.code}/pathways/new/",
        {"need": "food-insecurity", "kind": "", "goal": "Typed goal"},
    )
    content = response.content.decode()
    assert response.status_code == 200
    assert "A Food security pathway is already open" in content
    assert "Typed goal" in content
    assert Pathway.objects.count() == 1


def test_open_form_requires_a_goal_and_a_real_need(login, navigator, referral):
    response = login(navigator).post(
        f"/referrals/{referral.code}/pathways/new/",
        {"need": "aliens", "kind": "", "goal": ""},
    )
    form = response.context["form"]
    assert set(form.errors) == {"need", "goal"}
    assert not Pathway.objects.exists()


@pytest.mark.parametrize("role", ["clinic_user", "manager"])
def test_clinic_side_may_not_open_pathways(request, login, referral, role):
    user = request.getfixturevalue(role)
    response = login(user).get(f"/referrals/{referral.code}/pathways/new/")
    assert response.status_code == 403


# --- The pathway page ----------------------------------------------------------


def test_navigator_sees_steps_with_buttons_and_a_resource_search(
    login, navigator, pathway, directory
):
    content = login(navigator).get(page(pathway)).content.decode()
    assert "Mark done" in content
    assert "Add the step" in content
    assert "Close the pathway" in content
    # The search defaults to the pathway's need and the patient's language.
    assert "Despensa en español" in content
    assert "English-only pantry" not in content
    assert "Faraway pantry" not in content


def test_resource_search_by_words_and_any_language(
    login, navigator, pathway, directory
):
    response = login(navigator).get(
        page(pathway), {"need": "food-insecurity", "language": "", "q": "english"}
    )
    content = response.content.decode()
    assert "English-only pantry" in content
    assert "Despensa en español" not in content


@pytest.mark.parametrize("role", ["clinic_user", "manager"])
def test_clinic_side_reads_the_pathway_without_buttons(
    request, login, pathway, directory, role
):
    response = login(request.getfixturevalue(role)).get(page(pathway))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Family has food every day" in content
    assert "Mark done" not in content
    assert "Link a resource" not in content
    assert "Close the pathway" not in content


def test_ticking_a_step_from_the_page(login, navigator, pathway):
    step = pathway.steps.first()
    response = login(navigator).post(page(pathway, f"steps/{step.pk}/toggle/"))
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.done_at is not None


def test_a_step_of_another_pathway_is_not_found(login, navigator, referral, pathway):
    other = pathways.pathway_open(
        referral=referral,
        actor=navigator,
        need="transportation-insecurity",
        goal="Rides",
    )
    step = other.steps.first()
    response = login(navigator).post(page(pathway, f"steps/{step.pk}/toggle/"))
    assert response.status_code == 404


def test_adding_a_step_from_the_page(login, supervisor, pathway):
    client = login(supervisor)
    response = client.post(page(pathway, "steps/"), {"title": "Call the pantry"})
    assert response.status_code == 302
    assert "Call the pantry" in client.get(page(pathway)).content.decode()


def test_an_empty_step_is_refused_beside_the_field(login, navigator, pathway):
    response = login(navigator).post(page(pathway, "steps/"), {"title": ""})
    assert response.status_code == 400
    assert "title" in response.context["step_form"].errors
    assert pathway.steps.count() == 4


def test_linking_a_resource_shows_its_details(login, navigator, pathway, directory):
    client = login(navigator)
    service = directory["spanish"]
    response = client.post(
        page(pathway, "resources/"), {"service": service.code, "note": "Tue 10am"}
    )
    assert response.status_code == 302
    content = client.get(page(pathway)).content.decode()
    assert "Tue 10am" in content
    assert "Tue–Sat 9–5" in content
    assert "Taking new clients" in content
    assert "Linked to this pathway" in content


def test_a_resource_note_too_long_is_refused_beside_it_keeping_the_input(
    login, navigator, pathway, directory
):
    service = directory["spanish"]
    response = login(navigator).post(
        page(pathway, "resources/"), {"service": service.code, "note": "x" * 301}
    )
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert not pathway.resource_links.exists()


def test_a_resource_from_another_directory_is_not_found(
    login, navigator, pathway, directory
):
    response = login(navigator).post(
        page(pathway, "resources/"), {"service": directory["elsewhere"].code}
    )
    assert response.status_code == 404
    assert not pathway.resource_links.exists()


def test_closing_incomplete_requires_a_reason_beside_the_field(
    login, navigator, pathway
):
    response = login(navigator).post(page(pathway, "close/"), {"outcome": "incomplete"})
    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    pathway.refresh_from_db()
    assert pathway.status == Status.OPEN


def test_closing_completed_sends_it_for_approval(login, navigator, pathway):
    client = login(navigator)
    response = client.post(
        page(pathway, "close/"),
        {"outcome": "completed", "note": "Enrolled in SNAP"},
        follow=True,
    )
    content = response.content.decode()
    assert "waiting for a supervisor" in content
    assert "Mark done" not in content
    pathway.refresh_from_db()
    assert pathway.status == Status.COMPLETED


def test_referral_page_lists_pathways_with_progress(
    login, clinic_user, navigator, pathway, directory
):
    step = pathway.steps.first()
    pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    pathways.pathway_resource_link(
        pathway=pathway, actor=navigator, service=directory["spanish"]
    )
    referral = pathway.referral
    content = login(clinic_user).get(f"/referrals/{referral.code}/").content.decode()
    assert "Food security" in content
    assert "1 of 4 steps done" in content
    assert "1 resource linked" in content
    assert page(pathway) in content


# --- Approvals -----------------------------------------------------------------


def test_approvals_queue_lists_completed_pathways(
    login, supervisor, navigator, pathway
):
    complete(pathway, navigator)
    content = login(supervisor).get("/referrals/pathways/approvals/").content.decode()
    assert "Rosa Home" in content
    assert "SNAP approved" in content
    assert page(pathway) in content


def test_approvals_queue_is_for_supervisors(login, navigator, clinic_user, manager):
    for user in (navigator, clinic_user, manager):
        response = login(user).get("/referrals/pathways/approvals/")
        assert response.status_code == 403


def test_outsider_supervisor_has_an_empty_queue(login, outsiders, navigator, pathway):
    complete(pathway, navigator)
    response = login(outsiders["supervisor"]).get("/referrals/pathways/approvals/")
    assert response.status_code == 200
    assert "Rosa Home" not in response.content.decode()


def test_approving_locks_the_pathway_page(
    login, supervisor, navigator, clinic_user, pathway
):
    complete(pathway, navigator)
    response = login(supervisor).post(
        page(pathway, "review/"), {"decision": "approve", "note": ""}, follow=True
    )
    assert "Approved · counts as an outcome" in response.content.decode()
    for user in (navigator, supervisor, clinic_user):
        content = login(user).get(page(pathway)).content.decode()
        assert "Approved · counts as an outcome" in content
        assert "Mark done" not in content
        assert "Close the pathway" not in content
        assert "Approve" not in content.replace("Approved", "")


def test_a_step_cannot_be_ticked_after_approval(login, supervisor, navigator, pathway):
    pathways.pathway_review(
        pathway=complete(pathway, navigator), actor=supervisor, approve=True
    )
    step = pathway.steps.first()
    response = login(navigator).post(
        page(pathway, f"steps/{step.pk}/toggle/"), follow=True
    )
    assert "approved and locked" in response.content.decode()
    step.refresh_from_db()
    assert step.done_at is None


def test_returning_without_a_note_is_refused_beside_the_field(
    login, supervisor, navigator, pathway
):
    complete(pathway, navigator)
    response = login(supervisor).post(
        page(pathway, "review/"), {"decision": "return", "note": ""}
    )
    assert response.status_code == 400
    assert "note" in response.context["review_form"].errors
    pathway.refresh_from_db()
    assert pathway.status == Status.COMPLETED


def test_a_returned_pathway_shows_the_note_to_the_navigator(
    login, supervisor, navigator, pathway
):
    complete(pathway, navigator)
    login(supervisor).post(
        page(pathway, "review/"), {"decision": "return", "note": "Confirm 30 days"}
    )
    content = login(navigator).get(page(pathway)).content.decode()
    assert "Returned on" in content
    assert "Confirm 30 days" in content
    assert "Mark done" in content


def test_navigator_may_not_review(login, navigator, pathway):
    complete(pathway, navigator)
    response = login(navigator).post(page(pathway, "review/"), {"decision": "approve"})
    assert response.status_code == 403


# --- Who may reach each URL ----------------------------------------------------


def urls(pathway):
    step = pathway.steps.first()
    referral = pathway.referral
    return {
        ("get", page(pathway)): {"clinic_staff", "supervisor", "navigator", "manager"},
        ("get", f"/referrals/{referral.code}/pathways/new/"): {
            "supervisor",
            "navigator",
        },
        ("post", page(pathway, "steps/")): {"supervisor", "navigator"},
        ("post", page(pathway, f"steps/{step.pk}/toggle/")): {
            "supervisor",
            "navigator",
        },
        ("post", page(pathway, "resources/")): {"supervisor", "navigator"},
        ("get", page(pathway, "close/")): {"supervisor", "navigator"},
        ("post", page(pathway, "review/")): {"supervisor"},
    }


@pytest.mark.parametrize(
    "role", ["clinic_staff", "supervisor", "navigator", "program_manager"]
)
def test_outsiders_never_reach_our_pathway(login, outsiders, pathway, role):
    client = login(outsiders[role])
    allowed_roles = {"manager": "program_manager"}
    for (method, url), roles in urls(pathway).items():
        roles = {allowed_roles.get(name, name) for name in roles}
        response = getattr(client, method)(url, {"title": "x", "decision": "approve"})
        # A role that may use the URL learns nothing: 404. Other roles: 403.
        assert response.status_code == (404 if role in roles else 403), url
    pathway.refresh_from_db()
    assert pathway.steps.count() == 4
    assert pathway.status == Status.OPEN


def test_a_navigator_the_referral_is_shared_with_reads_but_cannot_edit(
    login, partnership, supervisor, referral, pathway
):
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    assignment.referral_share(referral=referral, actor=supervisor, navigator=colleague)
    client = login(colleague)
    content = client.get(page(pathway)).content.decode()
    assert "Family has food every day" in content
    assert "Mark done" not in content
    assert client.post(page(pathway, "steps/"), {"title": "x"}).status_code == 403
    assert client.get(page(pathway, "close/")).status_code == 403


# --- Query budgets -------------------------------------------------------------


def test_approvals_queue_runs_a_fixed_number_of_queries(
    login, partnership, supervisor, navigator, django_assert_max_num_queries
):
    for number in range(30):
        referral = ReferralFactory(partnership=partnership)
        workflow.referral_transition(referral=referral, actor=supervisor, name="accept")
        assignment.referral_assign(
            referral=referral, actor=supervisor, navigator=navigator
        )
        complete(
            pathways.pathway_open(
                referral=referral,
                actor=navigator,
                need="food-insecurity",
                goal=f"Goal {number}",
            ),
            navigator,
        )
    client = login(supervisor)
    # Every page: session, user, the user's organization (menu), and the session
    # stamp (savepoint, update, release) = 6; then the count, one page of
    # pathways, their referrals, patients, navigators and closers; the access
    # record.
    with django_assert_max_num_queries(13):
        response = client.get("/referrals/pathways/approvals/")
    assert len(response.context["page_obj"].object_list) == 25


def test_pathway_page_runs_a_fixed_number_of_queries(
    login, navigator, supervisor, pathway, directory, django_assert_max_num_queries
):
    for number in range(10):
        pathways.pathway_step_add(pathway=pathway, actor=navigator, title=f"S{number}")
    for step in PathwayStep.objects.filter(pathway=pathway):
        pathways.pathway_step_toggle(pathway=pathway, actor=navigator, step=step)
    for number in range(8):
        service = ResourceService.objects.create(
            organization=directory["spanish"].organization,
            name=f"Pantry {number}",
            needs=["food-insecurity"],
            languages=["es"],
        )
        pathways.pathway_resource_link(
            pathway=pathway, actor=supervisor, service=service
        )
    client = login(navigator)
    # Every page: 6 (session, user, organization, session stamp in 3); then the
    # pathway with referral, patient, partnership and navigator; steps; linked
    # resources with services and organizations, their locations and schedules;
    # events with actors; resource search count and page, its locations and
    # schedules; the access record.
    with django_assert_max_num_queries(17):
        response = client.get(page(pathway))
    assert response.status_code == 200


def test_read_only_pathway_page_runs_a_fixed_number_of_queries(
    login, clinic_user, navigator, supervisor, pathway, django_assert_max_num_queries
):
    pathways.pathway_review(
        pathway=complete(pathway, navigator), actor=supervisor, approve=True
    )
    client = login(clinic_user)
    # Every page: 6 (session, user, organization, session stamp in 3); then the
    # pathway; steps; linked resources; events with actors; the approver's name;
    # the access record.
    with django_assert_max_num_queries(12):
        client.get(page(pathway))


def test_referral_page_lists_contacts_and_pathways_without_a_query_per_row(
    login, supervisor, navigator, referral, pathway
):
    def log_contact():
        contacts.encounter_log(
            referral=referral,
            actor=navigator,
            occurred_at=timezone.now(),
            mode="phone",
            reached=True,
            minutes=10,
            note="Called",
        )

    def count_queries():
        client = login(supervisor)
        client.get(f"/referrals/{referral.code}/")  # the session is stamped once
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/referrals/{referral.code}/")
        return len(queries)

    log_contact()
    few = count_queries()
    for _ in range(6):
        log_contact()
    pathways.pathway_open(
        referral=referral,
        actor=navigator,
        need="transportation-insecurity",
        goal="Rides",
    )
    assert count_queries() == few
