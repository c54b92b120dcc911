"""Someone whose session ran out is told why on the sign-in page."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from partners.tests.factories import PASSWORD

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_an_idle_sign_out_says_it_protects_patient_data(client, navigator, clock):
    client.post(
        reverse("account_login"), {"login": navigator.email, "password": PASSWORD}
    )
    clock.shift(datetime.timedelta(minutes=16))
    response = client.get("/referrals/caseload/", follow=True)
    assert response.request["PATH_INFO"] == reverse("account_login")
    shown = [str(message) for message in response.context["messages"]]
    assert shown[-1] == "You were signed out to protect patient data."
