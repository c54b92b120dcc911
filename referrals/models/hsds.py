"""Read-only keys to chwlink's HSDS API, one organization each. Only a digest of
the key is stored; the key itself is shown once, when it is made."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import Organization, TimeStamped


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


class HsdsApiKey(TimeStamped):
    """An organization's key: it reads the organization's own directory and every
    organization listed publicly."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="hsds_keys",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        editable=False,
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)

    class Meta:
        ordering = ["organization", "name", "pk"]
        verbose_name = _("HSDS API key")
        verbose_name_plural = _("HSDS API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class HsdsImport(TimeStamped):
    """An HSDS file uploaded into a CBO's directory: previewed, written only
    when a supervisor confirms. ``content`` holds the file's records as JSON
    (a data package's tables already put back together)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    directory_owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="hsds_imports",
        verbose_name=_("directory"),
    )
    file_name = models.CharField(_("file"), max_length=200)
    content = models.JSONField(_("records"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_count = models.PositiveIntegerField(_("records created"), default=0)
    updated_count = models.PositiveIntegerField(_("records updated"), default=0)
    refused_count = models.PositiveIntegerField(_("records refused"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("HSDS import")
        verbose_name_plural = _("HSDS imports")

    def __str__(self):
        return self.file_name
