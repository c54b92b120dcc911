"""Utilization data: the CSV import (preview, then confirm) and hand edits."""

import csv
import datetime
import io
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext as _

from chwlink.lib.submissions import claims_form_token
from evaluation.access import keeps_data_of, manages_program
from evaluation.models import UtilizationImport, UtilizationRecord
from partners.models import User
from referrals.models import Patient

COUNTS = [
    "ed_visits",
    "inpatient_admissions",
    "hospital_days",
    "readmissions_30d",
    "primary_care_visits",
]
REQUIRED = ["mrn", "period", *COUNTS]
OPTIONAL = ["hba1c", "systolic_bp", "diastolic_bp"]
PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
MAX_FILE_CHARS = 5_000_000


def _number(value: str, name: str, low: int, high: int) -> int:
    if not value.isdecimal() or not low <= int(value) <= high:
        raise ValidationError(
            _("%(name)s must be a whole number from %(low)d to %(high)d.")
            % {"name": name, "low": low, "high": high}
        )
    return int(value)


def _row_values(row: dict) -> dict:
    match = PERIOD.match(row["period"])
    if not match or not 1 <= int(match[2]) <= 12:
        raise ValidationError(_("period must be a month written YYYY-MM."))
    values = {"period": datetime.date(int(match[1]), int(match[2]), 1)}
    for name in COUNTS:
        values[name] = _number(row[name], name, 0, 999)
    if values["readmissions_30d"] > values["inpatient_admissions"]:
        raise ValidationError(_("readmissions_30d cannot exceed inpatient_admissions."))
    hba1c = row.get("hba1c", "")
    if hba1c:
        try:
            values["hba1c"] = Decimal(hba1c)
        except InvalidOperation:
            values["hba1c"] = None
        if values["hba1c"] is None or not Decimal(3) <= values["hba1c"] <= Decimal(20):
            raise ValidationError(_("hba1c must be a percentage from 3 to 20."))
    for name, low, high in (("systolic_bp", 60, 260), ("diastolic_bp", 30, 160)):
        if row.get(name, ""):
            values[name] = _number(row[name], name, low, high)
    return values


def utilization_parse(*, health_system_id: int, content: str) -> dict:
    """Check every line of an extract: what would be created, updated, and each bad
    line with its number and reason. Reads the database, writes nothing."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ValidationError(
            _("The file is missing the columns: %(columns)s.")
            % {"columns": ", ".join(missing)}
        )
    lines = [
        (number, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
        for number, row in enumerate(reader, start=2)
    ]
    mrns = {row["mrn"].upper() for _n, row in lines if row.get("mrn")}
    patients = dict(
        Patient.objects.filter(health_system_id=health_system_id)
        .annotate(key=Upper("mrn"))
        .filter(key__in=mrns)
        .values_list("key", "pk")
    )
    existing = set(
        UtilizationRecord.objects.filter(patient_id__in=patients.values()).values_list(
            "patient_id", "period"
        )
    )
    result = {"create": [], "update": [], "errors": []}
    seen = set()
    for number, row in lines:
        patient_id = patients.get(row.get("mrn", "").upper())
        try:
            if patient_id is None:
                raise ValidationError(_("no patient with this medical record number."))
            values = _row_values(row)
        except ValidationError as reason:
            result["errors"].append({"line": number, "reason": reason.messages[0]})
            continue
        key = (patient_id, values["period"])
        if key in seen:
            result["errors"].append(
                {
                    "line": number,
                    "reason": _("the same patient and month appear twice."),
                }
            )
            continue
        seen.add(key)
        entry = {"line": number, "mrn": row["mrn"], "patient_id": patient_id, **values}
        result["update" if key in existing else "create"].append(entry)
    return result


@claims_form_token
def utilization_import_upload(
    *, actor: User, file_name: str, content: str
) -> UtilizationImport:
    """Keep the uploaded extract, unparsed, for its preview; nothing else is written."""
    if not manages_program(actor):
        raise PermissionDenied
    if len(content) > MAX_FILE_CHARS:
        raise ValidationError(_("The file is too large (5 MB at most)."))
    utilization_parse(health_system_id=actor.organization_id, content=content)
    return UtilizationImport.objects.create(
        health_system_id=actor.organization_id,
        file_name=file_name[:200],
        content=content,
        uploaded_by=actor,
    )


def utilization_import_confirm(
    *, actor: User, upload: UtilizationImport
) -> UtilizationImport:
    """Write the good lines (create or update per patient and month); importing the
    same file again updates the same rows and creates none."""
    if not keeps_data_of(actor, upload.health_system_id):
        raise PermissionDenied
    with transaction.atomic():
        locked = UtilizationImport.objects.select_for_update().get(pk=upload.pk)
        if locked.status != UtilizationImport.Status.PENDING:
            raise ValidationError(_("This file was already imported or discarded."))
        parsed = utilization_parse(
            health_system_id=locked.health_system_id, content=locked.content
        )
        for entry in parsed["create"] + parsed["update"]:
            values = {k: entry.get(k) for k in COUNTS + OPTIONAL}
            UtilizationRecord.objects.update_or_create(
                patient_id=entry["patient_id"],
                period=entry["period"],
                defaults={
                    **values,
                    "source": UtilizationRecord.Source.IMPORT,
                    "updated_by": actor,
                },
            )
        locked.status = UtilizationImport.Status.CONFIRMED
        locked.created_count = len(parsed["create"])
        locked.updated_count = len(parsed["update"])
        locked.confirmed_at = timezone.now()
        locked.save()
    return locked


def utilization_import_discard(*, actor: User, upload: UtilizationImport) -> None:
    if not keeps_data_of(actor, upload.health_system_id):
        raise PermissionDenied
    UtilizationImport.objects.filter(
        pk=upload.pk, status=UtilizationImport.Status.PENDING
    ).update(status=UtilizationImport.Status.DISCARDED, content="")


@claims_form_token
def utilization_save(
    *, actor: User, patient, values: dict, record=None
) -> UtilizationRecord:
    """A program manager enters or corrects one patient-month by hand."""
    if not keeps_data_of(actor, patient.health_system_id):
        raise PermissionDenied
    period = values["period"].replace(day=1)
    clash = UtilizationRecord.objects.filter(patient=patient, period=period)
    if record is not None:
        clash = clash.exclude(pk=record.pk)
    if clash.exists():
        raise ValidationError(_("This patient already has figures for that month."))
    if values["readmissions_30d"] > values["inpatient_admissions"]:
        raise ValidationError(_("Readmissions cannot exceed inpatient admissions."))
    record = record or UtilizationRecord(patient=patient)
    for name in COUNTS + OPTIONAL:
        setattr(record, name, values.get(name))
    record.period = period
    record.source = UtilizationRecord.Source.MANUAL
    record.updated_by = actor
    record.save()
    return record
