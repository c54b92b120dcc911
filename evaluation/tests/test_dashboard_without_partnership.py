"""A program manager whose organization has no partnership yet gets an empty
dashboard in the default time zone, not an error."""

from partners.tests.factories import UserFactory


def test_a_manager_without_a_partnership_sees_an_empty_dashboard(login, db):
    newcomer = UserFactory(role="program_manager")

    response = login(newcomer).get("/evaluation/")

    assert response.status_code == 200
    data = response.context["data"]
    assert data["figures"]["referred"] == 0
    assert data["tables"]["navigators"]["rows"] == []
