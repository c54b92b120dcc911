"""A clinic's EHR sends referrals as the Gravity IG does, and cancels its own."""

import copy
import json
import threading

import pytest
from django.db import connection

from referrals.models import Patient, Referral
from referrals.services import assignment, workflow
from referrals.tests import states
from referrals.tests.fhir_clients import Ehr
from tests.shared_fixtures import fhir_schema_errors, gravity_examples

FHIR = "application/fhir+json"
IDENTIFIER = {"system": "urn:oid:2.16.840.1.113883.3.999.1", "value": "task-4711"}


@pytest.fixture
def ehr(clinic):
    return Ehr(clinic)


def ig_referral(partnership, *, identifier=IDENTIFIER) -> dict:
    """The IG's referral example (Task, ServiceRequest, Patient, Consent,
    Condition, Goal) as a transaction Bundle to chwlink's CBO, the Task new."""
    examples = gravity_examples()
    task = copy.deepcopy(
        examples[
            "Task-SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample.json"
        ]
    )
    task["status"] = "requested"
    task["owner"] = {"reference": f"Organization/{partnership.cbo.code}"}
    if identifier:
        task["identifier"] = [identifier]
    names = [
        "ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample",
        "Patient-pat-53234",
        "Consent-SDOHCC-ConsentInformationDisclosureExample",
        "Condition-SDOHCC-ConditionFoodInsecurityExample",
        "Goal-SDOHCC-GoalFoodSecurityExample",
    ]
    resources = [task] + [copy.deepcopy(examples[f"{n}.json"]) for n in names]
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {
                "fullUrl": f"http://ehr.example/fhir/{r['resourceType']}/{r['id']}",
                "resource": r,
                "request": {"method": "POST", "url": r["resourceType"]},
            }
            for r in resources
        ],
    }


def post(http, ehr, path, body, **headers):
    token = ehr.token(http)
    return http.post(
        path,
        json.dumps(body),
        content_type=FHIR,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def test_the_igs_referral_arrives_in_the_supervisors_inbox(
    ehr, client, partnership, supervisor, login
):
    response = post(client, ehr, "/fhir/", ig_referral(partnership))
    answer = response.json()
    assert response.status_code == 200
    assert answer["type"] == "transaction-response"
    assert fhir_schema_errors(answer) == []
    referral = Referral.objects.get()
    statuses = [e["response"]["status"] for e in answer["entry"]]
    assert statuses[:4] == ["201 Created"] * 4
    assert answer["entry"][0]["response"]["location"] == (
        f"Task/{referral.code}/_history/{referral.version}"
    )
    assert referral.status == "submitted"
    assert referral.social_needs == ["food-insecurity"]
    assert referral.consent_given
    assert referral.consent_source == "clinic_system"
    assert "Requested: Assistance with application for food pantry program" in (
        referral.notes_for_navigator
    )
    assert "Goal: Food security" in referral.notes_for_navigator
    assert (referral.patient.last_name, referral.patient.first_name) == (
        "ABBAS",
        "COLIN V.",
    )
    inbox = login(supervisor).get("/referrals/inbox/")
    assert "ABBAS" in inbox.content.decode()


def test_its_status_changes_come_back_as_the_ig_expects(
    ehr, client, partnership, supervisor, navigator
):
    post(client, ehr, "/fhir/", ig_referral(partnership))
    referral = Referral.objects.get()
    path = f"/fhir/Task/{referral.code}"
    assert ehr.get(client, path).json()["status"] == "requested"
    referral = states.accepted_referral(supervisor=supervisor, referral=referral)
    assert ehr.get(client, path).json()["status"] == "accepted"
    referral = assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )
    referral = states.first_contact(referral, navigator)
    assert ehr.get(client, path).json()["status"] == "in-progress"
    workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **states.closing_of(referral),
    )
    task = ehr.get(client, path).json()
    assert task["status"] == "completed"
    assert task["identifier"][1] == IDENTIFIER
    assert task["output"][0]["valueReference"]["reference"].startswith("Procedure/")


def test_the_same_transaction_twice_makes_one_referral(ehr, client, partnership):
    first = post(client, ehr, "/fhir/", ig_referral(partnership)).json()
    again = post(client, ehr, "/fhir/", ig_referral(partnership)).json()
    assert Referral.objects.count() == 1
    assert again["entry"][0]["response"]["status"] == "200 OK"
    assert (
        again["entry"][0]["response"]["location"]
        == first["entry"][0]["response"]["location"]
    )


def contained_task(partnership) -> dict:
    bundle = ig_referral(partnership)
    task, *others = [e["resource"] for e in bundle["entry"]]
    for resource in others:
        resource.pop("meta", None)
    task["contained"] = others
    task["focus"] = {"reference": f"#{others[0]['id']}"}
    task["for"] = {"reference": f"#{others[1]['id']}"}
    others[2]["patient"] = {"reference": f"#{others[1]['id']}"}
    others[0]["subject"] = {"reference": f"#{others[1]['id']}"}
    others[0]["reasonReference"] = [{"reference": f"#{others[3]['id']}"}]
    return task


def test_a_conditional_create_finds_the_referral_the_task_made(
    ehr, client, partnership
):
    header = {"HTTP_IF_NONE_EXIST": f"identifier={IDENTIFIER['system']}|task-4711"}
    first = post(client, ehr, "/fhir/Task", contained_task(partnership), **header)
    again = post(client, ehr, "/fhir/Task", contained_task(partnership), **header)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first["Location"].endswith(f"/fhir/Task/{first.json()['id']}/_history/1")
    assert Referral.objects.count() == 1


def test_two_identical_tasks_at_the_same_moment_make_one_referral(
    transactional_db, partnership, clinic
):
    from django.test import Client

    ehr = Ehr(clinic)
    answers, barrier = [], threading.Barrier(2)

    def send():
        http = Client()
        token = ehr.token(http)
        barrier.wait()
        answers.append(
            http.post(
                "/fhir/Task",
                json.dumps(contained_task(partnership)),
                content_type=FHIR,
                HTTP_AUTHORIZATION=f"Bearer {token}",
            ).status_code
        )
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 201]
    assert Referral.objects.count() == 1
    assert Patient.objects.filter(mrn__iexact="1032702").count() <= 1


def test_the_patient_with_the_same_mrn_is_matched_not_copied(
    ehr, client, partnership, clinic_user
):
    bundle = ig_referral(partnership)
    mrn = bundle["entry"][2]["resource"]["identifier"][0]["value"]
    existing = states.submitted_referral(clinic_user=clinic_user).patient
    Patient.objects.filter(pk=existing.pk).update(mrn=mrn.lower())
    post(client, ehr, "/fhir/", bundle)
    made = Referral.objects.exclude(patient=existing).filter(api_client=ehr.client)
    assert not made.exists()
    assert Referral.objects.get(api_client=ehr.client).patient == existing


@pytest.mark.parametrize(
    "change, status, words",
    [
        (lambda b: b["entry"].pop(3), 422, "Consent"),
        (
            lambda b: (
                b["entry"][1]["resource"].update(category=[], reasonReference=[])
                or b["entry"].pop(5)
            ),
            422,
            "SDOH category",
        ),
        (
            lambda b: b["entry"][0]["resource"].update(
                owner={"reference": "Organization/00000000-0000-4000-8000-000000000000"}
            ),
            422,
            "not a CBO this clinic refers to",
        ),
        (lambda b: b["entry"][0]["resource"].update(intent=5), 400, "Task.intent"),
        (
            lambda b: b["entry"][0]["resource"].update(
                focus={"reference": "https://ehr.example/fhir/ServiceRequest/9"}
            ),
            422,
            "another server",
        ),
        (lambda b: b.update(type="batch"), 400, "transaction"),
    ],
)
def test_what_cannot_make_a_referral_is_refused_and_nothing_is_kept(
    ehr, client, partnership, change, status, words
):
    bundle = ig_referral(partnership)
    change(bundle)
    response = post(client, ehr, "/fhir/", bundle)
    outcome = response.json()
    assert response.status_code == status
    assert outcome["resourceType"] == "OperationOutcome"
    assert words in outcome["issue"][0]["diagnostics"]
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()


def test_a_body_that_is_not_json_is_a_400(ehr, client):
    token = ehr.token(client)
    response = client.post(
        "/fhir/Task",
        "{not json",
        content_type=FHIR,
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert response.json()["issue"][0]["diagnostics"] == "The body is not JSON."


def put(http, ehr, referral, task, if_match=None):
    token = ehr.token(http)
    headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
    return http.put(
        f"/fhir/Task/{referral.code}",
        json.dumps(task),
        content_type=FHIR,
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **headers,
    )


def test_the_requester_cancels_with_the_version_it_read(ehr, client, clinic_user):
    referral = states.submitted_referral(clinic_user=clinic_user)
    read = ehr.get(client, f"/fhir/Task/{referral.code}")
    task = read.json() | {
        "status": "cancelled",
        "statusReason": {"text": "Patient moved to another county"},
    }
    assert put(client, ehr, referral, task).status_code == 428
    stale = put(client, ehr, referral, task, if_match='W/"999"')
    assert stale.status_code == 412
    response = put(client, ehr, referral, task, if_match=read["ETag"])
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["statusReason"]["text"].endswith(
        "Patient moved to another county"
    )
    referral.refresh_from_db()
    assert referral.status == "cancelled"
    assert put(client, ehr, referral, task, if_match=read["ETag"]).status_code == 412


def test_the_requester_cannot_move_the_task_the_cbos_way(ehr, client, clinic_user):
    referral = states.submitted_referral(clinic_user=clinic_user)
    read = ehr.get(client, f"/fhir/Task/{referral.code}")
    task = read.json() | {"status": "completed"}
    response = put(client, ehr, referral, task, if_match=read["ETag"])
    assert response.status_code == 422
    assert "cancelled or entered-in-error" in response.json()["issue"][0]["diagnostics"]
    referral.refresh_from_db()
    assert referral.status == "submitted"


def test_another_systems_referral_cannot_be_cancelled(
    client, clinic_user, other_partnership
):
    from partners.tests.factories import SiteFactory

    referral = states.submitted_referral(clinic_user=clinic_user)
    outsider = Ehr(SiteFactory(organization=other_partnership.health_system))
    task = {"resourceType": "Task", "id": str(referral.code), "status": "cancelled",
            "intent": "order", "statusReason": {"text": "x"}}  # fmt: skip
    assert put(client, outsider, referral, task, if_match='W/"1"').status_code == 404
    referral.refresh_from_db()
    assert referral.status == "submitted"
