"""Coded values of the referral domain (Gravity SDOH categories, Pathways)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SocialNeed(models.TextChoices):
    """Gravity SDOH category value set."""

    DIGITAL_ACCESS = "digital-access", _("Digital access")
    DIGITAL_LITERACY = "digital-literacy", _("Digital literacy")
    EDUCATIONAL_ATTAINMENT = "educational-attainment", _("Education")
    ELDER_ABUSE = "elder-abuse", _("Elder abuse")
    EMPLOYMENT_STATUS = "employment-status", _("Employment")
    FINANCIAL_INSECURITY = "financial-insecurity", _("Financial insecurity")
    FOOD_INSECURITY = "food-insecurity", _("Food insecurity")
    HEALTH_INSURANCE = "health-insurance-coverage-status", _("Health insurance")
    HOMELESSNESS = "homelessness", _("Homelessness")
    HOUSING_INSTABILITY = "housing-instability", _("Housing instability")
    INADEQUATE_HOUSING = "inadequate-housing", _("Inadequate housing")
    INCARCERATION = "incarceration-status", _("Incarceration history")
    INTIMATE_PARTNER_VIOLENCE = (
        "intimate-partner-violence",
        _("Intimate partner violence"),
    )
    LANGUAGE_ACCESS = "language-access", _("Language access")
    MATERIAL_HARDSHIP = "material-hardship", _("Material hardship")
    MEDICAL_COST_BURDEN = "medical-cost-burden", _("Medical cost burden")
    HEALTH_LITERACY = "personal-health-literacy", _("Health literacy")
    SOCIAL_CONNECTION = "social-connection", _("Social connection")
    STRESS = "stress", _("Stress")
    TRANSPORTATION = "transportation-insecurity", _("Transportation")
    UTILITY_INSECURITY = "utility-insecurity", _("Utilities")
    VETERAN_STATUS = "veteran-status", _("Veteran status")
    UNSPECIFIED = "sdoh-category-unspecified", _("Other social need")


class MedicalReason(models.TextChoices):
    DIABETES = "diabetes", _("Diabetes")
    CANCER = "cancer", _("Cancer")
    KIDNEY_DISEASE = "kidney-disease", _("Kidney disease")
    CARDIOVASCULAR = "cardiovascular", _("Cardiovascular disease")
    PREGNANCY = "pregnancy", _("Pregnancy")
    HYPERTENSION = "hypertension", _("Hypertension")
    ASTHMA_COPD = "asthma-copd", _("Asthma or COPD")
    MENTAL_HEALTH = "mental-health", _("Mental health")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")


class ConsentSource(models.TextChoices):
    """How the patient agreed to share (the SDOHCC Consent's source)."""

    VERBAL = "verbal", _("The patient told me (I attest to their verbal consent)")
    WRITTEN = "written", _("The patient signed a consent form, kept at the clinic")
    ELECTRONIC = "electronic", _("The patient signed electronically (e.g. the portal)")
    CLINIC_SYSTEM = "clinic_system", _("Recorded in the clinic's own system")


class ConsentScope(models.TextChoices):
    """What the patient agreed to share their information with."""

    CBO = "cbo", _("The CBO and its navigators")
    CBO_AND_RESOURCES = (
        "cbo_and_resources",
        _("The CBO, its navigators and the resources they link the patient to"),
    )


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNKNOWN = "unknown", _("Not stated")


class StatusReason(models.TextChoices):
    """Coded reasons for declining, holding, closing or cancelling a referral."""

    OUT_OF_SCOPE = "out_of_scope", _("Outside what the CBO offers")
    OUT_OF_AREA = "out_of_area", _("Outside the CBO's service area")
    NO_CAPACITY = "no_capacity", _("No capacity right now")
    DUPLICATE = "duplicate", _("Duplicate referral")
    NOT_ELIGIBLE = "not_eligible", _("Patient not eligible")
    WAITLISTED = "waitlisted", _("Waitlisted for a service")
    UNREACHABLE_FOR_NOW = "unreachable_for_now", _("Unreachable for now")
    PATIENT_REQUEST = "patient_request", _("Patient asked to pause")
    UNREACHABLE = "unreachable", _("Unreachable after several attempts")
    PATIENT_DECLINED = "patient_declined", _("Patient declined services")
    MOVED = "moved", _("Patient moved away")
    NO_LONGER_NEEDED = "no_longer_needed", _("No longer needed")
    WRONG_PATIENT = "wrong_patient", _("Wrong patient or wrong details")
    NEED_RETURNED = "need_returned", _("The need came back or was not met")
    CLOSED_TOO_EARLY = "closed_too_early", _("Closed too early or by mistake")
    PATIENT_ASKED_AGAIN = "patient_asked_again", _("The patient asked for more help")
    OTHER = "other", _("Other")


class NeedOutcome(models.TextChoices):
    """What became of one social need when the referral closed (shown to the clinic)."""

    RESOLVED = "resolved", _("Resolved")
    PARTLY_RESOLVED = "partly_resolved", _("Partly resolved")
    NOT_RESOLVED = "not_resolved", _("Not resolved")
    PATIENT_DECLINED = "patient_declined", _("Patient declined help")
    REFERRED_ELSEWHERE = "referred_elsewhere", _("Referred elsewhere")


# A referral closes as "needs addressed" only when at least one need got somewhere.
ADDRESSED_OUTCOMES = frozenset({NeedOutcome.RESOLVED, NeedOutcome.PARTLY_RESOLVED})


class ContactMode(models.TextChoices):
    PHONE = "phone", _("Phone call")
    TEXT = "text", _("Text message")
    HOME_VISIT = "home_visit", _("Home visit")
    CLINIC_VISIT = "clinic_visit", _("Clinic visit")
    COMMUNITY_SITE = "community_site", _("Community site")
    VIDEO = "video", _("Video call")


class ResourceStatus(models.TextChoices):
    """HSDS service status."""

    ACTIVE = "active", _("Active")
    TEMPORARILY_CLOSED = "temporarily closed", _("Temporarily closed")
    INACTIVE = "inactive", _("Inactive")
    DEFUNCT = "defunct", _("Closed for good")


class CapacityStatus(models.TextChoices):
    """Whether a service takes new clients now (HSDS 3.1 ``service_capacity``,
    Gravity STU3's service availability)."""

    ACCEPTING = "accepting", _("Accepting new clients")
    WAITLIST = "waitlist", _("Waitlist")
    NOT_ACCEPTING = "not_accepting", _("Not accepting new clients")
    ASSESSMENT_REQUIRED = "assessment_required", _("Assessment required")


# Still offered: listed in the directory by default and linkable to a pathway.
OFFERED_RESOURCE_STATUSES = frozenset(
    {ResourceStatus.ACTIVE, ResourceStatus.TEMPORARILY_CLOSED}
)
