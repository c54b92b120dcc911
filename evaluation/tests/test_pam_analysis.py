"""PAM change on a known data set, checked against a hand computation."""

import datetime

import pytest

from evaluation.tests.factories import months_after, pam_row
from referrals.tests.factories import ReferralFactory

START = datetime.date(2025, 1, 15)


@pytest.fixture
def pams(partnership, navigator):
    def patient_with(baseline, follow_up=None, months=6, **extra):
        patient = ReferralFactory(partnership=partnership).patient
        common = {"patient": patient, "partnership": partnership, "by": navigator}
        pam_row(on=START, score=baseline, **common, **extra)
        if follow_up is not None or months:
            pam_row(
                on=months_after(START, months), kind="follow_up", score=follow_up,
                **common,
            )  # fmt: skip

    patient_with(45.0, 50.0, months=7)  # level 1 → 2, +5
    patient_with(50.0, 51.0, months=6)  # level 2 → 2, +1
    patient_with(60.0, 66.0, months=12)  # level 3 → 3, +6
    patient_with(52.0, 60.0, months=9)  # level 2 → 3, +8
    patient_with(75.0, 80.0)  # level 4 at baseline: excluded
    patient_with(50.0, 58.0, answers=[4] * 13)  # extreme response set: excluded
    patient_with(40.0, 49.0, months=3)  # follow-up too early: excluded
    patient_with(40.0, months=0)  # no follow-up yet
    patient_with(None, None)  # raw answers only


def test_pam_change_matches_the_hand_computation(login, manager, pams):
    pam = login(manager).get("/evaluation/").context["data"]["pam"]
    overall = pam["overall"]
    assert overall["baselines"] == 9
    assert (overall["level_4"], overall["extreme"]) == (1, 1)
    assert (overall["outside_window"], overall["no_follow_up"]) == (1, 1)
    assert overall["raw_only"] == 1
    rows = {row[0]: row for row in pam["change"]["rows"]}
    # changes 5, 1, 6, 8: mean 5, sd sqrt(26/3) = 2.944, t(3) = 3.182
    # half-width 3.182 × 2.944 / 2 = 4.684
    assert rows["All analysed"] == ["All analysed", 4, 5.0, 0.3, 9.7, 75.0, 50.0]
    # level 2: changes 1 and 8, sd 4.950, t(1) = 12.706 → ±44.47
    assert rows["Baseline level 2"] == [
        "Baseline level 2",
        2,
        4.5,
        -40.0,
        49.0,
        50.0,
        50.0,
    ]
    assert rows["Baseline level 1"][1:3] == [1, 5.0]
    assert rows["Baseline level 1"][3] is None
    assert rows["Baseline level 3"][1:3] == [1, 6.0]


def test_level_table_crosses_baseline_and_follow_up_levels(login, manager, pams):
    matrix = login(manager).get("/evaluation/").context["data"]["pam"]["matrix"]
    assert matrix["rows"] == [
        ["Baseline level 1", 0, 1, 0, 0],
        ["Baseline level 2", 0, 1, 1, 0],
        ["Baseline level 3", 0, 0, 1, 0],
    ]


def test_raw_only_analysis_counts_pairs_without_scores(login, manager, pams):
    overall = login(manager).get("/evaluation/").context["data"]["pam"]["overall"]
    assert overall["raw_n"] == 5
