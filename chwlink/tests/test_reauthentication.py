"""Patient-level exports, the audit exports and changes to one's sign-in ask for the
password again, unless it was given (to sign in or to confirm) in the last five
minutes."""

import datetime
import time

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.urls import reverse

from conftest import AUTH_BACKEND
from partners.tests.factories import PASSWORD

REAUTHENTICATE = reverse("account_reauthenticate")
DATASET = reverse("evaluation:export-dataset")
STORIES = reverse("evaluation:export-stories")
AUDIT_EXPORTS = [
    reverse("partners:audit-export"),
    reverse("partners:audit-changes-export"),
]


def signed_in(client, user):
    # A session whose sign-in is older than the window: force_login records no
    # password, so only a confirmation opens what these tests are about.
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


def sign_in_through_the_form(client, user, password=PASSWORD):
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": password}
    )
    assert response.status_code == 302
    return client


def test_a_password_just_given_to_sign_in_opens_the_export(client, manager):
    response = sign_in_through_the_form(client, manager).get(DATASET)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_the_sign_in_counts_for_five_minutes_then_the_password_is_asked(
    client, manager
):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        sign_in_through_the_form(client, manager)
        clock.shift(datetime.timedelta(minutes=4, seconds=59))
        assert client.get(DATASET).status_code == 200
        clock.shift(datetime.timedelta(seconds=1))
        response = client.get(DATASET)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)


def current_code(secret):
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def test_a_sign_in_with_an_authenticator_code_counts_from_the_code(client, manager):
    secret = generate_totp_secret()
    TOTP.activate(manager, secret)
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client.post(
            reverse("account_login"), {"login": manager.email, "password": PASSWORD}
        )
        clock.shift(datetime.timedelta(minutes=4))
        response = client.post(
            reverse("mfa_authenticate"), {"code": current_code(secret)}
        )
        assert response.status_code == 302
        clock.shift(datetime.timedelta(minutes=4))
        # Eight minutes after the password, four after the code.
        assert client.get(DATASET).status_code == 200


def test_a_failed_sign_in_does_not_count_as_a_confirmation(client, manager):
    client.post(
        reverse("account_login"), {"login": manager.email, "password": "not-it-123"}
    )
    client.force_login(manager, backend=AUTH_BACKEND)
    assert client.get(DATASET).status_code == 302


@pytest.mark.parametrize("url", AUDIT_EXPORTS)
def test_the_audit_exports_ask_the_administrator_for_the_password_first(
    client, administrator, url
):
    response = signed_in(client, administrator).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(REAUTHENTICATE)
    confirm_password(client, url)
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("url", AUDIT_EXPORTS)
def test_the_audit_exports_are_refused_to_others_before_any_prompt(
    client, supervisor, url
):
    assert signed_in(client, supervisor).get(url).status_code == 403


def test_someone_asked_to_set_up_two_factor_at_sign_in_is_not_asked_again(
    client, partnership, supervisor
):
    partnership.mfa_required_roles = [supervisor.role]
    partnership.save()
    sign_in_through_the_form(client, supervisor)
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_a_download_returns_to_the_page_of_its_link_and_starts_there(client, manager):
    page = "/evaluation/?language=es"
    response = signed_in(client, manager).get(
        f"{DATASET}?language=es", HTTP_REFERER=f"http://testserver{page}"
    )
    assert (
        response["Location"]
        == f"{REAUTHENTICATE}?next=%2Fevaluation%2F%3Flanguage%3Des"
    )
    assert confirm_password(client, page)["Location"] == page
    back = client.get(page).content.decode()
    assert f'<a href="{DATASET}?language=es" data-start-download>' in back
    assert "Password confirmed: your download has started." in back
    # It starts once: the page shown again does not download again.
    assert "data-start-download" not in client.get(page).content.decode()


def test_a_download_from_another_sites_link_returns_home(client, manager):
    response = signed_in(client, manager).get(
        STORIES, HTTP_REFERER="https://elsewhere.example/evaluation/"
    )
    assert response["Location"] == f"{REAUTHENTICATE}?next=%2F"
