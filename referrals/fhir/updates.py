"""Writes through the FHIR API besides a new Task: a transaction Bundle, and the
requester's changes to a Task it sent (cancel, or entered in error)."""

import re
from urllib.parse import parse_qs

from django.db import transaction
from django.utils.translation import gettext as _

from referrals.fhir import emit, ingest
from referrals.fhir.ingest import Unprocessable
from referrals.services import workflow
from referrals.services.workflow import ReferralConflict, WorkflowError

# What a requester may set a Task's status to, and the transition it takes.
REQUESTER_STATUSES = {"cancelled": "cancel", "entered-in-error": "enter_in_error"}
ETAG = re.compile(r'^(?:W/)?"(?P<version>\d+)"$')

# Sent beside the Task and folded into the referral (needs, notes), not kept as
# resources of their own.
FOLDED = {
    "Condition", "Goal", "Observation", "QuestionnaireResponse", "Practitioner",
    "PractitionerRole", "Organization", "RelatedPerson",
}  # fmt: skip
KEPT = {"Task", "ServiceRequest", "Patient", "Consent"}


def if_none_exist(header: str) -> tuple[str, str] | None:
    """The Task identifier of a conditional create (``identifier=system|value``)."""
    if not header:
        return None
    query = parse_qs(header.removeprefix("?"))
    if set(query) != {"identifier"}:
        raise Unprocessable(
            _("If-None-Exist: chwlink matches on identifier=system|value only."),
            expression="If-None-Exist",
        )
    system, _bar, value = query["identifier"][0].rpartition("|")
    return system, value


def _version(if_match: str) -> int:
    match = ETAG.match(if_match.strip())
    if not match:
        raise Unprocessable(
            _('If-Match: send the ETag you read, such as W/"3".'),
            expression="If-Match",
        )
    return int(match["version"])


def task_update_by_requester(*, referral, actor, task: dict, if_match: str):
    """Apply the one change the IG gives the requester: cancelling the Task, or
    marking it entered in error, with ``statusReason.text`` as the reason. The
    version must be the one read (412 otherwise); other elements stay as chwlink
    keeps them."""
    expected = _version(if_match)
    if task.get("id") != str(referral.code):
        raise Unprocessable(
            _("Task.id must be the id in the address."), expression="Task.id"
        )
    if expected != referral.version:
        raise Unprocessable(
            _("The Task changed since version %(version)s: read it again.")
            % {"version": expected},
            code="conflict",
        )
    current = emit.task_resource(referral)["status"]
    wanted = task.get("status")
    if wanted == current:
        return referral
    if wanted not in REQUESTER_STATUSES:
        raise Unprocessable(
            _(
                "Task.status: the requester may set cancelled or entered-in-error; "
                "the CBO moves the Task otherwise."
            ),
            expression="Task.status",
            code="business-rule",
        )
    reason = ((task.get("statusReason") or {}).get("text") or "").strip()
    if not reason:
        raise Unprocessable(
            _("Task.statusReason.text: say why."), expression="Task.statusReason"
        )
    try:
        return workflow.referral_transition(
            referral=referral,
            actor=actor,
            name=REQUESTER_STATUSES[wanted],
            reason_code="other",
            reason=reason,
            expected_version=expected,
        )
    except ReferralConflict as stale:
        raise Unprocessable(_message(stale), code="conflict") from None
    except WorkflowError as refused:
        raise Unprocessable(_message(refused), code="business-rule") from None


def _message(error: WorkflowError) -> str:
    return " ".join(error.messages)


def transaction_apply(*, client, bundle: dict, base: str) -> dict:
    """Make a referral from each Task of a transaction Bundle, all or none, and
    answer with a transaction-response entry for every entry sent."""
    if bundle.get("type") != "transaction":
        raise Unprocessable(
            _("Bundle.type: send a transaction Bundle."), expression="Bundle.type"
        )
    entries = bundle.get("entry") or []
    resolver = ingest.Resolver()
    for position, entry in enumerate(entries):
        resource = entry.get("resource")
        if not resource:
            raise Unprocessable(
                _("Bundle.entry[%(n)s] has no resource.") % {"n": position},
                expression=f"Bundle.entry[{position}]",
            )
        kind = resource["resourceType"]
        if kind not in KEPT | FOLDED:
            raise Unprocessable(
                _("Bundle.entry[%(n)s]: chwlink does not take a %(kind)s here.")
                % {"n": position, "kind": kind},
                expression=f"Bundle.entry[{position}]",
                code="not-supported",
            )
        resolver.add(resource, entry.get("fullUrl", ""))
    tasks = [e["resource"] for e in entries if e["resource"]["resourceType"] == "Task"]
    if not tasks:
        raise Unprocessable(_("The Bundle holds no Task."), expression="Bundle.entry")
    with transaction.atomic():
        received = {
            id(task): ingest.referral_receive(
                client=client, task=task, resolver=resolver
            )
            for task in tasks
        }
    return _transaction_response(entries, received, resolver)


def _transaction_response(entries, received, resolver) -> dict:
    made = {}
    for task in (e["resource"] for e in entries):
        if id(task) in received:
            result = received[id(task)]
            referral = result.referral
            status = "201 Created" if result.created else "200 OK"
            request = resolver.get(task.get("focus"), "ServiceRequest", "Task.focus")
            patient = resolver.get(task.get("for"), "Patient", "Task.for")
            made[id(task)] = (f"Task/{referral.code}", status, referral.version)
            made[id(request)] = (
                f"ServiceRequest/{referral.code}",
                status,
                referral.version,
            )
            made[id(patient)] = (f"Patient/{referral.patient.code}", status, None)
            for consent in resolver.all_of("Consent"):
                made.setdefault(id(consent), (f"Consent/{referral.code}", status, None))
    answers = []
    for entry in entries:
        resource = entry["resource"]
        if id(resource) in made:
            location, status, version = made[id(resource)]
            if version is not None:
                location = f"{location}/_history/{version}"
            answers.append({"response": {"status": status, "location": location}})
        else:
            answers.append(
                {
                    "response": {
                        "status": "200 OK",
                        "outcome": emit.operation_outcome(
                            "informational",
                            _("Recorded with the referral, not kept on its own."),
                            severity="information",
                        ),
                    }
                }
            )
    return emit.checked_bundle(
        {"resourceType": "Bundle", "type": "transaction-response", "entry": answers}
    )
