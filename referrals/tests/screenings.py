"""Screenings recorded through the real services, for tests."""

from referrals.models import Screening, ScreeningInstrument
from referrals.screening import services

NO_HOUSING_PROBLEM = ["LA9-3"]
CALM_AHC = {
    "71802-3": "LA31993-1",
    "96778-6": NO_HOUSING_PROBLEM,
    "88122-7": "LA28398-8",
    "88123-5": "LA28398-8",
    "93030-5": "LA32-8",
    "96779-4": "LA32-8",
}
NEEDY_AHC = CALM_AHC | {"88122-7": "LA6729-3", "93030-5": "LA33-6"}
UNSAFE = {"95618-5": "LA6482-9", "95617-7": "LA6482-9", "95616-9": "LA10066-1"}
SAFE = dict.fromkeys(("95618-5", "95617-7", "95616-9", "95615-1"), "LA6270-8")


def instrument(code="ahc-hrsn-core") -> ScreeningInstrument:
    return ScreeningInstrument.objects.get(code=code, active=True)


def screen(actor, referral, answers, *, setting, code="ahc-hrsn-core", private=None):
    row = instrument(code)
    if private is None:
        private = any(key.startswith("956") for key in answers)
    return services.screening_record(
        actor=actor,
        referral=referral,
        instrument=row,
        version=row.version,
        setting=setting,
        language="en",
        answers=answers,
        asked_privately=private,
    )


Setting = Screening.Setting
