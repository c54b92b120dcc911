"""The light client against a FHIR server nobody here wrote (Medplum's router over
its in-memory repository): the IG's referral on that server becomes a referral in
chwlink, and its status changes go back as that server accepts them."""

import copy
import urllib.parse

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from referrals.fhir import sync
from referrals.models import Referral
from referrals.services import assignment, workflow
from referrals.tests import states
from referrals.tests.fhir_clients import later, light_client, refreshed
from referrals.tests.medplum_server import MedplumEhr
from tests.shared_fixtures import gravity_examples

OWNER = "Organization/SDOHCC-OrganizationCoordinationPlatformExample"
TASK_ID = "SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample"
BESIDE = (
    "ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample",
    "Patient-pat-53234",
    "Consent-SDOHCC-ConsentInformationDisclosureExample",
    "Condition-SDOHCC-ConditionFoodInsecurityExample",
)


@pytest.fixture
def key():
    return ec.generate_private_key(ec.SECP384R1())


@pytest.fixture
def medplum(key):
    with MedplumEhr(key.public_key()) as server:
        examples = gravity_examples()
        task = copy.deepcopy(examples[f"Task-{TASK_ID}.json"])
        task["status"] = "requested"
        task.pop("businessStatus", None)
        task.pop("meta", None)
        server.seed(task)
        for name in BESIDE:
            resource = copy.deepcopy(examples[f"{name}.json"])
            resource.pop("meta", None)
            server.seed(resource)
        yield server


@pytest.fixture
def light(partnership, clinic, key, medplum):
    return light_client(
        partnership=partnership, clinic=clinic, key=key, server=medplum, owner=OWNER
    )


def test_the_servers_new_task_becomes_one_referral_from_the_servers_own_clock(
    light, medplum
):
    assert sync.server_poll(client=light) == 1, refreshed(light).sync_error
    referral = Referral.objects.get()
    assert (referral.status, referral.external_id) == ("submitted", TASK_ID)
    assert referral.social_needs == ["food-insecurity"]
    assert referral.patient.last_name == "ABBAS"
    stamped = medplum.read(f"Task/{TASK_ID}")["meta"]["lastUpdated"]
    light = refreshed(light)
    assert light.poll_since == stamped
    assert sync.server_poll(client=light, now=later(light)) == 0
    searches = [
        r["url"] for r in medplum.requests() if r["url"].startswith("/fhir/Task?")
    ]
    assert f"_lastUpdated=gt{urllib.parse.quote(stamped)}" in searches[-1]
    assert "_include=Task%3Afocus" in searches[0]
    assert Referral.objects.count() == 1


def _closed(referral, supervisor, navigator):
    referral = states.accepted_referral(supervisor=supervisor, referral=referral)
    referral = assignment.referral_assign(
        referral=referral, actor=supervisor, navigator=navigator
    )
    referral = states.first_contact(referral, navigator)
    return workflow.referral_transition(
        referral=referral,
        actor=navigator,
        name="complete",
        **states.closing_of(referral),
    )


def test_the_closing_reaches_the_server_with_if_match_and_a_procedure_it_stores(
    light, medplum, supervisor, navigator
):
    sync.server_poll(client=light)
    _closed(Referral.objects.get(), supervisor, navigator)
    assert sync.writeback_send(client_id=light.pk) == 3
    task = medplum.read(f"Task/{TASK_ID}")
    assert task["status"] == "completed"
    # Three PUTs on top of the seeded version, each accepted by the server.
    assert task["meta"]["versionId"] != "1"
    assert "businessStatus" not in task
    output = task["output"][0]["valueReference"]["reference"]
    procedure = medplum.read(output)
    assert procedure["status"] == "completed"
    assert procedure["subject"]["reference"] == "Patient/pat-53234"
    puts = [r for r in medplum.requests() if r["method"] == "PUT"]
    assert [r["url"] for r in puts] == [f"/fhir/Task/{TASK_ID}"] * 3
    assert all(r["ifMatch"] for r in puts)
    assert sync.writeback_send(client_id=light.pk) == 0
    assert medplum.read("Procedure")["total"] == 1


def test_a_declined_referral_reaches_the_server_as_rejected_with_its_reason(
    light, medplum, supervisor
):
    sync.server_poll(client=light)
    states.declined_referral(
        supervisor=supervisor,
        referral=Referral.objects.get(),
        reason_code="no_capacity",
    )
    assert sync.writeback_send(client_id=light.pk) == 1
    task = medplum.read(f"Task/{TASK_ID}")
    assert task["status"] == "rejected"
    assert task["statusReason"]["text"] == "No capacity right now"
