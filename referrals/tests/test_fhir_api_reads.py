"""A clinic's EHR follows its health system's referrals through the FHIR API,
however they were made, and sees nothing of anyone else's."""

import datetime

import pytest
from django.utils import timezone

from chwlink.lib.models import AccessRecord
from partners.tests.factories import SiteFactory
from referrals.models import Referral
from referrals.tests import states
from referrals.tests.factories import PatientFactory
from referrals.tests.fhir_clients import Ehr
from tests.shared_fixtures import fhir_schema_errors


@pytest.fixture
def ehr(clinic):
    return Ehr(clinic)


@pytest.fixture
def outside_ehr(other_partnership):
    return Ehr(SiteFactory(organization=other_partnership.health_system))


def test_a_referral_made_in_the_browser_reads_as_a_versioned_task(
    ehr, client, clinic_user
):
    referral = states.submitted_referral(clinic_user=clinic_user)
    response = ehr.get(client, f"/fhir/Task/{referral.code}")
    task = response.json()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert task["status"] == "requested"
    assert response["ETag"] == f'W/"{referral.version}"'
    assert response["Last-Modified"]
    assert fhir_schema_errors(task) == []


def test_the_task_follows_the_work_in_chwlink(
    ehr, client, clinic_user, supervisor, navigator
):
    referral = states.submitted_referral(clinic_user=clinic_user)
    states.assigned_referral(
        supervisor=supervisor, navigator=navigator, referral=referral
    )
    task = ehr.get(client, f"/fhir/Task/{referral.code}").json()
    assert (task["status"], task["businessStatus"]["text"]) == (
        "accepted",
        "Navigator assigned",
    )


def test_another_health_systems_client_gets_the_same_404_as_for_nothing(
    ehr, outside_ehr, client, clinic_user
):
    referral = states.submitted_referral(clinic_user=clinic_user)
    theirs = outside_ehr.get(client, f"/fhir/Task/{referral.code}")
    nothing = outside_ehr.get(client, "/fhir/Task/00000000-0000-4000-8000-000000000000")
    assert theirs.status_code == nothing.status_code == 404
    assert theirs.json() == nothing.json()
    assert theirs.json()["issue"][0]["code"] == "not-found"
    for path in (
        f"/fhir/ServiceRequest/{referral.code}",
        f"/fhir/Patient/{referral.patient.code}",
        f"/fhir/Consent/{referral.code}",
    ):
        assert outside_ehr.get(client, path).status_code == 404
    found = outside_ehr.get(client, "/fhir/Task", patient=str(referral.patient.code))
    assert "entry" not in found.json()


def test_an_id_chwlink_never_issues_and_an_unknown_type_are_404s(ehr, client):
    assert ehr.get(client, "/fhir/Task/not-a-uuid").status_code == 404
    assert ehr.get(client, "/fhir/Observation").status_code == 404
    assert client.get("/fhir/Task/not-a-uuid").status_code == 401


def test_reading_a_task_is_in_the_access_log_under_the_clients_name(
    ehr, client, clinic_user
):
    referral = states.submitted_referral(clinic_user=clinic_user)
    ehr.get(client, f"/fhir/Task/{referral.code}")
    record = AccessRecord.objects.get(object_code=referral.code)
    assert record.user == ehr.client.account
    assert str(record.user).startswith("Clinic EHR")
    assert (record.object_type, record.action) == ("referral", "view")
    assert record.path == f"/fhir/Task/{referral.code}"


def test_a_search_names_every_patient_it_returned_in_the_access_log(
    ehr, client, clinic_user
):
    referrals = [states.submitted_referral(clinic_user=clinic_user) for _ in range(2)]
    ehr.get(client, "/fhir/Task", status="requested")
    record = AccessRecord.objects.get(path="/fhir/Task")
    assert set(record.shown_codes) == {r.patient.code for r in referrals}
    assert record.user == ehr.client.account


def test_task_search_filters_by_status_patient_and_last_updated(
    ehr, client, clinic_user, supervisor
):
    sent = states.submitted_referral(clinic_user=clinic_user)
    declined = states.declined_referral(supervisor=supervisor, clinic_user=clinic_user)
    accepted = states.accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    cancelled = states.declined_referral(supervisor=supervisor, referral=accepted)

    def ids(**params):
        bundle = ehr.get(client, "/fhir/Task", **params).json()
        return {e["resource"]["id"] for e in bundle.get("entry", [])}

    assert ids(status="requested") == {str(sent.code)}
    assert ids(status="rejected") == {str(declined.code)}
    assert ids(status="cancelled") == {str(cancelled.code)}
    assert ids(status="requested,rejected") == {str(sent.code), str(declined.code)}
    assert ids(patient=f"Patient/{sent.patient.code}") == {str(sent.code)}
    assert ids(focus=f"ServiceRequest/{declined.code}") == {str(declined.code)}
    assert ids(owner=f"Organization/{sent.partnership.cbo.code}") == {
        str(r.code) for r in (sent, declined, cancelled)
    }
    Referral.objects.filter(pk=sent.pk).update(
        updated=timezone.now() + datetime.timedelta(hours=1)
    )
    later = (timezone.now() + datetime.timedelta(minutes=30)).isoformat()
    assert ids(_lastUpdated=f"gt{later}") == {str(sent.code)}
    assert ids(code="http://hl7.org/fhir/CodeSystem/task-code|fulfill") == {
        str(r.code) for r in (sent, declined, cancelled)
    }


@pytest.mark.parametrize(
    "params, expression",
    [
        ({"subject": "Patient/x"}, "subject"),
        ({"status": "declined"}, "status"),
        ({"_lastUpdated": "yesterday"}, "_lastUpdated"),
        ({"_count": "5000"}, "_count"),
        ({"_include": "Task:requester"}, "_include"),
        ({"patient": "Group/123"}, "patient"),
        ({"_cursor": "garbage!"}, "_cursor"),
    ],
)
def test_a_search_chwlink_cannot_answer_is_a_400_naming_the_parameter(
    ehr, client, params, expression
):
    response = ehr.get(client, "/fhir/Task", **params)
    outcome = response.json()
    assert response.status_code == 400
    assert outcome["resourceType"] == "OperationOutcome"
    assert outcome["issue"][0]["expression"] == [expression]
    assert expression in outcome["issue"][0]["diagnostics"]
    assert fhir_schema_errors(outcome) == []


def test_includes_bring_the_focus_the_patient_and_the_outputs(
    ehr, client, clinic_user, supervisor, navigator
):
    referral = states.closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    bundle = ehr.get(
        client,
        "/fhir/Task",
        _id=str(referral.code),
        _include=["Task:focus", "Task:patient", "Task:output"],
    ).json()
    kinds = [
        (e["resource"]["resourceType"], e["search"]["mode"]) for e in bundle["entry"]
    ]
    assert kinds == [
        ("Task", "match"),
        ("ServiceRequest", "include"),
        ("Procedure", "include"),
        ("Patient", "include"),
    ]
    assert fhir_schema_errors(bundle) == []


def test_paging_follows_next_links_to_every_task_once(ehr, client, clinic_user):
    made = {
        str(states.submitted_referral(clinic_user=clinic_user).code) for _ in range(5)
    }
    token = ehr.token(client)
    seen, url, params, pages = [], "/fhir/Task", {"_count": "2"}, 0
    while url:
        bundle = client.get(url, params, HTTP_AUTHORIZATION=f"Bearer {token}").json()
        seen += [e["resource"]["id"] for e in bundle.get("entry", [])]
        nexts = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url, params = (
            (nexts[0].removeprefix("http://testserver"), {}) if nexts else (None, {})
        )
        pages += 1
    assert sorted(seen) == sorted(made)
    assert pages == 3


def test_task_search_costs_the_same_queries_for_more_tasks(
    ehr, client, clinic_user, django_assert_max_num_queries
):
    token = ehr.token(client)
    for _ in range(2):
        states.submitted_referral(clinic_user=clinic_user)

    def search():
        return client.get(
            "/fhir/Task",
            {"_include": ["Task:focus", "Task:patient", "Task:output"]},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    # token, referrals (with patient, clinic, people, partnership), pathways,
    # the patients' codes for the access log, the access record; plus the
    # session-free middleware's own reads.
    with django_assert_max_num_queries(9) as few:
        search()
    for _ in range(6):
        states.submitted_referral(clinic_user=clinic_user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(search().json()["entry"]) == 8 * 3


def test_patient_service_request_procedure_and_consent_reads_and_searches(
    ehr, client, clinic_user, supervisor, navigator
):
    patient = PatientFactory(
        health_system=clinic_user.organization, created_by=clinic_user,
        last_name="Hernández", mrn="MRN-1",
    )  # fmt: skip
    referral = states.in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user,
        patient=patient,
    )  # fmt: skip
    from referrals.services import workflow

    referral = workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **states.closing_of(referral),
    )

    def entries(path, **params):
        bundle = ehr.get(client, path, **params).json()
        assert fhir_schema_errors(bundle) == []
        return [e["resource"] for e in bundle.get("entry", [])]

    assert [p["id"] for p in entries("/fhir/Patient", identifier="MRN-1")] == [
        str(patient.code)
    ]
    assert [p["id"] for p in entries("/fhir/Patient", family="Hernández")] == [
        str(patient.code)
    ]
    (request,) = entries("/fhir/ServiceRequest", patient=str(patient.code))
    assert request["status"] == "completed"
    (procedure,) = entries(
        "/fhir/Procedure", **{"based-on": f"ServiceRequest/{referral.code}"}
    )
    read = ehr.get(client, f"/fhir/Procedure/{procedure['id']}").json()
    assert read == procedure
    consent = ehr.get(client, f"/fhir/Consent/{referral.code}").json()
    assert consent["resourceType"] == "Consent"
    assert fhir_schema_errors(consent) == []
    assert ehr.get(client, f"/fhir/Patient/{patient.code}").json()["name"] == [
        {"family": "Hernández", "given": [patient.first_name]}
    ]


def test_the_capability_statement_validates_and_lists_the_search_parameters(client):
    statement = client.get("/fhir/metadata").json()
    assert fhir_schema_errors(statement) == []
    task = next(r for r in statement["rest"][0]["resource"] if r["type"] == "Task")
    assert {p["name"] for p in task["searchParam"]} >= {
        "_id", "code", "patient", "requester", "owner", "status", "focus",
        "_lastUpdated",
    }  # fmt: skip
    assert "Task:focus" in task["searchInclude"]
