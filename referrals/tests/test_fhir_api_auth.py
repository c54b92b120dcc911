"""SMART Backend Services on chwlink's FHIR API: who gets a token, for what, and
what a request without a good one gets."""

import datetime
import time

import jwt
import pytest
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from referrals.tests.fhir_clients import Ehr

TASKS = "/fhir/Task"


@pytest.fixture
def ehr(clinic):
    return Ehr(clinic)


def test_a_signed_assertion_buys_a_five_minute_token_for_the_scopes_asked(ehr, client):
    response = ehr.token_request(client, scope="system/Task.rs system/Patient.r")
    body = response.json()
    assert response.status_code == 200
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 300
    assert body["scope"] == "system/Task.rs system/Patient.r"
    assert response["Cache-Control"] == "no-store"
    assert ehr.get(client, TASKS, token=body["access_token"]).status_code == 200


def test_an_assertion_is_good_once(ehr, client):
    assertion = ehr.assertion()
    assert ehr.token_request(client, assertion=assertion).status_code == 200
    replay = ehr.token_request(client, assertion=assertion)
    assert replay.status_code == 401
    assert "already used" in replay.json()["error_description"]


@pytest.mark.parametrize(
    "claims, words",
    [
        ({"aud": "https://elsewhere.example/token"}, "Audience"),
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"exp": int(time.time()) + 3600}, "five minutes"),
        ({"sub": "someone-else"}, "sub must be"),
        ({"jti": None}, "jti"),
    ],
)
def test_an_assertion_with_a_bad_claim_is_refused(ehr, client, claims, words):
    if claims.get("jti", "") is None:
        assertion = ehr.assertion()
        payload = jwt.decode(assertion, options={"verify_signature": False})
        del payload["jti"]
        assertion = jwt.encode(
            payload, ehr.private_key, algorithm="ES384", headers={"kid": ehr.kid}
        )
    else:
        assertion = ehr.assertion(**claims)
    response = ehr.token_request(client, assertion=assertion)
    assert response.status_code in (400, 401)
    assert response.json()["error"] == "invalid_client"
    assert words in response.json()["error_description"]


def test_an_assertion_signed_with_another_key_is_refused(ehr, client):
    stranger = ec.generate_private_key(ec.SECP384R1())
    payload = jwt.decode(ehr.assertion(), options={"verify_signature": False})
    forged = jwt.encode(payload, stranger, algorithm="ES384", headers={"kid": "key-1"})
    response = ehr.token_request(client, assertion=forged)
    assert response.status_code == 401
    assert "Signature" in response.json()["error_description"]


def test_a_symmetric_signature_is_refused(ehr, client):
    payload = jwt.decode(ehr.assertion(), options={"verify_signature": False})
    forged = jwt.encode(
        payload, "guessable-secret-of-32-bytes-long!", algorithm="HS256"
    )
    response = ehr.token_request(client, assertion=forged)
    assert response.status_code == 401
    assert "RS384 or ES384" in response.json()["error_description"]


def test_an_unknown_or_switched_off_client_gets_no_token(ehr, client):
    unknown = ehr.assertion(iss="nobody", sub="nobody")
    assert ehr.token_request(client, assertion=unknown).status_code == 401
    ehr.client.is_active = False
    ehr.client.save()
    assert ehr.token_request(client).json()["error"] == "invalid_client"


def test_scopes_beyond_the_registration_are_not_granted(clinic, client):
    ehr = Ehr(clinic, scopes=["system/Task.rs"])
    narrowed = ehr.token_request(client, scope="system/Task.rs system/Patient.rs")
    assert narrowed.json()["scope"] == "system/Task.rs"
    refused = ehr.token_request(client, scope="system/Task.c")
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_scope"


def test_only_client_credentials_with_a_jwt_assertion(ehr, client):
    response = client.post(reverse("fhir:token"), {"grant_type": "password"})
    assert response.json()["error"] == "unsupported_grant_type"
    response = client.post(
        reverse("fhir:token"),
        {"grant_type": "client_credentials", "client_assertion_type": "secret"},
    )
    assert response.json()["error"] == "invalid_request"


def test_no_token_a_bad_one_or_an_expired_one_is_a_401_operation_outcome(ehr, client):
    token = ehr.token(client)
    for header in ({}, {"HTTP_AUTHORIZATION": "Bearer not-a-token"}):
        response = client.get(TASKS, **header)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["resourceType"] == "OperationOutcome"
        assert response.json()["issue"][0]["code"] == "login"
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=6)
    with time_machine.travel(later):
        assert ehr.get(client, TASKS, token=token).status_code == 401
    ehr.client.account.is_active = False
    ehr.client.account.save()
    assert ehr.get(client, TASKS, token=token).status_code == 401


def test_a_token_without_the_resource_scope_gets_a_403(clinic, client):
    ehr = Ehr(clinic, scopes=["system/Patient.rs"])
    response = ehr.get(client, TASKS)
    assert response.status_code == 403
    assert response.json()["issue"][0]["code"] == "forbidden"
    assert "system/Task.s" in response.json()["issue"][0]["diagnostics"]


def test_v1_scopes_are_understood(clinic, client):
    ehr = Ehr(clinic, scopes=["system/*.read"])
    token = ehr.token(client, scope="system/Task.read")
    assert ehr.get(client, TASKS, token=token).status_code == 200


def test_the_metadata_and_smart_configuration_are_public(client):
    metadata = client.get("/fhir/metadata")
    assert metadata.status_code == 200
    assert metadata["Content-Type"].startswith("application/fhir+json")
    smart = client.get("/fhir/.well-known/smart-configuration").json()
    assert smart["token_endpoint"] == "http://testserver/fhir/auth/token"
    assert smart["token_endpoint_auth_signing_alg_values_supported"] == [
        "RS384",
        "ES384",
    ]


def test_a_refusal_is_explained_in_the_language_the_caller_asks_for(ehr, client):
    assertion = ehr.assertion()
    ehr.token_request(client, assertion=assertion)
    replay = client.post(
        reverse("fhir:token"),
        {
            "grant_type": "client_credentials",
            "client_assertion_type": (
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            ),
            "client_assertion": assertion,
            "scope": "system/Task.rs",
        },
        HTTP_ACCEPT_LANGUAGE="es",
    )
    # The error code is the RFC's; the description is for the person reading it.
    assert replay.json()["error"] == "invalid_client"
    assert replay.json()["error_description"] == ("Esta aserción ya se usó (jti).")
