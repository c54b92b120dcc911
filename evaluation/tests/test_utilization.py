import datetime
import io
from decimal import Decimal

import pytest
import time_machine

from evaluation.models import UtilizationImport, UtilizationRecord
from evaluation.services.utilization import utilization_save
from referrals.tests.factories import ReferralFactory

HEADER = (
    "mrn,period,ed_visits,inpatient_admissions,hospital_days,readmissions_30d,"
    "primary_care_visits,hba1c\n"
)
ENROLLED = datetime.datetime(2026, 3, 10, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture
def patients(partnership):
    with time_machine.travel(ENROLLED, tick=False):
        return [
            ReferralFactory(partnership=partnership, patient__mrn=mrn).patient
            for mrn in ("A-1", "B-2", "C-3")
        ]


def _upload(client, text, name="extract.csv"):
    upload = io.BytesIO(text.encode())
    upload.name = name
    return client.post("/evaluation/utilization/import/", {"file": upload})


def test_preview_lists_changes_and_every_bad_line_and_writes_nothing(
    login, manager, patients
):
    text = HEADER + (
        "A-1,2025-10,2,1,3,0,1,7.9\n"
        "ZZZ,2025-10,1,0,0,0,1,\n"
        "a-1,2025-13,1,0,0,0,1,\n"
        "B-2,2025-12,1,0,0,2,1,\n"
        "C-3,2025-09,one,0,0,0,1,\n"
        "A-1,2025-10,0,0,0,0,0,\n"
    )
    client = login(manager)
    response = client.get(_upload(client, text)["Location"])
    page = response.content.decode()
    errors = {e["line"]: e["reason"] for e in response.context["preview"]["errors"]}
    assert errors == {
        3: "no patient with this medical record number.",
        4: "period must be a month written YYYY-MM.",
        5: "readmissions_30d cannot exceed inpatient_admissions.",
        6: "ed_visits must be a whole number from 0 to 999.",
        7: "the same patient and month appear twice.",
    }
    assert "1 months will be added, 0 updated; 5 lines have problems" in page
    assert not UtilizationRecord.objects.exists()


def test_confirm_writes_and_reimport_creates_no_duplicates(login, manager, patients):
    text = HEADER + "A-1,2025-10,2,1,3,0,1,7.9\nB-2,2025-11,0,0,0,0,2,\n"
    client = login(manager)
    for expected in ({"created": 2, "updated": 0}, {"created": 0, "updated": 2}):
        preview = _upload(client, text)["Location"]
        client.post(preview + "confirm/", {"action": "confirm"})
        upload = UtilizationImport.objects.order_by("-pk").first()
        assert upload.created_count == expected["created"]
        assert upload.updated_count == expected["updated"]
    assert UtilizationRecord.objects.count() == 2
    record = UtilizationRecord.objects.get(patient=patients[0])
    assert (record.ed_visits, str(record.hba1c)) == (2, "7.9")


def test_confirmed_import_cannot_be_confirmed_twice(login, manager, patients):
    client = login(manager)
    preview = _upload(client, HEADER + "A-1,2025-10,2,1,3,0,1,\n")["Location"]
    client.post(preview + "confirm/", {"action": "confirm"})
    UtilizationRecord.objects.all().delete()
    client.post(preview + "confirm/", {"action": "confirm"})
    assert not UtilizationRecord.objects.exists()


def test_discarded_import_writes_nothing(login, manager, patients):
    client = login(manager)
    preview = _upload(client, HEADER + "A-1,2025-10,2,1,3,0,1,\n")["Location"]
    client.post(preview + "confirm/", {"action": "discard"})
    assert UtilizationImport.objects.get().status == "discarded"
    assert not UtilizationRecord.objects.exists()


def test_file_without_required_columns_is_refused_beside_the_field(login, manager):
    response = _upload(login(manager), "mrn,period\nA-1,2025-10\n")
    assert "The file is missing the columns" in response.content.decode()
    assert not UtilizationImport.objects.exists()


def test_manager_edits_a_month_by_hand(login, manager, patients):
    client = login(manager)
    data = {"mrn": "A-1", "period": "2026-01", "ed_visits": 1,
            "inpatient_admissions": 1, "hospital_days": 4, "readmissions_30d": 0,
            "primary_care_visits": 2}  # fmt: skip
    assert client.post("/evaluation/utilization/new/", data).status_code == 302
    record = UtilizationRecord.objects.get()
    client.post(f"/evaluation/utilization/{record.code}/", {**data, "ed_visits": 3})
    record.refresh_from_db()
    assert (record.ed_visits, record.source) == (3, "manual")
    response = client.post(
        "/evaluation/utilization/new/", {**data, "readmissions_30d": 2}
    )
    assert (
        "Readmissions cannot exceed inpatient admissions." in response.content.decode()
    )


def test_utilization_list_has_a_fixed_query_count(
    login, manager, patients, django_assert_max_num_queries
):
    for month in range(1, 13):
        utilization_save(
            actor=manager, patient=patients[0],
            values={"period": datetime.date(2025, month, 1), "ed_visits": 1,
                    "inpatient_admissions": 0, "hospital_days": 0,
                    "readmissions_30d": 0, "primary_care_visits": 1},
        )  # fmt: skip
    client = login(manager)
    # session, user, 2FA check, count, page of records with patients, session save
    with django_assert_max_num_queries(9):
        response = client.get("/evaluation/utilization/")
    assert len(response.context["page"]) == 12


def _month(patient, manager, year, month, ed):
    utilization_save(
        actor=manager, patient=patient,
        values={"period": datetime.date(year, month, 1), "ed_visits": ed,
                "inpatient_admissions": 0, "hospital_days": 0,
                "readmissions_30d": 0, "primary_care_visits": 0},
    )  # fmt: skip


def test_pre_post_rates_use_only_patients_seen_in_both_periods(
    login, manager, patients
):
    a, b, c = patients
    for year, month, ed in ((2025, 10, 2), (2025, 11, 1), (2026, 1, 0)):
        _month(a, manager, year, month, ed)
    for year, month, ed in ((2026, 4, 1), (2026, 5, 0), (2026, 6, 0)):
        _month(a, manager, year, month, ed)
    _month(b, manager, 2025, 12, 4)  # before only: not compared
    _month(c, manager, 2025, 8, 5)  # outside the 6-month window
    _month(c, manager, 2025, 9, 1)
    _month(c, manager, 2026, 8, 0)
    data = login(manager).get("/evaluation/").context["data"]["utilization"]
    assert data["totals"]["n"] == 2
    assert data["attrition"] == 1
    ed = data["table"]["rows"][0]
    # before: 4 visits over 4 person-months = 12.0 per person-year; after: 1 over 4
    assert ed[1:] == [2, 12.0, 3.0, -9.0]


def test_hba1c_change_uses_patients_with_values_before_and_after(
    login, manager, patients
):
    a, b, _c = patients
    for patient, values in (
        (a, ((2025, 11, "9.0"), (2025, 12, "8.0"), (2026, 4, "7.0"))),
        (b, ((2025, 11, "10.0"),)),
    ):
        for year, month, hba1c in values:
            utilization_save(
                actor=manager, patient=patient,
                values={"period": datetime.date(year, month, 1), "ed_visits": 0,
                        "inpatient_admissions": 0, "hospital_days": 0,
                        "readmissions_30d": 0, "primary_care_visits": 0,
                        "hba1c": Decimal(hba1c)},
            )  # fmt: skip
    rows = login(manager).get("/evaluation/").context["data"]["tables"]["utilization"]
    assert rows["rows"][-1] == ["HbA1c (%), mean", 1, 8.5, 7.0, -1.5]


def test_outsiders_get_404_on_utilization_urls(login, outsiders, manager, patients):
    _month(patients[0], manager, 2025, 10, 1)
    record = UtilizationRecord.objects.get()
    client = login(manager)
    preview = _upload(client, HEADER + "A-1,2025-10,2,1,3,0,1,\n")["Location"]
    stranger = login(outsiders["program_manager"])
    assert stranger.get(f"/evaluation/utilization/{record.code}/").status_code == 404
    assert stranger.get(preview).status_code == 404
    assert stranger.post(preview + "confirm/").status_code == 404


def test_only_program_managers_handle_utilization(login, navigator, supervisor):
    for user in (navigator, supervisor):
        assert login(user).get("/evaluation/utilization/").status_code == 403
        assert login(user).get("/evaluation/utilization/import/").status_code == 403
