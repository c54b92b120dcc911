"""The two PAM tables as a program manager reads them and as they are shared (the
CSV exports and the dashboard's "as shared" view): their titles and download links,
their headers, and the small groups hidden (a mean, its confidence interval and its
rates rest on the number of patients)."""

import datetime

import pytest

from evaluation.disclosure import table_for_display
from evaluation.pam_analysis import pam_panel
from evaluation.tests.factories import pam_row
from referrals.models import Patient
from referrals.tests.factories import ReferralFactory

START = datetime.date(2025, 1, 15)
FOLLOW_UP = datetime.date(2025, 8, 1)
CHANGE_HEADERS = [
    "Group",
    "Patients",
    "Mean change (points)",
    "95% CI, low",
    "95% CI, high",
    "Gained 3 or more points (%)",
    "Moved up a level (%)",
]


@pytest.fixture
def pair(partnership, navigator):
    def build(baseline, follow_up):
        patient = ReferralFactory(partnership=partnership).patient
        common = {"patient": patient, "partnership": partnership, "by": navigator}
        pam_row(on=START, score=baseline, **common)
        pam_row(on=FOLLOW_UP, kind="follow_up", score=follow_up, **common)

    return build


def shared(key):
    table = table_for_display(pam_panel(Patient.objects.all())[key], shared=True)
    return [table["headers"], *table["rows"]]


def test_the_dashboard_shows_both_pam_tables_by_title(login, manager, pair):
    pair(50.0, 56.0)
    page = login(manager).get("/evaluation/").content.decode()
    assert 'id="table-pam_change">PAM change, by baseline level</h3>' in page
    assert 'id="table-pam_levels">Baseline level by follow-up level</h3>' in page
    assert 'href="/evaluation/export/pam_change.csv"' in page
    assert 'href="/evaluation/export/pam_levels.csv"' in page


def test_the_level_table_downloads_as_csv_with_small_cells_hidden(login, manager, pair):
    pair(45.0, 50.0)  # level 1 → 2
    response = login(manager).get("/evaluation/export/pam_levels.csv")
    lines = response.getvalue().decode().splitlines()
    assert lines[:2] == [
        "Baseline,Follow-up level 1,Follow-up level 2,Follow-up level 3,"
        "Follow-up level 4",
        "Baseline level 1,0,<10,0,0",
    ]


def test_shared_pam_change_hides_the_mean_and_rates_of_fewer_than_ten(pair):
    pair(50.0, 56.0)  # level 2 → 3, +6
    pair(50.0, 52.0)  # level 2 → 2, +2
    rows = shared("change")
    assert rows[0] == CHANGE_HEADERS
    assert rows[1] == ["Baseline level 2", "<10", "–", "–", "–", "–", "–"]
    assert rows[2] == ["All analysed", "<10", "–", "–", "–", "–", "–"]


def test_shared_pam_change_of_ten_patients_is_shown_in_full(pair):
    for _ in range(5):
        pair(50.0, 56.0)  # level 2 → 3, +6
        pair(50.0, 52.0)  # level 2 → 2, +2
    rows = shared("change")
    # mean 4, sd 2.108, t(9) = 2.262 → ±1.51; the five who gained 3 points
    # (and the five who moved up) stay hidden behind their 50 %.
    assert rows[1] == ["Baseline level 2", 10, 4.0, 2.5, 5.5, "–", "–"]


def test_shared_level_table_hides_small_cells_and_shows_zero(pair):
    pair(45.0, 50.0)  # level 1 → 2
    pair(60.0, 73.0)  # level 3 → 4
    rows = shared("matrix")
    assert rows == [
        ["Baseline", *(f"Follow-up level {level}" for level in (1, 2, 3, 4))],
        ["Baseline level 1", 0, "<10", 0, 0],
        ["Baseline level 2", 0, 0, 0, 0],
        ["Baseline level 3", 0, 0, 0, "<10"],
    ]
