"""The FHIR API's access matrix: every URL of it, asked without a token, with a
signed-in browser session (which must not count), and with another health
system's token (which must learn nothing)."""

import pytest
from django.urls import URLPattern, reverse
from django.urls.converters import UUIDConverter

from partners.tests.factories import SiteFactory
from referrals.fhir import urls as fhir_urls
from referrals.tests import states
from referrals.tests.fhir_clients import Ehr

pytestmark = pytest.mark.django_db

# GET and POST without a token: the public endpoints answer, the rest ask for one.
PUBLIC = {
    "fhir:metadata": (200, 405),
    "fhir:smart": (200, 405),
    "fhir:token": (405, 400),
}
API = {
    "fhir:transaction": (405, 401),
    "fhir:task-read": (401, 405),
    "fhir:task-search": (401, 401),
    "fhir:servicerequest-read": (401, 405),
    "fhir:servicerequest-search": (401, 405),
    "fhir:patient-read": (401, 405),
    "fhir:patient-search": (401, 405),
    "fhir:procedure-read": (401, 405),
    "fhir:procedure-search": (401, 405),
    "fhir:consent-read": (401, 405),
    "fhir:unknown": (401, 401),
}


def _names() -> dict[str, bool]:
    return {
        f"fhir:{p.name}": any(
            isinstance(c, UUIDConverter) for c in p.pattern.converters.values()
        )
        for p in fhir_urls.urlpatterns
        if isinstance(p, URLPattern)
    }


def test_every_fhir_url_has_a_row():
    assert set(_names()) == set(PUBLIC) | set(API)


@pytest.fixture
def urls(clinic_user, supervisor, navigator):
    referral = states.closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    kwargs = {
        name: {"code": referral.code} for name, coded in _names().items() if coded
    }
    kwargs["fhir:patient-read"] = {"code": referral.patient.code}
    kwargs["fhir:unknown"] = {"rest": "Observation/1"}
    return {name: reverse(name, kwargs=kwargs.get(name, {})) for name in _names()}


@pytest.mark.parametrize("signed_in", [False, True])
def test_without_a_token_only_the_public_endpoints_answer(
    client, login, clinic_user, urls, signed_in
):
    """A browser session of the same health system is not a token: cookies never
    authorise the API (so no page of another site can use them)."""
    http = login(clinic_user) if signed_in else client
    wrong = []
    for name, url in urls.items():
        got = (http.get(url).status_code, http.post(url).status_code)
        if got != (PUBLIC | API)[name]:
            wrong.append(f"{name}: got {got}, expected {(PUBLIC | API)[name]}")
    assert not wrong


def test_another_health_systems_token_gets_404_on_every_record(
    client, other_partnership, urls
):
    outsider = Ehr(SiteFactory(organization=other_partnership.health_system))
    token = outsider.token(client)
    coded = [name for name, is_coded in _names().items() if is_coded]
    for name in coded:
        response = client.get(urls[name], HTTP_AUTHORIZATION=f"Bearer {token}")
        assert response.status_code == 404, name
        assert response.json()["issue"][0]["diagnostics"] == "No such resource."
