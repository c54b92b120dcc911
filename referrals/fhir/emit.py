"""FHIR R4 resources built from chwlink's rows, as the Gravity IG profiles them.

Each builder returns the resource as JSON-ready data. The tests prove every
builder's output, in every state of a referral, valid against the FHIR R4 JSON
schema and unchanged by a round trip through ``fhir.resources`` (R4B); it is not
parsed again on each response, which took two thirds of an EHR's daily poll.
References are relative (``Patient/<code>``), as the IG's examples write them;
ids are the rows' public codes.
"""

import datetime

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.operationoutcome import OperationOutcome

from referrals.choices import ConsentScope, ConsentSource, MedicalReason
from referrals.fhir import codes
from referrals.fhir.status import task_state
from referrals.models import Pathway, Referral

Status = Referral.Status

SERVICE_REQUEST_STATUS = {
    Status.DRAFT: "draft",
    Status.SUBMITTED: "active",
    Status.ACCEPTED: "active",
    Status.ASSIGNED: "active",
    Status.IN_PROGRESS: "active",
    Status.ON_HOLD: "on-hold",
    Status.COMPLETED: "completed",
    Status.UNABLE_TO_COMPLETE: "revoked",
    Status.DECLINED: "revoked",
    Status.CANCELLED: "revoked",
    Status.ENTERED_IN_ERROR: "entered-in-error",
}

GENDER = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}

# The pathways whose closing counts as a procedure done for the patient.
DONE_PATHWAYS = frozenset({Pathway.Status.COMPLETED, Pathway.Status.APPROVED})


def _checked(model, data: dict) -> dict:
    return model.model_validate(data).model_dump(mode="json")


def _instant(moment) -> str:
    utc = moment.astimezone(datetime.UTC).replace(tzinfo=None)
    return f"{utc.isoformat(timespec='seconds')}Z"


def _meta(row, profile: str, *, version=None) -> dict:
    meta = {"lastUpdated": _instant(row.updated), "profile": [profile]}
    if version is not None:
        meta["versionId"] = str(version)
    return meta


def _organization(organization) -> dict:
    return {
        "reference": f"Organization/{organization.code}",
        "display": organization.name,
    }


def _requester(referral) -> dict:
    by = referral.referred_by
    return {
        "reference": f"Organization/{referral.partnership.health_system.code}",
        "display": f"{by.get_full_name() or by.email}, {referral.clinic.name}",
    }


def _patient_ref(referral) -> dict:
    return {"reference": f"Patient/{referral.patient.code}"}


def _referral_identifier(referral) -> list[dict]:
    """chwlink's code, and the identifier the sending EHR gave its Task."""
    ours = {"system": f"{codes.CHWLINK_SYSTEM}:referral", "value": str(referral.code)}
    if not referral.external_id:
        return [ours]
    theirs = {"system": referral.external_system, "value": referral.external_id}
    return [ours, {key: value for key, value in theirs.items() if value}]


def task_resource(referral, *, hosted: bool = True) -> dict:
    """The TaskForReferralManagement of a referral; a completed one names what was
    done (its ``output`` Procedures)."""
    state = task_state(referral, hosted=hosted)
    data = {
        "resourceType": "Task",
        "id": str(referral.code),
        "meta": _meta(
            referral,
            codes.profile("SDOHCC-TaskForReferralManagement"),
            version=referral.version,
        ),
        "identifier": _referral_identifier(referral),
        "status": state.status,
        "intent": "order",
        "priority": codes.PRIORITY[referral.urgency],
        "code": {
            "coding": [
                {
                    "system": codes.TASK_CODE,
                    "code": "fulfill",
                    "display": "Fulfill the focal request",
                }
            ]
        },
        "focus": {"reference": f"ServiceRequest/{referral.code}"},
        "for": _patient_ref(referral),
        "authoredOn": _instant(referral.submitted_at or referral.created),
        "lastModified": _instant(referral.updated),
        "requester": _requester(referral),
        "owner": _organization(referral.partnership.cbo),
    }
    if state.business_status:
        data["businessStatus"] = {"text": state.business_status}
    if state.reason:
        data["statusReason"] = {"text": state.reason}
    if state.status == "completed":
        data["output"] = [
            {
                "type": {"coding": [codes.RESULTING_ACTIVITY]},
                "valueReference": {"reference": f"Procedure/{procedure['id']}"},
            }
            for procedure in procedure_resources(referral)
        ]
    return data


def service_request_resource(referral) -> dict:
    """What the clinic asks the CBO for: the social needs, why, for whom, and
    whether the patient may be contacted directly."""
    patient = referral.patient
    reasons = [
        {"text": str(MedicalReason(reason).label)}
        for reason in referral.medical_reasons
        if reason != MedicalReason.OTHER
    ]
    if referral.medical_reason_other:
        reasons.append({"text": referral.medical_reason_other})
    data = {
        "resourceType": "ServiceRequest",
        "id": str(referral.code),
        "meta": _meta(
            referral, codes.profile("SDOHCC-ServiceRequest"), version=referral.version
        ),
        "identifier": _referral_identifier(referral),
        "status": SERVICE_REQUEST_STATUS[referral.status],
        "intent": "order",
        "category": [{"coding": [codes.SOCIAL_SERVICE]}]
        + [{"coding": [codes.sdoh_coding(need)]} for need in referral.social_needs],
        "priority": codes.PRIORITY[referral.urgency],
        "code": {
            "coding": [codes.SOCIAL_SERVICE],
            "text": "Community health worker navigation",
        },
        "subject": _patient_ref(referral),
        "authoredOn": _instant(referral.submitted_at or referral.created),
        "requester": _requester(referral),
        "performer": [_organization(referral.partnership.cbo)],
    }
    if patient.do_not_contact:
        data["orderDetail"] = [{"coding": [codes.CONTACT_PROHIBITED]}]
    if reasons:
        data["reasonCode"] = reasons
    if referral.consent_given:
        data["supportingInfo"] = [{"reference": f"Consent/{referral.code}"}]
    if referral.notes_for_navigator:
        data["note"] = [{"text": referral.notes_for_navigator}]
    return data


def patient_resource(patient) -> dict:
    """The patient as US Core has one: the health system's MRN, name, birth date,
    the ways to reach them and the language they prefer (BCP-47)."""
    telecom = [
        {"system": "phone", "value": number.as_e164, "rank": rank}
        for rank, number in enumerate(
            filter(None, [patient.phone, patient.phone_alt]), 1
        )
    ]
    data = {
        "resourceType": "Patient",
        "id": str(patient.code),
        "meta": _meta(patient, codes.US_CORE_PATIENT),
        "identifier": [
            {
                "use": "usual",
                "type": {
                    "coding": [
                        {
                            "system": codes.IDENTIFIER_TYPE,
                            "code": "MR",
                            "display": "Medical record number",
                        }
                    ]
                },
                "system": mrn_system(patient.health_system),
                "value": patient.mrn,
            }
        ],
        "name": [{"family": patient.last_name, "given": [patient.first_name]}],
        "gender": GENDER.get(patient.sex, "unknown"),
        "birthDate": patient.date_of_birth.isoformat(),
        "communication": [
            {
                "language": {
                    "coding": [
                        {
                            "system": codes.BCP47,
                            "code": codes.bcp47(patient.preferred_language),
                        }
                    ]
                },
                "preferred": True,
            }
        ],
    }
    if telecom:
        data["telecom"] = telecom
    address = {
        key: value
        for key, value in (
            ("city", patient.city),
            ("state", patient.state),
            ("postalCode", patient.postal_code),
        )
        if value
    }
    if patient.address:
        address["line"] = [patient.address]
    if address:
        data["address"] = [address]
    return data


def mrn_system(health_system) -> str:
    """The identifier system of a health system's medical record numbers."""
    return f"{codes.CHWLINK_SYSTEM}:mrn:{health_system.code}"


def consent_resource(referral) -> dict | None:
    """The patient's consent to share their information with the CBO, as recorded
    with the referral (None when none was recorded)."""
    if not referral.consent_given:
        return None
    recorded = referral.consent_recorded_at or referral.submitted_at or referral.created
    data = {
        "resourceType": "Consent",
        "id": str(referral.code),
        "meta": _meta(referral, codes.profile("SDOHCC-Consent")),
        "status": "active",
        "scope": {
            "coding": [
                {
                    "system": codes.CONSENT_SCOPE,
                    "code": "patient-privacy",
                    "display": "Privacy Consent",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {
                        "system": codes.ACT_CODE,
                        "code": "IDSCL",
                        "display": "information disclosure",
                    }
                ]
            }
        ],
        "patient": _patient_ref(referral),
        "dateTime": _instant(recorded),
        "organization": [_organization(referral.partnership.health_system)],
        "performer": [_patient_ref(referral)],
        "policyRule": {
            "coding": [
                {
                    "system": codes.CONSENT_POLICY,
                    "code": "hipaa-auth",
                    "display": "HIPAA Authorization",
                }
            ],
            "text": CONSENT_SCOPE_TEXT.get(
                referral.consent_scope, CONSENT_SCOPE_TEXT[ConsentScope.CBO]
            ),
        },
        "verification": [{"verified": True, "verificationDate": _instant(recorded)}],
        "provision": {
            "type": "permit",
            "actor": [
                {
                    "role": {
                        "coding": [
                            {
                                "system": codes.PARTICIPATION_TYPE,
                                "code": "IRCP",
                                "display": "information recipient",
                            }
                        ]
                    },
                    "reference": _organization(referral.partnership.cbo),
                }
            ],
        },
    }
    source = _consent_source(referral, recorded)
    if source:
        data["sourceAttachment"] = source
    return data


CONSENT_SCOPE_TEXT = {
    ConsentScope.CBO: (
        "The patient consents to share their information with the CBO and its "
        "navigators."
    ),
    ConsentScope.CBO_AND_RESOURCES: (
        "The patient consents to share their information with the CBO, its "
        "navigators and the community resources they link the patient to."
    ),
}
CONSENT_SOURCE_TEXT = {
    ConsentSource.VERBAL: "Verbal consent, attested by {by}",
    ConsentSource.WRITTEN: "Signed consent form kept at {clinic}; recorded by {by}",
    ConsentSource.ELECTRONIC: "Consent signed electronically; recorded by {by}",
    ConsentSource.CLINIC_SYSTEM: "Consent recorded in the clinic's system ({by})",
}


def _consent_source(referral, recorded) -> dict | None:
    """The SDOHCC Consent's source: the attestation or the document, who
    recorded it and when (none for consents recorded before chwlink asked)."""
    text = CONSENT_SOURCE_TEXT.get(referral.consent_source)
    if text is None:
        return None
    by = referral.consent_recorded_by
    title = text.format(
        by=by.get_full_name() if by else referral.clinic.name,
        clinic=referral.clinic.name,
    )
    return {"language": "en", "title": title, "creation": _instant(recorded)}


def procedure_resources(referral) -> list[dict]:
    """What the CBO did for a completed referral: one Procedure per completed
    pathway, or the navigation itself when no pathway was opened."""
    if task_state(referral).status != "completed":
        return []
    done = [p for p in referral.pathways.all() if p.status in DONE_PATHWAYS]
    if not done:
        return [_procedure(referral, None)]
    return [_procedure(referral, pathway) for pathway in done]


def _procedure(referral, pathway) -> dict:
    needs = [pathway.need] if pathway else referral.social_needs
    if pathway:
        code = codes.pathway_procedure_code(pathway.kind, pathway.get_kind_display())
        performed = pathway.approved_at or pathway.closed_at or referral.closed_at
    else:
        code = {
            "coding": [codes.SOCIAL_SERVICE],
            "text": "Community health worker navigation",
        }
        performed = referral.closed_at or referral.updated
    data = {
        "resourceType": "Procedure",
        "id": str(pathway.code if pathway else referral.code),
        "meta": {"profile": [codes.profile("SDOHCC-Procedure")]},
        "basedOn": [{"reference": f"ServiceRequest/{referral.code}"}],
        "status": "completed",
        "category": {
            "coding": [codes.SOCIAL_SERVICE]
            + [codes.sdoh_coding(need) for need in needs]
        },
        "code": code,
        "subject": _patient_ref(referral),
        "performedDateTime": _instant(performed),
        "performer": [{"actor": _organization(referral.partnership.cbo)}],
    }
    return data


def operation_outcome(
    code: str, diagnostics: str, *, expression: str = "", severity: str = "error"
) -> dict:
    """An error (or warning) as FHIR reports one: an issue type code from FHIR's
    IssueType value set, plain diagnostics, and the element it concerns."""
    issue = {"severity": severity, "code": code, "diagnostics": diagnostics}
    if expression:
        issue["expression"] = [expression]
    return _checked(
        OperationOutcome, {"resourceType": "OperationOutcome", "issue": [issue]}
    )


def checked_bundle(data: dict) -> dict:
    return _checked(Bundle, data)


def searchset(
    entries: list[tuple[dict, str]], *, base: str, links: dict[str, str]
) -> dict:
    """A search result: each resource with its full URL and whether it matched
    or was included (``_include``), and the page links (self, next)."""
    envelope = {
        "resourceType": "Bundle",
        "type": "searchset",
        "link": [{"relation": rel, "url": url} for rel, url in links.items()],
    }
    if entries:
        envelope["entry"] = [
            {
                "fullUrl": f"{base}{resource['resourceType']}/{resource['id']}",
                "resource": resource,
                "search": {"mode": mode},
            }
            for resource, mode in entries
        ]
    return envelope
