"""Health care utilization by patient and month, from the health system's extract."""

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.models import Organization, TimeStamped


@pghistory.track(model_name="UtilizationRecordHistory")
class UtilizationRecord(TimeStamped):
    class Source(models.TextChoices):
        IMPORT = "import", _("Imported")
        MANUAL = "manual", _("Entered by hand")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "referrals.Patient",
        on_delete=models.PROTECT,
        related_name="utilization",
        verbose_name=_("patient"),
    )
    # The first day of the month the counts cover.
    period = models.DateField(_("month"))
    ed_visits = models.PositiveSmallIntegerField(_("emergency visits"), default=0)
    inpatient_admissions = models.PositiveSmallIntegerField(
        _("inpatient admissions"), default=0
    )
    hospital_days = models.PositiveSmallIntegerField(_("hospital days"), default=0)
    readmissions_30d = models.PositiveSmallIntegerField(
        _("30-day readmissions"), default=0
    )
    primary_care_visits = models.PositiveSmallIntegerField(
        _("primary-care visits"), default=0
    )
    hba1c = models.DecimalField(
        _("HbA1c (%)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    systolic_bp = models.PositiveSmallIntegerField(
        _("systolic blood pressure"), null=True, blank=True
    )
    diastolic_bp = models.PositiveSmallIntegerField(
        _("diastolic blood pressure"), null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("last changed by"),
    )

    class Meta:
        ordering = ["patient", "period"]
        verbose_name = _("utilization month")
        verbose_name_plural = _("utilization months")
        constraints = [
            models.UniqueConstraint(
                fields=["patient", "period"], name="utilization_one_per_patient_month"
            ),
            models.CheckConstraint(
                condition=Q(period__day=1), name="utilization_period_is_month_start"
            ),
            models.CheckConstraint(
                condition=Q(readmissions_30d__lte=models.F("inpatient_admissions")),
                name="utilization_readmissions_within_admissions",
            ),
        ]

    def __str__(self):
        return f"{self.patient_id} {self.period:%Y-%m}"


class UtilizationImport(TimeStamped):
    """An uploaded extract: parsed for preview, written only when confirmed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Imported")
        DISCARDED = "discarded", _("Discarded")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    health_system = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="utilization_imports",
        verbose_name=_("health system"),
    )
    file_name = models.CharField(_("file"), max_length=200)
    content = models.TextField(_("file content"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_count = models.PositiveIntegerField(_("rows created"), default=0)
    updated_count = models.PositiveIntegerField(_("rows updated"), default=0)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("utilization import")
        verbose_name_plural = _("utilization imports")

    def __str__(self):
        return self.file_name
