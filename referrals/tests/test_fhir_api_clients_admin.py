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


def test_polling_settings_come_together_with_a_usable_key(
    login, administrator, clinic, partnership, other_partnership
):
    http = login(administrator)
    data = {
        "name": "County EHR",
        "clinic": clinic.pk,
        "jwks": '{"keys": []}',
        "scopes": "system/Task.rs",
        "is_active": "on",
        "server_url": "https://ehr.example/fhir/",
        "server_private_key": "not a key",
        "server_partnership": other_partnership.pk,
    }
    page = http.post(reverse("admin:referrals_apiclient_add"), data).content.decode()
    assert "Paste an unencrypted private key in PEM" in page
    assert "Needed to poll the EHR" in page
    assert "Choose a partnership of this clinic" in page
    assert not ApiClient.objects.exists()
    key = ec.generate_private_key(ec.SECP384R1())
    from cryptography.hazmat.primitives import serialization

    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    data |= {
        "server_private_key": pem,
        "server_partnership": partnership.pk,
        "server_token_url": "https://ehr.example/token",
        "server_client_id": "chwlink",
        "server_owner": "Organization/77",
    }
    response = http.post(reverse("admin:referrals_apiclient_add"), data)
    assert response.status_code == 302
    saved = ApiClient.objects.get()
    assert (saved.server_owner, saved.server_partnership) == (
        "Organization/77",
        partnership,
    )
    assert saved.account.first_name == "County EHR"


def test_the_partnership_page_shows_each_clinic_systems_last_sync_and_error(
    login, manager, clinic, partnership
):
    from django.utils import timezone

    from referrals.fhir.auth import api_client_register

    polled = api_client_register(name="County EHR", clinic=clinic, jwks={"keys": []})
    ApiClient.objects.filter(pk=polled.pk).update(
        server_url="https://ehr.example/fhir/",
        server_partnership=partnership,
        synced_at=timezone.now(),
        sync_error="GET https://ehr.example/fhir/Task: 503",
        sync_error_at=timezone.now(),
    )
    api_client_register(name="Clinic Epic", clinic=clinic, jwks={"keys": []})
    page = (
        login(manager)
        .get(reverse("partners:partnership-detail", args=[partnership.code]))
        .content.decode()
    )
    assert "County EHR" in page and "Clinic Epic" in page
    assert "Last synchronised" in page
    assert "GET https://ehr.example/fhir/Task: 503" in page


def test_the_stored_private_key_is_never_shown_and_kept_when_left_empty(
    login, administrator, clinic
):
    from referrals.fhir.auth import api_client_register

    client = api_client_register(name="County EHR", clinic=clinic, jwks={"keys": []})
    ApiClient.objects.filter(pk=client.pk).update(server_private_key="SECRET-PEM")
    url = reverse("admin:referrals_apiclient_change", args=[client.pk])
    page = login(administrator).get(url).content.decode()
    assert "SECRET-PEM" not in page
    assert "Leave empty to keep it" in page
