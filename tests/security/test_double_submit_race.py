"""A double-clicked creating form, as real concurrent requests: two copies of one
rendered form (same session, same one-time token) reach the live server at the same
moment, each on its own thread and database connection. Exactly one referral and
one contact are made, and both requests land on the referral that was made."""

import http.cookies
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
import zoneinfo

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from referrals.models import Encounter, Referral
from referrals.tests import states
from referrals.tests.factories import PatientFactory

pytestmark = pytest.mark.django_db(transaction=True)

AUTH_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
COPIES = 2


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One signed-in browser session over plain HTTP: its cookies, no redirects."""

    def __init__(self, live_server, user):
        client = Client()
        client.force_login(user, backend=AUTH_BACKEND)
        self.base = live_server.url
        self.opener = urllib.request.build_opener(NoRedirect)
        name = settings.SESSION_COOKIE_NAME
        self.cookies = {name: client.cookies[name].value}

    def _request(self, path, body=None):
        # The live server's own http:// address, never a user-given URL.
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310
        request.add_header(
            "Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        )
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            response = answer
        with response:
            for header in response.headers.get_all("Set-Cookie") or []:
                for morsel in http.cookies.SimpleCookie(header).values():
                    self.cookies.setdefault(morsel.key, morsel.value)
            return (
                response.status,
                response.headers.get("Location", ""),
                (response.read().decode()),
            )

    def form(self, path: str) -> dict:
        """The hidden fields of the page's form, as the browser would send them."""
        status, _location, html = self._request(path)
        assert status == 200
        hidden = dict(
            re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html)
        )
        assert "form_token" in hidden, "the creating form carries no one-time token"
        return hidden

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode()
        status, location, _html = self._request(path, body)
        return status, location


def send_together(browser: Browser, path: str, data: dict) -> list:
    """Post the same form COPIES times, the requests released at the same moment."""
    barrier = threading.Barrier(COPIES)
    answers = [None] * COPIES

    def send(index):
        barrier.wait()
        answers[index] = browser.post(path, data)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_double_submitted_referral_makes_one_referral(
    live_server, clinic_user, clinic
):
    patient = PatientFactory(
        health_system=clinic_user.organization, created_by=clinic_user
    )
    browser = Browser(live_server, clinic_user)
    path = f"/referrals/new/{patient.code}/"
    data = browser.form(path) | {
        "clinic": clinic.pk,
        "social_needs": ["food-insecurity"],
        "urgency": "routine",
        "consent_given": "on",
        "consent_source": "verbal",
        "action": "submit",
    }

    answers = send_together(browser, path, data)

    referral = Referral.objects.get(patient=patient)
    assert referral.status == Referral.Status.SUBMITTED
    assert answers == [(302, f"/referrals/{referral.code}/")] * COPIES


def test_a_double_submitted_contact_makes_one_contact(
    live_server, clinic_user, supervisor, navigator
):
    referral = states.assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    zone = zoneinfo.ZoneInfo(referral.partnership.time_zone)
    browser = Browser(live_server, navigator)
    path = f"/referrals/{referral.code}/contacts/new/"
    data = browser.form(path) | {
        "occurred_at": timezone.localtime(timezone=zone).strftime("%Y-%m-%dT%H:%M"),
        "mode": "phone",
        "reached": "yes",
        "minutes": "25",
        "note": "Talked about the food pantry.",
    }

    answers = send_together(browser, path, data)

    assert Encounter.objects.filter(referral=referral).count() == 1
    assert answers == [(302, f"/referrals/{referral.code}/")] * COPIES
