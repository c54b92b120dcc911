"""The computer systems of a health system (its EHR) that use chwlink's FHIR API,
with SMART Backend Services: each signs a short-lived assertion with a private
key whose public half is registered here, and trades it for an access token."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Site, TimeStamped

DEFAULT_SCOPES = [
    "system/Task.cruds",
    "system/ServiceRequest.rs",
    "system/Patient.rs",
    "system/Procedure.rs",
    "system/Consent.rs",
]


def _new_client_id() -> str:
    return uuid.uuid4().hex


def _default_scopes() -> list[str]:
    return list(DEFAULT_SCOPES)


class ApiClient(TimeStamped):
    """A clinic's EHR registered to send and follow referrals over FHIR. It acts
    through its own account (a clinic staff user with no password), so what it
    reads and writes is scoped, logged and attributed like a person's work."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    clinic = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="api_clients",
        verbose_name=_("clinic"),
        help_text=_("Referrals it sends are the referrals of this clinic."),
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        editable=False,
    )
    client_id = models.CharField(
        _("client ID"), max_length=64, unique=True, default=_new_client_id
    )
    jwks = models.JSONField(
        _("public keys (JWKS)"),
        help_text=_(
            "The JSON Web Key Set whose keys the system signs its client "
            "assertions with (RS384 or ES384)."
        ),
    )
    scopes = ArrayField(
        models.CharField(max_length=60),
        verbose_name=_("allowed scopes"),
        default=_default_scopes,
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("FHIR API client")
        verbose_name_plural = _("FHIR API clients")

    def __str__(self):
        return self.name


class ApiToken(models.Model):
    """An access token issued to a client: only its SHA-256 digest is kept."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    scopes = ArrayField(models.CharField(max_length=60))
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("FHIR API token")
        verbose_name_plural = _("FHIR API tokens")

    def __str__(self):
        return f"{self.client} until {self.expires_at:%Y-%m-%d %H:%M}"


class ApiAssertionUse(models.Model):
    """A client assertion already traded for a token (its ``jti``), kept until it
    expires so the same assertion cannot be replayed."""

    client = models.ForeignKey(ApiClient, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "jti"], name="api_assertion_used_once"
            )
        ]

    def __str__(self):
        return self.jti
