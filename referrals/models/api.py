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
        default=dict,
        blank=True,
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
    # The other way round (the IG's "light" client): chwlink polls the EHR's own
    # FHIR server for the Tasks it hosts for the CBO and writes their status back.
    server_url = models.URLField(
        _("the EHR's FHIR base URL"),
        blank=True,
        help_text=_("Fill in to poll this server for the CBO's Tasks."),
    )
    server_token_url = models.URLField(_("its token endpoint"), blank=True)
    server_client_id = models.CharField(
        _("chwlink's client ID there"), max_length=200, blank=True
    )
    server_private_key = models.TextField(
        _("chwlink's private key there (PEM)"),
        blank=True,
        help_text=_("EC P-384 or RSA; its public half is registered with the EHR."),
    )
    server_key_id = models.CharField(_("its key ID (kid)"), max_length=200, blank=True)
    server_partnership = models.ForeignKey(
        "partners.Partnership",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("the partnership its Tasks are for"),
    )
    server_owner = models.CharField(
        _("the CBO on that server"),
        max_length=200,
        blank=True,
        help_text=_("How the EHR names the CBO as Task.owner: Organization/<id>."),
    )
    poll_since = models.CharField(max_length=40, blank=True, editable=False)
    polled_at = models.DateTimeField(null=True, blank=True, editable=False)
    synced_at = models.DateTimeField(null=True, blank=True, editable=False)
    sync_error = models.TextField(blank=True, editable=False)
    sync_error_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("FHIR API client")
        verbose_name_plural = _("FHIR API clients")

    def __str__(self):
        return self.name


class FhirWriteBack(models.Model):
    """A status change of a referral whose Task an EHR hosts, waiting to reach
    that server: sent oldest first, each once (an outbox)."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.CASCADE, related_name="+"
    )
    client = models.ForeignKey(
        ApiClient, on_delete=models.CASCADE, related_name="writebacks"
    )
    status = models.CharField(max_length=20)
    reason = models.TextField(blank=True)
    procedures = models.JSONField(default=list, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["client", "id"],
                condition=models.Q(sent_at__isnull=True),
                name="fhir_writeback_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.referral_id} → {self.status}"


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
