"""Patient-level exports and changes to one's sign-in ask for the password again."""

import datetime

import time_machine
from allauth.mfa.models import Authenticator
from django.urls import reverse

from conftest import AUTH_BACKEND
from partners.tests.factories import PASSWORD

REAUTHENTICATE = reverse("account_reauthenticate")
DATASET = reverse("evaluation:export-dataset")
STORIES = reverse("evaluation:export-stories")


def signed_in(client, user):
    # Not the `login` fixture's shortcut alone: a fresh sign-in has not been
    # confirmed again yet, which is what these tests are about.
    client.force_login(user, backend=AUTH_BACKEND)
    return client


def confirm_password(client, next_url, password=PASSWORD):
    return client.post(REAUTHENTICATE, {"password": password, "next": next_url})


def test_dataset_export_asks_for_the_password_first(client, manager):
    response = signed_in(client, manager).get(DATASET)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    assert "next=" in response["Location"]


def test_dataset_export_works_after_confirming_the_password(client, manager):
    signed_in(client, manager).get(DATASET)
    response = confirm_password(client, DATASET)
    assert response.status_code == 302
    assert response["Location"] == DATASET
    download = client.get(DATASET)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")


def test_a_wrong_password_does_not_unlock_the_export(client, manager):
    signed_in(client, manager).get(DATASET)
    response = confirm_password(client, DATASET, password="not-the-password")
    assert response.status_code == 200
    assert client.get(DATASET).status_code == 302


def test_confirmation_lasts_five_minutes(client, manager):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        signed_in(client, manager)
        confirm_password(client, DATASET)
        clock.shift(datetime.timedelta(minutes=4))
        assert client.get(DATASET).status_code == 200
        clock.shift(datetime.timedelta(minutes=2))
        response = client.get(DATASET)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


def test_story_export_asks_for_the_password_first(client, manager):
    response = signed_in(client, manager).get(STORIES)
    assert response["Location"].startswith(REAUTHENTICATE)
    confirm_password(client, STORIES)
    assert client.get(STORIES).status_code == 200


def test_aggregate_table_export_needs_no_confirmation(client, manager):
    response = signed_in(client, manager).get("/evaluation/export/funnel.csv")
    assert response.status_code == 200


def test_other_roles_are_refused_before_any_password_prompt(client, navigator):
    assert signed_in(client, navigator).get(DATASET).status_code == 403


def test_adding_an_e_mail_address_asks_for_the_password_first(client, navigator):
    response = signed_in(client, navigator).post(
        reverse("account_email"),
        {"action_add": "", "email": "new-address@home.test"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    assert not navigator.emailaddress_set.filter(email="new-address@home.test")


def test_setting_up_two_factor_asks_for_the_password_first(client, navigator):
    response = signed_in(client, navigator).get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    confirm_password(client, reverse("mfa_activate_totp"))
    assert client.get(reverse("mfa_activate_totp")).status_code == 200
    assert not Authenticator.objects.filter(user=navigator).exists()


def test_changing_the_password_needs_the_current_one(client, navigator):
    response = signed_in(client, navigator).post(
        reverse("account_change_password"),
        {
            "oldpassword": "not-the-password",
            "password1": "a-brand-new-password-77",
            "password2": "a-brand-new-password-77",
        },
    )
    assert response.status_code == 200
    navigator.refresh_from_db()
    assert navigator.check_password(PASSWORD)
