"""Community resource directory, shaped like Open Referral HSDS 3.0
(organization → service → location, services offered at locations)."""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES
from partners.models import Organization, TimeStamped
from referrals.choices import ResourceStatus, SocialNeed


class ResourceOrganization(TimeStamped):
    """An organization offering services, as listed by a CBO's directory."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    directory_owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="directory_organizations",
        verbose_name=_("directory kept by"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("resource organization")
        verbose_name_plural = _("resource organizations")
        constraints = [
            models.UniqueConstraint(
                fields=["directory_owner", "name"],
                name="resource_org_unique_name_per_directory",
            )
        ]

    def __str__(self):
        return self.name


class ResourceService(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        ResourceOrganization,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("service name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    needs = ArrayField(
        models.CharField(max_length=40, choices=SocialNeed.choices),
        verbose_name=_("needs it helps with"),
        default=list,
    )
    languages = ArrayField(
        models.CharField(max_length=8, choices=LANGUAGE_CHOICES),
        verbose_name=_("languages offered"),
        default=list,
        blank=True,
    )
    interpretation_services = models.BooleanField(
        _("interpreters available"), default=False
    )
    eligibility = models.TextField(_("who is eligible"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees = models.CharField(_("fees"), max_length=200, blank=True)
    hours = models.CharField(_("hours"), max_length=200, blank=True)
    capacity_note = models.CharField(
        _("capacity or waitlist"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'Taking new clients' or 'Waitlist about 3 weeks'."),
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ResourceStatus.choices,
        default=ResourceStatus.ACTIVE,
    )
    last_verified_on = models.DateField(_("last verified"), null=True, blank=True)
    last_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("verified by"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("community resource")
        verbose_name_plural = _("community resources")
        indexes = [
            models.Index(fields=["organization", "status"]),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered as usual: not closed for now, inactive or closed for good."""
        return self.status == ResourceStatus.ACTIVE


class ResourceLocation(TimeStamped):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        ResourceOrganization,
        on_delete=models.PROTECT,
        related_name="locations",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("location name"), max_length=200)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=12, blank=True)
    services = models.ManyToManyField(
        ResourceService,
        related_name="locations",
        blank=True,
        verbose_name=_("services offered here"),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("resource location")
        verbose_name_plural = _("resource locations")

    def __str__(self):
        return self.name
