"""Referrals as the Gravity IG's resources: the status mapping, the codes, and
every resource valid against the FHIR R4 JSON schema."""

import importlib

import pytest

from referrals.fhir import emit
from referrals.fhir.status import task_state
from referrals.services import pathways
from referrals.tests import states
from referrals.tests.factories import PatientFactory
from tests.shared_fixtures import fhir_schema_errors

GRAVITY_TASK = (
    "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/"
    "SDOHCC-TaskForReferralManagement"
)


def all_resources(referral) -> list[dict]:
    resources = [
        emit.task_resource(referral),
        emit.task_resource(referral, hosted=False),
        emit.service_request_resource(referral),
        emit.patient_resource(referral.patient),
        *emit.procedure_resources(referral),
    ]
    consent = emit.consent_resource(referral)
    return resources + ([consent] if consent else [])


def round_trip(resource: dict) -> dict:
    """The resource as ``fhir.resources`` reads and writes it back: a misspelt or
    misplaced element fails to parse, and a value it would write otherwise (an
    instant not in UTC's "Z" form, say) comes back changed."""
    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    return getattr(module, kind).model_validate(resource).model_dump(mode="json")


@pytest.fixture
def cast(clinic_user, supervisor, navigator):
    return {
        "clinic_user": clinic_user,
        "supervisor": supervisor,
        "navigator": navigator,
    }


def test_a_sent_referral_is_a_requested_task_focused_on_its_service_request(
    clinic_user,
):
    referral = states.submitted_referral(clinic_user=clinic_user, urgency="urgent")
    task = emit.task_resource(referral)
    assert task["status"] == "requested"
    assert task["meta"]["profile"] == [GRAVITY_TASK]
    assert task["meta"]["versionId"] == str(referral.version)
    assert task["focus"] == {"reference": f"ServiceRequest/{referral.code}"}
    assert task["for"] == {"reference": f"Patient/{referral.patient.code}"}
    assert task["owner"]["reference"] == f"Organization/{referral.partnership.cbo.code}"
    assert task["priority"] == "urgent"
    assert task["code"]["coding"][0]["code"] == "fulfill"
    assert "output" not in task and "statusReason" not in task


def test_a_decline_from_the_inbox_is_rejected_and_after_accepting_cancelled(
    clinic_user, supervisor
):
    straight = states.declined_referral(
        supervisor=supervisor, clinic_user=clinic_user, reason_code="no_capacity"
    )
    accepted = states.accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    later = states.declined_referral(
        supervisor=supervisor, referral=accepted, reason_code="not_eligible"
    )
    assert task_state(straight).status == "rejected"
    assert task_state(later).status == "cancelled"
    assert emit.task_resource(straight)["statusReason"]["text"] == (
        "No capacity right now"
    )
    assert emit.task_resource(later)["statusReason"]["text"] == ("Patient not eligible")


def test_a_reason_typed_with_the_code_travels_with_its_label(
    clinic_user, supervisor, navigator
):
    held = states.on_hold_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    held.status_reason = "Food bank waitlist until March"
    task = emit.task_resource(held)
    assert task["status"] == "on-hold"
    assert task["statusReason"]["text"] == (
        "Waitlisted for a service: Food bank waitlist until March"
    )


def test_the_finer_step_is_a_business_status_only_on_tasks_chwlink_hosts(
    clinic_user, supervisor, navigator
):
    referral = states.assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    hosted = emit.task_resource(referral)
    assert hosted["status"] == "accepted"
    assert hosted["businessStatus"] == {"text": "Navigator assigned"}
    assert "businessStatus" not in emit.task_resource(referral, hosted=False)


def test_a_completed_task_names_a_procedure_for_each_completed_pathway(
    clinic_user, supervisor, navigator
):
    referral = states.in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, kind="food_security",
        need="food-insecurity", goal="Enrolled in SNAP",
    )  # fmt: skip
    pathways.pathway_close(
        pathway=pathway, actor=navigator, completed=True, note="SNAP approved"
    )
    referral = _complete(referral, navigator)
    task = emit.task_resource(referral)
    procedures = emit.procedure_resources(referral)
    assert task["status"] == "completed"
    assert [o["valueReference"]["reference"] for o in task["output"]] == [
        f"Procedure/{pathway.code}"
    ]
    assert task["output"][0]["type"]["coding"][0]["code"] == "resulting-activity"
    (procedure,) = procedures
    assert procedure["basedOn"] == [{"reference": f"ServiceRequest/{referral.code}"}]
    assert procedure["code"]["coding"][0]["code"] == "467771000124109"
    assert {c["code"] for c in procedure["category"]["coding"]} == {
        "410606002",
        "food-insecurity",
    }


def _complete(referral, navigator):
    from referrals.services import workflow

    return workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **states.closing_of(referral),
    )


def test_a_completed_referral_without_pathways_still_has_an_output(
    clinic_user, supervisor, navigator
):
    referral = states.closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    task = emit.task_resource(referral)
    (procedure,) = emit.procedure_resources(referral)
    assert task["output"][0]["valueReference"] == {
        "reference": f"Procedure/{procedure['id']}"
    }
    assert procedure["code"]["text"] == "Community health worker navigation"


def test_the_service_request_carries_the_needs_as_sdoh_categories(clinic_user):
    patient = PatientFactory(
        health_system=clinic_user.organization,
        created_by=clinic_user,
        do_not_contact=True,
        safe_contact_note="Only through her sister",
    )
    referral = states.submitted_referral(
        clinic_user=clinic_user,
        patient=patient,
        social_needs=["food-insecurity", "transportation-insecurity"],
    )
    request = emit.service_request_resource(referral)
    categories = [c["coding"][0]["code"] for c in request["category"]]
    assert categories == ["410606002", "food-insecurity", "transportation-insecurity"]
    assert request["status"] == "active"
    assert request["orderDetail"][0]["coding"][0]["code"] == (
        "contacting-subject-prohibited"
    )
    assert request["supportingInfo"] == [{"reference": f"Consent/{referral.code}"}]
    assert request["reasonCode"] == [{"text": "Diabetes"}]


def test_the_patient_has_the_mrn_and_a_bcp47_language(clinic_user):
    patient = PatientFactory(
        health_system=clinic_user.organization,
        created_by=clinic_user,
        preferred_language="other",
        mrn="A-77",
    )
    resource = emit.patient_resource(patient)
    assert resource["identifier"][0]["value"] == "A-77"
    assert resource["identifier"][0]["type"]["coding"][0]["code"] == "MR"
    language = resource["communication"][0]["language"]["coding"][0]
    assert language == {"system": "urn:ietf:bcp:47", "code": "und"}
    spanish = PatientFactory(
        health_system=clinic_user.organization, created_by=clinic_user
    )
    assert (
        emit.patient_resource(spanish)["communication"][0]["language"]["coding"][0][
            "code"
        ]
        == "es"
    )


@pytest.mark.parametrize(
    "state",
    ["draft", "submitted", "assigned", "on_hold", "completed", "unable",
     "declined", "cancelled"],
)  # fmt: skip
def test_every_resource_of_every_state_validates_against_the_fhir_schema(cast, state):
    clinic_user, supervisor, navigator = cast.values()
    build = {
        "draft": lambda: states.draft_referral(clinic_user=clinic_user),
        "submitted": lambda: states.submitted_referral(clinic_user=clinic_user),
        "assigned": lambda: states.assigned_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "on_hold": lambda: states.on_hold_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "completed": lambda: states.closed_referral(
            supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
        ),
        "unable": lambda: states.closed_referral(
            supervisor=supervisor,
            navigator=navigator,
            clinic_user=clinic_user,
            name="close_unable",
            reason_code="unreachable",
        ),  # fmt: skip
        "declined": lambda: states.declined_referral(
            supervisor=supervisor, clinic_user=clinic_user
        ),
        "cancelled": lambda: states.cancelled_referral(clinic_user=clinic_user),
    }
    referral = build[state]()
    for resource in all_resources(referral):
        assert fhir_schema_errors(resource) == [], resource["resourceType"]
        assert round_trip(resource) == resource


def test_errors_and_search_results_validate_too(clinic_user):
    referral = states.submitted_referral(clinic_user=clinic_user)
    outcome = emit.operation_outcome(
        "invalid", "Task.status: 'declined' is not a Task status", expression="status"
    )
    bundle = emit.searchset(
        [(emit.task_resource(referral), "match")],
        base="https://chwlink.example.org/fhir/",
        links={"self": "https://chwlink.example.org/fhir/Task?status=requested"},
    )
    assert fhir_schema_errors(outcome) == []
    assert fhir_schema_errors(bundle) == []
    assert round_trip(bundle) == bundle
    assert bundle["entry"][0]["fullUrl"] == (
        f"https://chwlink.example.org/fhir/Task/{referral.code}"
    )
