from referrals.models.api import ApiAssertionUse, ApiClient, ApiToken, FhirWriteBack
from referrals.models.hsds import HsdsApiKey, HsdsImport
from referrals.models.notification import (
    Notification,
    NotificationPreference,
    ReminderClaim,
)
from referrals.models.patient import Patient
from referrals.models.referral import (
    CASELOAD_STATUSES,
    CLOSED_STATUSES,
    OPEN_STATUSES,
    OUTCOME_STATUSES,
    Referral,
    ReferralEvent,
    ReferralNeedOutcome,
)
from referrals.models.resource import (
    WEEKDAYS,
    ResourceLocation,
    ResourceOrganization,
    ResourceSchedule,
    ResourceService,
    ResourceServiceAtLocation,
    ResourceServiceTerm,
    ResourceTaxonomy,
    ResourceTaxonomyTerm,
    ZipCentroid,
)
from referrals.models.screening import (
    Screening,
    ScreeningAnswer,
    ScreeningInstrument,
)
from referrals.models.texting import (
    PartnershipTexting,
    ScheduledVisit,
    TextConsent,
    TextMessage,
    TextOptOut,
    TextReceiptEarly,
    TextWebhookDelivery,
)
from referrals.models.work import Encounter, Pathway, PathwayResource, PathwayStep

__all__ = [
    "ApiAssertionUse",
    "ApiClient",
    "ApiToken",
    "CASELOAD_STATUSES",
    "CLOSED_STATUSES",
    "OPEN_STATUSES",
    "OUTCOME_STATUSES",
    "Encounter",
    "FhirWriteBack",
    "Notification",
    "NotificationPreference",
    "Patient",
    "Pathway",
    "PathwayResource",
    "PathwayStep",
    "Referral",
    "ReferralEvent",
    "ReferralNeedOutcome",
    "ReminderClaim",
    "HsdsApiKey",
    "HsdsImport",
    "PartnershipTexting",
    "ScheduledVisit",
    "TextConsent",
    "TextMessage",
    "TextOptOut",
    "TextReceiptEarly",
    "TextWebhookDelivery",
    "ResourceLocation",
    "ResourceOrganization",
    "ResourceSchedule",
    "ResourceService",
    "ResourceServiceAtLocation",
    "ResourceServiceTerm",
    "ResourceTaxonomy",
    "ResourceTaxonomyTerm",
    "WEEKDAYS",
    "ZipCentroid",
    "Screening",
    "ScreeningAnswer",
    "ScreeningInstrument",
]
