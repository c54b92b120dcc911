"""Signing out ends every session of the user, on every device; a timeout only one."""

import datetime

import time_machine
from django.test import Client
from django.urls import reverse

from partners import services
from partners.tests.factories import PASSWORD

CASELOAD = "/referrals/caseload/"


def device(user):
    """A separate browser (its own cookies) signed in through the sign-in page."""
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_signing_out_on_one_device_signs_out_the_others(navigator):
    phone, laptop = device(navigator), device(navigator)
    assert laptop.get(CASELOAD).status_code == 200
    phone.post(reverse("account_logout"))
    assert phone.get(CASELOAD).status_code == 302
    response = laptop.get(CASELOAD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_signing_out_leaves_other_people_signed_in(navigator, supervisor):
    mine, theirs = device(navigator), device(supervisor)
    mine.post(reverse("account_logout"))
    assert theirs.get("/referrals/inbox/").status_code == 200


def test_deactivation_ends_every_device(navigator):
    phone, laptop = device(navigator), device(navigator)
    services.user_deactivate(user=navigator)
    assert phone.get(CASELOAD).status_code == 302
    assert laptop.get(CASELOAD).status_code == 302


def test_an_idle_timeout_ends_only_the_idle_device(navigator):
    start = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        idle, busy = device(navigator), device(navigator)
        for _ in range(2):
            clock.shift(datetime.timedelta(minutes=10))
            assert busy.get(CASELOAD).status_code == 200
        assert idle.get(CASELOAD).status_code == 302
        assert busy.get(CASELOAD).status_code == 200


def test_a_session_started_at_the_admin_sign_in_ends_too(administrator, navigator):
    admin_browser = Client()
    admin_browser.post(
        reverse("admin:login"),
        {"username": administrator.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert admin_browser.get("/admin/").status_code == 200
    other = device(administrator)
    other.post(reverse("account_logout"))
    assert admin_browser.get("/admin/").status_code == 302


def test_the_devices_page_lists_each_signed_in_browser(navigator):
    phone = device(navigator)
    device(navigator)
    response = phone.get(reverse("usersessions_list"))
    assert response.status_code == 200
    assert len(response.context["sessions"]) == 2
