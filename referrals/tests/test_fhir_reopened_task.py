"""FHIR's final Task statuses never change: a referral reopened after closing
keeps the Task status it first closed with (a hosted Task says it was reopened in
``businessStatus``), and nothing is written back to a server's final Task."""

import importlib

from django.apps import apps

from referrals.fhir import emit
from referrals.models import FhirWriteBack, Referral
from referrals.services import workflow
from referrals.tests import states
from referrals.tests.states import closed_referral
from referrals.tests.test_referral_reopen import reopen

Status = Referral.Status


def test_a_reopened_referrals_task_stays_completed_and_says_it_was_reopened(
    supervisor, navigator, clinic_user
):
    closed = closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    assert emit.task_resource(closed)["status"] == "completed"
    reopened = reopen(closed, supervisor)
    assert reopened.status == Status.IN_PROGRESS
    task = emit.task_resource(reopened)
    assert task["status"] == "completed"
    assert task["businessStatus"] == {
        "text": "Reopened by the CBO: Navigator working with the patient"
    }
    # A completed Task always names what was done.
    assert task["output"]
    # Closed again another way: the Task keeps its first final status.
    again = workflow.referral_transition(
        referral=reopened,
        actor=navigator,
        name="close_unable",
        reason_code="moved",
        **states.closing_of(reopened),
    )
    assert again.status == Status.UNABLE_TO_COMPLETE
    assert emit.task_resource(again)["status"] == "completed"
    # The Task on a server that hosts it: no businessStatus.
    assert "businessStatus" not in emit.task_resource(again, hosted=False)


def test_a_referral_that_never_closed_moves_its_task_as_before(
    supervisor, navigator, clinic_user
):
    referral = states.accepted_referral(supervisor=supervisor, clinic_user=clinic_user)
    assert referral.task_closed_as == ""
    assert emit.task_resource(referral)["status"] == "accepted"


def test_nothing_is_written_back_after_the_servers_task_is_final(
    supervisor, navigator, clinic_user
):
    closed = closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    queued = FhirWriteBack.objects.count()
    reopen(closed, supervisor)
    assert FhirWriteBack.objects.count() == queued


def test_referrals_reopened_before_the_field_existed_keep_their_first_closing(
    supervisor, navigator, clinic_user
):
    closed = closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    reopen(closed, supervisor)
    Referral.objects.update(task_closed_as="")
    migration = importlib.import_module(
        "referrals.migrations.0024_consent_details_and_final_task_status"
    )
    migration.reopened_tasks_stay_final(apps, None)
    assert Referral.objects.get().task_closed_as == "completed"


def test_a_reopened_referrals_procedures_stay_readable_through_the_api(
    supervisor, navigator, clinic_user, client
):
    from referrals.tests.fhir_clients import Ehr

    closed = closed_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    reopen(closed, supervisor)
    ehr = Ehr(clinic_user.site)
    found = ehr.get(
        client, "/fhir/Procedure", **{"based-on": f"ServiceRequest/{closed.code}"}
    ).json()
    [procedure] = [entry["resource"] for entry in found["entry"]]
    read = ehr.get(client, f"/fhir/Procedure/{procedure['id']}")
    assert read.status_code == 200
    assert read.json()["status"] == "completed"
