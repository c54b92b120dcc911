"""Text messages to and from patients: each partnership's sending number and
rules, the patient's consent, numbers that replied STOP, the messages themselves
(the outbox and the conversation) and the visits a reminder is texted for."""

import datetime
import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from chwlink.lib.choices import ChoiceLabels
from partners.models import Partnership
from referrals.models.patient import Patient
from referrals.models.referral import Referral


@pghistory.track(model_name="PartnershipTextingHistory")
class PartnershipTexting(models.Model):
    """How a partnership texts patients: the number patients see and reply to, the
    hours texts may go out (its time zone), and which automatic texts it wants."""

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="texting"
    )
    number = PhoneNumberField(_("sending number"), unique=True)
    enabled = models.BooleanField(_("texting on"), default=True)
    send_from = models.TimeField(_("texts go out from"), default=datetime.time(9, 0))
    send_until = models.TimeField(_("texts go out until"), default=datetime.time(19, 0))
    on_assigned = models.BooleanField(
        _("text the patient when a navigator is assigned"), default=False
    )
    on_visit = models.BooleanField(
        _("text a reminder before a scheduled visit"), default=False
    )
    visit_reminder_hours = models.PositiveSmallIntegerField(
        _("hours before the visit"), default=24
    )
    on_hold = models.BooleanField(
        _("text a check-in to patients on hold"), default=False
    )
    hold_check_in_days = models.PositiveSmallIntegerField(
        _("days on hold before the check-in"), default=14
    )

    class Meta:
        verbose_name = _("texting settings")
        verbose_name_plural = _("texting settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(send_from__lt=models.F("send_until")),
                name="texting_hours_in_order",
            )
        ]

    def __str__(self):
        return str(self.number)


@pghistory.track(model_name="TextConsentHistory")
class TextConsent(ChoiceLabels, models.Model):
    """One statement of the patient about texts to one number: given or withdrawn,
    who recorded it, when and how. The latest one for the number is in force."""

    class Method(models.TextChoices):
        VERBAL = "verbal", _("Said so (verbal)")
        WRITTEN = "written", _("Signed a form (written)")
        KEYWORD = "keyword", _("Replied with a keyword")

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="text_consents"
    )
    phone = PhoneNumberField(_("number"))
    given = models.BooleanField(_("consents to texts"))
    method = models.CharField(_("how"), max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("consent to texts")
        verbose_name_plural = _("consents to texts")
        indexes = [models.Index(fields=["patient", "phone", "-created"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(method="keyword") | Q(recorded_by__isnull=False),
                name="textconsent_person_records_it",
            )
        ]

    def __str__(self):
        return f"{self.phone} {self.given}"


@pghistory.track(model_name="TextOptOutHistory")
class TextOptOut(models.Model):
    """A number that replied STOP to a partnership's number: nothing goes to it
    from that partnership until it replies START."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="+"
    )
    phone = PhoneNumberField(_("number"))
    created = models.DateTimeField(_("opted out"), auto_now_add=True)

    class Meta:
        verbose_name = _("number that opted out")
        verbose_name_plural = _("numbers that opted out")
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "phone"], name="textoptout_once"
            )
        ]

    def __str__(self):
        return str(self.phone)


class ScheduledVisit(models.Model):
    """A visit the navigator set up with the patient; a reminder may be texted."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="scheduled_visits"
    )
    starts_at = models.DateTimeField(_("visit on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created = models.DateTimeField(_("scheduled"), auto_now_add=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("scheduled visit")
        verbose_name_plural = _("scheduled visits")
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        return f"{self.starts_at:%Y-%m-%d %H:%M}"


@pghistory.track(model_name="TextMessageHistory")
class TextMessage(ChoiceLabels, models.Model):
    """One text in or out. An outgoing one is saved with the work that causes it
    and sent by a worker after commit (the outbox); an incoming one is saved by
    the webhook, once per provider message id."""

    class Direction(models.TextChoices):
        OUT = "out", _("Sent")
        IN = "in", _("Received")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        UNDELIVERED = "undelivered", _("Not delivered")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Not sent: texting is not allowed now")
        RECEIVED = "received", _("Received")

    class Kind(models.TextChoices):
        FREE = "free", _("Written by the navigator")
        INTRO = "intro", _("Introduction")
        RESOURCE = "resource", _("Community resource")
        VISIT = "visit", _("Visit reminder")
        AUTO_ASSIGNED = "auto_assigned", _("Automatic: navigator assigned")
        AUTO_VISIT = "auto_visit", _("Automatic: visit reminder")
        AUTO_HOLD = "auto_hold", _("Automatic: check-in on hold")
        HELP = "help", _("Answer to HELP")
        START = "start", _("Answer to START")
        REPLY = "reply", _("Patient's reply")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership, on_delete=models.PROTECT, related_name="+"
    )
    # Empty on a received text whose number matches no single patient of the
    # partnership, until a navigator says whose it is.
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="texts",
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    phone = PhoneNumberField(_("patient's number"))
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    provider_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(_("error"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")
        indexes = [
            models.Index(fields=["referral", "created"]),
            models.Index(
                fields=["created"],
                condition=Q(status="pending"),
                name="textmessage_pending_idx",
            ),
            models.Index(
                fields=["partnership", "created"],
                condition=Q(referral__isnull=True),
                name="textmessage_to_match_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction="in")
                | Q(referral__isnull=False)
                | Q(kind__in=["help", "start"]),
                name="textmessage_sent_on_a_referral",
            )
        ]

    def __str__(self):
        return f"{self.get_direction_display()} {self.created:%Y-%m-%d %H:%M}"


class TextReceiptEarly(models.Model):
    """A delivery receipt for a provider message id no text has yet: the provider
    may answer before the worker that sent the text has saved the id. It is
    applied when the id is saved, and pruned when no text ever claims it."""

    provider_id = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=12, choices=TextMessage.Status.choices)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("early delivery receipt")
        verbose_name_plural = _("early delivery receipts")

    def __str__(self):
        return f"{self.provider_id} {self.status}"


class TextWebhookDelivery(models.Model):
    """A signed webhook request already handled: the same request sent again (a
    replay) changes nothing. Kept for TEXTING_WEBHOOK_REPLAY_DAYS; an older replay
    is harmless, as every handler is idempotent on the provider's message id."""

    signature = models.CharField(max_length=128, unique=True)
    created = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")

    def __str__(self):
        return self.signature
