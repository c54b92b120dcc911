"""Who sees and edits partnerships, contracts, plans, trainings and statements."""

import datetime

import pytest
from django.urls import reverse

from partners import services, statements
from partners.models import Contract, User
from partners.tests.partnership_builders import payment_agreement

Role = User.Role


@pytest.fixture
def setup(partnership, manager, navigator, time_machine):
    time_machine.move_to("2026-03-02 18:00:00+00:00")
    services.plan_create_default(partnership=partnership)
    contract = payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="150.00",
        funded_ftes="1.00",
        monthly_rate_per_fte="4321.00",
        accept_business_days=2,
    )
    statement = statements.statement_issue(
        actor=manager, partnership=partnership, period_start=datetime.date(2026, 2, 1)
    )
    session = services.training_session_save(
        actor=manager,
        partnership=partnership,
        data={
            "title": "Orientation",
            "kind": "chw_orientation",
            "held_on": datetime.date(2026, 2, 3),
            "trainer": "Morgan",
            "audience": partnership.cbo,
            "attendees": [navigator],
        },
    )
    rule = services.required_training_save(
        actor=manager,
        partnership=partnership,
        data={"role": Role.NAVIGATOR, "kind": "chw_orientation", "due_within_days": 30},
    )
    return {
        "partnership": partnership,
        "contract": contract,
        "statement": statement,
        "task": partnership.plan_tasks.first(),
        "session": session,
        "rule": rule,
    }


def object_urls(setup):
    code = setup["partnership"].code
    return [
        ("get", reverse("partners:partnership-detail", args=[code])),
        ("get", reverse("partners:partnership-edit", args=[code])),
        ("get", reverse("partners:contract-new", args=[code])),
        ("get", reverse("partners:contract-edit", args=[setup["contract"].code])),
        ("get", reverse("partners:contract-document", args=[setup["contract"].code])),
        ("get", reverse("partners:plan", args=[code])),
        ("get", reverse("partners:plan-task-new", args=[code])),
        ("get", reverse("partners:plan-task-edit", args=[setup["task"].code])),
        ("post", reverse("partners:plan-task-move", args=[setup["task"].code])),
        ("post", reverse("partners:plan-task-complete", args=[setup["task"].code])),
        ("get", reverse("partners:training", args=[code])),
        ("get", reverse("partners:training-session-new", args=[code])),
        (
            "get",
            reverse("partners:training-session-edit", args=[setup["session"].code]),
        ),
        ("get", reverse("partners:required-training-new", args=[code])),
        (
            "post",
            reverse("partners:required-training-remove", args=[setup["rule"].code]),
        ),
        ("get", reverse("partners:statements", args=[code])),
        ("post", reverse("partners:statement-issue", args=[code])),
        ("get", reverse("partners:statement-detail", args=[setup["statement"].code])),
        ("get", reverse("partners:statement-csv", args=[setup["statement"].code])),
        ("get", reverse("partners:navigator-time", args=[code])),
    ]


@pytest.mark.parametrize(
    "role", [Role.CLINIC_STAFF, Role.SUPERVISOR, Role.PROGRAM_MANAGER]
)
def test_people_of_another_partnership_get_404_on_every_object_url(
    login, setup, outsiders, role
):
    client = login(outsiders[role])
    for method, url in object_urls(setup):
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), url
        if role == Role.PROGRAM_MANAGER:
            # Their role may use every page: only the scope refuses them.
            assert response.status_code == 404, url


def test_navigators_are_refused_the_partnership_pages(login, setup, navigator):
    client = login(navigator)
    response = client.get(reverse("partners:partnership-list"))
    assert response.status_code == 403


def test_supervisor_reads_the_partnership_but_cannot_edit_it(login, setup, supervisor):
    client = login(supervisor)
    code = setup["partnership"].code
    page = client.get(reverse("partners:partnership-detail", args=[code]))
    assert page.status_code == 200
    assert "$4,321.00" in page.content.decode()
    assert "Edit the partnership" not in page.content.decode()
    assert (
        client.get(reverse("partners:partnership-edit", args=[code])).status_code == 403
    )
    assert client.get(reverse("partners:statements", args=[code])).status_code == 200
    task = setup["task"]
    response = client.post(reverse("partners:plan-task-complete", args=[task.code]))
    assert response.status_code == 403


def test_clinic_staff_see_service_levels_but_not_payment_amounts(
    login, setup, clinic_user
):
    client = login(clinic_user)
    code = setup["partnership"].code
    page = client.get(reverse("partners:partnership-detail", args=[code])).content
    page = page.decode()
    assert "Accept within 2 business days" in page
    assert "4321" not in page
    assert "150.00" not in page
    statement = setup["statement"]
    for url in [
        reverse("partners:statements", args=[code]),
        reverse("partners:statement-detail", args=[statement.code]),
        reverse("partners:statement-csv", args=[statement.code]),
    ]:
        assert client.get(url).status_code == 403


def test_manager_creates_a_partnership_with_its_six_step_plan(
    login, manager, clinic, other_partnership
):
    client = login(manager)
    response = client.post(
        reverse("partners:partnership-new"),
        {
            "name": "Home + Other CBO",
            "health_system": manager.organization_id,
            "cbo": other_partnership.cbo_id,
            "status": "planning",
            "population_served": "Older adults",
            "clinics": [clinic.pk],
            "time_zone": "America/Chicago",
            "business_days": ["0", "1", "2", "3"],
        },
    )
    partnership = manager.organization.partnerships_as_health_system.get(
        name="Home + Other CBO"
    )
    assert response.status_code == 302
    assert partnership.business_days == [0, 1, 2, 3]
    assert list(partnership.clinics.all()) == [clinic]
    assert set(partnership.plan_tasks.values_list("step", flat=True)) == set(
        range(1, 7)
    )


def test_partnership_form_keeps_input_and_refuses_a_clinic_of_another_system(
    login, manager, partnership, other_partnership, administrator
):
    from partners.tests.factories import SiteFactory

    foreign = SiteFactory(organization=other_partnership.health_system)
    client = login(administrator)
    response = client.post(
        reverse("partners:partnership-edit", args=[partnership.code]),
        {
            "name": "Renamed",
            "health_system": partnership.health_system_id,
            "cbo": partnership.cbo_id,
            "status": "active",
            "clinics": [foreign.pk],
            "time_zone": "America/Chicago",
            "business_days": ["0"],
        },
    )
    assert response.status_code == 200
    # The form offers only the partnership's own clinics, even to administrators.
    assert list(response.context["form"].errors) == ["clinics"]
    assert 'value="Renamed"' in response.content.decode()


def test_partnership_list_uses_a_constant_number_of_queries(
    login, manager, partnership, django_assert_max_num_queries
):
    from partners.tests.factories import PartnershipFactory

    for _ in range(5):
        PartnershipFactory(health_system=partnership.health_system)
    client = login(manager)
    # session, user, the navigation bar's organization, count, the page of
    # partnerships (health system + CBO joined), the open invitations' count,
    # then the session's idle-timeout save (savepoint, update, release)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("partners:partnership-list"))
    assert response.status_code == 200


def test_contract_kinds_cover_the_three_agreements():
    assert set(Contract.Kind.values) == {"service", "data_sharing", "payment"}
