"""A clinic's EHR as the FHIR API sees it: a registered client with its own key
pair, signing SMART Backend Services assertions and holding a token."""

import json
import time
import uuid

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from referrals.fhir.auth import api_client_register

TOKEN_URL = "http://testserver" + "/fhir/auth/token"


class Ehr:
    """A key pair, the client registered with its public half, and helpers to
    sign assertions and call the API on a Django test client."""

    def __init__(self, clinic, *, name="Clinic EHR", scopes=None, kid="key-1"):
        self.private_key = ec.generate_private_key(ec.SECP384R1())
        self.kid = kid
        public = json.loads(
            jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key())
        )
        jwks = {"keys": [public | {"kid": kid, "alg": "ES384", "use": "sig"}]}
        self.client = api_client_register(
            name=name, clinic=clinic, jwks=jwks, scopes=scopes
        )

    def assertion(self, **claims) -> str:
        now = int(time.time())
        payload = {
            "iss": self.client.client_id,
            "sub": self.client.client_id,
            "aud": TOKEN_URL,
            "exp": now + 240,
            "jti": uuid.uuid4().hex,
        } | claims
        return jwt.encode(
            payload, self.private_key, algorithm="ES384", headers={"kid": self.kid}
        )

    def token_request(self, http, *, assertion=None, scope="system/Task.cruds"):
        return http.post(
            reverse("fhir:token"),
            {
                "grant_type": "client_credentials",
                "client_assertion_type": (
                    "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
                ),
                "client_assertion": assertion or self.assertion(),
                "scope": scope,
            },
        )

    def token(self, http, scope=None) -> str:
        scope = scope or " ".join(self.client.scopes)
        response = self.token_request(http, scope=scope)
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    def get(self, http, path, token=None, **params):
        token = token or self.token(http)
        return http.get(path, params, HTTP_AUTHORIZATION=f"Bearer {token}")


def light_client(*, partnership, clinic, key, server, owner):
    """chwlink registered as the CBO's light client of ``server`` (a health
    system's FHIR server on loopback), signing with ``key``."""
    from cryptography.hazmat.primitives import serialization

    from referrals.models import ApiClient

    client = api_client_register(name="County EHR", clinic=clinic, jwks={"keys": []})
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    ApiClient.objects.filter(pk=client.pk).update(
        server_url=server.base,
        server_token_url=server.token_url,
        server_client_id="chwlink-cbo",
        server_private_key=pem,
        server_owner=owner,
        server_partnership=partnership,
    )
    return ApiClient.objects.select_related("server_partnership__cbo").get(pk=client.pk)


def refreshed(client):
    """The light client's row as the last poll left it."""
    from referrals.models import ApiClient

    return ApiClient.objects.select_related("server_partnership__cbo").get(pk=client.pk)


def later(client):
    """Past the IG's 15-minute floor since the client's last poll."""
    import datetime

    return client.polled_at + datetime.timedelta(minutes=20)
