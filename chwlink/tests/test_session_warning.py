"""Pages know when the session ends; "Stay signed in" restarts the idle clock."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partners.tests.factories import PASSWORD

STATUS = reverse("session-status")
BACKGROUND = {"X-CHWLink-Background": "1"}
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return client


def test_pages_carry_the_time_left_and_the_warning(client, navigator, clock):
    response = sign_in(client, navigator).get("/referrals/caseload/")
    content = response.content.decode()
    assert 'data-idle-seconds="900"' in content
    assert 'data-absolute-seconds="43200"' in content
    assert 'data-warning-seconds="120"' in content
    assert 'data-testid="session-warning"' in content
    assert "Stay signed in" in content
    assert "js/session.js" in content


def test_signed_out_pages_have_no_session_warning(client, db):
    content = client.get(reverse("account_login")).content.decode()
    assert "data-idle-seconds" not in content
    assert "session-warning" not in content


def test_asking_in_the_background_does_not_extend_the_session(client, navigator, clock):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(minutes=10))
    response = client.get(STATUS, headers=BACKGROUND)
    assert response.json() == {"idle": 300, "absolute": 42600}
    clock.shift(datetime.timedelta(minutes=1))
    assert client.get(STATUS, headers=BACKGROUND).json()["idle"] == 240


def test_stay_signed_in_restarts_the_idle_clock(client, navigator, clock):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(minutes=14))
    response = client.post(STATUS)
    assert response.json() == {"idle": 900, "absolute": 42360}
    clock.shift(datetime.timedelta(minutes=14))
    assert client.get("/referrals/caseload/").status_code == 200


def test_without_staying_signed_in_the_session_ends(client, navigator, clock):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(minutes=16))
    response = client.get(STATUS, headers=BACKGROUND)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_stay_signed_in_cannot_pass_the_absolute_cap(client, navigator, clock):
    sign_in(client, navigator)
    for _ in range(12 * 6):
        clock.shift(datetime.timedelta(minutes=10))
        client.post(STATUS)
    clock.shift(datetime.timedelta(minutes=1))
    response = client.post(STATUS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_stay_signed_in_needs_the_csrf_token(navigator, clock):
    from django.test import Client

    client = sign_in(Client(enforce_csrf_checks=True), navigator)
    assert client.post(STATUS).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(STATUS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
