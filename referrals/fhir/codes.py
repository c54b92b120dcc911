"""Code systems and the mappings of chwlink's coded values to FHIR codes."""

from partners.pathway_kinds import PathwayKind
from referrals.choices import SocialNeed, Urgency

SDOHCC = "http://hl7.org/fhir/us/sdoh-clinicalcare"
SDOHCC_CODES = f"{SDOHCC}/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
SNOMED = "http://snomed.info/sct"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
BCP47 = "urn:ietf:bcp:47"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
CONSENT_POLICY = "http://terminology.hl7.org/CodeSystem/consentpolicycodes"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
US_CORE_PATIENT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient"
# chwlink's own identifiers (a referral's code, a patient's MRN at its health
# system) live under this namespace.
CHWLINK_SYSTEM = "urn:chwlink"


def profile(name: str) -> str:
    return f"{SDOHCC}/StructureDefinition/{name}"


# The IG names each SDOH category by the same code chwlink stores; the displays
# are the IG's (English, as the code system defines them).
SDOH_DISPLAY = {
    SocialNeed.DIGITAL_ACCESS: "Digital Access",
    SocialNeed.DIGITAL_LITERACY: "Digital Literacy",
    SocialNeed.EDUCATIONAL_ATTAINMENT: "Educational Attainment",
    SocialNeed.ELDER_ABUSE: "Elder Abuse",
    SocialNeed.EMPLOYMENT_STATUS: "Employment Status",
    SocialNeed.FINANCIAL_INSECURITY: "Financial Insecurity",
    SocialNeed.FOOD_INSECURITY: "Food Insecurity",
    SocialNeed.HEALTH_INSURANCE: "Health Insurance Coverage Status",
    SocialNeed.HOMELESSNESS: "Homelessness",
    SocialNeed.HOUSING_INSTABILITY: "Housing Instability",
    SocialNeed.INADEQUATE_HOUSING: "Inadequate Housing",
    SocialNeed.INCARCERATION: "Incarceration Status",
    SocialNeed.INTIMATE_PARTNER_VIOLENCE: "Intimate Partner Violence",
    SocialNeed.LANGUAGE_ACCESS: "Language Status",
    SocialNeed.MATERIAL_HARDSHIP: "Material Hardship",
    SocialNeed.MEDICAL_COST_BURDEN: "Medical Cost Burden",
    SocialNeed.HEALTH_LITERACY: "Personal Health Literacy",
    SocialNeed.SOCIAL_CONNECTION: "Social Connection",
    SocialNeed.STRESS: "Stress",
    SocialNeed.TRANSPORTATION: "Transportation Insecurity",
    SocialNeed.UTILITY_INSECURITY: "Utility Insecurity",
    SocialNeed.VETERAN_STATUS: "Veteran Status",
    SocialNeed.UNSPECIFIED: "SDOH Category Unspecified",
}


def sdoh_coding(need: str) -> dict:
    return {"system": SDOHCC_CODES, "code": need, "display": SDOH_DISPLAY[need]}


def need_of_coding(coding: dict) -> str | None:
    """The chwlink social need a coding names, if it is an SDOHCC category."""
    if coding.get("system") == SDOHCC_CODES and coding.get("code") in SDOH_DISPLAY:
        return coding["code"]
    return None


# ServiceRequest.orderDetail when contacting the patient directly could endanger
# them (the referral's "do not contact directly" flag).
CONTACT_PROHIBITED = {
    "system": SDOHCC_CODES,
    "code": "contacting-subject-prohibited",
    "display": "Contacting Subject Prohibited",
}
RESULTING_ACTIVITY = {
    "system": SDOHCC_CODES,
    "code": "resulting-activity",
    "display": "Resulting Activity",
}

SOCIAL_SERVICE = {
    "system": SNOMED,
    "code": "410606002",
    "display": "Social service procedure",
}

# Procedure.code for a pathway: the SNOMED CT procedures the IG's own examples
# use, where one says what the pathway did; otherwise the social service
# procedure, with the pathway's name as the text.
PATHWAY_PROCEDURES = {
    PathwayKind.FOOD_SECURITY: {
        "system": SNOMED,
        "code": "467771000124109",
        "display": "Assistance with application for food pantry program",
    },
}


def pathway_procedure_code(kind: str, label: str) -> dict:
    return {"coding": [PATHWAY_PROCEDURES.get(kind, SOCIAL_SERVICE)], "text": label}


PRIORITY = {Urgency.ROUTINE: "routine", Urgency.URGENT: "urgent"}
URGENCY = {value: key for key, value in PRIORITY.items()} | {
    # FHIR's two higher priorities both mean "urgent" to a navigator.
    "asap": Urgency.URGENT,
    "stat": Urgency.URGENT,
}


def bcp47(language: str) -> str:
    """chwlink stores ISO 639-1 codes, which are BCP-47 primary subtags; "other"
    is BCP-47's "und" (undetermined)."""
    return "und" if language == "other" else language
