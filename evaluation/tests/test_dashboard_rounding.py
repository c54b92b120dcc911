"""Dashboard figures that are not whole numbers are rounded to two decimals, and a
referral marked entered in error is not counted at all."""

import datetime
from decimal import Decimal

import time_machine

from evaluation.services.utilization import utilization_save
from referrals.services import workflow
from referrals.tests.factories import ReferralFactory

SENT = datetime.datetime(2026, 3, 10, 18, tzinfo=datetime.UTC)


def month(manager, patient, period, ed=0, hba1c=None):
    utilization_save(
        actor=manager, patient=patient,
        values={"period": period, "ed_visits": ed, "inpatient_admissions": 0,
                "hospital_days": 0, "readmissions_30d": 0, "primary_care_visits": 0,
                "hba1c": hba1c},
    )  # fmt: skip


def test_rates_per_person_year_and_hba1c_means_keep_two_decimals(
    login, manager, partnership
):
    with time_machine.travel(SENT, tick=False):
        patient = ReferralFactory(partnership=partnership).patient
    # Before: one visit over nine months; after: one visit over seven months.
    before = [datetime.date(2025, m, 1) for m in range(3, 12)]
    after = [datetime.date(2026, m, 1) for m in range(3, 10)]
    for periods, ed_month, hba1c in (
        (before, 3, ["8.1", "8.2", "8.4"]),
        (after, 9, ["7.1", "7.2", "7.4"]),
    ):
        for index, period in enumerate(periods):
            value = Decimal(hba1c[index]) if index < 3 else None
            month(
                manager, patient, period, ed=int(period.month == ed_month), hba1c=value
            )

    data = login(manager).get("/evaluation/?window=12").context["data"]

    rows = {row[0]: row[1:] for row in data["utilization"]["table"]["rows"]}
    assert rows["Emergency visits"] == [1, 1.33, 1.71, 0.38]
    # HbA1c: 8.2333 before, 7.2333 after.
    assert rows["HbA1c (%), mean"] == [1, 8.23, 7.23, -1.0]


def test_a_referral_entered_in_error_is_not_counted(login, manager, partnership):
    kept, mistaken = ReferralFactory.create_batch(2, partnership=partnership)
    workflow.referral_transition(
        referral=mistaken,
        actor=mistaken.referred_by,
        name="enter_in_error",
        reason_code="wrong_patient",
    )
    data = login(manager).get("/evaluation/").context["data"]
    assert data["figures"]["referred"] == 1
    assert data["utilization"]["totals"]["cohort"] == 1


def test_enrollment_is_the_first_referral_not_entered_in_error(
    login, manager, partnership
):
    with time_machine.travel(datetime.datetime(2026, 1, 12, 18, tzinfo=datetime.UTC)):
        mistaken = ReferralFactory(partnership=partnership)
        workflow.referral_transition(
            referral=mistaken, actor=mistaken.referred_by,
            name="enter_in_error", reason_code="duplicate",
        )  # fmt: skip
    with time_machine.travel(SENT, tick=False):
        ReferralFactory(partnership=partnership, patient=mistaken.patient)
    # February is before the real enrollment in March, March after it.
    month(manager, mistaken.patient, datetime.date(2026, 2, 1), ed=2)
    month(manager, mistaken.patient, datetime.date(2026, 3, 1), ed=1)

    data = login(manager).get("/evaluation/").context["data"]["utilization"]

    assert data["table"]["rows"][0] == ["Emergency visits", 1, 24.0, 12.0, -12.0]
