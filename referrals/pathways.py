"""Pathway knowledge: which pathway answers which social need, and its default steps."""

from django.utils.translation import gettext_lazy as _

from partners.pathway_kinds import PathwayKind
from referrals.choices import SocialNeed

PATHWAY_FOR_NEED = {
    SocialNeed.FOOD_INSECURITY: PathwayKind.FOOD_SECURITY,
    SocialNeed.HOUSING_INSTABILITY: PathwayKind.HOUSING,
    SocialNeed.HOMELESSNESS: PathwayKind.HOUSING,
    SocialNeed.INADEQUATE_HOUSING: PathwayKind.HOUSING,
    SocialNeed.TRANSPORTATION: PathwayKind.TRANSPORTATION,
    SocialNeed.HEALTH_INSURANCE: PathwayKind.HEALTH_COVERAGE,
    SocialNeed.EMPLOYMENT_STATUS: PathwayKind.EMPLOYMENT,
    SocialNeed.EDUCATIONAL_ATTAINMENT: PathwayKind.ADULT_EDUCATION,
    SocialNeed.HEALTH_LITERACY: PathwayKind.LEARNING,
    SocialNeed.STRESS: PathwayKind.MENTAL_HEALTH,
}

GENERIC_STEPS = [
    _("Confirm the need with the patient"),
    _("Find a community resource that fits"),
    _("Connect the patient to the resource"),
    _("Confirm with the patient that the need is resolved"),
]

DEFAULT_STEPS = {
    PathwayKind.FOOD_SECURITY: [
        _("Confirm the food need with the patient"),
        _("Check eligibility for SNAP or WIC and help apply"),
        _("Connect to a food pantry or meal program"),
        _("Confirm the household has reliable food"),
    ],
    PathwayKind.HOUSING: [
        _("Confirm the housing situation with the patient"),
        _("Apply for rent assistance or housing programs"),
        _("Connect to a housing case manager"),
        _("Confirm stable housing"),
    ],
    PathwayKind.TRANSPORTATION: [
        _("Confirm upcoming appointments that need a ride"),
        _("Set up a ride program or transit pass"),
        _("Confirm the patient got to the appointment"),
    ],
    PathwayKind.HEALTH_COVERAGE: [
        _("Check what coverage the patient may qualify for"),
        _("Help gather documents and apply"),
        _("Confirm coverage is active"),
    ],
    PathwayKind.EMPLOYMENT: [
        _("Talk through work goals with the patient"),
        _("Connect to a job program or employer"),
        _("Confirm the job has been held for 30 days"),
    ],
    PathwayKind.ADULT_EDUCATION: [
        _("Talk through learning goals with the patient"),
        _("Enroll in a class or program (GED, English, job skills)"),
        _("Confirm the patient is attending"),
    ],
    PathwayKind.MENTAL_HEALTH: [
        _("Talk through what support the patient wants"),
        _("Connect to counseling or a support group"),
        _("Confirm the patient went to the first visit"),
    ],
    PathwayKind.MEDICAL_HOME: [
        _("Check whether the patient has a primary care clinic"),
        _("Help the patient choose a clinic and book a visit"),
        _("Confirm the patient went to the visit"),
    ],
}


def default_pathway_for(need: str) -> str:
    return PATHWAY_FOR_NEED.get(need, PathwayKind.SOCIAL_SERVICE_REFERRAL)


def default_steps_for(kind: str) -> list[str]:
    return [str(step) for step in DEFAULT_STEPS.get(kind, GENERIC_STEPS)]


def _keyed(prefix: str, steps) -> list[tuple[str, str]]:
    return [(f"{prefix}.{number}", text) for number, text in enumerate(steps, 1)]


# A default step is stored by key and shown in the reader's language; a step a
# person typed has no key and shows as typed.
STEP_TEXTS = {
    key: text
    for prefix, steps in [*DEFAULT_STEPS.items(), ("generic", GENERIC_STEPS)]
    for key, text in _keyed(prefix, steps)
}


def default_steps_keyed(kind: str) -> list[tuple[str, str]]:
    """The kind's default steps as (key, text in the active language)."""
    if kind in DEFAULT_STEPS:
        return _keyed(kind, DEFAULT_STEPS[kind])
    return _keyed("generic", GENERIC_STEPS)


def step_text(*, key: str, title: str) -> str:
    """What a step reads in the active language."""
    text = STEP_TEXTS.get(key)
    return str(text) if text is not None else title


def suggested_need(needs: list[str], open_kinds: set[str]) -> str:
    """The first of the referral's needs whose usual pathway is not open yet."""
    for need in needs:
        if default_pathway_for(need) not in open_kinds:
            return need
    return needs[0] if needs else ""
