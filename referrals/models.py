import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES
from partners.models import Organization, Partnership, Site, TimeStamped
from referrals.choices import MedicalReason, Sex, SocialNeed, Urgency


class Patient(TimeStamped):
    """A person a clinic refers; belongs to the health system that holds the record."""

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
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_alt = models.CharField(_("other phone"), max_length=40, blank=True)
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
                fields=["health_system", "mrn"], name="patient_unique_mrn_per_system"
            ),
            models.CheckConstraint(
                condition=Q(do_not_contact=False) | ~Q(safe_contact_note=""),
                name="patient_do_not_contact_needs_note",
            ),
        ]
        indexes = [
            models.Index(fields=["health_system", "date_of_birth"]),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"


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
    status_reason = models.TextField(_("reason for the current status"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    first_contact_at = models.DateTimeField(
        _("first contact at"), null=True, blank=True
    )
    last_contact_at = models.DateTimeField(_("last contact at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), auto_now_add=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)

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
        ]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["clinic", "status"]),
            models.Index(fields=["navigator", "status"]),
        ]

    def __str__(self):
        return str(_("Referral {code}")).format(code=str(self.code)[:8])

    @property
    def short_code(self):
        return str(self.code)[:8].upper()


class ReferralEvent(models.Model):
    """What happened to a referral, in order: the timeline both sides read."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        MESSAGE = "message", _("Message")
        ASSIGNMENT = "assignment", _("Assignment")
        CONTACT = "contact", _("Contact")
        PATHWAY = "pathway", _("Pathway")

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events"
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
    reason = models.TextField(_("reason or message"), blank=True)
    created = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["created", "id"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")
        indexes = [models.Index(fields=["referral", "created"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created:%Y-%m-%d %H:%M}"


OPEN_STATUSES = frozenset(
    {
        Referral.Status.SUBMITTED,
        Referral.Status.ACCEPTED,
        Referral.Status.ASSIGNED,
        Referral.Status.IN_PROGRESS,
        Referral.Status.ON_HOLD,
    }
)
CASELOAD_STATUSES = frozenset(
    {Referral.Status.ASSIGNED, Referral.Status.IN_PROGRESS, Referral.Status.ON_HOLD}
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
