"""Patient Activation Measure (PAM-13) administrations and licensed scoring tables.

PAM is licensed: chwlink ships item keys with neutral paraphrased labels only. The
official wording and the raw-to-score conversion table live in the database, uploaded
by a licensed organization; without one, scores are entered from the licensed scorer
or left empty (raw-only analyses).
"""

import uuid
from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partners.languages import LANGUAGE_CHOICES
from partners.models import Organization, Partnership, TimeStamped

# Item keys with neutral paraphrases (never the licensed wording).
PAM_ITEMS = [
    ("responsible", _("Responsible for own health")),
    ("active_role", _("Taking an active role matters most")),
    ("prevent", _("Can prevent or reduce problems")),
    ("medicines", _("Knows what each medicine does")),
    ("when_to_see", _("Can judge when to see a doctor")),
    ("raise_concerns", _("Can raise concerns without being asked")),
    ("home_treatment", _("Can carry out treatment at home")),
    ("understands_causes", _("Understands problems and their causes")),
    ("knows_treatments", _("Knows the available treatments")),
    ("kept_changes", _("Has kept up lifestyle changes")),
    ("prevent_problems", _("Knows how to prevent problems")),
    ("new_problems", _("Can find solutions to new problems")),
    ("changes_under_stress", _("Can keep lifestyle changes under stress")),
]


class CutSet(models.TextChoices):
    ORIGINAL = "original", _("Original cut points (level 4 from 67.1)")
    CURRENT = "current", _("Current cut points (level 4 from 72.5)")


# Upper bound of levels 1, 2 and 3 for each published cut-point set.
CUT_POINTS = {
    CutSet.ORIGINAL: (Decimal("47.0"), Decimal("55.1"), Decimal("67.0")),
    CutSet.CURRENT: (Decimal("47.0"), Decimal("55.1"), Decimal("72.4")),
}


class ScoreSource(models.TextChoices):
    NONE = "none", _("No score (raw answers only)")
    MANUAL = "manual", _("Entered from the licensed scorer")
    TABLE = "table", _("Licensed conversion table")


class PamConversionTable(TimeStamped):
    """A licensed organization's raw-to-score table and official item wording.

    ``rows`` maps "<answered>:<raw sum>" to the 0–100 score; ``wording`` maps a
    language code to the 13 item texts. Only one table per organization is active.
    """

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="pam_tables",
        verbose_name=_("organization"),
    )
    name = models.CharField(_("name"), max_length=200)
    license_reference = models.CharField(
        _("license reference"), max_length=200, blank=True
    )
    cut_set = models.CharField(
        _("cut-point set"), max_length=10, choices=CutSet.choices
    )
    rows = models.JSONField(_("conversion rows"))
    wording = models.JSONField(_("item wording by language"), default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = _("PAM conversion table")
        verbose_name_plural = _("PAM conversion tables")
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=Q(is_active=True),
                name="pamtable_one_active_per_org",
            )
        ]

    def __str__(self):
        return self.name


@pghistory.track(model_name="PamAdministrationHistory")
class PamAdministration(TimeStamped):
    class Kind(models.TextChoices):
        BASELINE = "baseline", _("Baseline")
        FOLLOW_UP = "follow_up", _("Follow-up")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        PHONE = "phone", _("By phone")
        SELF = "self", _("Self-administered")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        "referrals.Patient",
        on_delete=models.PROTECT,
        related_name="pam_administrations",
        verbose_name=_("patient"),
    )
    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.PROTECT,
        related_name="pam_administrations",
        verbose_name=_("partnership"),
    )
    administered_on = models.DateField(_("date"))
    administered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("administered by"),
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    mode = models.CharField(_("how"), max_length=10, choices=Mode.choices)
    kind = models.CharField(
        _("baseline or follow-up"), max_length=10, choices=Kind.choices
    )
    # 13 answers in PAM_ITEMS order: 1–4, or null for N/A.
    answers = ArrayField(
        models.PositiveSmallIntegerField(null=True), size=13, verbose_name=_("answers")
    )
    raw_sum = models.PositiveSmallIntegerField(_("raw sum"))
    answered = models.PositiveSmallIntegerField(_("items answered"))
    extreme_response = models.BooleanField(
        _("extreme response set"),
        help_text=_("Every answered item has the same answer."),
    )
    score = models.DecimalField(
        _("activation score"), max_digits=4, decimal_places=1, null=True, blank=True
    )
    score_source = models.CharField(
        _("score source"),
        max_length=10,
        choices=ScoreSource.choices,
        default=ScoreSource.NONE,
    )
    conversion_table = models.ForeignKey(
        PamConversionTable,
        on_delete=models.PROTECT,
        related_name="administrations",
        null=True,
        blank=True,
        verbose_name=_("conversion table"),
    )
    cut_set = models.CharField(
        _("cut-point set"), max_length=10, choices=CutSet.choices, blank=True
    )
    level = models.PositiveSmallIntegerField(
        _("activation level"), null=True, blank=True
    )

    class Meta:
        ordering = ["-administered_on", "-pk"]
        verbose_name = _("PAM administration")
        verbose_name_plural = _("PAM administrations")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="pam_score_0_100",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True, score_source="none", level__isnull=True)
                | Q(score__isnull=False, level__gte=1, level__lte=4)
                & ~Q(score_source="none")
                & ~Q(cut_set=""),
                name="pam_score_names_source_and_cut_set",
            ),
            models.CheckConstraint(
                condition=~Q(score_source="table") | Q(conversion_table__isnull=False),
                name="pam_table_score_names_table",
            ),
            models.CheckConstraint(
                condition=Q(answered__lte=13) & Q(raw_sum__lte=52),
                name="pam_raw_within_range",
            ),
        ]
        indexes = [
            models.Index(fields=["patient", "administered_on"]),
            # The reminder sweep: baselines whose follow-up came due since the last
            # sweep, and administrations entered or corrected since.
            models.Index(
                fields=["administered_on"],
                condition=Q(kind="baseline"),
                name="pam_baseline_day_idx",
            ),
            models.Index(fields=["updated"], name="pam_changed_idx"),
        ]

    def __str__(self):
        return f"PAM {self.get_kind_display()} {self.administered_on:%Y-%m-%d}"

    @property
    def answer_rows(self):
        labels = [label for _key, label in PAM_ITEMS]
        return list(zip(labels, self.answers, strict=True))
