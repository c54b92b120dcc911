"""For the demo: act as a clinic's EHR and send one Gravity referral to a running
chwlink over HTTP, signed like any registered client (``manage.py
fhir_send_example``), so a new user sees a FHIR referral arrive in the inbox."""

import copy
import json
import uuid
from pathlib import Path
from types import SimpleNamespace

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from referrals.fhir import codes, remote
from referrals.fhir.auth import api_client_register
from referrals.models import ApiClient

CLIENT_NAME = "Demo EHR (fhir_send_example)"
KEY_ID = "demo-ehr"
IG_EXAMPLES = (
    Path(settings.BASE_DIR).parent / "shared" / "fixtures" / "gravity" / "examples"
)
IG_TASK = "Task-SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample.json"
IG_BESIDE = (
    "ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample.json",
    "Patient-pat-53234.json",
    "Consent-SDOHCC-ConsentInformationDisclosureExample.json",
    "Condition-SDOHCC-ConditionFoodInsecurityExample.json",
    "Goal-SDOHCC-GoalFoodSecurityExample.json",
)


def demo_ehr(clinic, key_file: Path) -> tuple[ApiClient, ec.EllipticCurvePrivateKey]:
    """The demo EHR's client at ``clinic`` and its private key, both made the
    first time (the key kept in ``key_file``, outside the database)."""
    if key_file.exists():
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    else:
        key = ec.generate_private_key(ec.SECP384R1())
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        key_file.chmod(0o600)
    public = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(key.public_key()))
    jwks = {"keys": [public | {"kid": KEY_ID, "alg": "ES384", "use": "sig"}]}
    client = ApiClient.objects.filter(name=CLIENT_NAME, clinic=clinic).first()
    if client is None:
        client = api_client_register(name=CLIENT_NAME, clinic=clinic, jwks=jwks)
    elif client.jwks != jwks:
        client.jwks = jwks
        client.save(update_fields=["jwks"])
    return client, key


def example_bundle(cbo_code) -> tuple[dict, str]:
    """A transaction Bundle of one referral to the CBO, with a Task identifier of
    its own (so every send is a new referral), and where it came from: the IG's
    own examples when ``../shared`` holds them, else one composed here."""
    if (IG_EXAMPLES / IG_TASK).exists():
        resources = [
            json.loads((IG_EXAMPLES / name).read_text())
            for name in (IG_TASK, *IG_BESIDE)
        ]
        resources[0] |= {"status": "requested"}
        source = str(IG_EXAMPLES)
    else:
        resources = _composed()
        source = "composed by chwlink (../shared/fixtures is not here)"
    task = resources[0]
    task.pop("businessStatus", None)
    task["owner"] = {"reference": f"Organization/{cbo_code}"}
    task["identifier"] = [{"system": "urn:chwlink:demo-ehr", "value": uuid.uuid4().hex}]
    entries = [
        {
            "fullUrl": f"http://ehr.example/fhir/{r['resourceType']}/{r['id']}",
            "resource": r,
            "request": {"method": "POST", "url": r["resourceType"]},
        }
        for r in resources
    ]
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}, source


def _composed() -> list[dict]:
    patient = "Patient/demo-ehr-patient"
    food = [codes.sdoh_coding("food-insecurity")]
    return copy.deepcopy(
        [
            {
                "resourceType": "Task",
                "id": "demo-ehr-task",
                "meta": {
                    "profile": [codes.profile("SDOHCC-TaskForReferralManagement")]
                },
                "status": "requested",
                "intent": "order",
                "code": {"coding": [{"system": codes.TASK_CODE, "code": "fulfill"}]},
                "focus": {"reference": "ServiceRequest/demo-ehr-request"},
                "for": {"reference": patient},
                "authoredOn": "2026-01-05T09:00:00Z",
            },
            {
                "resourceType": "ServiceRequest",
                "id": "demo-ehr-request",
                "meta": {"profile": [codes.profile("SDOHCC-ServiceRequest")]},
                "status": "active",
                "intent": "order",
                "category": [{"coding": food}],
                "code": {"text": "Help applying to a food pantry"},
                "subject": {"reference": patient},
                "supportingInfo": [{"reference": "Consent/demo-ehr-consent"}],
            },
            {
                "resourceType": "Patient",
                "id": "demo-ehr-patient",
                "identifier": [
                    {
                        "type": {
                            "coding": [{"system": codes.IDENTIFIER_TYPE, "code": "MR"}]
                        },
                        "system": "urn:chwlink:demo-ehr",
                        "value": "DEMO-EHR-1",
                    }
                ],
                "name": [{"family": "Example", "given": ["Rosa"]}],
                "birthDate": "1968-03-14",
                "communication": [
                    {
                        "language": {
                            "coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]
                        }
                    }
                ],
            },
            {
                "resourceType": "Consent",
                "id": "demo-ehr-consent",
                "status": "active",
                "scope": {
                    "coding": [
                        {"system": codes.CONSENT_SCOPE, "code": "patient-privacy"}
                    ]
                },
                "category": [
                    {"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}
                ],
                "patient": {"reference": patient},
                "dateTime": "2026-01-05T08:55:00Z",
                "policy": [{"uri": "http://example.org/privacy-policy"}],
                "provision": {"type": "permit"},
            },
            {
                "resourceType": "Condition",
                "id": "demo-ehr-condition",
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "category": [{"coding": food}],
                "code": {"text": "Food insecurity"},
                "subject": {"reference": patient},
            },
        ]
    )


def example_send(base_url: str, client: ApiClient, key, bundle: dict) -> dict:
    """Get a token from chwlink at ``base_url`` as the client would, then POST
    the Bundle; returns the transaction-response."""
    root = base_url.rstrip("/") + "/fhir/"
    signer = SimpleNamespace(
        server_private_key=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        server_client_id=client.client_id,
        server_token_url=root + "auth/token",
        server_key_id=KEY_ID,
    )
    token = remote.token_for(signer, scopes="system/Task.cruds")
    return remote.call("POST", root, token=token, body=bundle)[2]
