import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest
from django.utils.translation import gettext_lazy as _

from chwlink.lib.choices import ChoiceLabels
from partners.models import Partnership, Site, TimeStamped
from referrals.choices import (
    ConsentScope,
    ConsentSource,
    MedicalReason,
    NeedOutcome,
    SocialNeed,
    StatusReason,
    Urgency,
)
from referrals.models.patient import Patient


# Whether an acceptance is billed is a billing mark, not a change to the referral.
@pghistory.track(model_name="ReferralHistory", exclude=["acceptance_billed_at"])
class Referral(TimeStamped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        ASSIGNED = "assigned", _("Navigator assigned")
        IN_PROGRESS = "in_progress", _("In progress")
        ON_HOLD = "on_hold", _("On hold")
        COMPLETED = "completed", _("Completed")
        UNABLE_TO_COMPLETE = "unable_to_complete", _("Unable to complete")
        DECLINED = "declined", _("Declined")
        CANCELLED = "cancelled", _("Cancelled")
        ENTERED_IN_ERROR = "entered_in_error", _("Entered in error")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("patient"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("partnership"),
    )
    clinic = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("referring clinic"),
        db_index=False,  # referral_clinic_scope_idx leads with it
    )
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="referrals_made",
        verbose_name=_("referred by"),
    )
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="caseload",
        verbose_name=_("navigator"),
        null=True,
        blank=True,
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    medical_reasons = ArrayField(
        models.CharField(max_length=30, choices=MedicalReason.choices),
        verbose_name=_("medical reasons"),
        default=list,
        blank=True,
    )
    medical_reason_other = models.CharField(
        _("other medical reason"), max_length=200, blank=True
    )
    social_needs = ArrayField(
        models.CharField(max_length=40, choices=SocialNeed.choices),
        verbose_name=_("social needs"),
        default=list,
        blank=True,
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    notes_for_navigator = models.TextField(_("notes for the navigator"), blank=True)
    consent_given = models.BooleanField(
        _("patient consents to share information with the CBO"), default=False
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("consent recorded by"),
    )
    consent_recorded_at = models.DateTimeField(
        _("consent recorded at"), null=True, blank=True
    )
    consent_source = models.CharField(
        _("how the patient agreed"),
        max_length=20,
        choices=ConsentSource.choices,
        blank=True,
    )
    task_closed_as = models.CharField(
        _("FHIR Task status at the first closing"),
        max_length=20,
        blank=True,
        help_text=_(
            "FHIR's final Task statuses never change: a reopened referral's Task "
            "keeps the status it first closed with."
        ),
    )
    consent_scope = models.CharField(
        _("shared with"),
        max_length=20,
        choices=ConsentScope.choices,
        default=ConsentScope.CBO,
    )
    status_reason_code = models.CharField(
        _("reason"), max_length=30, choices=StatusReason.choices, blank=True
    )
    status_reason = models.TextField(_("reason for the current status"), blank=True)
    # A declined referral sent on to another CBO of the health system: the new
    # one points back to it (once: a referral is sent on at most once).
    rerouted_from = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rerouted_to",
        verbose_name=_("sent on from"),
    )
    # The partnership's local date a hold ends (the sweep tells the navigator).
    hold_until = models.DateField(_("on hold until"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    shared_with = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="referrals_shared_with_me",
        verbose_name=_("also shared with"),
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(
        _("first contact at"), null=True, blank=True
    )
    last_contact_at = models.DateTimeField(_("last contact at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)
    # When the acceptance fee went on an issued statement, so a month's statement
    # reads the acceptances not yet billed, not every one since the agreement
    # began (partners.statements; the statement lines stay the record).
    acceptance_billed_at = models.DateTimeField(null=True, editable=False)
    # A referral a clinic's EHR sent through the FHIR API: which system sent it
    # and the Task identifier it gave, so sending the same Task again (a
    # conditional create) finds it instead of making a second referral.
    api_client = models.ForeignKey(
        "referrals.ApiClient",
        on_delete=models.PROTECT,
        related_name="referrals",
        null=True,
        blank=True,
        editable=False,
        verbose_name=_("sent by the system"),
    )
    external_system = models.CharField(max_length=255, blank=True, editable=False)
    external_id = models.CharField(max_length=255, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(consent_given=True, consent_recorded_at__isnull=False),
                name="referral_consent_before_submit",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "in_progress"])
                | Q(navigator__isnull=False),
                name="referral_working_needs_navigator",
            ),
            models.UniqueConstraint(
                fields=["api_client", "external_system", "external_id"],
                condition=~Q(external_id=""),
                name="referral_external_identifier_once",
            ),
            models.CheckConstraint(
                condition=Q(hold_until__isnull=True) | Q(status="on_hold"),
                name="referral_hold_until_only_on_hold",
            ),
        ]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["clinic", "status"]),
            models.Index(fields=["navigator", "status"]),
            # The worklists page through the newest first; a statewide partnership
            # holds 100,000 referrals, so the order must come from an index.
            models.Index(fields=["-updated", "-id"], name="referral_latest_change_idx"),
            models.Index(
                fields=["clinic", "-updated", "-id"], name="referral_clinic_change_idx"
            ),
            models.Index(fields=["-created", "-id"], name="referral_newest_idx"),
            # All referrals sent oldest or newest first, and overdue first (each
            # part sent oldest first): a page reads a stretch of this.
            models.Index(fields=["submitted_at", "id"], name="referral_sent_idx"),
            # A clinic's referrals within the partnerships its user may see:
            # counted for a list's pages without reading the rows (the clinic's
            # and the partnerships' rows were otherwise intersected, 100,000 each).
            models.Index(
                fields=["clinic", "partnership"], name="referral_clinic_scope_idx"
            ),
            # A month's statement: the acceptances not yet billed, and the
            # referrals open at some moment of the month (closed then or later).
            models.Index(
                fields=["partnership", "accepted_at"],
                include=["status"],
                condition=Q(
                    accepted_at__isnull=False, acceptance_billed_at__isnull=True
                ),
                name="referral_unbilled_idx",
            ),
            models.Index(
                fields=["partnership", "closed_at"],
                include=["accepted_at", "status", "patient"],
                condition=Q(accepted_at__isnull=False),
                name="referral_open_accepted_idx",
            ),
            # A reminder sweep reads the referrals whose due moment fell since the
            # last sweep: a short stretch of each of these, not every waiting one.
            models.Index(
                fields=["partnership", "submitted_at"],
                condition=Q(status="submitted"),
                name="referral_awaits_accept_idx",
            ),
            models.Index(
                fields=["partnership", "accepted_at"],
                condition=Q(status="accepted"),
                name="referral_awaits_assign_idx",
            ),
            models.Index(
                fields=["partnership", "assigned_at"],
                condition=Q(status="assigned"),
                name="referral_awaits_contact_idx",
            ),
            models.Index(
                F("partnership"),
                Greatest("last_contact_at", "status_changed_at"),
                condition=Q(status="in_progress"),
                name="referral_last_activity_idx",
            ),
            models.Index(
                fields=["partnership", "hold_until"],
                condition=Q(status="on_hold"),
                name="referral_hold_end_idx",
            ),
        ]

    def __str__(self):
        return str(_("Referral {code}")).format(code=str(self.code)[:8])

    @property
    def short_code(self):
        return str(self.code)[:8].upper()

    @property
    def is_urgent(self) -> bool:
        return self.urgency == Urgency.URGENT

    @property
    def awaits_first_contact(self) -> bool:
        """Assigned, and the navigator has not reached the patient yet."""
        return self.status == self.Status.ASSIGNED


# Sharing a referral with another navigator is a change of who may see it.
@pghistory.track(
    pghistory.InsertEvent("shared"),
    pghistory.DeleteEvent("unshared"),
    obj_field=None,
    model_name="ReferralSharingHistory",
)
class ReferralSharing(Referral.shared_with.through):
    """A referral shared with one more person (the relation's table, as a model
    the history triggers can be attached to)."""

    class Meta:
        proxy = True
        verbose_name = _("referral shared with a person")
        verbose_name_plural = _("referrals shared with people")


@pghistory.track(model_name="ReferralEventHistory")
class ReferralEvent(ChoiceLabels, models.Model):
    """What happened to a referral, in order: the timeline both sides read."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        MESSAGE = "message", _("Message")
        ASSIGNMENT = "assignment", _("Assignment")
        CONTACT = "contact", _("Contact")
        PATHWAY = "pathway", _("Pathway")
        SHARE = "share", _("Shared")
        REROUTE = "reroute", _("Sent on to another CBO")

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("by"),
    )
    from_status = models.CharField(
        _("from"), max_length=20, choices=Referral.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to"), max_length=20, choices=Referral.Status.choices, blank=True
    )
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("navigator"),
    )
    # A StatusReason for status events; for pathway events, what happened to the
    # pathway (opened, completed, incomplete, approved, returned).
    reason_code = models.CharField(_("code"), max_length=30, blank=True)
    reason = models.TextField(_("reason or message"), blank=True)
    encounter = models.ForeignKey(
        "referrals.Encounter",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    pathway = models.ForeignKey(
        "referrals.Pathway",
        on_delete=models.PROTECT,
        related_name="events",
        null=True,
        blank=True,
    )
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        indexes = [models.Index(fields=["referral", "created"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created:%Y-%m-%d %H:%M}"


@pghistory.track(model_name="ReferralNeedOutcomeHistory")
class ReferralNeedOutcome(ChoiceLabels, models.Model):
    """What became of one social need of a closed referral: the clinic reads it.

    Written when the referral closes, in the same transaction; a reopened referral
    that closes again replaces them."""

    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="need_outcomes"
    )
    need = models.CharField(_("social need"), max_length=40, choices=SocialNeed.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=NeedOutcome.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        ordering = ["referral", "pk"]
        verbose_name = _("outcome of a need")
        verbose_name_plural = _("outcomes of needs")
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "need"], name="need_outcome_once_per_need"
            )
        ]

    def __str__(self):
        return f"{self.get_need_display()}: {self.get_outcome_display()}"


OPEN_STATUSES = frozenset(
    {
        Referral.Status.SUBMITTED,
        Referral.Status.ACCEPTED,
        Referral.Status.ASSIGNED,
        Referral.Status.IN_PROGRESS,
        Referral.Status.ON_HOLD,
    }
)
# A navigator works the referral: on their caseload, open to contacts and pathways.
CASELOAD_STATUSES = frozenset(
    {Referral.Status.ASSIGNED, Referral.Status.IN_PROGRESS, Referral.Status.ON_HOLD}
)
# A documented final outcome closes the loop back to the clinic.
OUTCOME_STATUSES = frozenset(
    {
        Referral.Status.COMPLETED,
        Referral.Status.UNABLE_TO_COMPLETE,
        Referral.Status.DECLINED,
        Referral.Status.CANCELLED,
    }
)
CLOSED_STATUSES = frozenset(
    {
        Referral.Status.COMPLETED,
        Referral.Status.UNABLE_TO_COMPLETE,
        Referral.Status.DECLINED,
        Referral.Status.CANCELLED,
        Referral.Status.ENTERED_IN_ERROR,
    }
)
