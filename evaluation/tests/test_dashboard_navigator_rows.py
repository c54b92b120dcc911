"""The dashboard's "By navigator" table: which navigators it lists (the active
navigators of the partnership's CBO, for program managers on either side), in
which order, and whose contacts it counts (each navigator's own, on the filtered
referrals only)."""

import csv
import io

import pytest

from evaluation.tests.factories import caseload_referral, contact_logged
from partners.services import user_set_language
from partners.tests.factories import UserFactory

HEADERS = ["Navigator", "Active caseload", "Overdue", "Contacts in the last 14 days"]


def navigator_csv(client, query=""):
    response = client.get(f"/evaluation/export/navigators.csv{query}")
    return list(csv.reader(io.StringIO(response.getvalue().decode())))


@pytest.fixture
def team(partnership):
    """Navigators of the CBO named so that first and last names both decide the
    order, a supervisor of the CBO and a navigator of another partnership."""
    cbo = partnership.cbo
    made = {
        name: UserFactory(
            role="navigator",
            organization=cbo,
            first_name=name.split()[0],
            last_name=name.split()[1],
        )
        for name in ("Bea Abreu", "Ana Zapata", "Ana Lopez")
    }
    UserFactory(role="supervisor", organization=cbo, first_name="Aaron")
    UserFactory(role="navigator", first_name="Aaron", last_name="Elsewhere")
    return made


def test_navigators_of_the_cbo_are_listed_by_first_then_last_name(login, manager, team):
    response = login(manager).get("/evaluation/")
    rows = navigator_csv(login(manager))

    assert rows == [
        HEADERS,
        ["Ana Lopez", "0", "0", "0"],
        ["Ana Zapata", "0", "0", "0"],
        ["Bea Abreu", "0", "0", "0"],
    ]
    assert 'id="table-navigators">By navigator</h3>' in response.content.decode()


def test_a_program_manager_of_the_cbo_sees_the_same_navigators(
    login, partnership, team
):
    cbo_manager = UserFactory(role="program_manager", organization=partnership.cbo)

    rows = navigator_csv(login(cbo_manager))

    assert [row[0] for row in rows[1:]] == ["Ana Lopez", "Ana Zapata", "Bea Abreu"]


def test_namesakes_keep_the_order_they_joined_in(
    login, manager, partnership, supervisor
):
    first, second = (
        UserFactory(
            role="navigator",
            organization=partnership.cbo,
            first_name="Ana",
            last_name="Lopez",
        )
        for _ in range(2)
    )
    caseload_referral(partnership=partnership, supervisor=supervisor, navigator=second)
    # A later change of the first one's profile must not move them behind.
    user_set_language(user=first, language="es")

    rows = login(manager).get("/evaluation/").context["data"]["tables"]["navigators"]

    assert [row[1] for row in rows["rows"]] == [0, 1]


def test_contacts_count_for_the_navigator_who_made_them_on_the_filtered_referrals(
    login, manager, partnership, supervisor, navigator, clinic, other_clinic
):
    colleague = UserFactory(
        role="navigator", organization=partnership.cbo, first_name="Zoe"
    )
    team = {"partnership": partnership, "supervisor": supervisor}
    north = caseload_referral(**team, navigator=navigator, clinic=clinic)
    south = caseload_referral(**team, navigator=navigator, clinic=other_clinic)
    for referral in (north, south, south):
        contact_logged(referral=referral, navigator=navigator)
    caseload_referral(**team, navigator=colleague, clinic=clinic)
    client = login(manager)

    everywhere = client.get("/evaluation/").context["data"]["tables"]["navigators"]
    at_north = client.get(f"/evaluation/?clinic={clinic.pk}").context["data"]

    assert everywhere["rows"] == [[str(navigator), 2, 0, 3], [str(colleague), 1, 0, 0]]
    assert at_north["tables"]["navigators"]["rows"] == [
        [str(navigator), 1, 0, 1],
        [str(colleague), 1, 0, 0],
    ]
