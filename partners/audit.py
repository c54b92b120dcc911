"""The audit log: who read PHI (access records written after each response) and who
changed it (django-pghistory events written by database triggers).

Reads are recorded in one place, after each response: ``AUDITED_ROUTES`` maps a URL
name to the kind of record its ``code`` names and what the page does with it, and any
other page whose request loaded a patient's rows (``chwlink.lib.patients_shown``) is
recorded with the patients it showed. A list view marks the records it showed with
``request.audit_shown``. A 404 on any URL that names a record is a refused access.

What the history shows of a change follows the pages: ``value_visible`` hides the
old and new values of a field from whoever may not see it on the record's own page.
"""

import uuid

import pghistory
from axes.helpers import get_client_ip_address
from django.apps import apps
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from pghistory.models import MiddlewareEvents

from chwlink.lib import csv_export
from chwlink.lib.models import AccessRecord
from evaluation.models import PamAdministration, Story, UtilizationRecord
from partners.access import manages_program, reads_audit, reads_every_patient_trail
from partners.models import Partnership
from referrals.access import sees_contact_notes, sees_patient_contact, works_at_cbo
from referrals.models import Pathway, Patient, Referral, Screening

Action = AccessRecord.Action
ObjectType = AccessRecord.ObjectType

AUDITED_ROUTES = {
    "referrals:patient-detail": (ObjectType.PATIENT, Action.VIEW),
    "referrals:patient-edit": (ObjectType.PATIENT, Action.VIEW),
    "referrals:referral-create": (ObjectType.PATIENT, Action.VIEW),
    "referrals:referral-detail": (ObjectType.REFERRAL, Action.VIEW),
    "referrals:referral-edit": (ObjectType.REFERRAL, Action.VIEW),
    "referrals:pathway-detail": (ObjectType.PATHWAY, Action.VIEW),
    "referrals:screening-detail": (ObjectType.SCREENING, Action.VIEW),
    "referrals:clinic-referral-list": (ObjectType.REFERRAL, Action.LIST),
    "referrals:inbox": (ObjectType.REFERRAL, Action.LIST),
    "referrals:caseload": (ObjectType.REFERRAL, Action.LIST),
    "referrals:all-referrals": (ObjectType.REFERRAL, Action.LIST),
    "referrals:pathway-approvals": (ObjectType.PATHWAY, Action.LIST),
    # Texts from numbers no single patient has: phone numbers and what was said.
    "referrals:texts-to-match": (ObjectType.REFERRAL, Action.LIST),
    "evaluation:patient-pam": (ObjectType.PATIENT, Action.VIEW),
    "evaluation:pam-detail": (ObjectType.PAM, Action.VIEW),
    "evaluation:pam-due": (ObjectType.PAM, Action.LIST),
    "evaluation:story-detail": (ObjectType.STORY, Action.VIEW),
    "evaluation:story-list": (ObjectType.STORY, Action.LIST),
    "evaluation:utilization-edit": (ObjectType.UTILIZATION, Action.VIEW),
    "evaluation:utilization-list": (ObjectType.UTILIZATION, Action.LIST),
    "evaluation:export-dataset": (ObjectType.DATASET, Action.EXPORT),
    "evaluation:export-stories": (ObjectType.DATASET, Action.EXPORT),
    "evaluation:export-table": (ObjectType.DATASET, Action.EXPORT),
    "evaluation:report-detail": (ObjectType.REPORT, Action.VIEW),
    "evaluation:report-csv": (ObjectType.REPORT, Action.DOWNLOAD),
    "partners:contract-document": (ObjectType.CONTRACT, Action.DOWNLOAD),
    "partners:statement-csv": (ObjectType.STATEMENT, Action.EXPORT),
    "partners:audit-export": (ObjectType.AUDIT_LOG, Action.EXPORT),
    "partners:audit-changes-export": (ObjectType.AUDIT_LOG, Action.EXPORT),
    "partners:patient-audit": (ObjectType.PATIENT, Action.VIEW),
}

# For refused requests on routes not listed above: the record kind by URL name prefix.
DENIED_TYPES = {
    "patient": ObjectType.PATIENT,
    "referral": ObjectType.REFERRAL,
    "encounter": ObjectType.REFERRAL,
    "pathway": ObjectType.PATHWAY,
    "screening": ObjectType.SCREENING,
    "pam": ObjectType.PAM,
    "story": ObjectType.STORY,
    "utilization": ObjectType.UTILIZATION,
    "report": ObjectType.REPORT,
    "contract": ObjectType.CONTRACT,
    "statement": ObjectType.STATEMENT,
    "partnership": ObjectType.PARTNERSHIP,
    "plan": ObjectType.PARTNERSHIP,
    "training": ObjectType.PARTNERSHIP,
    "required": ObjectType.PARTNERSHIP,
    # The FHIR API (``fhir:task-read``…): a Task, its ServiceRequest and Consent
    # are the referral; a Procedure is a pathway's (or the referral's) outcome.
    "task": ObjectType.REFERRAL,
    "servicerequest": ObjectType.REFERRAL,
    "consent": ObjectType.REFERRAL,
    "procedure": ObjectType.PATHWAY,
}

# Routes whose code names the patient although their name says otherwise.
PATIENT_ROUTES = {"evaluation:pam-new", "evaluation:story-new"}

CODE_KWARGS = ("code", "patient_code")


def _route(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None, None
    code = next((match.kwargs[k] for k in CODE_KWARGS if k in match.kwargs), None)
    return match.view_name, code


def _denied_type(view_name):
    if view_name in PATIENT_ROUTES:
        return ObjectType.PATIENT
    if view_name in AUDITED_ROUTES:
        return AUDITED_ROUTES[view_name][0]
    noun = view_name.rpartition(":")[2].split("-")[0]
    return DENIED_TYPES.get(noun, ObjectType.OTHER)


def access_record_for_response(
    *, request, response, patients=None
) -> AccessRecord | None:
    """Record a signed-in user's page that showed patient data (an audited route,
    or any page, the admin's included, whose request loaded a patient's rows:
    ``patients``, id to code), and any 404 on a URL naming a record (one INSERT;
    nothing for other requests)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    view_name, code = _route(request)
    if view_name is None:
        return None
    shown = getattr(request, "audit_shown", None)
    if response.status_code == 404 and code is not None:
        object_type, action = _denied_type(view_name), Action.DENIED
        shown = shown or []
    elif not _shows_page(response):
        return None
    elif view_name in AUDITED_ROUTES:
        object_type, action = AUDITED_ROUTES[view_name]
    elif patients:
        object_type = _denied_type(view_name) if code else ObjectType.PATIENT
        action = Action.VIEW if code or len(patients) == 1 else Action.LIST
    else:
        return None
    if shown is None and view_name in AUDITED_ROUTES:
        shown = []
    elif shown is None:
        shown = [c for c in _patient_codes_of(patients or {}) if c != code]
    return AccessRecord.objects.create(
        user=user,
        organization_id=user.organization_id,
        object_type=object_type,
        object_code=code,
        shown_codes=list(shown),
        action=action,
        ip_address=get_client_ip_address(request),
        request_id=getattr(request, "request_id", None),
        path=request.path[:500],
    )


def _shows_page(response):
    """A page or download was sent (also a form shown again after a POST), not a
    redirect or a refusal."""
    return response.status_code == 200


def _patient_codes_of(patients: dict) -> list:
    """The codes of the patients loaded; one query only for rows loaded without
    their patient's code (records about a patient, a patient without its code)."""
    codes = [code for code in patients.values() if code is not None]
    missing = [pk for pk, code in patients.items() if code is None]
    if missing:
        codes += Patient.objects.filter(pk__in=missing).values_list("code", flat=True)
    return sorted(codes)


# --- Reading the audit log ------------------------------------------------------------


def patient_get_for_audit(user, code) -> Patient:
    """Supervisors and program managers read the audit trail of patients referred
    within a partnership of their organization (program managers of the health
    system: all its patients); anyone else gets 404."""
    if not reads_audit(user):
        raise Http404
    org = user.organization_id
    partnerships = Partnership.objects.of_organization(org)
    scope = Exists(
        Referral.objects.filter(patient_id=OuterRef("pk"), partnership__in=partnerships)
    )
    if reads_every_patient_trail(user):
        scope |= Q(health_system_id=org)
    return get_object_or_404(Patient.objects.filter(scope), code=code)


def patient_audit_trail(patient) -> dict:
    """Querysets, newest first, of reads and changes of the patient and everything
    recorded about them (referrals, pathways, PAM, stories, utilization)."""
    referrals = list(Referral.objects.filter(patient=patient).only("pk", "code"))
    pathways = list(
        Pathway.objects.filter(referral__patient=patient).only("pk", "code")
    )
    codes = [patient.code, *(row.code for row in referrals + pathways)]
    codes += list(
        Story.objects.filter(patient=patient)
        .values_list("code", flat=True)
        .union(
            PamAdministration.objects.filter(patient=patient).values_list(
                "code", flat=True
            ),
            UtilizationRecord.objects.filter(patient=patient).values_list(
                "code", flat=True
            ),
            Screening.objects.filter(patient=patient).values_list("code", flat=True),
            all=True,
        )
    )
    reads = AccessRecord.objects.filter(
        Q(object_code__in=codes) | Q(shown_codes__overlap=codes)
    ).select_related("user", "organization")
    changes = (
        MiddlewareEvents.objects.across(*history_models())
        .filter(
            _changes_about(
                patient_ids=[patient.pk],
                referral_ids=[row.pk for row in referrals],
                pathway_ids=[row.pk for row in pathways],
            )
        )
        .select_related("user")
        .order_by("-pgh_created_at", "-pgh_id")
    )
    return {"reads": reads, "changes": changes}


def _changes_about(*, patient_ids, referral_ids, pathway_ids) -> Q:
    """History events of the patients and of what hangs off them."""
    return (
        Q(
            pgh_obj_model="referrals.Patient",
            pgh_obj_id__in=[str(pk) for pk in patient_ids],
        )
        | Q(pgh_data__patient_id__in=patient_ids)
        | Q(pgh_data__referral_id__in=referral_ids)
        | Q(pgh_data__pathway_id__in=pathway_ids)
    )


def change_event_search(*, filters: dict):
    """Administrators' search of the change history: by who made the change
    (e-mail), the patient it concerns (MRN or code) and dates."""
    events = MiddlewareEvents.objects.across(*history_models()).select_related("user")
    if filters.get("user"):
        events = events.filter(user__email__iexact=filters["user"])
    if filters.get("patient"):
        patient_ids = list(
            _patients_matching(filters["patient"]).values_list("pk", flat=True)
        )
        referral_ids = list(
            Referral.objects.filter(patient_id__in=patient_ids).values_list(
                "pk", flat=True
            )
        )
        pathway_ids = list(
            Pathway.objects.filter(referral_id__in=referral_ids).values_list(
                "pk", flat=True
            )
        )
        events = events.filter(
            _changes_about(
                patient_ids=patient_ids,
                referral_ids=referral_ids,
                pathway_ids=pathway_ids,
            )
        )
    if filters.get("start"):
        events = events.filter(pgh_created_at__date__gte=filters["start"])
    if filters.get("end"):
        events = events.filter(pgh_created_at__date__lte=filters["end"])
    return events.order_by("-pgh_created_at", "-pgh_id")


def change_events_write_csv(out, events) -> None:
    writer = csv_export.writer(out)
    writer.writerow(
        ["time", "user", "record_type", "record_id", "event", "url", "changes"]
    )
    for row in change_rows(events):
        event = row["event"]
        writer.writerow(
            [
                event.pgh_created_at.isoformat(),
                event.user.email if event.user else "",
                event.pgh_obj_model,
                event.pgh_obj_id,
                event.pgh_label,
                event.url or "",
                "; ".join(
                    f"{field}: {old} -> {new}" for field, old, new in row["changes"]
                ),
            ]
        )


def history_models() -> list:
    """Every event model of django-pghistory (the tracked PHI tables)."""
    return [model for model in apps.get_models() if hasattr(model, "pgh_tracked_model")]


def change_rows(events, *, viewer=None, patient=None) -> list[dict]:
    """Events as rows for a page: what changed, from what to what. For a
    ``viewer``, the old and new values of a field they may not see on the record's
    own pages are left out (``hidden``): the row says only that it changed."""
    rows = []
    for event in events:
        model = apps.get_model(event.pgh_obj_model)
        diff = event.pgh_diff or _relation_diff(model, event)
        fields = sorted(set(diff) - UNINTERESTING_FIELDS)
        hidden = set()
        if viewer is not None:
            hidden = {
                field
                for field in fields
                if not value_visible(viewer, event.pgh_obj_model, field, patient)
            }
        rows.append(
            {
                "event": event,
                "record": model._meta.verbose_name,
                "changes": [
                    (field, *((None, None) if field in hidden else diff[field]))
                    for field in fields
                ],
                "hidden": hidden,
            }
        )
    return rows


UNINTERESTING_FIELDS = {"updated", "version"}


def _relation_diff(model, event) -> dict:
    """A row of a many-to-many relation (a partnership's clinic, a referral shared
    with a person) has no earlier version: its fields, as added or removed."""
    through = model._meta.concrete_model._meta.auto_created
    if not through or not event.pgh_data:
        return {}
    trackers = apps.get_model(event.pgh_model).pgh_trackers
    removed = any(
        isinstance(tracker, pghistory.DeleteEvent) and tracker.label == event.pgh_label
        for tracker in trackers
    )
    return {
        field: [value, None] if removed else [None, value]
        for field, value in event.pgh_data.items()
        if field != "id"
    }


# Fields of the patient page's contact card: hidden from program managers, and for
# a patient not to be contacted directly the phone numbers and address are hidden
# from everyone (only the safe way to reach them shows).
PHONE_AND_ADDRESS = {
    "phone",
    "phone_alt",
    "voicemail_ok",
    "texts_ok",
    "best_time_to_call",
    "address",
    "city",
    "state",
    "postal_code",
}


def value_visible(user, model_label, field, patient=None) -> bool:
    """Whether ``user`` may see this field's values in the history: the rule of the
    page that shows the record (the patient page, a contact, PAM, utilization)."""
    if model_label == "referrals.Patient":
        if field in PHONE_AND_ADDRESS:
            hidden_for_all = patient is not None and patient.do_not_contact
            return sees_patient_contact(user) and not hidden_for_all
        if field == "safe_contact_note":
            return sees_patient_contact(user)
        return True
    if model_label == "referrals.Encounter" and field == "note":
        return sees_contact_notes(user)
    if model_label == "evaluation.PamAdministration":
        return works_at_cbo(user)
    if model_label == "evaluation.UtilizationRecord":
        return manages_program(user)
    return True


def access_record_search(*, filters: dict) -> QuerySet[AccessRecord]:
    """Administrators' search of the access log by person (e-mail), patient (medical
    record number or code: reads of the patient and of their referrals) and dates."""
    records = AccessRecord.objects.select_related("user", "organization")
    if filters.get("user"):
        records = records.filter(user__email__iexact=filters["user"])
    if filters.get("patient"):
        codes = _patient_codes(filters["patient"])
        records = records.filter(
            Q(object_code__in=codes) | Q(shown_codes__overlap=codes)
        )
    if filters.get("start"):
        records = records.filter(created__date__gte=filters["start"])
    if filters.get("end"):
        records = records.filter(created__date__lte=filters["end"])
    return records


def _patients_matching(text: str):
    try:
        match = Q(code=uuid.UUID(text))
    except ValueError:
        match = Q(mrn__iexact=text.strip())
    return Patient.objects.filter(match)


def _patient_codes(text: str) -> list:
    patients = _patients_matching(text)
    return list(
        patients.values_list("code", flat=True).union(
            Referral.objects.filter(patient__in=patients).values_list(
                "code", flat=True
            ),
            all=True,
        )
    )


def access_records_write_csv(out, records) -> None:
    writer = csv_export.writer(out)
    writer.writerow(
        [
            "time",
            "user",
            "organization",
            "action",
            "record_type",
            "record",
            "records_shown",
            "ip_address",
            "request_id",
            "path",
        ]
    )
    for record in records.iterator(chunk_size=2000):
        writer.writerow(
            [
                record.created.isoformat(),
                record.user.email if record.user else "",
                record.organization.name if record.organization else "",
                record.action,
                record.object_type,
                record.object_code or "",
                " ".join(str(code) for code in record.shown_codes),
                record.ip_address or "",
                record.request_id or "",
                record.path,
            ]
        )
