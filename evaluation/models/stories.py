"""Stories told by patients (Most Significant Change) and their thematic coding."""

import uuid

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES
from partners.models import Organization, Partnership, TimeStamped


@pghistory.track(model_name="StoryHistory")
class Story(TimeStamped):
    class Domain(models.TextChoices):
        HEALTH = "health", _("Health and self-care")
        ACCESS = "access", _("Access to care")
        HOUSING = "housing", _("Housing")
        FOOD = "food", _("Food")
        MONEY = "money", _("Money and work")
        FAMILY = "family", _("Family and relationships")
        CONFIDENCE = "confidence", _("Confidence and hope")
        COMMUNITY = "community", _("Community connection")
        OTHER = "other", _("Other")

    class Scope(models.TextChoices):
        """Each scope includes the narrower ones before it."""

        INTERNAL = "internal", _("Internal learning only")
        FUNDER = "funder", _("Internal learning and funder reports")
        PUBLIC = "public", _("Internal, funder reports and public")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="stories",
        verbose_name=_("partnership"),
    )
    patient = models.ForeignKey(
        "referrals.Patient",
        on_delete=models.PROTECT,
        related_name="stories",
        verbose_name=_("patient"),
    )
    referral = models.ForeignKey(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="stories",
        null=True,
        blank=True,
        verbose_name=_("referral"),
    )
    told_on = models.DateField(_("told on"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    domain = models.CharField(
        _("domain of change"), max_length=20, choices=Domain.choices
    )
    title = models.CharField(_("title"), max_length=120)
    text = models.TextField(_("the story, in the teller's words"))
    deidentified_text = models.TextField(_("de-identified version"), blank=True)
    deidentified_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("de-identified version reviewed by"),
    )
    deidentified_reviewed_at = models.DateTimeField(
        _("de-identified version reviewed at"), null=True, blank=True
    )
    consent_scope = models.CharField(
        _("consent to share"), max_length=10, choices=Scope.choices
    )
    consent_expires_on = models.DateField(
        _("consent expires on"), null=True, blank=True
    )
    storyteller_approved = models.BooleanField(
        _("the storyteller approved this written version"), default=False
    )
    withdrawn_at = models.DateTimeField(
        _("consent withdrawn at"), null=True, blank=True
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawal recorded by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-told_on", "-pk"]
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        constraints = [
            models.CheckConstraint(
                condition=Q(deidentified_reviewed_at__isnull=True)
                | ~Q(deidentified_text=""),
                name="story_reviewed_needs_text",
            )
        ]

    def __str__(self):
        return self.title


class Theme(TimeStamped):
    """A theme in the program managers' managed list, per health system."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="story_themes",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "name"], name="theme_unique_name_per_org"
            )
        ]

    def __str__(self):
        return self.name


class StoryExcerpt(models.Model):
    """A passage of a story coded with a theme."""

    story = models.ForeignKey(Story, on_delete=models.CASCADE, related_name="excerpts")
    theme = models.ForeignKey(Theme, on_delete=models.PROTECT, related_name="excerpts")
    excerpt = models.TextField(_("excerpt"))
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coded by"),
    )
    created = models.DateTimeField(_("coded"), auto_now_add=True)

    class Meta:
        ordering = ["created", "pk"]
        verbose_name = _("coded excerpt")
        verbose_name_plural = _("coded excerpts")

    def __str__(self):
        return f"{self.theme}: {self.excerpt[:40]}"
