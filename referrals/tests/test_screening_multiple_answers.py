"""Questions that allow several answers: the AHC HRSN core items' "problems with
the place you live" (LOINC 96778-6), in version 2 of the instrument. The format
checks such a question, scoring reads any problem as inadequate housing and
refuses "None of the above" with a problem, a row is stored per answer, the forms
show checkboxes, and the FHIR output has an answer and an Observation for each."""

import copy
import json
import re

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from referrals.models import Screening, ScreeningAnswer, ScreeningInstrument
from referrals.screening.definition import (
    InstrumentInvalid,
    instrument_from_data,
    shipped_files,
)
from referrals.screening.fhir import (
    answers_from_questionnaire_response,
    condition_resources,
    observation_resources,
    questionnaire_response_resource,
)
from referrals.screening.scoring import (
    DECLINED,
    NEGATIVE,
    POSITIVE,
    UNDETERMINED,
    AnswersInvalid,
    score,
)
from referrals.screening.selectors import instrument_of
from referrals.screening.services import ScreeningRefused
from referrals.tests.screenings import CALM_AHC, Setting, instrument, screen
from referrals.tests.states import draft_referral, in_progress_referral
from tests.shared_fixtures import fhir_schema_errors

HOUSE = "96778-6"
PROBLEMS = {
    "LA31996-4": "Pests such as bugs, ants, or mice",
    "LA28580-1": "Mold",
    "LA31997-2": "Lead paint or pipes",
    "LA31998-0": "Lack of heat",
    "LA31999-8": "Oven or stove not working",
    "LA32000-4": "Smoke detectors missing or not working",
    "LA32001-2": "Water leaks",
}
NONE = "LA9-3"


def _shipped(code, version):
    for path in shipped_files():
        data = json.loads(path.read_text())
        if (data["code"], data["version"]) == (code, version):
            return data
    raise AssertionError((code, version))


AHC_2 = _shipped("ahc-hrsn-core", "2")
AHC = instrument_from_data(AHC_2)


def _with(codes):
    return CALM_AHC | {HOUSE: codes}


# --- the definition --------------------------------------------------------


def test_version_2_adds_the_question_with_the_published_answers():
    item = AHC.item(HOUSE)
    assert item.multiple and item.text["en"] == (
        "Think about the place you live. Do you have problems with any of the "
        "following?"
    )
    assert [(o.code, o.display) for o in item.options] == [
        *PROBLEMS.items(),
        (NONE, "None of the above"),
    ]
    assert [o.code for o in item.options if o.exclusive] == [NONE]
    (rule,) = [r for r in AHC.rules if HOUSE in r.items]
    assert rule.domain == "inadequate-housing"
    assert rule.positive_answers == set(PROBLEMS)


def test_version_1_still_reads_without_the_question():
    first = instrument_from_data(_shipped("ahc-hrsn-core", "1"))
    assert first.item(HOUSE) is None
    assert not any(item.multiple for item in first.items)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["items"][1].update(multiple="yes"), "“multiple” must be true"),
        (
            lambda d: d["items"][0]["options"][0].update(exclusive=True),
            "item 71802-3, option 1: “exclusive” is for an option of a question "
            "that allows several answers",
        ),
        (
            lambda d: [o.update(exclusive=True) for o in d["items"][1]["options"]],
            "item 96778-6: every option is exclusive",
        ),
        (
            lambda d: d["items"][6].update(multiple=True),
            "rule 7: a total cannot add the points of a question that allows "
            "several answers",
        ),
    ],
)
def test_a_bad_multiple_answer_question_is_named(change, message):
    data = copy.deepcopy(AHC_2)
    change(data)
    with pytest.raises(InstrumentInvalid, match=message):
        instrument_from_data(data)


# --- scoring ---------------------------------------------------------------


def _expected(codes):
    if codes == DECLINED:
        return UNDETERMINED
    return POSITIVE if set(codes) & set(PROBLEMS) else NEGATIVE


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.just(DECLINED),
        st.lists(st.sampled_from([*PROBLEMS, NONE]), unique=True),
    )
)
def test_any_problem_is_inadequate_housing_and_none_is_alone(codes):
    """Every choice of answers: any problem is positive, "None of the above" alone
    negative, declined undetermined; "None" with a problem, or nothing chosen, is
    refused."""
    answers = _with(codes)
    if codes != DECLINED and (not codes or (NONE in codes and len(codes) > 1)):
        with pytest.raises(AnswersInvalid, match=HOUSE):
            score(AHC, answers, asked_privately=False)
        return
    result = score(AHC, answers, asked_privately=False)
    assert result.results["inadequate-housing"] == _expected(codes)
    chosen = [] if codes == DECLINED else codes
    assert {a for i, a in result.positive_answers if i == HOUSE} == (
        set(chosen) & set(PROBLEMS)
    )
    # The other categories read only their own questions (safety was not asked).
    others = {d: r for d, r in result.results.items() if d != "inadequate-housing"}
    assert others.pop("intimate-partner-violence") == UNDETERMINED
    assert set(others.values()) == {NEGATIVE}


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ([NONE, "LA28580-1"], "“None of the above” cannot be chosen with another"),
        (["LA28580-1", "LA99999-9"], "“LA99999-9” is not one of the answers"),
        ([DECLINED, "LA28580-1"], "“Declined to answer” cannot be chosen with"),
        (["LA28580-1", "LA28580-1"], "chosen twice"),
        ("LA28580-1", "allows several answers, given as a list"),
        ([], "Choose one or more answers"),
    ],
)
def test_bad_answers_to_the_question_are_refused(answer, message):
    with pytest.raises(AnswersInvalid, match=message):
        score(AHC, _with(answer), asked_privately=False)


def test_a_single_answer_question_refuses_a_list():
    with pytest.raises(AnswersInvalid, match="93030-5 takes one answer"):
        score(AHC, CALM_AHC | {"93030-5": ["LA33-6"]}, asked_privately=False)


# --- recording and the pages -----------------------------------------------


@pytest.fixture
def draft(clinic_user):
    return draft_referral(clinic_user=clinic_user, social_needs=[])


@pytest.fixture
def working(supervisor, navigator, clinic_user):
    return in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )


def test_version_2_is_offered_and_version_1_kept_for_old_screenings(db):
    versions = dict(
        ScreeningInstrument.objects.filter(code="ahc-hrsn-core").values_list(
            "version", "active"
        )
    )
    assert versions == {"1": False, "2": True}
    old = ScreeningInstrument.objects.get(code="ahc-hrsn-core", version="1")
    assert instrument_of(old).item("71802-3") is not None


def test_a_row_per_answer_chosen_each_marked_positive(working, navigator):
    screening = screen(
        navigator,
        working,
        _with(["LA31996-4", "LA32001-2"]),
        setting=Setting.FIRST_CONTACT,
    )
    rows = ScreeningAnswer.objects.filter(screening=screening, item_code=HOUSE)
    assert {(r.answer_code, r.positive) for r in rows} == {
        ("LA31996-4", True),
        ("LA32001-2", True),
    }
    assert screening.positive_domains == ["inadequate-housing"]


def test_none_of_the_above_is_stored_as_one_answer_with_no_need(working, navigator):
    screening = screen(navigator, working, CALM_AHC, setting=Setting.FIRST_CONTACT)
    rows = ScreeningAnswer.objects.filter(screening=screening, item_code=HOUSE)
    assert [(r.answer_code, r.positive, r.declined) for r in rows] == [
        (NONE, False, False)
    ]
    assert "inadequate-housing" in screening.negative_domains


def test_declined_is_recorded_as_declined(working, navigator):
    screening = screen(
        navigator, working, _with(DECLINED), setting=Setting.FIRST_CONTACT
    )
    (row,) = ScreeningAnswer.objects.filter(screening=screening, item_code=HOUSE)
    assert row.declined and row.answer_code == "" and not row.positive
    assert "inadequate-housing" not in screening.negative_domains
    assert "inadequate-housing" not in screening.positive_domains


def test_a_mix_of_none_and_a_problem_is_refused_and_nothing_stored(working, navigator):
    with pytest.raises(ScreeningRefused, match="None of the above"):
        screen(
            navigator,
            working,
            _with([NONE, "LA28580-1"]),
            setting=Setting.FIRST_CONTACT,
        )
    assert not Screening.objects.exists()


def _post(answers):
    data = {f"item_{code}": value for code, value in answers.items()}
    return data | {"version": instrument().version, "asked_privately": ""}


def _input(html, code, item=HOUSE):
    """The <input> tag of this answer to the question."""
    found = re.search(rf'<input[^>]*name="item_{item}" value="{code}"[^>]*>', html)
    assert found, code
    return found.group(0)


def _checkbox(html, code):
    return 'type="checkbox"' in _input(html, code)


def _ticked(html, code, item=HOUSE):
    return " checked" in _input(html, code, item)


def test_intake_form_shows_the_problems_as_checkboxes(login, clinic_user, draft):
    page = login(clinic_user).get(reverse("referrals:screening-new", args=[draft.code]))
    assert "Think about the place you live." in page.text
    for code in [*PROBLEMS, NONE, DECLINED]:
        assert _checkbox(page.text, code), code
    assert "Tick every answer that applies." in page.text


def test_first_contact_form_shows_the_checkboxes_and_records_them(
    login, navigator, working
):
    client = login(navigator)
    url = reverse("referrals:screening-new", args=[working.code])
    assert _checkbox(client.get(url).text, "LA28580-1")
    response = client.post(url, _post(_with(["LA28580-1", "LA31998-0"])))
    screening = Screening.objects.get(referral=working)
    assert screening.setting == Setting.FIRST_CONTACT
    assert screening.positive_domains == ["inadequate-housing"]
    detail = client.get(response.url)
    assert "Mold, Lack of heat" in detail.text


def test_none_with_a_problem_is_said_beside_the_question_and_the_ticks_kept(
    login, clinic_user, draft
):
    page = login(clinic_user).post(
        reverse("referrals:screening-new", args=[draft.code]),
        _post(_with([NONE, "LA28580-1"]) | {"93030-5": "LA33-6"}),
    )
    assert page.status_code == 200
    html = page.text
    error = html.index("“None of the above” cannot be chosen with another answer.")
    question = html.index("Think about the place you live.")
    next_question = html.index("Within the past 12 months, you worried")
    assert question < error < next_question
    assert _ticked(html, NONE) and _ticked(html, "LA28580-1")
    assert not _ticked(html, "LA31996-4")
    assert _ticked(html, "LA33-6", item="93030-5")
    assert not Screening.objects.exists()


def test_nothing_ticked_asks_for_an_answer_beside_the_question(
    login, clinic_user, draft
):
    answers = {k: v for k, v in CALM_AHC.items() if k != HOUSE}
    page = login(clinic_user).post(
        reverse("referrals:screening-new", args=[draft.code]), _post(answers)
    )
    assert "Choose one or more answers, or “Declined to answer”" in page.text
    assert not Screening.objects.exists()


# --- FHIR ------------------------------------------------------------------


def _resources(screening):
    definition = instrument_of(screening.instrument)
    return (
        questionnaire_response_resource(screening, definition),
        observation_resources(screening, definition),
        condition_resources(screening, definition),
    )


def test_fhir_has_an_answer_and_an_observation_per_problem(working, navigator):
    chosen = ["LA31996-4", "LA28580-1"]
    screening = screen(navigator, working, _with(chosen), setting=Setting.FIRST_CONTACT)
    response, observations, conditions = _resources(screening)
    for resource in [response, *observations, *conditions]:
        assert fhir_schema_errors(resource) == [], resource["resourceType"]
    (item,) = [i for i in response["item"] if i["linkId"] == f"/{HOUSE}"]
    assert [a["valueCoding"]["code"] for a in item["answer"]] == chosen
    house = [o for o in observations if o["code"]["coding"][0]["code"] == HOUSE]
    assert [o["valueCodeableConcept"]["coding"][0]["code"] for o in house] == chosen
    assert [o["id"] for o in house] == [f"{screening.code}-{HOUSE}-{c}" for c in chosen]
    assert all(o["interpretation"][0]["coding"][0]["code"] == "POS" for o in house)
    (condition,) = [c for c in conditions if c["id"].endswith("inadequate-housing")]
    assert condition["evidence"][0]["detail"] == [
        {"reference": f"Observation/{o['id']}"} for o in house
    ]
    # The response reads back as the answers it was made from.
    assert answers_from_questionnaire_response(
        instrument_of(screening.instrument), response
    ) == _with(chosen)


def test_fhir_none_of_the_above_and_declined(
    working, navigator, supervisor, clinic_user
):
    screening = screen(navigator, working, CALM_AHC, setting=Setting.FIRST_CONTACT)
    _, observations, conditions = _resources(screening)
    (house,) = [o for o in observations if o["code"]["coding"][0]["code"] == HOUSE]
    assert house["valueCodeableConcept"]["coding"][0]["code"] == NONE
    assert "interpretation" not in house
    assert not any(c["id"].endswith("inadequate-housing") for c in conditions)

    other = in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    declined = screen(navigator, other, _with(DECLINED), setting="first_contact")
    response, observations, _ = _resources(declined)
    (house,) = [o for o in observations if o["code"]["coding"][0]["code"] == HOUSE]
    assert house["dataAbsentReason"]["coding"][0]["code"] == "asked-declined"
    assert fhir_schema_errors(house) == [] and fhir_schema_errors(response) == []
