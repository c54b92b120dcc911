"""Administrators register a clinic's EHR; expired credentials are forgotten."""

import datetime
import json

import jwt
import time_machine
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from partners.models import User
from referrals.fhir.auth import expired_credentials_delete
from referrals.models import (
    ApiAssertionUse,
    ApiClient,
    ApiToken,
    NotificationPreference,
)
from referrals.tests.fhir_clients import Ehr


def public_jwks(private=False) -> str:
    key = ec.generate_private_key(ec.SECP384R1())
    jwk = json.loads(
        jwt.algorithms.ECAlgorithm.to_jwk(key if private else key.public_key())
    )
    return json.dumps({"keys": [jwk | {"kid": "k1"}]})


def add(http, clinic, jwks):
    return http.post(
        reverse("admin:referrals_apiclient_add"),
        {
            "name": "North Clinic Epic",
            "clinic": clinic.pk,
            "jwks": jwks,
            "scopes": "system/Task.cruds,system/Patient.rs",
            "is_active": "on",
        },
    )


def test_an_administrator_registers_an_ehr_with_its_own_account(
    login, administrator, clinic
):
    response = add(login(administrator), clinic, public_jwks())
    assert response.status_code == 302
    client = ApiClient.objects.get()
    account = client.account
    assert (account.role, account.organization, account.site) == (
        User.Role.CLINIC_STAFF,
        clinic.organization,
        clinic,
    )
    assert not account.has_usable_password()
    assert NotificationPreference.objects.get(user=account).email_mode == "none"
    assert client.scopes == ["system/Task.cruds", "system/Patient.rs"]
    page = login(administrator).get(
        reverse("admin:referrals_apiclient_change", args=[client.pk])
    )
    assert client.client_id in page.content.decode()


def test_a_private_key_or_garbage_is_refused_beside_the_field(
    login, administrator, clinic
):
    private = add(login(administrator), clinic, public_jwks(private=True))
    assert "holds a private key" in private.content.decode()
    garbage = add(login(administrator), clinic, '{"keys": "none"}')
    assert "Paste a JSON Web Key Set" in garbage.content.decode()
    assert not ApiClient.objects.exists()
    assert "North Clinic Epic" in garbage.content.decode()


def test_expired_tokens_and_assertions_are_forgotten(client, clinic):
    ehr = Ehr(clinic)
    ehr.token(client)
    assert expired_credentials_delete() == 0
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=6)
    with time_machine.travel(later):
        assert expired_credentials_delete() == 2
    assert not ApiToken.objects.exists()
    assert not ApiAssertionUse.objects.exists()
