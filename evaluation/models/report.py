"""Reports built in the background and kept so they can be opened later."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chwlink.lib.choices import ChoiceLabels


class Report(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        WEEKLY_OPERATIONS = "weekly_operations", _("Weekly operations summary")
        MONTHLY_PROGRAM = "monthly_program", _("Monthly program report")
        ON_DEMAND = "on_demand", _("Program report on demand")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("for"),
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    # The dashboard filters of an on-demand report, as submitted (ids, no PHI).
    query = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    # Tables as shown in the app: [{"title", "headers", "rows"}] of aggregates.
    tables = models.JSONField(_("tables"), default=list, blank=True)
    csv = models.TextField(_("CSV"), blank=True)
    created = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            # A scheduled report is made once per person and period, however often
            # the schedule fires.
            models.UniqueConstraint(
                fields=["kind", "owner", "period_start"],
                condition=~Q(kind="on_demand"),
                name="report_scheduled_once",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period_start}–{self.period_end}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.DONE

    @property
    def has_failed(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_program_report(self) -> bool:
        """Program reports share their CSV outside the program, small counts hidden;
        the weekly operations summary stays with the supervisors."""
        return self.kind != self.Kind.WEEKLY_OPERATIONS
