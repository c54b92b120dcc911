"""The session limits at their exact edges, the message when they end a session, the
interface language a signed-in person chose, and no caching of signed-in pages."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partners.tests.factories import PASSWORD

STATUS = reverse("session-status")
CASELOAD = "/referrals/caseload/"
BACKGROUND = {"X-CHWLink-Background": "1"}
START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def sign_in(client, user):
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    return client


def is_signed_out(response):
    return response.status_code == 302 and response["Location"].startswith(
        reverse("account_login")
    )


def test_a_page_opened_exactly_at_the_idle_limit_keeps_the_session(
    client, navigator, clock
):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(minutes=15))
    assert client.get(CASELOAD).status_code == 200
    # That page was activity: the idle clock starts again from it.
    clock.shift(datetime.timedelta(minutes=15))
    assert client.get(CASELOAD).status_code == 200


def test_a_second_past_the_idle_limit_ends_the_session_with_a_reason(
    client, navigator, clock
):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(minutes=15, seconds=1))
    response = client.get(CASELOAD)
    assert is_signed_out(response)
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out to protect patient data." in page
    assert is_signed_out(client.get(CASELOAD))


def test_the_absolute_limit_holds_to_the_second(client, navigator, clock):
    sign_in(client, navigator)
    for _ in range(12 * 4):
        clock.shift(datetime.timedelta(minutes=15))
        assert client.get(STATUS, headers=BACKGROUND).status_code == 200
        client.post(STATUS)
    assert client.get(STATUS, headers=BACKGROUND).json()["absolute"] == 0
    clock.shift(datetime.timedelta(seconds=1))
    assert is_signed_out(client.get(CASELOAD))


def test_time_left_is_counted_in_whole_seconds_rounded_down(client, navigator, clock):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(seconds=0.5))
    assert client.get(STATUS, headers=BACKGROUND).json() == {
        "idle": 899,
        "absolute": 43199,
    }


def test_signing_in_again_restarts_both_clocks(client, navigator, clock):
    sign_in(client, navigator)
    clock.shift(datetime.timedelta(minutes=10))
    client.post(STATUS)
    client.logout()
    sign_in(client, navigator)
    assert client.get(STATUS, headers=BACKGROUND).json() == {
        "idle": 900,
        "absolute": 43200,
    }


def test_a_session_from_before_the_clocks_gets_them_on_its_next_page(
    login, navigator, clock
):
    client = login(navigator)
    session = client.session
    for key in ("chwlink_last_activity", "chwlink_session_started"):
        session.pop(key, None)
    session.save()
    clock.shift(datetime.timedelta(hours=1))
    assert client.get(CASELOAD).status_code == 200
    clock.shift(datetime.timedelta(minutes=10))
    assert client.get(STATUS, headers=BACKGROUND).json() == {
        "idle": 300,
        "absolute": 42600,
    }


def test_the_chosen_language_wins_over_the_browsers(login, navigator):
    navigator.language = "es"
    navigator.save()
    response = login(navigator).get(CASELOAD, headers={"Accept-Language": "en"})
    content = response.content.decode()
    assert '<html lang="es">' in content


def test_without_a_choice_the_browsers_language_is_used(login, navigator):
    navigator.language = ""
    navigator.save()
    response = login(navigator).get(CASELOAD, headers={"Accept-Language": "es"})
    assert '<html lang="es">' in response.content.decode()
    response = login(navigator).get(CASELOAD, headers={"Accept-Language": "en"})
    assert '<html lang="en">' in response.content.decode()


def test_signed_in_pages_are_not_stored_anywhere(login, navigator):
    response = login(navigator).get(CASELOAD)
    assert response["Cache-Control"] == "no-store, private"
    assert "Expires" in response


def test_signed_out_pages_keep_their_own_caching_rules(client, db):
    # The sign-in page sets its own (allauth's never_cache); nothing is added.
    response = client.get(reverse("account_login"))
    assert response["Cache-Control"] == (
        "max-age=0, no-cache, no-store, must-revalidate, private"
    )


def test_a_session_without_its_clocks_gets_them_and_still_ends_when_only_polled(
    client, navigator, clock
):
    # Sessions opened before the limits existed carry no clocks: the first request
    # starts them, and background polling alone must not keep such a session alive.
    sign_in(client, navigator)
    session = client.session
    for key in ("chwlink_last_activity", "chwlink_session_started"):
        session.pop(key, None)
    session.save()

    assert client.get(STATUS, headers=BACKGROUND).status_code == 200
    for _ in range(3):
        clock.shift(datetime.timedelta(minutes=5))
        assert client.get(STATUS, headers=BACKGROUND).status_code == 200
    clock.shift(datetime.timedelta(seconds=1))
    assert is_signed_out(client.get(CASELOAD))
