import pytest
from django.urls import reverse

from partners.access import home_url
from partners.models import User

Role = User.Role

HOMES = {
    Role.CLINIC_STAFF: "/referrals/",
    Role.SUPERVISOR: "/referrals/inbox/",
    Role.NAVIGATOR: "/referrals/caseload/",
    Role.PROGRAM_MANAGER: "/evaluation/",
    Role.ADMINISTRATOR: "/admin/",
}


@pytest.fixture
def cast(clinic_user, supervisor, navigator, manager, administrator):
    return {
        Role.CLINIC_STAFF: clinic_user,
        Role.SUPERVISOR: supervisor,
        Role.NAVIGATOR: navigator,
        Role.PROGRAM_MANAGER: manager,
        Role.ADMINISTRATOR: administrator,
    }


def test_each_role_has_its_own_home(cast):
    for role, user in cast.items():
        assert home_url(user) == HOMES[role]


def test_root_sends_each_role_to_its_home_page(cast, login):
    for role, user in cast.items():
        response = login(user).get("/")
        assert response.status_code == 302
        assert response["Location"] == HOMES[role]
        assert login(user).get(HOMES[role]).status_code == 200


@pytest.mark.parametrize("path", [p for p in HOMES.values() if p != "/admin/"])
def test_pages_of_other_roles_are_refused(cast, login, path):
    for role, user in cast.items():
        if HOMES[role] == path or role == Role.ADMINISTRATOR:
            continue
        response = login(user).get(path)
        assert response.status_code == 403, (role, path)
        assert b"not available to your role" in response.content


def test_admin_is_only_for_administrators(cast, login):
    assert login(cast[Role.ADMINISTRATOR]).get("/admin/").status_code == 200
    response = login(cast[Role.SUPERVISOR]).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", *HOMES.values(), "/referrals/caseload/"])
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].split("?")[0] in {
        reverse("account_login"),
        "/admin/login/",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["account_login", "account_reset_password"])
def test_sign_in_and_password_reset_are_open_to_anonymous_users(client, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.django_db
def test_signing_up_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": "x" * 20, "password2": "x" * 20},
    )
    assert b"Sign-up is closed" in response.content
    assert not User.objects.filter(email="new@example.test").exists()
