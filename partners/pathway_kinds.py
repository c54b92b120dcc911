"""The pathways of the Pathways Community HUB model: a navigator opens one per
social need, and a contract may pay for each completed one (see
``../shared/domain/REFERENCE.md``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PathwayKind(models.TextChoices):
    """The 21 standard Pathways Community HUB pathways."""

    ADULT_EDUCATION = "adult_education", _("Adult education")
    DEVELOPMENTAL_REFERRAL = "developmental_referral", _("Developmental referral")
    EMPLOYMENT = "employment", _("Employment")
    FAMILY_PLANNING = "family_planning", _("Family planning")
    FOOD_SECURITY = "food_security", _("Food security")
    HEALTH_COVERAGE = "health_coverage", _("Health coverage")
    HOUSING = "housing", _("Housing")
    IMMUNIZATION_REFERRAL = "immunization_referral", _("Immunization referral")
    LEARNING = "learning", _("Learning")
    MEDICAL_HOME = "medical_home", _("Medical home")
    MEDICAL_REFERRAL = "medical_referral", _("Medical referral")
    MEDICATION_ADHERENCE = "medication_adherence", _("Medication adherence")
    MEDICATION_RECONCILIATION = (
        "medication_reconciliation",
        _("Medication reconciliation"),
    )
    MEDICATION_SCREENING = "medication_screening", _("Medication screening")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    ORAL_HEALTH = "oral_health", _("Oral health")
    POSTPARTUM = "postpartum", _("Postpartum")
    PREGNANCY = "pregnancy", _("Pregnancy")
    SOCIAL_SERVICE_REFERRAL = "social_service_referral", _("Social service referral")
    SUBSTANCE_USE = "substance_use", _("Substance use")
    TRANSPORTATION = "transportation", _("Transportation")
