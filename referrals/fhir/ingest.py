"""A referral made from what a clinic's EHR sends: a Gravity Task with its
ServiceRequest, Patient, Consent, Conditions and Goals (in a transaction Bundle,
or contained in the Task), turned into the patient and referral the browser form
would have made, through the same intake services and rules."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from referrals.choices import ConsentScope, ConsentSource, Urgency
from referrals.fhir import codes
from referrals.models import Patient, Referral
from referrals.phones import phones_checked
from referrals.services import intake
from referrals.services.workflow import WorkflowError


class Unprocessable(Exception):
    """What the EHR sent cannot make a referral: the OperationOutcome issue."""

    def __init__(self, diagnostics: str, *, expression: str = "", code="invalid"):
        super().__init__(diagnostics)
        self.code, self.diagnostics, self.expression = code, diagnostics, expression


def parsed(data, expected: str | None = None) -> dict:
    """Check a resource with the R4B models; an invalid one is refused with the
    element and the rule it breaks."""
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise Unprocessable(_("Send a FHIR resource (JSON with a resourceType)."))
    kind = data["resourceType"]
    if expected and kind != expected:
        raise Unprocessable(
            _("Expected a %(expected)s, not a %(kind)s.")
            % {"expected": expected, "kind": kind},
            expression="resourceType",
        )
    try:
        model = get_fhir_model_class(kind)
    except (KeyError, ValueError, AttributeError):
        raise Unprocessable(
            _("%(kind)s is not a FHIR R4 resource type.") % {"kind": kind},
            expression="resourceType",
        ) from None
    if kind == "Bundle":
        # Each entry on its own first, so an error names the resource and element
        # (Task.intent), not its place in the Bundle's tree.
        for position, entry in enumerate(data.get("entry") or []):
            if isinstance(entry, dict) and isinstance(entry.get("resource"), dict):
                try:
                    parsed(entry["resource"])
                except Unprocessable as error:
                    error.diagnostics += f" (Bundle.entry[{position}])"
                    raise
    try:
        return model.model_validate(data).model_dump(mode="json")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"] if part != "__root__")
        raise Unprocessable(
            f"{kind}.{where}: {first['msg']}", expression=f"{kind}.{where}"
        ) from None


class Resolver:
    """Finds what a reference points to among the resources sent together: by a
    Bundle entry's ``fullUrl``, by ``Type/id``, or by ``#id`` for contained ones."""

    def __init__(self, fetch=None):
        self.by_reference: dict[str, dict] = {}
        # For references to the sender's own server: fetch(url) -> resource or
        # None (not that server's).
        self.fetch = fetch
        self.remote_base = ""

    def add(self, resource: dict, full_url: str = "") -> None:
        if full_url:
            self.by_reference[full_url] = resource
        if resource.get("id"):
            self.by_reference[f"{resource['resourceType']}/{resource['id']}"] = resource

    def add_contained(self, resource: dict) -> None:
        for inner in resource.get("contained") or []:
            self.by_reference[f"#{inner.get('id')}"] = inner

    def get(self, reference: dict | None, kind: str, where: str) -> dict:
        target = (reference or {}).get("reference", "")
        if not target:
            raise Unprocessable(
                _("%(where)s must refer to the %(kind)s.")
                % {"where": where, "kind": kind},
                expression=where,
                code="required",
            )
        found = self.by_reference.get(target)
        if found is None and self.fetch:
            found = self._fetched(target, kind)
        if found is None and target.startswith(("http://", "https://")):
            raise Unprocessable(
                _(
                    "%(where)s refers to %(target)s on another server: send the "
                    "%(kind)s in the same transaction Bundle (or contained in the "
                    "Task)."
                )
                % {"where": where, "target": target, "kind": kind},
                expression=where,
                code="not-supported",
            )
        if found is None or found.get("resourceType") != kind:
            raise Unprocessable(
                _("%(where)s refers to %(target)s, which was not sent with it.")
                % {"where": where, "target": target},
                expression=where,
                code="not-found",
            )
        return found

    def _fetched(self, target: str, kind: str) -> dict | None:
        """A resource on the sender's own server: an absolute reference, or one
        relative to a resource fetched from there (a Condition its
        ServiceRequest names)."""
        absolute = target.startswith(("http://", "https://"))
        if not absolute and not self.remote_base:
            return None
        url = target if absolute else self.remote_base + target
        found = self.fetch(url)
        if found is None:
            return None
        found = parsed(found, kind)
        if absolute and f"/{kind}/" in target:
            self.remote_base = target[: target.rindex(f"/{kind}/") + 1]
        self.by_reference[target] = found
        return found

    def all_of(self, kind: str) -> list[dict]:
        seen = {id(r): r for r in self.by_reference.values()}
        return [r for r in seen.values() if r.get("resourceType") == kind]


@dataclass
class Received:
    referral: Referral
    created: bool


def _needs(service_request: dict, conditions: list[dict], goals: list[dict]) -> list:
    found = []
    for concept in [
        *(service_request.get("category") or []),
        *[c for condition in conditions for c in condition.get("category") or []],
        *[c for goal in goals for c in goal.get("category") or []],
    ]:
        for coding in concept.get("coding") or []:
            need = codes.need_of_coding(coding)
            if need and need not in found:
                found.append(need)
    return found


def _mrn(patient: dict) -> str:
    identifiers = patient.get("identifier") or []
    for identifier in identifiers:
        for coding in (identifier.get("type") or {}).get("coding") or []:
            if coding.get("code") == "MR" and identifier.get("value"):
                return identifier["value"]
    if identifiers and identifiers[0].get("value"):
        return identifiers[0]["value"]
    raise Unprocessable(
        _("Patient.identifier: send the patient's medical record number (type MR)."),
        expression="Patient.identifier",
    )


def _language(patient: dict) -> str:
    from partners.languages import LANGUAGE_NAMES

    for communication in patient.get("communication") or []:
        for coding in (communication.get("language") or {}).get("coding") or []:
            primary = (coding.get("code") or "").split("-")[0].lower()
            if primary in LANGUAGE_NAMES:
                return primary
            return "other"
    return "en"


SEX = {"female": "female", "male": "male", "other": "other", "unknown": "unknown"}


def _patient_fields(patient: dict, *, do_not_contact: bool) -> dict:
    name = (patient.get("name") or [{}])[0]
    if not name.get("family") or not patient.get("birthDate"):
        raise Unprocessable(
            _("Patient: send the family name and the birth date."),
            expression="Patient.name",
            code="required",
        )
    phones = [
        t["value"]
        for t in patient.get("telecom") or []
        if t.get("system") in ("phone", "sms") and t.get("value")
    ]
    address = (patient.get("address") or [{}])[0]
    fields = {
        "first_name": _joined(name.get("given"))[:100] or "-",
        "last_name": name["family"][:100],
        "date_of_birth": patient["birthDate"],
        "mrn": _mrn(patient)[:40],
        "sex": SEX.get(patient.get("gender"), "unknown"),
        "preferred_language": _language(patient),
        **phones_checked(phones),
        "address": _joined(address.get("line"))[:200],
        "city": (address.get("city") or "")[:100],
        "state": (address.get("state") or "")[:40],
        "postal_code": (address.get("postalCode") or "")[:12],
    }
    if do_not_contact:
        fields["do_not_contact"] = True
        fields["safe_contact_note"] = _(
            "The clinic's system says the patient must not be contacted directly: "
            "ask the referring clinic how to reach them safely."
        )
    return fields


def _joined(parts) -> str:
    # FHIR JSON may hold null in a list of strings (its extension sits beside it).
    return " ".join(part for part in parts or [] if part)


def _do_not_contact(service_request: dict) -> bool:
    return any(
        coding.get("code") == codes.CONTACT_PROHIBITED["code"]
        for detail in service_request.get("orderDetail") or []
        for coding in detail.get("coding") or []
    )


def _urgency(task: dict, service_request: dict) -> str:
    priority = service_request.get("priority") or task.get("priority") or "routine"
    return codes.URGENCY.get(priority, Urgency.ROUTINE)


def _notes(service_request: dict, goals: list[dict]) -> str:
    lines = []
    code = service_request.get("code") or {}
    asked = code.get("text") or next(
        (c.get("display") for c in code.get("coding") or [] if c.get("display")), ""
    )
    if asked:
        lines.append(_("Requested: %(service)s") % {"service": asked})
    for goal in goals:
        description = goal.get("description") or {}
        text = description.get("text") or next(
            (c.get("display") for c in description.get("coding") or []), ""
        )
        if text:
            lines.append(_("Goal: %(goal)s") % {"goal": text})
    lines += [n["text"] for n in service_request.get("note") or [] if n.get("text")]
    return "\n".join(lines)


def _reasons(service_request: dict) -> str:
    texts = [
        concept.get("text")
        or next((c.get("display") for c in concept.get("coding") or []), "")
        for concept in service_request.get("reasonCode") or []
    ]
    return "; ".join(filter(None, texts))[:200]


def _tail(reference: str) -> str:
    """``Patient/7`` of ``https://ehr.example/fhir/Patient/7`` (or of itself)."""
    return "/".join(reference.rstrip("/").split("/")[-2:])


def _consent(resolver: Resolver, patient_ref: str) -> dict | None:
    for consent in resolver.all_of("Consent"):
        theirs = (consent.get("patient") or {}).get("reference")
        same = theirs is None or _tail(theirs) == _tail(patient_ref)
        if consent.get("status") == "active" and same:
            return consent
    return None


def _partnership(client, task: dict):
    owner = (task.get("owner") or {}).get("reference", "")
    candidates = list(intake.partnerships_for_clinic(clinic=client.clinic))
    if not owner:
        if len(candidates) == 1:
            return candidates[0]
        raise Unprocessable(
            _(
                "Task.owner: name the CBO (Organization/<id>); this clinic "
                "refers to %(n)s."
            )
            % {"n": len(candidates)},
            expression="Task.owner",
            code="business-rule",
        )
    code = owner.rpartition("/")[2]
    for partnership in candidates:
        if str(partnership.cbo.code) == code:
            return partnership
    raise Unprocessable(
        _("Task.owner: %(owner)s is not a CBO this clinic refers to.")
        % {"owner": owner},
        expression="Task.owner",
        code="business-rule",
    )


def _identifier(task: dict) -> tuple[str, str]:
    for identifier in task.get("identifier") or []:
        if identifier.get("value"):
            return identifier.get("system", "")[:255], identifier["value"][:255]
    return "", ""


def existing(client, system: str, value: str) -> Referral | None:
    return Referral.objects.filter(
        api_client=client, external_system=system, external_id=value
    ).first()


def _patient(actor, fields: dict) -> Patient:
    """The health system's patient with this MRN (the EHR's record is the same
    person), else a new one, as the browser's intake registers them."""
    found = Patient.objects.filter(
        health_system_id=actor.organization_id, mrn__iexact=fields["mrn"]
    ).first()
    if found is not None:
        return found
    return intake.patient_create(actor=actor, data=fields)


def referral_receive(*, client, task: dict, resolver: Resolver) -> Received:
    """Make and send the referral a Task asks for; the same Task identifier sent
    again by the same system gives back the referral it made."""
    if task.get("status") not in ("requested", "draft"):
        raise Unprocessable(
            _("Task.status: a new referral is sent as requested (or draft)."),
            expression="Task.status",
            code="business-rule",
        )
    if task.get("intent") != "order":
        raise Unprocessable(
            _("Task.intent must be order."),
            expression="Task.intent",
            code="business-rule",
        )
    service_request = resolver.get(task.get("focus"), "ServiceRequest", "Task.focus")
    patient_data = resolver.get(task.get("for"), "Patient", "Task.for")
    conditions = [
        resolver.get(ref, "Condition", "ServiceRequest.reasonReference")
        for ref in service_request.get("reasonReference") or []
        if ref.get("reference", "").rpartition("/")[0].endswith("Condition")
        or ref.get("reference", "").startswith(("urn:", "#"))
    ]
    goals = resolver.all_of("Goal")
    needs = _needs(service_request, conditions, goals)
    if not needs:
        raise Unprocessable(
            _("ServiceRequest.category: name at least one SDOH category (%(system)s).")
            % {"system": codes.SDOHCC_CODES},
            expression="ServiceRequest.category",
            code="required",
        )
    patient_ref = task["for"]["reference"]
    consent = _consent(resolver, patient_ref)
    if consent is None and resolver.fetch and "/Patient/" in patient_ref:
        server = patient_ref[: patient_ref.rindex("/Patient/") + 1]
        query = urlencode({"patient": _tail(patient_ref), "status": "active"})
        for entry in (resolver.fetch(f"{server}Consent?{query}") or {}).get(
            "entry"
        ) or []:
            resolver.add(parsed(entry.get("resource")), entry.get("fullUrl", ""))
        consent = _consent(resolver, patient_ref)
    if consent is None and task["status"] == "requested":
        raise Unprocessable(
            _(
                "Consent: send the patient's active consent to share their "
                "information with the CBO."
            ),
            expression="Consent",
            code="required",
        )
    system, value = _identifier(task)
    actor = client.account
    partnership = _partnership(client, task)
    with transaction.atomic():
        if value and (found := existing(client, system, value)):
            return Received(referral=found, created=False)
        try:
            with transaction.atomic():
                patient = _patient(
                    actor,
                    _patient_fields(
                        patient_data, do_not_contact=_do_not_contact(service_request)
                    ),
                )
                data = {
                    "clinic": client.clinic,
                    "partnership": partnership,
                    "medical_reasons": ["other"] if _reasons(service_request) else [],
                    "medical_reason_other": _reasons(service_request),
                    "social_needs": needs,
                    "urgency": _urgency(task, service_request),
                    "notes_for_navigator": _notes(service_request, goals),
                    "consent_given": consent is not None,
                    "consent_source": ConsentSource.CLINIC_SYSTEM,
                    "consent_scope": ConsentScope.CBO,
                }
                referral = intake.referral_save_draft(
                    actor=actor, patient=patient, data=data
                )
                Referral.objects.filter(pk=referral.pk).update(
                    api_client=client, external_system=system, external_id=value
                )
                if task["status"] == "requested":
                    referral = intake.referral_submit(actor=actor, referral=referral)
        except (IntegrityError, WorkflowError) as clash:
            # The same Task sent twice at once: the first one's referral stands
            # (the second met it at the identifier's or the MRN's constraint).
            found = existing(client, system, value) if value else None
            if found is not None:
                return Received(referral=found, created=False)
            if isinstance(clash, IntegrityError):
                raise
            raise Unprocessable(
                " ".join(clash.messages), code="business-rule"
            ) from None
    referral.refresh_from_db()
    return Received(referral=referral, created=True)
