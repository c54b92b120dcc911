"""The navigator's work on a referral: contacts and pathways."""

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chwlink.lib.choices import ChoiceLabels
from partners.models import Partnership
from partners.pathway_kinds import PathwayKind
from referrals.choices import ContactMode, SocialNeed
from referrals.models.referral import Referral
from referrals.models.resource import ResourceService


@pghistory.track(model_name="EncounterHistory")
class Encounter(ChoiceLabels, models.Model):
    """A contact attempt or visit; minutes feed CHI time (G0019/G0022)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="encounters"
    )
    navigator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="encounters",
        verbose_name=_("navigator"),
    )
    occurred_at = models.DateTimeField(_("date and time"))
    mode = models.CharField(_("how"), max_length=20, choices=ContactMode.choices)
    reached = models.BooleanField(_("reached the patient"))
    minutes = models.PositiveSmallIntegerField(_("minutes spent"))
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes__lte=24 * 60), name="encounter_minutes_max_a_day"
            )
        ]
        indexes = [
            models.Index(fields=["referral", "occurred_at"]),
            # A navigator's recent contacts (the dashboard's last 14 days).
            models.Index(
                fields=["navigator", "occurred_at"], name="encounter_navigator_recent"
            ),
        ]

    def __str__(self):
        return f"{self.get_mode_display()} {self.occurred_at:%Y-%m-%d}"


# The billing marks repeat the referral's partnership and the statement lines.
@pghistory.track(model_name="PathwayHistory", exclude=["partnership", "billed_at"])
class Pathway(ChoiceLabels, models.Model):
    """One confirmed social need, worked until resolved (Pathways Community HUB).

    Approved pathways are locked and count as outcomes for payment.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed, awaiting approval")
        INCOMPLETE = "incomplete", _("Closed incomplete")
        APPROVED = "approved", _("Completed and approved")

    class Event(models.TextChoices):
        """What happened to the pathway, as its referral events record it."""

        OPENED = "opened", _("Opened")
        COMPLETED = "completed", _("Completed")
        INCOMPLETE = "incomplete", _("Closed incomplete")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned to the navigator")
        # Work on an open pathway, on its history too (the step or the service
        # travels in the event's reason).
        STEP_DONE = "step_done", _("Step done")
        STEP_UNDONE = "step_undone", _("Step marked as not done")
        RESOURCE_LINKED = "resource_linked", _("Resource linked")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    referral = models.ForeignKey(
        Referral, on_delete=models.PROTECT, related_name="pathways"
    )
    kind = models.CharField(_("pathway"), max_length=40, choices=PathwayKind.choices)
    need = models.CharField(_("social need"), max_length=40, choices=SocialNeed.choices)
    goal = models.CharField(_("goal"), max_length=300)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    outcome_note = models.TextField(_("outcome"), blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    resources = models.ManyToManyField(
        ResourceService,
        through="PathwayResource",
        related_name="pathways",
        verbose_name=_("community resources"),
    )
    # The referral's partnership, and when the pathway went on an issued
    # statement: a month's statement reads the partnership's approved pathways not
    # yet billed, not every one since the agreement began (partners.statements).
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
        db_index=False,
    )
    billed_at = models.DateTimeField(null=True, editable=False)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        indexes = [
            # The supervisors' approvals queue, oldest first: walked in order for
            # a page (a statewide CBO waits on thousands), and counted per
            # partnership (a small CBO's few are among everyone's).
            models.Index(
                fields=["closed_at", "id"],
                condition=Q(status="completed"),
                name="pathway_awaiting_approval_idx",
            ),
            models.Index(
                fields=["partnership", "closed_at", "id"],
                condition=Q(status="completed"),
                name="pathway_to_approve_idx",
            ),
            # A month's statement: the partnership's approved pathways of the
            # kinds its agreement pays for, not yet billed.
            models.Index(
                fields=["partnership", "kind", "approved_at"],
                include=["referral"],
                condition=Q(status="approved", billed_at__isnull=True),
                name="pathway_unbilled_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["referral", "kind"],
                condition=Q(status="open"),
                name="pathway_one_open_per_kind",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="pathway_approved_has_approver",
            ),
            models.CheckConstraint(
                condition=~Q(status="incomplete") | ~Q(outcome_note=""),
                name="pathway_incomplete_has_reason",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()

    @property
    def is_locked(self):
        return self.status == self.Status.APPROVED

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def awaits_approval(self) -> bool:
        return self.status == self.Status.COMPLETED

    @property
    def is_incomplete(self) -> bool:
        return self.status == self.Status.INCOMPLETE


@pghistory.track(model_name="PathwayStepHistory")
class PathwayStep(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=200)
    # A default step's key (see referrals.pathways.STEP_TEXTS): it is shown in the
    # reader's language, the title (in English) kept for exports and the admin.
    key = models.CharField(_("default step"), max_length=60, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("done by"),
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("pathway step")
        verbose_name_plural = _("pathway steps")

    def __str__(self):
        return self.title


@pghistory.track(model_name="PathwayResourceHistory")
class PathwayResource(models.Model):
    """A community resource linked to a pathway, and what came of it."""

    pathway = models.ForeignKey(
        Pathway, on_delete=models.CASCADE, related_name="resource_links"
    )
    service = models.ForeignKey(
        ResourceService, on_delete=models.PROTECT, related_name="pathway_links"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("linked by"),
    )
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)

    class Meta:
        ordering = ["linked_at", "pk"]
        verbose_name = _("linked resource")
        verbose_name_plural = _("linked resources")
        constraints = [
            models.UniqueConstraint(
                fields=["pathway", "service"], name="pathway_resource_once"
            )
        ]

    def __str__(self):
        return str(self.service)
