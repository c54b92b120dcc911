import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from chwlink.lib.patients_shown import ShowsPatient
from partners.languages import LANGUAGE_CHOICES
from partners.models import TimeStamped
from referrals.choices import SocialNeed
from referrals.models.patient import Patient
from referrals.models.referral import Referral


class ScreeningInstrument(TimeStamped):
    """One version of a screening instrument, as loaded from its file
    (``referrals.screening.definition`` reads and checks ``definition``)."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    definition = models.JSONField(_("definition"))
    # The version offered for new screenings; older ones stay for the records.
    active = models.BooleanField(_("offered for new screenings"), default=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("loaded by"),
    )

    class Meta:
        ordering = ["code", "-created"]
        verbose_name = _("screening instrument")
        verbose_name_plural = _("screening instruments")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="screening_instrument_version_once"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(active=True),
                name="screening_instrument_one_active_version",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.version})"


@pghistory.track(model_name="ScreeningHistory")
class Screening(ShowsPatient, TimeStamped):
    """A social-needs screening of a patient: done here with an instrument (its
    answers are ``ScreeningAnswer`` rows), or reported as done elsewhere with a
    date and the positive categories."""

    class Setting(models.TextChoices):
        INTAKE = "intake", _("Clinic intake")
        FIRST_CONTACT = "first_contact", _("Navigator's first contact")
        CLOSURE = "closure", _("Closing the referral")

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    patient = models.ForeignKey(
        Patient,
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name=_("patient"),
    )
    referral = models.ForeignKey(
        Referral,
        on_delete=models.PROTECT,
        related_name="screenings",
        verbose_name=_("referral"),
    )
    instrument = models.ForeignKey(
        ScreeningInstrument,
        on_delete=models.PROTECT,
        related_name="screenings",
        null=True,
        blank=True,
        verbose_name=_("instrument"),
    )
    setting = models.CharField(_("where"), max_length=20, choices=Setting.choices)
    language = models.CharField(
        _("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    screened_on = models.DateField(_("screened on"))
    elsewhere = models.BooleanField(_("screened elsewhere"), default=False)
    asked_privately = models.BooleanField(
        _("the patient could answer privately"), default=False
    )
    positive_domains = ArrayField(
        models.CharField(max_length=40, choices=SocialNeed.choices),
        verbose_name=_("positive for"),
        default=list,
        blank=True,
    )
    negative_domains = ArrayField(
        models.CharField(max_length=40, choices=SocialNeed.choices),
        verbose_name=_("negative for"),
        default=list,
        blank=True,
    )
    # The positives the clinic or the navigator went through with the patient,
    # and which of them became needs of the referral.
    needs_reviewed_at = models.DateTimeField(_("needs reviewed"), null=True)
    confirmed_domains = ArrayField(
        models.CharField(max_length=40, choices=SocialNeed.choices),
        verbose_name=_("confirmed with the patient"),
        default=list,
        blank=True,
    )

    class Meta:
        ordering = ["screened_on", "created", "pk"]
        verbose_name = _("screening")
        verbose_name_plural = _("screenings")
        constraints = [
            models.CheckConstraint(
                condition=Q(elsewhere=True) | Q(instrument__isnull=False),
                name="screening_here_names_instrument",
            ),
            models.CheckConstraint(
                condition=Q(elsewhere=False) | Q(setting="intake"),
                name="screening_elsewhere_only_at_intake",
            ),
        ]
        indexes = [models.Index(fields=["referral", "screened_on"])]

    def __str__(self):
        return str(_("Screening {code}")).format(code=str(self.code)[:8])


@pghistory.track(model_name="ScreeningAnswerHistory")
class ScreeningAnswer(models.Model):
    """An answer to one item of a screening: the answer's code, or declined (never
    a guess). An item that allows several answers has a row per answer chosen."""

    screening = models.ForeignKey(
        Screening, on_delete=models.CASCADE, related_name="answers"
    )
    item_code = models.CharField(_("question"), max_length=20)
    answer_code = models.CharField(_("answer"), max_length=20, blank=True)
    declined = models.BooleanField(_("declined"), default=False)
    positive = models.BooleanField(_("signals a need"), default=False)

    class Meta:
        ordering = ["screening", "pk"]
        verbose_name = _("screening answer")
        verbose_name_plural = _("screening answers")
        constraints = [
            models.UniqueConstraint(
                fields=["screening", "item_code", "answer_code"],
                name="screening_answer_once",
            ),
            models.CheckConstraint(
                condition=(Q(declined=True) & Q(answer_code=""))
                | (Q(declined=False) & ~Q(answer_code="")),
                name="screening_answer_or_declined",
            ),
            models.CheckConstraint(
                condition=Q(declined=False) | Q(positive=False),
                name="screening_declined_never_positive",
            ),
        ]

    def __str__(self):
        return f"{self.item_code}: {self.answer_code or 'declined'}"
