import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from chwlink.lib.folding import Folded
from chwlink.lib.patients_shown import ShowsPatient
from partners.languages import LANGUAGE_CHOICES
from partners.models import Organization, TimeStamped
from referrals.choices import Sex


@pghistory.track(model_name="PatientHistory")
class Patient(ShowsPatient, TimeStamped):
    """A person a clinic refers; belongs to the health system that holds the record."""

    patient_field = "pk"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    health_system = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="patients",
        verbose_name=_("health system"),
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    mrn = models.CharField(_("medical record number"), max_length=40)
    sex = models.CharField(
        _("sex"), max_length=10, choices=Sex.choices, default=Sex.UNKNOWN
    )
    gender_identity = models.CharField(_("gender identity"), max_length=60, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    phone = PhoneNumberField(_("phone"), blank=True)
    phone_alt = PhoneNumberField(_("other phone"), blank=True)
    # What an earlier record or an EHR held that is not a phone number one can
    # dial or text (a typo, an extension): kept, shown beside the phone fields
    # until someone enters the number again.
    phone_to_fix = models.CharField(
        _("phone numbers to check"), max_length=200, blank=True, editable=False
    )
    voicemail_ok = models.BooleanField(_("voicemail OK"), default=False)
    texts_ok = models.BooleanField(_("text messages OK"), default=False)
    best_time_to_call = models.CharField(
        _("best time to call"), max_length=100, blank=True
    )
    address = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    state = models.CharField(_("state"), max_length=40, blank=True)
    postal_code = models.CharField(_("ZIP code"), max_length=12, blank=True)
    do_not_contact = models.BooleanField(
        _("do not contact directly"),
        default=False,
        help_text=_("Contact could put the patient at risk (e.g. partner violence)."),
    )
    safe_contact_note = models.TextField(_("safe way to reach the patient"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("patient")
        verbose_name_plural = _("patients")
        constraints = [
            models.UniqueConstraint(
                "health_system",
                Upper("mrn"),
                name="patient_unique_mrn_per_system",
            ),
            models.CheckConstraint(
                condition=Q(do_not_contact=False) | ~Q(safe_contact_note=""),
                name="patient_do_not_contact_needs_note",
            ),
        ]
        indexes = [
            models.Index(fields=["health_system", "date_of_birth"]),
            # Accent- and case-blind search (referrals.patient_search): a last
            # name's start within a health system, any part of either name.
            models.Index(
                F("health_system"),
                OpClass(Folded("last_name"), name="text_pattern_ops"),
                name="patient_last_name_start_idx",
            ),
            GinIndex(
                OpClass(Folded("last_name"), name="gin_trgm_ops"),
                name="patient_last_name_trgm_idx",
            ),
            GinIndex(
                OpClass(Folded("first_name"), name="gin_trgm_ops"),
                name="patient_first_name_trgm_idx",
            ),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"
