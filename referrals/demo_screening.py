"""Screenings for the demo: the navigator's first-contact screening and the
rescreen at closing, recorded through the services."""

from referrals.models import Screening, ScreeningInstrument
from referrals.screening import services

CALM = {
    "71802-3": "LA31993-1",
    "96778-6": ["LA9-3"],
    "88122-7": "LA28398-8",
    "88123-5": "LA28398-8",
    "93030-5": "LA32-8",
    "96779-4": "LA32-8",
}
FOOD_AND_RIDES = CALM | {"88122-7": "LA6729-3", "93030-5": "LA33-6"}
RIDES = CALM | {"93030-5": "LA33-6", "96779-4": "declined"}


def demo_screen(referral, navigator, answers, *, setting, confirm=()):
    """Screen with the AHC core items (not the private safety questions) and
    confirm some positives with the patient."""
    row = ScreeningInstrument.objects.get(code="ahc-hrsn-core", active=True)
    screening = services.screening_record(
        actor=navigator,
        referral=referral,
        instrument=row,
        version=row.version,
        setting=setting,
        language=referral.patient.preferred_language,
        answers=answers,
        asked_privately=False,
    )
    if confirm:
        referral.refresh_from_db()
        services.screening_needs_review(
            actor=navigator,
            screening=screening,
            confirmed=list(confirm),
            expected_version=referral.version,
        )
    return screening


FIRST_CONTACT = Screening.Setting.FIRST_CONTACT
CLOSURE = Screening.Setting.CLOSURE
