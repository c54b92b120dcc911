"""Dashboard figures at their edges: the first and last moment of the filter's days
in the partnership's time zone (New York here, not the server's), the funnel's
steps, the navigator and clinic tables, and utilization windows of one month."""

import csv
import datetime
import io

import pytest
import time_machine

from evaluation.services.utilization import utilization_save
from evaluation.tests.factories import (
    accepted_referral,
    caseload_referral,
    contact_logged,
    declined_referral,
)
from partners.tests.factories import UserFactory
from referrals.services import workflow
from referrals.tests.factories import ReferralFactory
from referrals.tests.states import closing_of

UTC = datetime.UTC


@pytest.fixture
def new_york(partnership):
    partnership.time_zone = "America/New_York"
    partnership.save()
    return partnership


def sent_at(moment, partnership, **fields):
    with time_machine.travel(moment, tick=False):
        return ReferralFactory(partnership=partnership, **fields)


def page(client, query=""):
    return client.get(f"/evaluation/{query}").context["data"]


def test_filter_days_run_from_local_midnight_to_the_last_moment_of_the_end_day(
    login, manager, new_york
):
    # 05:00 UTC is midnight in New York in February (EST).
    sent_at(datetime.datetime(2026, 2, 1, 4, 59, 59, tzinfo=UTC), new_york)
    sent_at(datetime.datetime(2026, 2, 1, 5, 0, tzinfo=UTC), new_york)
    sent_at(datetime.datetime(2026, 3, 1, 4, 59, 59, 999999, tzinfo=UTC), new_york)
    sent_at(datetime.datetime(2026, 3, 1, 5, 0, tzinfo=UTC), new_york)
    client = login(manager)

    february = page(client, "?start=2026-02-01&end=2026-02-28")
    everything = page(client)

    assert february["figures"]["referred"] == 2
    assert february["tables"]["monthly"]["rows"] == [["2026-02", 2, 0, 0]]
    assert everything["tables"]["monthly"]["rows"] == [
        ["2026-01", 1, 0, 0],
        ["2026-02", 2, 0, 0],
        ["2026-03", 1, 0, 0],
    ]


def test_a_start_date_alone_or_an_end_date_alone_bounds_one_side(
    login, manager, new_york
):
    sent_at(datetime.datetime(2026, 1, 10, 15, tzinfo=UTC), new_york)
    sent_at(datetime.datetime(2026, 2, 10, 15, tzinfo=UTC), new_york)
    sent_at(datetime.datetime(2026, 2, 10, 15, tzinfo=UTC), new_york)
    client = login(manager)
    assert page(client, "?start=2026-02-10")["figures"]["referred"] == 2
    assert page(client, "?end=2026-02-09")["figures"]["referred"] == 1
    assert page(client, "?end=2026-02-10")["figures"]["referred"] == 3


def test_need_and_navigator_filters(login, manager, partnership, supervisor, navigator):
    ReferralFactory(partnership=partnership, social_needs=["housing-instability"])
    team = {"partnership": partnership, "supervisor": supervisor}
    caseload_referral(**team, navigator=navigator)
    other = UserFactory(role="navigator", organization=partnership.cbo)
    caseload_referral(**team, navigator=other)
    client = login(manager)

    assert page(client, "?need=housing-instability")["figures"]["referred"] == 1
    mine = page(client, f"?navigator={navigator.pk}")
    assert mine["figures"]["referred"] == 1
    assert [row[0] for row in mine["tables"]["navigators"]["rows"]] == [str(navigator)]


@pytest.fixture
def worked_week(partnership, supervisor, navigator, clinic, other_clinic):
    """Sent Monday 2 March 2026 (New York): three waiting at North Clinic, one
    accepted, one assigned, one reached after 2 days, one reached after 5 days and
    completed, one declined, all at South Clinic."""
    partnership.time_zone = "America/New_York"
    partnership.save()
    sent = datetime.datetime(2026, 3, 2, 15, tzinfo=UTC)
    team = {"partnership": partnership, "supervisor": supervisor}
    with time_machine.travel(sent, tick=False):
        ReferralFactory.create_batch(3, partnership=partnership, clinic=clinic)
        accepted_referral(**team, clinic=other_clinic)
        caseload_referral(**team, navigator=navigator, clinic=other_clinic)
        reached = caseload_referral(**team, navigator=navigator, clinic=other_clinic)
        done = caseload_referral(**team, navigator=navigator, clinic=other_clinic)
        declined_referral(**team, clinic=other_clinic)
    for referral, days in ((reached, 2), (done, 5)):
        with time_machine.travel(sent + datetime.timedelta(days=days), tick=False):
            contact_logged(referral=referral, navigator=navigator)
    with time_machine.travel(sent + datetime.timedelta(days=6), tick=False):
        workflow.referral_transition(
            referral=done,
            actor=navigator,
            name="complete",
            **closing_of(done),
        )
    return sent


def test_funnel_counts_each_step_and_its_conversion(login, manager, worked_week):
    with time_machine.travel(worked_week + datetime.timedelta(days=7), tick=False):
        tables = login(manager).get("/evaluation/").context["tables"]
    assert tables["funnel"]["headers"] == [
        "Step",
        "Referrals",
        "Conversion from the step before (%)",
    ]
    assert tables["funnel"]["rows"] == [
        ["Referred", 8, None],
        ["Accepted", 4, 50.0],
        ["Navigator assigned", 3, 75.0],
        ["Contacted", 2, 66.7],
        ["Needs linked to resources", 0, 0.0],
        # The completed one; the declined one is no outcome of the work.
        ["Closed with an outcome", 1, None],
    ]


def test_key_figures_of_the_week(login, manager, worked_week):
    with time_machine.travel(worked_week + datetime.timedelta(days=7), tick=False):
        data = login(manager).get("/evaluation/").context["data"]
    figures = data["figures"]
    assert (figures["open"], figures["active_patients"], figures["closed"]) == (6, 6, 2)
    assert figures["median_days_to_contact"] == 3.5
    assert data["tables"]["kpis"]["rows"] == [
        ["Active patients", 6, 6],
        ["New referrals", 8, 8],
        ["Closed-loop rate (%)", 25.0, 8],
        ["Median days to first contact", 3.5, 2],
        ["Needs resolved (%)", None, 0],
        ["Overdue referrals", 5, 5],
    ]


def test_clinic_table_rows(login, manager, worked_week):
    with time_machine.travel(worked_week + datetime.timedelta(days=7), tick=False):
        rows = page(login(manager))["tables"]["clinics"]["rows"]
    assert rows == [
        ["North Clinic", 3, 0, 0, 0, 0.0, None, 0],
        ["South Clinic", 5, 4, 2, 1, 40.0, 3.5, 2],
    ]


def test_navigator_table_counts_caseload_and_contacts_of_the_last_14_days(
    login, manager, partnership, navigator, worked_week
):
    UserFactory(role="navigator", organization=partnership.cbo, is_active=False)
    client = login(manager)
    # The completed referral's contact of day 5 counts for exactly 14 days.
    fourteen_days_on = worked_week + datetime.timedelta(days=5 + 14)
    with time_machine.travel(fourteen_days_on, tick=False):
        rows = page(client)["tables"]["navigators"]["rows"]
    assert rows == [[str(navigator), 2, 2, 1]]
    a_second_later = fourteen_days_on + datetime.timedelta(seconds=1)
    with time_machine.travel(a_second_later, tick=False):
        rows = page(client)["tables"]["navigators"]["rows"]
    assert rows == [[str(navigator), 2, 2, 0]]
    # On day 15 both contacts count, and the one reached on day 2 is not inactive.
    with time_machine.travel(worked_week + datetime.timedelta(days=15), tick=False):
        rows = page(client)["tables"]["navigators"]["rows"]
    assert rows == [[str(navigator), 2, 1, 2]]


def month(manager, patient, period, **counts):
    values = {
        "period": period,
        "ed_visits": 0,
        "inpatient_admissions": 0,
        "hospital_days": 0,
        "readmissions_30d": 0,
        "primary_care_visits": 0,
    }
    utilization_save(actor=manager, patient=patient, values=values | counts)


def test_a_single_month_each_side_is_a_twelfth_of_a_person_year(
    login, manager, new_york
):
    # Sent 22:00 on 28 February in New York (03:00 UTC on 1 March): enrolled in
    # February, so February is "after" and January "before".
    referral = sent_at(datetime.datetime(2026, 3, 1, 3, tzinfo=UTC), new_york)
    patient = referral.patient
    month(manager, patient, datetime.date(2026, 1, 1), ed_visits=2, hospital_days=3)
    month(manager, patient, datetime.date(2026, 2, 1), primary_care_visits=1)

    data = page(login(manager))["utilization"]

    assert (data["totals"]["n"], data["attrition"]) == (1, 0)
    rows = {row[0]: row[1:] for row in data["table"]["rows"]}
    assert rows["Emergency visits"] == [1, 24.0, 0.0, -24.0]
    assert rows["Hospital days"] == [1, 36.0, 0.0, -36.0]
    assert rows["Primary-care visits"] == [1, 0.0, 12.0, 12.0]
    assert rows["HbA1c (%), mean"] == [0, None, None, None]


@pytest.mark.parametrize("window", [6, 12])
def test_utilization_windows_end_where_they_say(login, manager, new_york, window):
    referral = sent_at(datetime.datetime(2026, 3, 10, 15, tzinfo=UTC), new_york)
    patient = referral.patient
    if window == 6:
        first_before = datetime.date(2025, 9, 1)
        too_early, last_after, too_late = (
            datetime.date(2025, 8, 1),
            datetime.date(2026, 8, 1),
            datetime.date(2026, 9, 1),
        )
    else:
        first_before = datetime.date(2025, 3, 1)
        too_early, last_after, too_late = (
            datetime.date(2025, 2, 1),
            datetime.date(2027, 2, 1),
            datetime.date(2027, 3, 1),
        )
    month(manager, patient, too_early, ed_visits=9)
    month(manager, patient, first_before, ed_visits=1)
    month(manager, patient, last_after, ed_visits=3)
    month(manager, patient, too_late, ed_visits=9)

    data = page(login(manager), f"?window={window}")["utilization"]

    assert data["months"] == window
    emergency = data["table"]["rows"][0]
    assert emergency == ["Emergency visits", 1, 12.0, 36.0, 24.0]


def test_no_utilization_data_gives_no_rates(login, manager, partnership):
    ReferralFactory(partnership=partnership)
    data = page(login(manager))["utilization"]
    assert data["totals"]["cohort"] == 1
    assert data["table"]["rows"][0] == ["Emergency visits", 0, None, None, None]


def test_monthly_csv_of_the_week(login, manager, worked_week):
    with time_machine.travel(worked_week + datetime.timedelta(days=7), tick=False):
        response = login(manager).get("/evaluation/export/monthly.csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows == [
        ["Month", "Referred", "Contacted", "Loop closed (any final outcome)"],
        ["2026-03", "<10", "<10", "<10"],
    ]
