"""chwlink as the CBO's light client: it polls the health system's FHIR server for
the Tasks it hosts, makes referrals of them, and writes their status back once
each, in order, whatever state the server is in."""

import copy
import datetime
import threading

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection

from referrals.fhir import remote, sync
from referrals.models import ApiClient, FhirWriteBack, Referral
from referrals.services import workflow
from referrals.tests import states
from referrals.tests.fake_ehr_server import FakeEhr
from referrals.tests.fhir_clients import later, light_client, refreshed
from tests.shared_fixtures import gravity_examples

OWNER = "Organization/SDOHCC-OrganizationCoordinationPlatformExample"
TASK_ID = "SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample"


@pytest.fixture
def key():
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture
def ehr(key):
    """The health system's server, holding the IG's referral as a new Task."""
    with FakeEhr(key.public_key()) as server:
        examples = gravity_examples()
        task = copy.deepcopy(examples[f"Task-{TASK_ID}.json"]) | {"status": "requested"}
        server.add(task)
        for name in (
            "ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample",
            "Patient-pat-53234",
            "Consent-SDOHCC-ConsentInformationDisclosureExample",
            "Condition-SDOHCC-ConditionFoodInsecurityExample",
        ):
            server.add(examples[f"{name}.json"])
        yield server


@pytest.fixture
def light(partnership, clinic, key, ehr):
    return light_client(
        partnership=partnership, clinic=clinic, key=key, server=ehr, owner=OWNER
    )


def test_a_new_task_on_the_server_becomes_a_referral_once(light, ehr):
    assert sync.server_poll(client=light) == 1
    referral = Referral.objects.get()
    assert (referral.status, referral.external_id) == ("submitted", TASK_ID)
    assert referral.partnership == light.server_partnership
    assert referral.social_needs == ["food-insecurity"]
    assert referral.patient.last_name == "ABBAS"
    light = refreshed(light)
    # The next poll starts from the server's own clock, not chwlink's.
    assert light.poll_since == "2020-09-11T22:00:00Z"
    assert light.synced_at and not light.sync_error
    assert sync.server_poll(client=light, now=later(light)) == 0
    assert "_lastUpdated=gt2020-09-11T22%3A00%3A00Z" in ehr.requests[-1]
    assert Referral.objects.count() == 1


def test_a_server_that_refuses_include_is_asked_again_without_it(light, ehr):
    ehr.refuse_include = True
    assert sync.server_poll(client=light) == 1
    searches = [r for r in ehr.requests if r.startswith("GET /fhir/Task?")]
    assert "_include" in searches[0] and "_include" not in searches[1]
    assert any(r.startswith("GET /fhir/ServiceRequest/") for r in ehr.requests)


@pytest.mark.parametrize("trouble", ["down", "garbage"])
def test_a_server_down_or_answering_garbage_delays_the_referral_and_loses_nothing(
    light, ehr, trouble
):
    setattr(ehr, trouble, True)
    assert sync.server_poll(client=light) == 0
    light = refreshed(light)
    assert light.sync_error and light.sync_error_at
    assert ("503" if trouble == "down" else "not JSON") in light.sync_error
    assert not Referral.objects.exists()
    setattr(ehr, trouble, False)
    assert sync.server_poll(client=light, now=later(light)) == 1
    assert refreshed(light).sync_error == ""


def test_status_changes_reach_the_server_once_each_and_in_order(
    light, ehr, supervisor, navigator
):
    sync.server_poll(client=light)
    referral = Referral.objects.get()
    ehr.down = True
    referral = states.accepted_referral(supervisor=supervisor, referral=referral)
    assert sync.writeback_send(client_id=light.pk) == 0
    waiting = FhirWriteBack.objects.get()
    assert (waiting.status, waiting.attempts) == ("accepted", 1)
    assert waiting.next_attempt_at > waiting.created
    referral = _assign(referral, supervisor, navigator)
    referral = states.first_contact(referral, navigator)
    workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **states.closing_of(referral),
    )
    queued = FhirWriteBack.objects.order_by("id").values_list("status", flat=True)
    assert list(queued) == ["accepted", "in-progress", "completed"]
    ehr.down = False
    hours_on = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(hours=2)
    assert sync.writebacks_redeliver(now=hours_on) == 3
    assert ehr.puts == [
        (f"Task/{TASK_ID}", "accepted"),
        (f"Task/{TASK_ID}", "in-progress"),
        (f"Task/{TASK_ID}", "completed"),
    ]
    task = ehr.resources[f"Task/{TASK_ID}"]
    assert task["output"][0]["valueReference"]["reference"].startswith("Procedure/")
    assert "businessStatus" not in task
    assert sync.writebacks_redeliver(now=hours_on) == 0
    assert len(ehr.puts) == 3


def _assign(referral, supervisor, navigator):
    from referrals.services import assignment

    return assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )


def test_two_senders_at_once_send_each_change_once(
    transactional_db, light, ehr, supervisor
):
    sync.server_poll(client=light)
    states.accepted_referral(supervisor=supervisor, referral=Referral.objects.get())
    barrier = threading.Barrier(2)

    def send():
        barrier.wait()
        sync.writeback_send(client_id=light.pk)
        connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ehr.puts == [(f"Task/{TASK_ID}", "accepted")]
    assert FhirWriteBack.objects.get().sent_at is not None


def test_a_reason_travels_as_status_reason_text(light, ehr, supervisor):
    sync.server_poll(client=light)
    referral = Referral.objects.get()
    states.declined_referral(supervisor=supervisor, referral=referral,
                             reason_code="no_capacity")  # fmt: skip
    sync.writeback_send(client_id=light.pk)
    task = ehr.resources[f"Task/{TASK_ID}"]
    assert task["status"] == "rejected"
    assert task["statusReason"]["text"] == "No capacity right now"


def test_browser_referrals_are_not_written_to_any_server(
    light, ehr, clinic_user, supervisor
):
    referral = states.submitted_referral(clinic_user=clinic_user)
    states.accepted_referral(supervisor=supervisor, referral=referral)
    assert not FhirWriteBack.objects.exists()


@pytest.mark.parametrize(
    "local, since_last, due",
    [
        ("2026-12-02 10:00", datetime.timedelta(minutes=10), False),
        ("2026-12-02 10:00", datetime.timedelta(minutes=59), False),
        ("2026-12-02 10:00", datetime.timedelta(minutes=61), True),
        ("2026-12-02 22:00", datetime.timedelta(hours=3), False),
        ("2026-12-05 10:00", datetime.timedelta(hours=3), False),
        ("2026-12-05 10:00", datetime.timedelta(hours=25), True),
    ],
)
def test_the_polling_cadence_follows_the_ig(light, local, since_last, due):
    import zoneinfo

    zone = zoneinfo.ZoneInfo(light.server_partnership.time_zone)
    now = datetime.datetime.fromisoformat(local).replace(tzinfo=zone)
    light.polled_at = now - since_last
    assert remote.poll_due(light, now) is due


def test_a_task_that_cannot_make_a_referral_is_named_and_the_rest_go_on(
    light, ehr, clinic
):
    del ehr.resources["Consent/SDOHCC-ConsentInformationDisclosureExample"]
    assert sync.server_poll(client=light) == 0
    assert f"Task/{TASK_ID}" in refreshed(light).sync_error
    assert "Consent" in refreshed(light).sync_error


def posted_task(ehr_server, partnership) -> dict:
    task = copy.deepcopy(ehr_server.resources[f"Task/{TASK_ID}"])
    task.pop("meta")
    task["identifier"] = [{"system": "urn:ehr:tasks", "value": "T-1"}]
    task["focus"] = {"reference": ehr_server.base + task["focus"]["reference"]}
    task["for"] = {"reference": ehr_server.base + task["for"]["reference"]}
    task["owner"] = {"reference": f"Organization/{partnership.cbo.code}"}
    return task


def test_a_posted_task_pointing_at_the_clinics_own_server_is_fetched_there(
    light, ehr, client, partnership
):
    import json

    from referrals.tests.fhir_clients import Ehr as Caller

    caller = Caller(light.clinic)
    ApiClient.objects.filter(pk=caller.client.pk).update(
        **{
            f: getattr(light, f)
            for f in (
                "server_url",
                "server_token_url",
                "server_client_id",
                "server_private_key",
                "server_owner",
                "server_partnership",
            )
        }  # fmt: skip
    )
    token = caller.token(client)
    response = client.post(
        "/fhir/Task",
        json.dumps(posted_task(ehr, partnership)),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert referral.social_needs == ["food-insecurity"] and referral.consent_given
    fetched = [r for r in ehr.requests if r.startswith("GET /fhir/")]
    assert any("ServiceRequest/" in r for r in fetched)
    assert any("Consent?" in r for r in fetched)
    ehr.down = True
    again = posted_task(ehr, partnership) | {
        "identifier": [{"system": "urn:ehr:tasks", "value": "T-2"}]
    }
    response = client.post(
        "/fhir/Task",
        json.dumps(again),
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 502
    assert Referral.objects.count() == 1


def test_a_day_the_partnership_is_closed_is_polled_as_a_weekend(light):
    import zoneinfo

    zone = zoneinfo.ZoneInfo(light.server_partnership.time_zone)
    now = datetime.datetime(2026, 12, 2, 10, tzinfo=zone)
    light.polled_at = now - datetime.timedelta(hours=3)
    assert remote.poll_due(light, now) is True
    assert remote.poll_due(light, now, frozenset({now.date()})) is False


def test_the_sweep_skips_a_server_on_a_closed_day_and_polls_it_on_a_working_one(
    light, ehr, manager
):
    import zoneinfo

    from partners.models import ClosedDay

    zone = zoneinfo.ZoneInfo(light.server_partnership.time_zone)
    now = datetime.datetime(2026, 12, 2, 10, tzinfo=zone)
    ApiClient.objects.filter(pk=light.pk).update(
        polled_at=now - datetime.timedelta(hours=3)
    )
    ClosedDay.objects.create(
        partnership=light.server_partnership, day=now.date(), name="Staff training",
        added_by=manager,
    )  # fmt: skip
    assert sync.servers_poll_due(now=now) == 0
    assert ehr.requests == []
    ClosedDay.objects.all().delete()
    assert sync.servers_poll_due(now=now) == 1


@pytest.mark.parametrize(
    "seen, stamp, latest",
    [
        ("", "2020-09-11T22:00:00Z", "2020-09-11T22:00:00Z"),
        # 22:00 at +02:00 is 20:00 UTC: earlier, although it sorts later as text.
        ("2020-09-11T21:00:00Z", "2020-09-11T22:00:00+02:00", "2020-09-11T21:00:00Z"),
        ("2020-09-11T21:00:00Z", "2020-09-11T21:00:00.5Z", "2020-09-11T21:00:00.5Z"),
        (
            "2020-09-11T21:00:00.500Z",
            "2020-09-11T21:00:00.45Z",
            "2020-09-11T21:00:00.500Z",
        ),
        ("2020-09-11T21:00:00Z", "", "2020-09-11T21:00:00Z"),
        ("2020-09-11T21:00:00Z", "yesterday", "2020-09-11T21:00:00Z"),
    ],
)
def test_the_latest_change_is_compared_as_a_time_and_kept_as_the_server_wrote_it(
    seen, stamp, latest
):
    assert remote._later(seen, stamp) == latest
