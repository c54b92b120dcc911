"""The shipped instruments follow the format, and the Hunger Vital Sign agrees with
the Gravity IG's own Questionnaire and example QuestionnaireResponse."""

import copy
import json

import pytest

from referrals.screening.definition import (
    InstrumentInvalid,
    instrument_from_data,
    instrument_from_text,
    shipped_files,
)
from referrals.screening.fhir import answers_from_questionnaire_response
from referrals.screening.scoring import POSITIVE, score
from tests.shared_fixtures import gravity_examples

HVS_FILE = "Questionnaire-SDOHCC-QuestionnaireHungerVitalSign.json"
HVS_RESPONSE = (
    "QuestionnaireResponse-SDOHCC-QuestionnaireResponseHungerVitalSignExample.json"
)


def _shipped(code):
    for path in shipped_files():
        data = json.loads(path.read_text())
        if data["code"] == code:
            return data
    raise AssertionError(code)


def test_every_shipped_instrument_follows_the_format():
    codes = {instrument_from_text(p.read_text()).code for p in shipped_files()}
    assert codes == {"hunger-vital-sign", "ahc-hrsn-core"}


def test_hunger_vital_sign_agrees_with_the_ig_questionnaire():
    questionnaire = gravity_examples()[HVS_FILE]
    ours = instrument_from_data(_shipped("hunger-vital-sign"))
    assert ours.loinc == "88121-9"
    assert ours.fhir_questionnaire == questionnaire["url"]
    ig_items = {i["linkId"].lstrip("/"): i for i in questionnaire["item"]}
    risk = ig_items.pop("88124-3")
    assert [i.code for i in ours.items] == list(ig_items)
    for item in ours.items:
        ig = ig_items[item.code]
        assert ig["code"][0]["display"] == item.display
        ig_options = [o["valueCoding"] for o in ig["answerOption"]]
        declined = ig_options.pop()
        assert declined["code"] == ours.declined_answer["code"]
        assert [(o["code"], o["display"]) for o in ig_options] == [
            (o.code, o.display) for o in item.options
        ]
    (rule,) = ours.rules
    assert rule.result["code"] == "88124-3"
    ig_risk = {
        o["valueCoding"]["display"]: o["valueCoding"]["code"]
        for o in risk["answerOption"]
    }
    assert ig_risk == {
        rule.result["positive"]["display"]: rule.result["positive"]["code"],
        rule.result["negative"]["display"]: rule.result["negative"]["code"],
    }
    # The IG's risk expression: "often" or "sometimes" true to either question.
    riskcodes = questionnaire["extension"][2]["valueExpression"]["expression"]
    assert riskcodes == "'LA28397-0'.combine('LA6729-3')"
    assert rule.positive_answers == {"LA28397-0", "LA6729-3"}


def test_the_ig_example_response_scores_as_the_ig_says():
    response = gravity_examples()[HVS_RESPONSE]
    ours = instrument_from_data(_shipped("hunger-vital-sign"))
    answers = answers_from_questionnaire_response(ours, response)
    assert answers == {"88122-7": "LA28397-0", "88123-5": "LA28397-0"}
    result = score(ours, answers, asked_privately=False)
    ig_risk = next(i for i in response["item"] if i["linkId"] == "/88124-3")
    at_risk = ig_risk["answer"][0]["valueCoding"]["code"] == "LA19952-3"
    assert at_risk and result.results == {"food-insecurity": POSITIVE}


def test_a_response_to_another_questionnaire_is_refused():
    response = copy.deepcopy(gravity_examples()[HVS_RESPONSE])
    response["questionnaire"] = "http://example.org/Questionnaire/other"
    ours = instrument_from_data(_shipped("hunger-vital-sign"))
    with pytest.raises(InstrumentInvalid, match="another questionnaire"):
        answers_from_questionnaire_response(ours, response)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(format="prapare/1"), "not a chwlink screening"),
        (lambda d: d.pop("items"), "“items” is missing"),
        (lambda d: d["rules"][0].update(domain="hunger"), "not an SDOH category"),
        (lambda d: d["rules"][0].update(items=["1-1"]), "no item has the code 1-1"),
        (
            lambda d: d["rules"][0].update(positive_answers=["LA0-0"]),
            "LA0-0 are not options",
        ),
        (lambda d: d["items"][0].update(text={"es": "x"}), "needs an English"),
        (
            lambda d: d["items"][0]["options"].append(d["items"][0]["options"][0]),
            "two options share a code",
        ),
        (
            lambda d: d["rules"][0].update(items=["88122-7"]),
            "No rule scores the items 88123-5",
        ),
        (
            lambda d: d["rules"][0].update(total_at_least=3),
            "either “positive_answers” or “total_at_least”",
        ),
    ],
)
def test_a_bad_instrument_file_is_refused_with_what_is_wrong(change, message):
    data = copy.deepcopy(_shipped("hunger-vital-sign"))
    change(data)
    with pytest.raises(InstrumentInvalid, match=message):
        instrument_from_data(data)


def test_a_file_that_is_not_json_names_the_line():
    with pytest.raises(InstrumentInvalid, match="line 2"):
        instrument_from_text('{\n  "format": ,\n}')


def test_a_total_rule_needs_points_on_every_option():
    data = copy.deepcopy(_shipped("ahc-hrsn-core"))
    del data["items"][-1]["options"][0]["points"]
    with pytest.raises(InstrumentInvalid, match="points on every option"):
        instrument_from_data(data)


def test_languages_are_those_every_text_is_written_in():
    data = copy.deepcopy(_shipped("hunger-vital-sign"))
    assert instrument_from_data(data).languages == ("en",)
    data["title"]["es"] = "Signo vital del hambre"
    for item in data["items"]:
        item["text"]["es"] = "¿…?"
        for option in item["options"]:
            option["text"]["es"] = "…"
    assert instrument_from_data(data).languages == ("en", "es")
    del data["items"][1]["options"][2]["text"]["es"]
    assert instrument_from_data(data).languages == ("en",)
