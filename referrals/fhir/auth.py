"""SMART Backend Services for chwlink's FHIR API (OAuth 2.0 client credentials
with a signed JWT client assertion, RFC 7523).

A registered client signs an assertion (``iss`` = ``sub`` = its client id,
``aud`` = the token endpoint, ``exp`` within five minutes, a fresh ``jti``) with
a key of its registered JWKS, and receives an access token valid for five
minutes, for the scopes it asked for that its registration allows. PyJWT checks
the signature and the claims; this module adds the rules SMART sets on top.
"""

import datetime
import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

import jwt
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import User
from referrals.models import (
    ApiAssertionUse,
    ApiClient,
    ApiToken,
    NotificationPreference,
)

ALGORITHMS = ["RS384", "ES384"]
TOKEN_LIFETIME = datetime.timedelta(minutes=5)
ASSERTION_LIFETIME = datetime.timedelta(minutes=5)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ACCOUNT_DOMAIN = "api-clients.chwlink.invalid"

# SMART v2 scopes (system/Task.rs) and their v1 spellings (system/Task.read).
SCOPE = re.compile(
    r"^system/(?P<type>\*|[A-Z][A-Za-z]+)\.(?P<perms>read|write|\*|c?r?u?d?s?)$"
)
SCOPE_EXAMPLES = [
    "system/Task.cruds",
    "system/Task.rs",
    "system/ServiceRequest.rs",
    "system/Patient.rs",
    "system/Procedure.rs",
    "system/Consent.rs",
    "system/*.rs",
]
V1_PERMISSIONS = {"read": "rs", "write": "cud", "*": "cruds"}


class TokenRequestError(Exception):
    """A refused token request, as RFC 6749 section 5.2 names its errors."""

    def __init__(self, error: str, description: str, status: int = 400):
        super().__init__(description)
        self.error, self.description, self.status = error, description, status


@dataclass(frozen=True)
class Grant:
    client: ApiClient
    scopes: tuple[str, ...]

    def allows(self, resource_type: str, permission: str) -> bool:
        return any(covers(scope, resource_type, permission) for scope in self.scopes)


def _parsed(scope: str) -> tuple[str, str] | None:
    match = SCOPE.match(scope)
    if not match or not match["perms"]:
        return None
    perms = V1_PERMISSIONS.get(match["perms"], match["perms"])
    return match["type"], perms


def covers(scope: str, resource_type: str, permission: str) -> bool:
    """Whether a scope allows one permission (c, r, u, d or s) on a type (or, for
    ``*``, on every type)."""
    parsed = _parsed(scope)
    if parsed is None:
        return False
    kind, perms = parsed
    return kind in ("*", resource_type) and permission in perms


def _within(requested: str, allowed: list[str]) -> bool:
    parsed = _parsed(requested)
    if parsed is None:
        return False
    kind, perms = parsed
    return all(
        any(covers(scope, kind, letter) for scope in allowed) for letter in perms
    )


def jwks_problem(jwks) -> str:
    """What is wrong with a key set a client registers ("" when nothing): it
    must hold public keys of the kinds chwlink verifies, and no private part."""
    try:
        keys = jwt.PyJWKSet.from_dict(jwks).keys
    except (jwt.PyJWTError, AttributeError, TypeError):
        return _('Paste a JSON Web Key Set: {"keys": [{"kty": "EC", ...}]}.')
    raw = jwks.get("keys", [])
    if any("d" in key for key in raw):
        return _("This key set holds a private key: register the public keys only.")
    if not keys or any(key.key_type not in ("RSA", "EC") for key in keys):
        return _("Register RSA or EC public keys (RS384 or ES384).")
    return ""


def private_key_problem(pem: str) -> str:
    """What is wrong with the private key chwlink signs with at an EHR's token
    endpoint ("" when nothing)."""
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        key = load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError):
        return _(
            "Paste an unencrypted private key in PEM (-----BEGIN PRIVATE KEY-----)."
        )
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        return _("Use an EC P-384 or RSA key (ES384 or RS384).")
    return ""


def api_client_register(*, name: str, clinic, jwks: dict, scopes=None) -> ApiClient:
    """Register a clinic's system, with the account it acts through: clinic
    staff of that clinic, without a password (nobody signs in as it) and without
    e-mail (its notifications reach the EHR through the API)."""
    with transaction.atomic():
        client_id = uuid.uuid4().hex
        account = User.objects.create(
            email=f"{client_id}@{ACCOUNT_DOMAIN}",
            first_name=name[:100],
            last_name="(FHIR API)",
            role=User.Role.CLINIC_STAFF,
            organization=clinic.organization,
            site=clinic,
            password=make_password(None),
        )
        NotificationPreference.objects.create(
            user=account, email_mode=NotificationPreference.EmailMode.NONE
        )
        fields = {"scopes": list(scopes)} if scopes else {}
        return ApiClient.objects.create(
            name=name,
            clinic=clinic,
            account=account,
            client_id=client_id,
            jwks=jwks,
            **fields,
        )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _client_of(assertion: str) -> tuple[ApiClient, dict]:
    try:
        claims = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except jwt.PyJWTError as error:
        raise TokenRequestError(
            "invalid_client",
            _("The client assertion is not a JWT (%(error)s).") % {"error": error},
        ) from error
    client = (
        ApiClient.objects.select_related("account")
        .filter(client_id=str(claims.get("iss", "")), is_active=True)
        .first()
    )
    if client is None or not client.account.is_active:
        raise TokenRequestError(
            "invalid_client", _("No active client has this client id."), 401
        )
    if header.get("alg") not in ALGORITHMS:
        raise TokenRequestError(
            "invalid_client",
            _("Sign the assertion with %(first)s or %(second)s.")
            % dict(zip(("first", "second"), ALGORITHMS, strict=True)),
            401,
        )
    return client, header


def _verified_claims(assertion: str, client: ApiClient, header, audience: str):
    try:
        keys = jwt.PyJWKSet.from_dict(client.jwks)
        key = keys[header["kid"]] if header.get("kid") else keys.keys[0]
    except (jwt.PyJWTError, KeyError, IndexError) as error:
        raise TokenRequestError(
            "invalid_client", _("No registered key matches the assertion's kid."), 401
        ) from error
    try:
        return jwt.decode(
            assertion,
            key=key.key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=client.client_id,
            options={"require": ["exp", "iss", "sub", "aud", "jti"]},
        )
    except jwt.PyJWTError as error:
        raise TokenRequestError(
            "invalid_client",
            _("The client assertion was refused: %(error)s.") % {"error": error},
            401,
        ) from error


def token_issue(*, data, audience: str) -> dict:
    """Trade a client assertion for an access token (the token endpoint's rule)."""
    if data.get("grant_type") != "client_credentials":
        raise TokenRequestError(
            "unsupported_grant_type",
            _("Only grant_type=client_credentials is offered."),
        )
    if data.get("client_assertion_type") != ASSERTION_TYPE:
        raise TokenRequestError(
            "invalid_request",
            _("client_assertion_type must be %(type)s.") % {"type": ASSERTION_TYPE},
        )
    assertion = data.get("client_assertion", "")
    client, header = _client_of(assertion)
    claims = _verified_claims(assertion, client, header, audience)
    now = timezone.now()
    expires = datetime.datetime.fromtimestamp(claims["exp"], tz=datetime.UTC)
    if claims["sub"] != client.client_id:
        raise TokenRequestError("invalid_client", _("sub must be the client id."), 401)
    if expires > now + ASSERTION_LIFETIME + datetime.timedelta(seconds=30):
        raise TokenRequestError(
            "invalid_client", _("The assertion may be valid for five minutes at most.")
        )
    requested = data.get("scope", "").split()
    granted = [s for s in requested if _within(s, client.scopes)]
    if not granted:
        raise TokenRequestError(
            "invalid_scope",
            _("Ask for scopes this client is registered for: %(scopes)s")
            % {"scopes": " ".join(client.scopes)},
        )
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            ApiAssertionUse.objects.create(
                client=client, jti=str(claims["jti"])[:255], expires_at=expires
            )
            ApiToken.objects.create(
                client=client,
                digest=token_digest(token),
                scopes=granted,
                expires_at=now + TOKEN_LIFETIME,
            )
    except IntegrityError as error:
        raise TokenRequestError(
            "invalid_client", _("This assertion was already used (jti)."), 401
        ) from error
    return {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        "scope": " ".join(granted),
    }


def token_grant(authorization: str) -> Grant | None:
    """The grant of a request's ``Authorization: Bearer`` token, if it is one
    chwlink issued, unexpired, to a client still active."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    issued = (
        ApiToken.objects.select_related("client__account", "client__clinic")
        .filter(digest=token_digest(token.strip()), expires_at__gt=timezone.now())
        .first()
    )
    if issued is None:
        return None
    client = issued.client
    if not (client.is_active and client.account.is_active):
        return None
    return Grant(client=client, scopes=tuple(issued.scopes))


def expired_credentials_delete() -> int:
    """Forget expired tokens and the assertions they were traded for."""
    now = timezone.now()
    tokens, _ = ApiToken.objects.filter(expires_at__lte=now).delete()
    uses, _ = ApiAssertionUse.objects.filter(expires_at__lte=now).delete()
    return tokens + uses
