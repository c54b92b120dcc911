"""What an import or a hand entry leaves behind: every figure of each line saved
for its patient and month, a second file updating those months with its own
figures, who uploaded and who last changed a month, and extracts that are empty,
short or carry extra values."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluation.models import UtilizationImport, UtilizationRecord
from evaluation.services import utilization
from evaluation.services.utilization import (
    utilization_import_confirm,
    utilization_import_discard,
    utilization_import_upload,
    utilization_parse,
    utilization_save,
)
from partners.tests.factories import UserFactory
from referrals.tests.factories import ReferralFactory

HEADER = (
    "mrn,period,ed_visits,inpatient_admissions,hospital_days,readmissions_30d,"
    "primary_care_visits,hba1c,systolic_bp,diastolic_bp\n"
)
FIGURES = [
    "ed_visits",
    "inpatient_admissions",
    "hospital_days",
    "readmissions_30d",
    "primary_care_visits",
    "hba1c",
    "systolic_bp",
    "diastolic_bp",
]


@pytest.fixture
def patients(partnership):
    return [
        ReferralFactory(partnership=partnership, patient__mrn=mrn).patient
        for mrn in ("A-1", "B-2")
    ]


@pytest.fixture
def other_manager(partnership):
    return UserFactory(role="program_manager", organization=partnership.health_system)


def imported(manager, text):
    upload = utilization_import_upload(
        actor=manager, file_name="extract.csv", content=HEADER + text
    )
    return utilization_import_confirm(actor=manager, upload=upload)


def saved_figures(patient, month):
    record = UtilizationRecord.objects.get(patient=patient, period=month)
    return [getattr(record, name) for name in FIGURES]


def test_an_import_saves_every_figure_for_each_patient_and_month(manager, patients):
    first, second = patients
    upload = imported(
        manager,
        "A-1,2025-10,1,2,5,1,3,7.4,135,85\nB-2,2025-11,4,0,0,0,2,,,\n",
    )
    assert (upload.created_count, upload.updated_count) == (2, 0)
    assert saved_figures(first, datetime.date(2025, 10, 1)) == [
        1, 2, 5, 1, 3, Decimal("7.4"), 135, 85,
    ]  # fmt: skip
    assert saved_figures(second, datetime.date(2025, 11, 1)) == [
        4, 0, 0, 0, 2, None, None, None,
    ]  # fmt: skip
    record = UtilizationRecord.objects.get(patient=first)
    assert (record.source, record.updated_by) == ("import", manager)


def test_a_second_file_replaces_the_figures_of_the_months_it_repeats(
    manager, patients, other_manager
):
    first, _second = patients
    imported(manager, "A-1,2025-10,1,2,5,1,3,7.4,135,85\n")
    again = imported(
        other_manager, "A-1,2025-10,0,1,2,0,6,6.1,120,80\nB-2,2025-10,0,0,0,0,0,,,\n"
    )
    assert (again.created_count, again.updated_count) == (1, 1)
    assert saved_figures(first, datetime.date(2025, 10, 1)) == [
        0, 1, 2, 0, 6, Decimal("6.1"), 120, 80,
    ]  # fmt: skip
    assert UtilizationRecord.objects.get(patient=first).updated_by == other_manager
    assert UtilizationRecord.objects.count() == 2


def test_the_upload_remembers_who_sent_it_for_which_health_system(manager, patients):
    upload = utilization_import_upload(
        actor=manager, file_name="extract.csv", content=HEADER
    )
    stored = UtilizationImport.objects.get(pk=upload.pk)
    assert (stored.uploaded_by, stored.health_system_id, stored.status) == (
        manager,
        manager.organization_id,
        "pending",
    )


def test_a_file_without_the_columns_is_refused_and_not_kept(manager):
    with pytest.raises(ValidationError, match="missing the columns: mrn, period"):
        utilization_import_upload(
            actor=manager, file_name="notes.csv", content="name,notes\nx,y\n"
        )
    assert not UtilizationImport.objects.exists()


def test_an_empty_file_is_refused_naming_every_column(manager):
    with pytest.raises(ValidationError) as refused:
        utilization_parse(health_system_id=manager.organization_id, content="")
    assert refused.value.messages == [
        "The file is missing the columns: mrn, period, ed_visits, "
        "inpatient_admissions, hospital_days, readmissions_30d, primary_care_visits."
    ]


def test_a_line_with_extra_values_or_cut_short_is_still_read(manager, patients):
    result = utilization_parse(
        health_system_id=manager.organization_id,
        content=HEADER + "A-1,2025-10,1,0,0,0,0,,,,stray note\nB-2,2025-10,2,0,0,0,1\n",
    )
    assert not result["errors"]
    assert [(e["mrn"], e["ed_visits"]) for e in result["create"]] == [
        ("A-1", 1),
        ("B-2", 2),
    ]
    assert "hba1c" not in result["create"][1]


def test_a_hand_entry_saves_every_figure_and_who_entered_it(manager, patients):
    first, _second = patients
    utilization_save(
        actor=manager,
        patient=first,
        values={
            "period": datetime.date(2026, 2, 14),
            "ed_visits": 2,
            "inpatient_admissions": 1,
            "hospital_days": 4,
            "readmissions_30d": 1,
            "primary_care_visits": 3,
            "hba1c": Decimal("8.2"),
            "systolic_bp": 142,
            "diastolic_bp": 91,
        },
    )
    assert saved_figures(first, datetime.date(2026, 2, 1)) == [
        2, 1, 4, 1, 3, Decimal("8.2"), 142, 91,
    ]  # fmt: skip
    record = UtilizationRecord.objects.get(patient=first)
    assert (record.source, record.updated_by) == ("manual", manager)


def test_a_correction_may_keep_its_own_month_but_not_take_another_patients(
    manager, patients
):
    first, second = patients
    values = {
        "period": datetime.date(2026, 2, 1),
        "ed_visits": 0,
        "inpatient_admissions": 0,
        "hospital_days": 0,
        "readmissions_30d": 0,
        "primary_care_visits": 0,
    }
    mine = utilization_save(actor=manager, patient=first, values=values)
    utilization_save(actor=manager, patient=second, values=values)
    corrected = utilization_save(
        actor=manager, patient=first, record=mine, values={**values, "ed_visits": 3}
    )
    assert corrected.ed_visits == 3
    assert UtilizationRecord.objects.get(patient=second).ed_visits == 0


def test_refusals_say_exactly_what_is_wrong(manager, patients, monkeypatch):
    first, _second = patients
    upload = imported(manager, "A-1,2025-10,0,0,0,0,0,,,\n")
    with pytest.raises(ValidationError) as refused:
        utilization_import_confirm(actor=manager, upload=upload)
    assert refused.value.messages == ["This file was already imported or discarded."]
    monkeypatch.setattr(utilization, "MAX_FILE_CHARS", 10)
    with pytest.raises(ValidationError) as refused:
        utilization_import_upload(actor=manager, file_name="x.csv", content=HEADER)
    assert refused.value.messages == ["The file is too large (5 MB at most)."]
    values = {
        "period": datetime.date(2025, 10, 1),
        "ed_visits": 0,
        "inpatient_admissions": 1,
        "hospital_days": 0,
        "readmissions_30d": 0,
        "primary_care_visits": 0,
    }
    with pytest.raises(ValidationError) as refused:
        utilization_save(actor=manager, patient=first, values=values)
    assert refused.value.messages == [
        "This patient already has figures for that month."
    ]
    with pytest.raises(ValidationError) as refused:
        utilization_save(
            actor=manager,
            patient=first,
            values={
                **values,
                "period": datetime.date(2025, 11, 1),
                "readmissions_30d": 2,
            },
        )
    assert refused.value.messages == [
        "Readmissions cannot exceed inpatient admissions."
    ]


def test_discarding_one_file_leaves_another_waiting_to_be_confirmed(manager, patients):
    kept, dropped = (
        utilization_import_upload(
            actor=manager, file_name=name, content=HEADER + "A-1,2025-10,0,0,0,0,0\n"
        )
        for name in ("kept.csv", "dropped.csv")
    )
    utilization_import_discard(actor=manager, upload=dropped)
    confirmed = utilization_import_confirm(actor=manager, upload=kept)
    assert (confirmed.status, confirmed.created_count) == ("confirmed", 1)


def test_lines_after_a_repeated_month_are_still_read(manager, patients):
    result = utilization_parse(
        health_system_id=manager.organization_id,
        content=HEADER
        + "A-1,2025-10,0,0,0,0,0\nA-1,2025-10,1,0,0,0,0\nB-2,2025-10,2,0,0,0,0\n",
    )
    assert [e["line"] for e in result["create"]] == [2, 4]
    assert [e["line"] for e in result["errors"]] == [3]
