"""The utilization extract at its edges: each number at its lowest and highest
allowed value and one past, the column header however it is written, line numbers,
patients of another health system, and who may upload, confirm or discard."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import UtilizationImport, UtilizationRecord
from evaluation.services import utilization
from evaluation.services.utilization import (
    utilization_import_confirm,
    utilization_import_discard,
    utilization_import_upload,
    utilization_parse,
    utilization_save,
)
from referrals.tests.factories import PatientFactory, ReferralFactory

HEADER = (
    "mrn,period,ed_visits,inpatient_admissions,hospital_days,readmissions_30d,"
    "primary_care_visits,hba1c,systolic_bp,diastolic_bp\n"
)
GOOD = "A-1,2025-10,0,0,0,0,0,,,"
READMISSIONS = "readmissions_30d cannot exceed inpatient_admissions."
HBA1C = "hba1c must be a percentage from 3 to 20."
PERIOD = "period must be a month written YYYY-MM."


def whole(name, low, high):
    return f"{name} must be a whole number from {low} to {high}."


@pytest.fixture
def patient(partnership):
    return ReferralFactory(partnership=partnership, patient__mrn="A-1").patient


def parse(manager, *lines, header=HEADER):
    return utilization_parse(
        health_system_id=manager.organization_id,
        content=header + "".join(f"{line}\n" for line in lines),
    )


def errors_of(result):
    return {error["line"]: error["reason"] for error in result["errors"]}


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("A-1,2025-10,999,999,999,999,999,20,260,160", None),
        ("A-1,2025-10,0,0,0,0,0,3,60,30", None),
        ("A-1,2025-10,1000,0,0,0,0,,,", whole("ed_visits", 0, 999)),
        ("A-1,2025-10,0,0,1000,0,0,,,", whole("hospital_days", 0, 999)),
        ("A-1,2025-10,0,0,0,0,-1,,,", whole("primary_care_visits", 0, 999)),
        ("A-1,2025-10,1.5,0,0,0,0,,,", whole("ed_visits", 0, 999)),
        ("A-1,2025-10,0,2,0,2,0,,,", None),
        ("A-1,2025-10,0,2,0,3,0,,,", READMISSIONS),
        ("A-1,2025-10,0,0,0,0,0,2.9,,", HBA1C),
        ("A-1,2025-10,0,0,0,0,0,20.1,,", HBA1C),
        ("A-1,2025-10,0,0,0,0,0,high,,", HBA1C),
        ("A-1,2025-10,0,0,0,0,0,,59,", whole("systolic_bp", 60, 260)),
        ("A-1,2025-10,0,0,0,0,0,,261,", whole("systolic_bp", 60, 260)),
        ("A-1,2025-10,0,0,0,0,0,,,29", whole("diastolic_bp", 30, 160)),
        ("A-1,2025-10,0,0,0,0,0,,,161", whole("diastolic_bp", 30, 160)),
        ("A-1,2025-01,0,0,0,0,0,,,", None),
        ("A-1,2025-12,0,0,0,0,0,,,", None),
        ("A-1,2025-00,0,0,0,0,0,,,", PERIOD),
        ("A-1,2025-13,0,0,0,0,0,,,", PERIOD),
        ("A-1,2025-1,0,0,0,0,0,,,", PERIOD),
        ("A-1,2025-10-01,0,0,0,0,0,,,", PERIOD),
    ],
)  # fmt: skip
def test_each_value_at_and_past_its_limits(manager, patient, line, reason):
    result = parse(manager, line)
    assert errors_of(result) == ({2: reason} if reason else {})
    assert len(result["create"]) == (0 if reason else 1)


def test_a_good_line_carries_every_value(manager, patient):
    result = parse(manager, " a-1 , 2025-10 ,1,2,3,1,4,7.25,120,80")
    assert result["create"] == [
        {
            "line": 2, "mrn": "a-1", "patient_id": patient.pk,
            "period": datetime.date(2025, 10, 1), "ed_visits": 1,
            "inpatient_admissions": 2, "hospital_days": 3, "readmissions_30d": 1,
            "primary_care_visits": 4, "hba1c": Decimal("7.25"),
            "systolic_bp": 120, "diastolic_bp": 80,
        }
    ]  # fmt: skip


def test_header_is_read_in_any_case_with_a_byte_order_mark(manager, patient):
    header = "\ufeff" + HEADER.upper().replace(",", " , ")
    result = parse(manager, GOOD, header=header)
    assert len(result["create"]) == 1 and not result["errors"]


def test_the_optional_columns_may_be_left_out(manager, patient):
    header = HEADER.replace(",hba1c,systolic_bp,diastolic_bp", "")
    result = parse(manager, "A-1,2025-10,0,0,0,0,0", header=header)
    assert not result["errors"]
    assert "hba1c" not in result["create"][0]


def test_missing_columns_are_named(manager):
    with pytest.raises(ValidationError) as refused:
        parse(manager, "A-1,2025-10", header="mrn,period,ed_visits,hba1c\n")
    assert refused.value.messages == [
        "The file is missing the columns: inpatient_admissions, hospital_days, "
        "readmissions_30d, primary_care_visits."
    ]


def test_a_patient_of_another_health_system_is_not_found(
    manager, patient, other_partnership
):
    PatientFactory(health_system=other_partnership.health_system, mrn="B-2")
    result = parse(manager, GOOD, "B-2,2025-10,0,0,0,0,0,,,", "")
    assert errors_of(result) == {3: "no patient with this medical record number."}


def test_an_existing_month_is_an_update_and_a_new_one_a_creation(manager, patient):
    utilization_save(
        actor=manager, patient=patient,
        values={"period": datetime.date(2025, 10, 1), "ed_visits": 5,
                "inpatient_admissions": 0, "hospital_days": 0,
                "readmissions_30d": 0, "primary_care_visits": 0},
    )  # fmt: skip
    result = parse(manager, GOOD, "A-1,2025-11,0,0,0,0,0,,,")
    assert [entry["line"] for entry in result["update"]] == [2]
    assert [entry["line"] for entry in result["create"]] == [3]


def test_upload_and_confirm_write_the_good_lines(manager, patient):
    upload = utilization_import_upload(
        actor=manager, file_name="x" * 250 + ".csv",
        content=HEADER + GOOD + "\nZZZ,2025-10,0,0,0,0,0,,,\n",
    )  # fmt: skip
    assert len(upload.file_name) == 200
    assert not UtilizationRecord.objects.exists()
    confirmed = utilization_import_confirm(actor=manager, upload=upload)
    assert (confirmed.status, confirmed.created_count, confirmed.updated_count) == (
        "confirmed", 1, 0,
    )  # fmt: skip
    assert confirmed.confirmed_at is not None
    record = UtilizationRecord.objects.get()
    assert (record.patient, record.source, record.updated_by) == (
        patient, "import", manager,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="already imported or discarded"):
        utilization_import_confirm(actor=manager, upload=upload)
    utilization_import_discard(actor=manager, upload=upload)
    upload.refresh_from_db()
    assert upload.status == "confirmed" and upload.content


def test_a_discarded_file_loses_its_content_and_cannot_be_confirmed(manager, patient):
    upload = utilization_import_upload(
        actor=manager, file_name="x.csv", content=HEADER + GOOD
    )
    utilization_import_discard(actor=manager, upload=upload)
    upload.refresh_from_db()
    assert (upload.status, upload.content) == ("discarded", "")
    with pytest.raises(ValidationError):
        utilization_import_confirm(actor=manager, upload=upload)
    assert not UtilizationRecord.objects.exists()


def test_a_file_of_exactly_the_size_limit_is_taken(manager, patient, monkeypatch):
    monkeypatch.setattr(utilization, "MAX_FILE_CHARS", len(HEADER + GOOD))
    upload = utilization_import_upload(
        actor=manager, file_name="x.csv", content=HEADER + GOOD
    )
    assert upload.content == HEADER + GOOD
    with pytest.raises(ValidationError, match="too large"):
        utilization_import_upload(
            actor=manager, file_name="x.csv", content=HEADER + GOOD + "\n"
        )


def test_only_the_health_systems_program_managers_handle_imports(
    manager, navigator, supervisor, clinic_user, outsiders, patient
):
    upload = utilization_import_upload(
        actor=manager, file_name="x.csv", content=HEADER + GOOD
    )
    for actor in (navigator, supervisor, clinic_user):
        with pytest.raises(PermissionDenied):
            utilization_import_upload(actor=actor, file_name="x.csv", content=HEADER)
    for actor in (navigator, outsiders["program_manager"]):
        with pytest.raises(PermissionDenied):
            utilization_import_confirm(actor=actor, upload=upload)
        with pytest.raises(PermissionDenied):
            utilization_import_discard(actor=actor, upload=upload)
        with pytest.raises(PermissionDenied):
            utilization_save(actor=actor, patient=patient, values={})
    assert UtilizationImport.objects.get().status == "pending"


def test_hand_entry_keeps_one_row_per_month(manager, patient):
    values = {
        "period": datetime.date(2026, 1, 17), "ed_visits": 1,
        "inpatient_admissions": 2, "hospital_days": 3, "readmissions_30d": 2,
        "primary_care_visits": 0, "hba1c": Decimal("6.5"),
    }  # fmt: skip
    record = utilization_save(actor=manager, patient=patient, values=values)
    assert (record.period, record.source, record.hba1c) == (
        datetime.date(2026, 1, 1), "manual", Decimal("6.5"),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="already has figures for that month"):
        utilization_save(actor=manager, patient=patient, values=values)
    corrected = utilization_save(
        actor=manager, patient=patient, record=record,
        values={**values, "ed_visits": 4, "hba1c": None},
    )  # fmt: skip
    assert (corrected.pk, corrected.ed_visits, corrected.hba1c) == (record.pk, 4, None)
    with pytest.raises(ValidationError, match="Readmissions cannot exceed"):
        utilization_save(
            actor=manager, patient=patient, record=record,
            values={**values, "readmissions_30d": 3},
        )  # fmt: skip
