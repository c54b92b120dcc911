"""Screenings as the Gravity IG writes them, checked against the FHIR R4 schema."""

import pytest

from referrals.screening.fhir import (
    condition_resources,
    observation_resources,
    questionnaire_response_resource,
)
from referrals.screening.selectors import instrument_of
from referrals.screening.services import screening_needs_review
from referrals.tests.screenings import CALM_AHC, NEEDY_AHC, UNSAFE, Setting, screen
from referrals.tests.states import in_progress_referral
from tests.shared_fixtures import fhir_schema_errors, gravity_examples

POS = "POS"


@pytest.fixture
def working(supervisor, navigator, clinic_user):
    return in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )


def _all(screening):
    instrument = instrument_of(screening.instrument)
    return (
        questionnaire_response_resource(screening, instrument),
        observation_resources(screening, instrument),
        condition_resources(screening, instrument),
    )


def test_every_resource_passes_the_schema(working, navigator):
    answers = NEEDY_AHC | UNSAFE | {"95615-1": "declined", "96779-4": "declined"}
    screening = screen(navigator, working, answers, setting=Setting.FIRST_CONTACT)
    response, observations, conditions = _all(screening)
    for resource in [response, *observations, *conditions]:
        assert fhir_schema_errors(resource) == [], resource["resourceType"]


def test_one_observation_per_answer_positive_ones_flagged(working, navigator):
    screening = screen(
        navigator, working, NEEDY_AHC | {"96779-4": "declined"}, setting="first_contact"
    )
    _, observations, _ = _all(screening)
    by_code = {o["code"]["coding"][0]["code"]: o for o in observations}
    assert set(by_code) == set(CALM_AHC)
    flagged = {c for c, o in by_code.items() if o.get("interpretation")}
    assert flagged == {"88122-7", "93030-5"}
    assert by_code["88122-7"]["interpretation"][0]["coding"][0]["code"] == POS
    declined = by_code["96779-4"]["dataAbsentReason"]["coding"][0]["code"]
    assert declined == "asked-declined"
    categories = [c["coding"][0]["code"] for c in by_code["71802-3"]["category"]]
    assert {"homelessness", "housing-instability"} <= set(categories)


def test_a_condition_per_positive_domain_unconfirmed_until_confirmed(
    working, navigator
):
    screening = screen(navigator, working, NEEDY_AHC, setting=Setting.FIRST_CONTACT)
    _, _, conditions = _all(screening)
    status = {
        c["category"][2]["coding"][0]["code"]: c["verificationStatus"]["coding"][0][
            "code"
        ]
        for c in conditions
    }
    assert status == {
        "food-insecurity": "unconfirmed",
        "transportation-insecurity": "unconfirmed",
    }
    working.refresh_from_db()
    screening_needs_review(
        actor=navigator,
        screening=screening,
        confirmed=["food-insecurity"],
        expected_version=working.version,
    )
    screening.refresh_from_db()
    _, _, conditions = _all(screening)
    food = next(c for c in conditions if c["id"].endswith("food-insecurity"))
    assert food["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert food["evidence"][0]["detail"] == [
        {"reference": f"Observation/{screening.code}-88122-7"}
    ]


def test_hunger_vital_sign_reports_the_risk_as_the_ig_does(working, navigator):
    screening = screen(
        navigator,
        working,
        {"88122-7": "LA28397-0", "88123-5": "declined"},
        setting=Setting.FIRST_CONTACT,
        code="hunger-vital-sign",
    )
    response, observations, _ = _all(screening)
    risk = response["item"][-1]
    assert risk["linkId"] == "/88124-3"
    assert risk["answer"][0]["valueCoding"]["code"] == "LA19952-3"
    declined = response["item"][1]["answer"][0]["valueCoding"]["code"]
    assert declined == "LA15775-2"
    result = next(o for o in observations if o["id"].endswith("88124-3"))
    assert result["interpretation"][0]["coding"][0]["code"] == POS
    assert response["questionnaire"].endswith("SDOHCC-QuestionnaireHungerVitalSign")


def test_the_safety_total_is_an_integer_observation(working, navigator):
    screening = screen(
        navigator,
        working,
        CALM_AHC | UNSAFE | {"95615-1": "LA6270-8"},
        setting=Setting.FIRST_CONTACT,
    )
    _, observations, conditions = _all(screening)
    total = next(o for o in observations if o["id"].endswith("95614-4"))
    assert total["valueInteger"] == 5 + 5 + 2 + 1
    assert total["interpretation"][0]["coding"][0]["code"] == POS
    assert [c["id"].rsplit("-", 3)[-3:] for c in conditions] == [
        ["intimate", "partner", "violence"]
    ]


ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SNOMED_CT = "http://snomed.info/sct"
# Condition.code of each AHC category: the IG examples' SNOMED CT and ICD-10-CM
# codings for food insecurity and homelessness, the ICD-10-CM Z code otherwise.
CONDITION_CODES = {
    "food-insecurity": {(SNOMED_CT, "733423003"), (ICD, "Z59.4")},
    "homelessness": {(SNOMED_CT, "32911000"), (ICD, "Z59.0")},
    "housing-instability": {(ICD, "Z59.819")},
    "inadequate-housing": {(ICD, "Z59.10")},
    "transportation-insecurity": {(ICD, "Z59.82")},
    "utility-insecurity": {(ICD, "Z59.12")},
}


@pytest.mark.parametrize("living", ["LA31994-9", "LA31995-6"])
def test_each_ahc_category_has_its_condition_code(working, navigator, living):
    answers = NEEDY_AHC | {
        "71802-3": living,
        "96778-6": ["LA31998-0"],
        "96779-4": "LA32002-0",
    }
    screening = screen(navigator, working, answers, setting=Setting.FIRST_CONTACT)
    _, _, conditions = _all(screening)
    codes = {
        c["category"][2]["coding"][0]["code"]: {
            (coding["system"], coding["code"]) for coding in c["code"]["coding"]
        }
        for c in conditions
    }
    housing = "housing-instability" if living == "LA31994-9" else "homelessness"
    expected = {
        housing,
        "inadequate-housing",
        "food-insecurity",
        "transportation-insecurity",
        "utility-insecurity",
    }
    assert codes == {domain: CONDITION_CODES[domain] for domain in expected}
    for condition in conditions:
        assert fhir_schema_errors(condition) == [], condition["id"]


def test_homelessness_condition_codes_are_the_ig_examples(working, navigator):
    example = gravity_examples()["Condition-SDOHCC-ConditionHomelessExample.json"]
    answers = CALM_AHC | {"71802-3": "LA31995-6"}
    screening = screen(navigator, working, answers, setting=Setting.FIRST_CONTACT)
    _, _, (condition,) = _all(screening)
    assert condition["code"]["coding"] == example["code"]["coding"]
    assert condition["category"][2] == example["category"][2]
