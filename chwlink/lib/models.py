"""Rows the whole project writes and no domain rule owns. Foreign keys name the
partners models by string, so nothing here imports the apps above it."""

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboundEmail(models.Model):
    """An e-mail saved with the work that caused it and sent by Celery after commit.

    A periodic sweep re-enqueues rows still pending, so a broker outage delays mail
    but never loses it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)
    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body_text = models.TextField(_("text body"))
    body_html = models.TextField(_("HTML body"), blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=120, blank=True)
    attachment_content = models.TextField(_("attachment"), blank=True)
    attachment_type = models.CharField(
        _("attachment type"), max_length=60, blank=True, default="text/csv"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("outbound e-mail")
        verbose_name_plural = _("outbound e-mails")
        indexes = [
            models.Index(
                fields=["created"],
                condition=Q(status="pending"),
                name="outboundemail_pending_idx",
            )
        ]

    def __str__(self):
        return f"{self.subject} → {self.to}"


class AccessRecord(models.Model):
    """One read of PHI: who opened, listed, exported or was refused which record.

    Append-only: a database trigger refuses updates and deletes."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        LIST = "list", _("Listed")
        EXPORT = "export", _("Exported")
        DOWNLOAD = "download", _("Downloaded")
        DENIED = "denied", _("Refused")

    class ObjectType(models.TextChoices):
        PATIENT = "patient", _("Patient")
        REFERRAL = "referral", _("Referral")
        PATHWAY = "pathway", _("Pathway")
        SCREENING = "screening", _("Screening")
        STORY = "story", _("Story")
        PAM = "pam", _("PAM administration")
        UTILIZATION = "utilization", _("Utilization record")
        REPORT = "report", _("Report")
        DATASET = "dataset", _("Data export")
        CONTRACT = "contract", _("Contract document")
        STATEMENT = "statement", _("Statement")
        AUDIT_LOG = "audit_log", _("Audit log")
        PARTNERSHIP = "partnership", _("Partnership record")
        OTHER = "other", _("Other record")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    organization = models.ForeignKey(
        "partners.Organization",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    object_type = models.CharField(
        _("record type"), max_length=20, choices=ObjectType.choices
    )
    object_code = models.UUIDField(_("record"), null=True, blank=True)
    shown_codes = ArrayField(
        models.UUIDField(), verbose_name=_("records shown"), default=list, blank=True
    )
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    created = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    request_id = models.UUIDField(_("request"), null=True, blank=True)
    path = models.CharField(_("page"), max_length=500)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = _("access record")
        verbose_name_plural = _("access records")
        indexes = [
            models.Index(
                fields=["object_code", "-created"], name="accessrecord_object_idx"
            ),
            models.Index(fields=["user", "-created"], name="accessrecord_user_idx"),
            GinIndex(fields=["shown_codes"], name="accessrecord_shown_idx"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="accessrecord_append_only",
                operation=pgtrigger.Update | pgtrigger.Delete,
            ),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.get_object_type_display()}"


class PeriodicRun(models.Model):
    """When each periodic task last ran, for `manage.py schedule`."""

    task = models.CharField(_("task"), max_length=200, unique=True)
    started_at = models.DateTimeField(_("last started"))
    finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("periodic task run")
        verbose_name_plural = _("periodic task runs")

    def __str__(self):
        return self.task


class FormSubmission(models.Model):
    """A creating form's one-time token, claimed by the service that saved it.

    The token is drawn when the form is shown; the insert under the unique
    constraint happens in the same transaction as the rows the form creates, so a
    second request with the same token (a double click, a resent page) creates
    nothing and is sent to what the first one made (``result``, a record's code).
    Rows are kept a day (`form_submissions_expire_task`): longer than a session.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    token = models.UUIDField(_("form token"))
    result = models.CharField(_("result"), max_length=64, blank=True)
    created = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "token"], name="formsubmission_once_per_token"
            )
        ]

    def __str__(self):
        return str(self.token)
