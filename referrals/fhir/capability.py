"""What chwlink's FHIR server says about itself: the CapabilityStatement (after
the IG's SDOHCC ReferralRecipient and CoordinationPlatform statements) and the
SMART configuration that tells a client where to get a token."""

from django.utils import timezone
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from referrals.fhir import codes, search
from referrals.fhir.auth import ALGORITHMS, SCOPE_EXAMPLES

SEARCH_TYPES = {
    "_id": "token",
    "_lastUpdated": "date",
    "code": "token",
    "status": "token",
    "patient": "reference",
    "requester": "reference",
    "owner": "reference",
    "focus": "reference",
    "identifier": "token",
    "family": "string",
    "given": "string",
    "birthdate": "date",
    "based-on": "reference",
}

RESOURCES = [
    ("Task", "SDOHCC-TaskForReferralManagement", search.TASK_PARAMS,
     sorted(search.TASK_INCLUDES)),
    ("ServiceRequest", "SDOHCC-ServiceRequest", search.SERVICE_REQUEST_PARAMS,
     sorted(search.SERVICE_REQUEST_INCLUDES)),
    ("Patient", None, search.PATIENT_PARAMS, []),
    ("Procedure", "SDOHCC-Procedure", search.PROCEDURE_PARAMS, []),
    ("Consent", "SDOHCC-Consent", set(), []),
]  # fmt: skip


def _resource(kind, profile, params, includes) -> dict:
    interactions = [{"code": "read"}] + ([{"code": "search-type"}] if params else [])
    if kind == "Task":
        interactions += [{"code": "create"}, {"code": "update"}]
    entry = {
        "type": kind,
        "interaction": interactions,
        "versioning": "versioned",
        "readHistory": False,
        "updateCreate": False,
        "conditionalCreate": kind == "Task",
    }
    entry["profile"] = codes.profile(profile) if profile else codes.US_CORE_PATIENT
    if params:
        entry["searchParam"] = [
            {"name": name, "type": SEARCH_TYPES[name]} for name in sorted(params)
        ]
    if includes:
        entry["searchInclude"] = includes
    return entry


def capability_statement(base: str) -> dict:
    data = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.now().date().isoformat(),
        "publisher": "chwlink",
        "kind": "instance",
        "instantiates": [
            f"{codes.SDOHCC}/CapabilityStatement/SDOHCC-ReferralRecipient",
            f"{codes.SDOHCC}/CapabilityStatement/SDOHCC-CoordinationPlatform",
        ],
        "software": {"name": "chwlink"},
        "implementation": {
            "description": "chwlink: referrals between clinics and CBOs",
            "url": base,
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "security": {
                    "service": [
                        {
                            "coding": [
                                {
                                    "system": "http://terminology.hl7.org/"
                                    "CodeSystem/restful-security-service",
                                    "code": "SMART-on-FHIR",
                                }
                            ]
                        }
                    ],
                    "description": "SMART Backend Services: OAuth 2.0 client "
                    "credentials with a signed JWT client assertion; see "
                    ".well-known/smart-configuration.",
                },
                "resource": [_resource(*r) for r in RESOURCES],
                "interaction": [{"code": "transaction"}],
            }
        ],
    }
    return CapabilityStatement.model_validate(data).model_dump(mode="json")


def smart_configuration(token_url: str) -> dict:
    return {
        "token_endpoint": token_url,
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ALGORITHMS,
        "scopes_supported": SCOPE_EXAMPLES,
        "capabilities": ["client-confidential-asymmetric"],
    }
