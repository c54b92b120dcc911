"""Community resource directory, shaped like Open Referral HSDS 3.0
(organization → service → location, services offered at locations).

Each record's ``code`` is its HSDS id. What HSDS carries and chwlink does not use
(contacts, programs, accessibility, metadata…) is kept as received in
``hsds_extra``, so an imported directory exports back without loss.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES
from partners.models import Organization, TimeStamped
from referrals.choices import CapacityStatus, ResourceStatus, SocialNeed


def _extra():
    return models.JSONField(
        _("other HSDS fields"), default=dict, blank=True, editable=False
    )


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
    is_public = models.BooleanField(
        _("listed publicly"),
        default=False,
        help_text=_(
            "Other organizations' HSDS API keys may read this organization's "
            "services and locations."
        ),
    )
    hsds_extra = _extra()

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
    url = models.URLField(_("web page"), max_length=500, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
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
    interpretation_services = models.CharField(
        _("interpreters"),
        max_length=300,
        blank=True,
        help_text=_(
            "How interpreters are offered, e.g. 'Phone interpreters in any "
            "language'. Leave empty when there are none."
        ),
    )
    eligibility = models.TextField(_("who is eligible"), blank=True)
    application_process = models.TextField(_("how to apply"), blank=True)
    fees = models.TextField(_("fees"), blank=True)
    funding = ArrayField(
        models.CharField(max_length=300),
        verbose_name=_("funding sources"),
        default=list,
        blank=True,
    )
    hours = models.CharField(
        _("hours"),
        max_length=200,
        blank=True,
        help_text=_("In words; the weekly opening hours below answer 'open now'."),
    )
    capacity_status = models.CharField(
        _("taking new clients"),
        max_length=20,
        choices=CapacityStatus.choices,
        blank=True,
    )
    capacity_note = models.CharField(
        _("capacity note"),
        max_length=200,
        blank=True,
        help_text=_("E.g. 'Waitlist about 3 weeks'."),
    )
    open_slots = models.PositiveIntegerField(_("open slots"), null=True, blank=True)
    capacity_updated_at = models.DateTimeField(
        _("capacity updated"), null=True, blank=True
    )
    terms = models.ManyToManyField(
        "ResourceTaxonomyTerm",
        through="ResourceServiceTerm",
        related_name="services",
        blank=True,
        verbose_name=_("taxonomy terms"),
    )
    hsds_extra = _extra()
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
            GinIndex(fields=["needs"], name="resource_service_needs_gin"),
            GinIndex(fields=["languages"], name="resource_service_langs_gin"),
            models.Index(fields=["capacity_status"], name="resource_service_capacity"),
            # The directory lists by name: with this order at hand, a page of a
            # large directory reads the first matches instead of sorting them all.
            models.Index(fields=["name", "id"], name="resource_service_name_idx"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        """Offered as usual: not closed for now, inactive or closed for good."""
        return self.status == ResourceStatus.ACTIVE

    @property
    def turns_clients_away(self) -> bool:
        """Linking it asks the navigator to confirm first."""
        return self.capacity_status == CapacityStatus.NOT_ACCEPTING


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
    country = models.CharField(
        _("country"),
        max_length=2,
        default="US",
        help_text=_("Two-letter country code, e.g. US."),
    )
    address_code = models.UUIDField(default=uuid.uuid4, editable=False)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    services = models.ManyToManyField(
        ResourceService,
        through="ResourceServiceAtLocation",
        related_name="locations",
        blank=True,
        verbose_name=_("services offered here"),
    )
    hsds_extra = _extra()

    class Meta:
        ordering = ["name"]
        verbose_name = _("resource location")
        verbose_name_plural = _("resource locations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(latitude__isnull=True, longitude__isnull=True)
                    | models.Q(
                        latitude__gte=-90,
                        latitude__lte=90,
                        longitude__gte=-180,
                        longitude__lte=180,
                    )
                ),
                name="resource_location_coordinates_valid",
            )
        ]

    def __str__(self):
        return self.name


class ResourceServiceAtLocation(models.Model):
    """A service offered at a location (HSDS ``service_at_location``)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resourcelocation = models.ForeignKey(ResourceLocation, on_delete=models.CASCADE)
    resourceservice = models.ForeignKey(ResourceService, on_delete=models.CASCADE)
    hsds_extra = _extra()

    class Meta:
        db_table = "referrals_resourcelocation_services"
        constraints = [
            models.UniqueConstraint(
                fields=["resourcelocation", "resourceservice"],
                name="referrals_resourcelocation_services_uniq",
            )
        ]

    def __str__(self):
        return f"{self.resourceservice_id} @ {self.resourcelocation_id}"


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class ResourceSchedule(models.Model):
    """Weekly opening hours of a service (or of a location), HSDS ``schedule``:
    open on the days of ``byday`` from ``opens_at`` to ``closes_at``."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(
        ResourceService,
        on_delete=models.CASCADE,
        related_name="schedules",
        null=True,
        blank=True,
    )
    location = models.ForeignKey(
        ResourceLocation,
        on_delete=models.CASCADE,
        related_name="schedules",
        null=True,
        blank=True,
    )
    byday = ArrayField(
        models.CharField(max_length=2, choices=[(d, d) for d in WEEKDAYS]),
        verbose_name=_("days"),
        default=list,
        blank=True,
    )
    opens_at = models.TimeField(_("opens at"), null=True, blank=True)
    closes_at = models.TimeField(_("closes at"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    hsds_extra = _extra()

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(service__isnull=False)
                | models.Q(location__isnull=False),
                name="resource_schedule_of_something",
            )
        ]
        indexes = [GinIndex(fields=["byday"], name="resource_schedule_byday_gin")]

    def __str__(self):
        return f"{','.join(self.byday)} {self.opens_at}-{self.closes_at}"


class ResourceTaxonomy(models.Model):
    """A taxonomy whose terms classify services (HSDS ``taxonomy``)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    version = models.CharField(_("version"), max_length=50, blank=True)
    hsds_extra = _extra()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("taxonomy")
        verbose_name_plural = _("taxonomies")

    def __str__(self):
        return self.name


class ResourceTaxonomyTerm(models.Model):
    """One term of a taxonomy (HSDS ``taxonomy_term``). The SDOH categories
    chwlink's needs use are the terms of the Gravity taxonomy; imports may bring
    terms of other taxonomies."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    taxonomy = models.ForeignKey(
        ResourceTaxonomy,
        on_delete=models.PROTECT,
        related_name="terms",
        null=True,
        blank=True,
    )
    term_code = models.CharField(_("code"), max_length=100, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hsds_extra = _extra()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("taxonomy term")
        verbose_name_plural = _("taxonomy terms")

    def __str__(self):
        return self.name


class ResourceServiceTerm(models.Model):
    """A service classified by a term (HSDS ``attribute``)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(ResourceService, on_delete=models.CASCADE)
    term = models.ForeignKey(ResourceTaxonomyTerm, on_delete=models.PROTECT)
    value = models.CharField(max_length=500, blank=True)
    hsds_extra = _extra()

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return f"{self.service_id}: {self.term_id}"


class ZipCentroid(models.Model):
    """Where a ZIP code is, for "near this ZIP" (the Census ZCTA gazetteer,
    public domain, loaded with ``manage.py load_zip_centroids``)."""

    zip_code = models.CharField(_("ZIP code"), max_length=5, primary_key=True)
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        verbose_name = _("ZIP code centroid")
        verbose_name_plural = _("ZIP code centroids")

    def __str__(self):
        return self.zip_code
