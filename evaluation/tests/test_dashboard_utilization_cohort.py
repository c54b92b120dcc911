"""The utilization panel for a cohort: enrollment is the patient's first referral,
the page says how many patients had data before and after, HbA1c compares only
patients with a value on both sides, and the CSV export hides every rate and mean
of fewer than ten patients."""

import csv
import datetime
import io
from decimal import Decimal

import time_machine

from evaluation.services.utilization import utilization_save
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
SENT = datetime.datetime(2026, 3, 10, 18, tzinfo=UTC)


def referred(partnership, moment=SENT, **fields):
    with time_machine.travel(moment, tick=False):
        return ReferralFactory(partnership=partnership, **fields)


def month(manager, patient, year, number, ed=0, hba1c=None):
    utilization_save(
        actor=manager, patient=patient,
        values={"period": datetime.date(year, number, 1), "ed_visits": ed,
                "inpatient_admissions": 0, "hospital_days": 0,
                "readmissions_30d": 0, "primary_care_visits": 0,
                "hba1c": None if hba1c is None else Decimal(hba1c)},
    )  # fmt: skip


def utilization(client, query=""):
    return client.get(f"/evaluation/{query}").context["data"]["utilization"]


def test_enrollment_is_the_patients_first_referral_not_the_latest(
    login, manager, partnership
):
    first = referred(partnership, datetime.datetime(2026, 1, 12, 18, tzinfo=UTC))
    patient = first.patient
    referred(
        partnership, datetime.datetime(2026, 4, 14, 18, tzinfo=UTC), patient=patient
    )
    month(manager, patient, 2025, 12, ed=1)
    month(manager, patient, 2026, 2, ed=2)

    data = utilization(login(manager))

    assert data["table"]["rows"][0] == ["Emergency visits", 1, 12.0, 24.0, 12.0]


def test_each_patient_is_enrolled_in_the_month_of_their_own_first_referral(
    login, manager, partnership
):
    referred(partnership, datetime.datetime(2026, 1, 12, 18, tzinfo=UTC))
    later = referred(partnership, datetime.datetime(2026, 4, 14, 18, tzinfo=UTC))
    month(manager, later.patient, 2026, 3, ed=1)
    month(manager, later.patient, 2026, 5)

    data = utilization(login(manager))

    assert data["table"]["rows"][0] == ["Emergency visits", 1, 12.0, 0.0, -12.0]


def test_page_counts_the_cohort_those_with_data_before_and_those_lost_after(
    login, manager, partnership
):
    both, before_only, after_only = (referred(partnership).patient for _ in range(3))
    referred(partnership)  # no utilization data at all
    month(manager, both, 2026, 2)
    month(manager, both, 2026, 3)
    month(manager, before_only, 2026, 1)
    month(manager, after_only, 2026, 3)

    response = login(manager).get("/evaluation/")
    data = response.context["data"]["utilization"]

    assert (data["totals"]["cohort"], data["totals"]["with_pre"]) == (4, 2)
    assert (data["totals"]["n"], data["attrition"]) == (1, 1)
    assert (
        "4 patients in the cohort, 2 with data before, n = 1 with data in both "
        "periods (1 lost after enrollment)"
    ) in response.content.decode()


def test_hba1c_leaves_out_a_patient_with_a_value_only_after(
    login, manager, partnership
):
    compared, after_only = (referred(partnership).patient for _ in range(2))
    month(manager, compared, 2026, 1, hba1c="8.0")
    month(manager, compared, 2026, 4, hba1c="7.0")
    month(manager, after_only, 2026, 1)
    month(manager, after_only, 2026, 4, hba1c="9.0")

    rows = utilization(login(manager))["table"]["rows"]

    assert rows[-1] == ["HbA1c (%), mean", 1, 8.0, 7.0, -1.0]
    assert rows[0][1] == 2


def test_utilization_csv_hides_rates_and_means_of_fewer_than_ten_patients(
    login, manager, partnership
):
    patient = referred(partnership).patient
    month(manager, patient, 2026, 2, ed=1, hba1c="8.0")
    month(manager, patient, 2026, 3, hba1c="7.5")
    client = login(manager)

    response = client.get("/evaluation/export/utilization.csv")
    page = client.get("/evaluation/").content.decode()

    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[0] == [
        "Measure",
        "Patients in both periods",
        "Before",
        "After",
        "Change",
    ]
    assert rows[1] == ["Emergency visits", "<10", "–", "–", "–"]
    assert rows[-1] == ["HbA1c (%), mean", "<10", "–", "–", "–"]
    title = "Utilization per person-year, before and after enrollment"
    assert f'id="table-utilization">{title}</h3>' in page


def test_utilization_csv_of_a_cohort_without_data_shows_zero_patients(
    login, manager, partnership
):
    referred(partnership)

    response = login(manager).get("/evaluation/export/utilization.csv")

    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert [row[0] for row in rows[1:]] == [
        "Emergency visits",
        "Inpatient admissions",
        "Hospital days",
        "30-day readmissions",
        "Primary-care visits",
        "HbA1c (%), mean",
    ]
    assert {tuple(row[1:]) for row in rows[1:]} == {("0", "", "", "")}
