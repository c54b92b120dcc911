"""In-app notifications, the reminder claims that make them exactly-once, and each
person's e-mail preference."""

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chwlink.lib.choices import ChoiceLabels
from referrals.models.referral import Referral


class Notification(ChoiceLabels, models.Model):
    """Something a person should look at; the text is written when it is read, in
    the reader's language, from ``kind`` (no patient details are stored here)."""

    class Kind(models.TextChoices):
        NEW_REFERRAL = "new_referral", _("New referral in the inbox")
        ASSIGNED_TO_YOU = "assigned_to_you", _("Referral assigned to you")
        REFERRAL_CLOSED = "referral_closed", _("Referral closed")
        PATHWAY_TO_APPROVE = "pathway_to_approve", _("Pathway waiting for approval")
        NOT_ACCEPTED = "not_accepted", _("Referral not accepted in time")
        NOT_ASSIGNED = "not_assigned", _("Referral not assigned in time")
        NO_FIRST_CONTACT = "no_first_contact", _("First contact overdue")
        NO_FIRST_CONTACT_ESCALATION = (
            "no_first_contact_escalation",
            _("First contact still overdue"),
        )
        INACTIVE = "inactive", _("No recent activity")
        HOLD_ENDED = "hold_ended", _("Hold date reached")
        PAM_FOLLOW_UP_DUE = "pam_follow_up_due", _("PAM follow-up due")
        CONTRACT_ENDING = "contract_ending", _("Contract ending soon")
        TRAINING_OVERDUE = "training_overdue", _("Required training overdue")
        PARTNERSHIP_INVITATION = (
            "partnership_invitation",
            _("Partnership invitation to answer"),
        )
        TEXT_RECEIVED = "text_received", _("Text from the patient")
        TEXT_TO_MATCH = "text_to_match", _("Text to match to a patient")
        PARTNERSHIP_ACCEPTED = "partnership_accepted", _("Partnership accepted")
        PARTNERSHIP_DECLINED = "partnership_declined", _("Partnership declined")
        PARTNERSHIP_WITHDRAWN = (
            "partnership_withdrawn",
            _("Partnership invitation withdrawn"),
        )

    class Email(models.TextChoices):
        PENDING = "pending", _("To send")
        QUEUED = "queued", _("Sent")
        DIGEST = "digest", _("Waiting for the daily digest")
        IN_DIGEST = "in_digest", _("Sent in a digest")
        NONE = "none", _("Not e-mailed")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
        db_index=False,  # notification_list_idx leads with it
    )
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    referral = models.ForeignKey(
        Referral,
        on_delete=models.CASCADE,
        related_name="notifications",
        null=True,
        blank=True,
    )
    link = models.CharField(_("link"), max_length=200)
    # Names and dates the sentence needs when there is no referral (a contract, a
    # staff member's training); never patient details.
    context = models.JSONField(_("details"), default=dict, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # When the work it asked for was done (the referral accepted, the pathway
    # reviewed…), by whoever did it: it then counts as read.
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    email = models.CharField(
        _("e-mail"), max_length=10, choices=Email.choices, default=Email.NONE
    )

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "-created", "-id"], name="notification_list_idx"
            ),
            models.Index(
                fields=["recipient", "created"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["email", "recipient"],
                condition=models.Q(email="digest"),
                name="notification_digest_idx",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class ReminderClaim(models.Model):
    """One row per (rule, object, due moment): inserted before a reminder goes out, so
    a second sweep, a retry or a redelivered task finds it taken and sends nothing."""

    rule = models.CharField(_("rule"), max_length=80)
    object_code = models.UUIDField(_("object"))
    due_at = models.DateTimeField(_("due"))
    created = models.DateTimeField(_("claimed"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_code", "due_at"], name="reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.rule} {self.due_at:%Y-%m-%d %H:%M}"


class ReminderSweepMark(models.Model):
    """How far the last completed reminder sweep looked (a single row): the next
    sweep reads only what came due since then or changed since then, not every
    open referral again."""

    # The moment its rules were evaluated at (the sweep's "now").
    clock_until = models.DateTimeField(_("due moments read up to"))
    # When it began, by the clock that stamps changed rows.
    started_at = models.DateTimeField(_("started"))
    # The last sweep that read everything, whatever had changed.
    full_at = models.DateTimeField(_("last full sweep"))
    # What the rules were computed from (partnerships, service levels, calendars,
    # rules): when it differs, due moments may have moved, and all is read again.
    configuration = models.CharField(_("configuration"), max_length=64)

    class Meta:
        verbose_name = _("reminder sweep mark")
        verbose_name_plural = _("reminder sweep marks")

    def __str__(self):
        return f"{self.clock_until:%Y-%m-%d %H:%M}"


@pghistory.track(model_name="NotificationPreferenceHistory")
class NotificationPreference(models.Model):
    class EmailMode(models.TextChoices):
        IMMEDIATE = "immediate", _("Right away")
        DIGEST = "digest", _("Once a day, in a digest")
        NONE = "none", _("Never: I check chwlink")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_mode = models.CharField(
        _("e-mail me about notifications"),
        max_length=10,
        choices=EmailMode.choices,
        default=EmailMode.IMMEDIATE,
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return self.get_email_mode_display()
