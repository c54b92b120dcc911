"""A screening as the Gravity IG expresses one: a QuestionnaireResponse, one
Observation per answer (``interpretation`` POS where the answer signals a need,
omitted otherwise, as the IG advises), one per coded result of a rule (the Hunger
Vital Sign's risk, the safety total), and a Condition, unconfirmed until the
patient confirms the need, per positive category. Built with ``fhir.resources``
(R4B) so a misspelt element fails here.

A question that allows several answers ("check all that apply") has one item with
an answer per choice in the QuestionnaireResponse, and one Observation per answer
chosen, each with the question's code and that one answer: an Observation holds
a single value, and this is how the IG's own PRAPARE example writes its
"unable to get any of the following" question (two answers in the response, the
Observations ...ClothingNeedExample and ...ChildCareNeedExample).
"""

from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from referrals.fhir.codes import SNOMED, profile, sdoh_coding
from referrals.screening.definition import Instrument, InstrumentInvalid
from referrals.screening.scoring import DECLINED

LOINC = "http://loinc.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
US_CORE_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-category"
CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
DATA_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
POSITIVE = {
    "coding": [{"system": INTERPRETATION, "code": "POS", "display": "Positive"}]
}
ICD_10_CM = "http://hl7.org/fhir/sid/icd-10-cm"
# Condition.code per category: the SNOMED CT and ICD-10-CM codings of the IG's
# own Condition examples (food insecurity, homelessness), and for the other AHC
# categories the ICD-10-CM Z code of that name. A category not listed here is
# named by its category coding and text only.
CONDITION_CODES = {
    "food-insecurity": [
        {"system": SNOMED, "code": "733423003", "display": "Food insecurity"},
        {"system": ICD_10_CM, "code": "Z59.4", "display": "Lack of adequate food"},
    ],
    "homelessness": [
        {"system": SNOMED, "code": "32911000", "display": "Homeless"},
        {"system": ICD_10_CM, "code": "Z59.0", "display": "Homelessness"},
    ],
    "housing-instability": [
        {
            "system": ICD_10_CM,
            "code": "Z59.819",
            "display": "Housing instability, housed, unspecified",
        }
    ],
    "inadequate-housing": [
        {
            "system": ICD_10_CM,
            "code": "Z59.10",
            "display": "Inadequate housing, unspecified",
        }
    ],
    "transportation-insecurity": [
        {"system": ICD_10_CM, "code": "Z59.82", "display": "Transportation insecurity"}
    ],
    "utility-insecurity": [
        {
            "system": ICD_10_CM,
            "code": "Z59.12",
            "display": "Inadequate housing utilities",
        }
    ],
    "financial-insecurity": [
        {"system": ICD_10_CM, "code": "Z59.86", "display": "Financial insecurity"}
    ],
}


def questionnaire_url(instrument: Instrument) -> str:
    return instrument.fhir_questionnaire or (
        f"urn:chwlink:screening:{instrument.code}|{instrument.version}"
    )


def answers_from_questionnaire_response(instrument: Instrument, response: dict) -> dict:
    """The answers of a QuestionnaireResponse to this instrument, in the form
    ``scoring.score`` takes (the rules' coded results are left out: chwlink
    scores them itself)."""
    if response.get("questionnaire") != questionnaire_url(instrument):
        raise InstrumentInvalid(
            f"The response answers another questionnaire "
            f"({response.get('questionnaire')}), not {questionnaire_url(instrument)}."
        )
    results = {rule.result["code"] for rule in instrument.rules if rule.result}
    declined = (instrument.declined_answer or {}).get("code")
    answers = {}
    for item in response.get("item", []):
        code = item["linkId"].lstrip("/")
        if code in results:
            continue
        values = [a["valueCoding"]["code"] for a in item.get("answer", [])]
        if not values or values == [declined]:
            answers[code] = DECLINED
        elif getattr(instrument.item(code), "multiple", False):
            answers[code] = values
        else:
            answers[code] = values[0]
    return answers


def _coding(code: str, display: str) -> dict:
    return {"system": LOINC, "code": code, "display": display}


def _subject(screening) -> dict:
    return {"reference": f"Patient/{screening.patient.code}"}


def _response_ref(screening) -> dict:
    return {"reference": f"QuestionnaireResponse/{screening.code}"}


def _categories(domains) -> list[dict]:
    return [
        {"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]},
        {"coding": [{"system": US_CORE_CATEGORY, "code": "sdoh", "display": "SDOH"}]},
    ] + [{"coding": [sdoh_coding(d)]} for d in domains]


def _domains_of(instrument: Instrument, item_code: str) -> list[str]:
    return list(
        dict.fromkeys(r.domain for r in instrument.rules if item_code in r.items)
    )


def _result_value(rule, screening, totals: dict) -> dict:
    positive = rule.domain in screening.positive_domains
    if "positive" in rule.result:
        coding = rule.result["positive" if positive else "negative"]
        return {"valueCodeableConcept": {"coding": [_coding(**coding)]}}
    return {"valueInteger": totals[rule.domain]}


def _rule_totals(instrument: Instrument, answers) -> dict:
    points = {
        a.item_code: instrument.item(a.item_code).option(a.answer_code).points
        for a in answers
        if not a.declined
    }
    return {
        rule.domain: sum(points.get(code) or 0 for code in rule.items)
        for rule in instrument.rules
        if rule.total_at_least is not None
    }


def _answered_rules(instrument: Instrument, screening) -> list:
    """The rules with a result the screening determined."""
    determined = {*screening.positive_domains, *screening.negative_domains}
    return [r for r in instrument.rules if r.result and r.domain in determined]


def _observation_suffix(item, answer) -> str:
    """An Observation per answer: the question's code, and where the question
    allows several answers, the answer's code too."""
    if item.multiple and not answer.declined:
        return f"{item.code}-{answer.answer_code}"
    return item.code


def questionnaire_response_resource(screening, instrument: Instrument) -> dict:
    answers = list(screening.answers.all())
    totals = _rule_totals(instrument, answers)
    declined = instrument.declined_answer
    rows = {}
    for answer in answers:
        item = instrument.item(answer.item_code)
        row = rows.setdefault(
            item.code, {"linkId": f"/{item.code}", "text": item.text["en"]}
        )
        if not answer.declined:
            option = item.option(answer.answer_code)
            row.setdefault("answer", []).append(
                {"valueCoding": _coding(option.code, option.display)}
            )
        elif declined:
            row["answer"] = [{"valueCoding": _coding(**declined)}]
    items = list(rows.values())
    for rule in _answered_rules(instrument, screening):
        value = _result_value(rule, screening, totals)
        if "valueCodeableConcept" in value:
            value = {"valueCoding": value["valueCodeableConcept"]["coding"][0]}
        items.append(
            {
                "linkId": f"/{rule.result['code']}",
                "text": rule.result["display"],
                "answer": [value],
            }
        )
    data = {
        "resourceType": "QuestionnaireResponse",
        "id": str(screening.code),
        "meta": {
            "profile": [
                "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaireresponse"
            ]
        },
        "questionnaire": questionnaire_url(instrument),
        "status": "completed",
        "subject": _subject(screening),
        "authored": screening.created.isoformat(timespec="seconds"),
        "item": items,
    }
    return QuestionnaireResponse.model_validate(data).model_dump(mode="json")


def _observation(screening, suffix: str, code: dict, domains, value: dict, positive):
    data = {
        "resourceType": "Observation",
        "id": f"{screening.code}-{suffix}",
        "meta": {"profile": [profile("SDOHCC-ObservationScreeningResponse")]},
        "status": "final",
        "category": _categories(domains),
        "code": {"coding": [code]},
        "subject": _subject(screening),
        "effectiveDateTime": screening.screened_on.isoformat(),
        "issued": screening.created.isoformat(timespec="seconds"),
        "derivedFrom": [_response_ref(screening)],
        **value,
    }
    if positive:
        data["interpretation"] = [POSITIVE]
    return Observation.model_validate(data).model_dump(mode="json")


def observation_resources(screening, instrument: Instrument) -> list[dict]:
    """One Observation per answer (a declined one says so; a question with
    several answers chosen has one per answer), then one per coded result of a
    rule."""
    answers = list(screening.answers.all())
    observations = []
    for answer in answers:
        item = instrument.item(answer.item_code)
        if answer.declined:
            value = {
                "dataAbsentReason": {
                    "coding": [{"system": DATA_ABSENT, "code": "asked-declined"}]
                }
            }
        else:
            option = item.option(answer.answer_code)
            value = {
                "valueCodeableConcept": {
                    "coding": [_coding(option.code, option.display)]
                }
            }
        observations.append(
            _observation(
                screening,
                _observation_suffix(item, answer),
                _coding(item.code, item.display),
                _domains_of(instrument, item.code),
                value,
                answer.positive,
            )
        )
    totals = _rule_totals(instrument, answers)
    for rule in _answered_rules(instrument, screening):
        observations.append(
            _observation(
                screening,
                rule.result["code"],
                _coding(rule.result["code"], rule.result["display"]),
                [rule.domain],
                _result_value(rule, screening, totals),
                rule.domain in screening.positive_domains,
            )
        )
    return observations


def _evidence(screening, instrument: Instrument, domain: str) -> list[dict]:
    """The Observations that made the category positive."""
    rules = [r for r in instrument.rules if r.domain == domain]
    items = {code for rule in rules for code in rule.items}
    suffixes = [
        _observation_suffix(instrument.item(a.item_code), a)
        for a in screening.answers.all()
        if a.positive and a.item_code in items
    ]
    suffixes += [rule.result["code"] for rule in rules if rule.result]
    return [{"reference": f"Observation/{screening.code}-{s}"} for s in suffixes]


def condition_resources(screening, instrument: Instrument) -> list[dict]:
    """A health concern per positive category: unconfirmed, or confirmed once the
    patient confirmed the need."""
    conditions = []
    for domain in screening.positive_domains:
        confirmed = domain in screening.confirmed_domains
        category = sdoh_coding(domain)
        code = CONDITION_CODES.get(domain)
        data = {
            "resourceType": "Condition",
            "id": f"{screening.code}-{domain}",
            "meta": {"profile": [profile("SDOHCC-Condition")]},
            "clinicalStatus": {
                "coding": [{"system": CONDITION_CLINICAL, "code": "active"}]
            },
            "verificationStatus": {
                "coding": [
                    {
                        "system": CONDITION_VERIFICATION,
                        "code": "confirmed" if confirmed else "unconfirmed",
                    }
                ]
            },
            "category": [
                {"coding": [{"system": CONDITION_CATEGORY, "code": "health-concern"}]},
                {"coding": [{"system": US_CORE_CATEGORY, "code": "sdoh"}]},
                {"coding": [category]},
            ],
            "code": {
                **({"coding": code} if code else {}),
                "text": category["display"],
            },
            "subject": _subject(screening),
            "onsetDateTime": screening.screened_on.isoformat(),
            "evidence": [{"detail": _evidence(screening, instrument, domain)}],
        }
        conditions.append(Condition.model_validate(data).model_dump(mode="json"))
    return conditions
