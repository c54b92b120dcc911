"""Months on the dashboard are the partnership's months (New York here), not the
server's (Los Angeles), for enrollment as for the monthly table, and for program
managers on the CBO's side of the partnership too."""

import datetime

import pytest
import time_machine

from evaluation.services.utilization import utilization_save
from partners.tests.factories import UserFactory
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
# 01:00 on 1 March in New York, still 22:00 on 28 February in Los Angeles.
FIRST_HOUR_OF_MARCH = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
def new_york(partnership):
    partnership.time_zone = "America/New_York"
    partnership.save()
    return partnership


def test_enrollment_month_is_the_partnerships_month(login, manager, new_york):
    with time_machine.travel(FIRST_HOUR_OF_MARCH, tick=False):
        patient = ReferralFactory(partnership=new_york).patient
    for period, ed in ((datetime.date(2026, 2, 1), 1), (datetime.date(2026, 3, 1), 2)):
        utilization_save(
            actor=manager, patient=patient,
            values={"period": period, "ed_visits": ed, "inpatient_admissions": 0,
                    "hospital_days": 0, "readmissions_30d": 0,
                    "primary_care_visits": 0},
        )  # fmt: skip

    data = login(manager).get("/evaluation/").context["data"]

    assert data["utilization"]["table"]["rows"][0] == [
        "Emergency visits", 1, 12.0, 24.0, 12.0,
    ]  # fmt: skip
    assert data["tables"]["monthly"]["rows"] == [["2026-03", 1, 0, 0]]


def test_a_cbo_program_manager_reads_the_partnerships_months(login, new_york):
    cbo_manager = UserFactory(role="program_manager", organization=new_york.cbo)
    with time_machine.travel(FIRST_HOUR_OF_MARCH, tick=False):
        ReferralFactory(partnership=new_york)

    data = login(cbo_manager).get("/evaluation/").context["data"]

    assert data["tables"]["monthly"]["rows"] == [["2026-03", 1, 0, 0]]
