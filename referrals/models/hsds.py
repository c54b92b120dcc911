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
