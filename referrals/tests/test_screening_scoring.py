"""Scoring over every answer combination of the Hunger Vital Sign and of each AHC
HRSN domain, against the instruments' published rules written out here."""

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.screening.definition import instrument_from_data, shipped_files
from referrals.screening.scoring import (
    DECLINED,
    NEGATIVE,
    POSITIVE,
    UNDETERMINED,
    AnswersInvalid,
    score,
)

OFTEN, SOMETIMES, NEVER = "LA28397-0", "LA6729-3", "LA28398-8"
FOOD = ("88122-7", "88123-5")
SAFETY = ("95618-5", "95617-7", "95616-9", "95615-1")
POINTS = {"LA6270-8": 1, "LA10066-1": 2, "LA10082-8": 3, "LA16644-9": 4, "LA6482-9": 5}


def _instrument(code):
    for path in shipped_files():
        data = json.loads(path.read_text())
        if data["code"] == code:
            return instrument_from_data(data)
    raise AssertionError(code)


HVS = _instrument("hunger-vital-sign")
AHC = _instrument("ahc-hrsn-core")


def food_expected(first, second):
    """The Hunger Vital Sign: "often" or "sometimes" true to either is at risk."""
    answered = [a for a in (first, second) if a != DECLINED]
    if any(a in (OFTEN, SOMETIMES) for a in answered):
        return POSITIVE
    return NEGATIVE if answered else UNDETERMINED


def safety_expected(answers):
    """AHC HRSN safety: the four items' points (1-5) add up to more than 10."""
    given_ = [POINTS[a] for a in answers if a != DECLINED]
    total = sum(given_)
    if total >= 11:
        return POSITIVE
    unknown = len(answers) - len(given_)
    return UNDETERMINED if unknown and total + 5 * unknown >= 11 else NEGATIVE


FOOD_CHOICES = (OFTEN, SOMETIMES, NEVER, DECLINED)


@pytest.mark.parametrize(
    ("first", "second"), list(itertools.product(FOOD_CHOICES, FOOD_CHOICES))
)
def test_hunger_vital_sign_every_combination(first, second):
    result = score(
        HVS, dict(zip(FOOD, (first, second), strict=True)), asked_privately=False
    )
    assert result.results == {"food-insecurity": food_expected(first, second)}
    assert result.positive_items == {
        code
        for code, a in zip(FOOD, (first, second), strict=True)
        if a in (OFTEN, SOMETIMES)
    }


CALM = {
    "71802-3": "LA31993-1",
    "88122-7": NEVER,
    "88123-5": NEVER,
    "93030-5": "LA32-8",
    "96779-4": "LA32-8",
}
CALM_SAFETY = dict.fromkeys(SAFETY, "LA6270-8")


def _ahc(**changes):
    answers = {**CALM, **CALM_SAFETY}
    answers.update({k.replace("_", "-"): v for k, v in changes.items()})
    return score(AHC, answers, asked_privately=True).results


@pytest.mark.parametrize(
    ("answer", "housing", "homeless"),
    [
        ("LA31993-1", NEGATIVE, NEGATIVE),
        ("LA31994-9", POSITIVE, NEGATIVE),
        ("LA31995-6", NEGATIVE, POSITIVE),
        (DECLINED, UNDETERMINED, UNDETERMINED),
    ],
)
def test_ahc_living_situation_every_answer(answer, housing, homeless):
    results = score(
        AHC, {**CALM, "71802-3": answer, **CALM_SAFETY}, asked_privately=True
    ).results
    assert results["housing-instability"] == housing
    assert results["homelessness"] == homeless


@pytest.mark.parametrize(
    ("first", "second"), list(itertools.product(FOOD_CHOICES, FOOD_CHOICES))
)
def test_ahc_food_every_combination(first, second):
    answers = {**CALM, **CALM_SAFETY, "88122-7": first, "88123-5": second}
    results = score(AHC, answers, asked_privately=True).results
    assert results["food-insecurity"] == food_expected(first, second)


@pytest.mark.parametrize(
    ("item", "answer", "domain", "expected"),
    [
        ("93030-5", "LA33-6", "transportation-insecurity", POSITIVE),
        ("93030-5", "LA32-8", "transportation-insecurity", NEGATIVE),
        ("93030-5", DECLINED, "transportation-insecurity", UNDETERMINED),
        ("96779-4", "LA33-6", "utility-insecurity", POSITIVE),
        ("96779-4", "LA32002-0", "utility-insecurity", POSITIVE),
        ("96779-4", "LA32-8", "utility-insecurity", NEGATIVE),
        ("96779-4", DECLINED, "utility-insecurity", UNDETERMINED),
    ],
)
def test_ahc_transportation_and_utilities_every_answer(item, answer, domain, expected):
    answers = {**CALM, **CALM_SAFETY, item: answer}
    assert score(AHC, answers, asked_privately=True).results[domain] == expected


def test_ahc_safety_every_combination():
    """All 6⁴ combinations of the four safety items (five answers or declined)."""
    choices = (*POINTS, DECLINED)
    for combination in itertools.product(choices, repeat=4):
        answers = {**CALM, **dict(zip(SAFETY, combination, strict=True))}
        result = score(AHC, answers, asked_privately=True)
        expected = safety_expected(combination)
        assert result.results["intimate-partner-violence"] == expected, combination
        answered = [POINTS[a] for a in combination if a != DECLINED]
        assert result.totals["intimate-partner-violence"] == sum(answered)


def test_safety_not_asked_is_undetermined_never_negative():
    result = score(AHC, dict(CALM), asked_privately=False)
    assert result.results["intimate-partner-violence"] == UNDETERMINED
    assert "intimate-partner-violence" not in result.negative_domains


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {
            item.code: st.sampled_from([o.code for o in item.options] + [DECLINED])
            for item in AHC.items
        }
    )
)
def test_ahc_domains_are_scored_independently(answers):
    """Any full set of answers: each domain follows its own rule alone."""
    results = score(AHC, answers, asked_privately=True).results
    food = food_expected(answers["88122-7"], answers["88123-5"])
    assert results["food-insecurity"] == food
    safety = safety_expected([answers[c] for c in SAFETY])
    assert results["intimate-partner-violence"] == safety
    transport = {"LA33-6": POSITIVE, "LA32-8": NEGATIVE, DECLINED: UNDETERMINED}
    assert results["transportation-insecurity"] == transport[answers["93030-5"]]


@pytest.mark.parametrize(
    ("answers", "private", "message"),
    [
        ({**CALM, "12345-6": NEVER}, False, "“12345-6” is not a question"),
        ({**CALM, "93030-5": NEVER}, False, "not an answer to question 93030-5"),
        ({k: v for k, v in CALM.items() if k != "96779-4"}, False, "96779-4 has no"),
        ({**CALM, "95618-5": "LA6270-8"}, False, "asked only when the patient"),
        (dict(CALM), True, "95618-5 has no answer"),
    ],
)
def test_bad_answers_are_refused_naming_the_question(answers, private, message):
    with pytest.raises(AnswersInvalid, match=message):
        score(AHC, answers, asked_privately=private)
