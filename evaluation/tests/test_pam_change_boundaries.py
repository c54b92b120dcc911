"""PAM change at its edges: a follow-up exactly 6 or 12 months after baseline, one
day outside, the first of two follow-ups, a second baseline, level 3 and level 4 at
baseline, extreme responses at follow-up, a gain of exactly 3 points, and the raw
analysis of administrations with a single item answered."""

import datetime

import pytest

from evaluation.pam_analysis import pam_panel
from evaluation.tests.factories import pam_row
from referrals.models import Patient
from referrals.tests.factories import ReferralFactory

START = datetime.date(2025, 1, 15)
ONE_ITEM = [None] * 12


@pytest.fixture
def patient_with(partnership, navigator):
    def build(baseline, *follow_ups, answers=None, fu_answers=None):
        """``follow_ups`` are (date, score) pairs."""
        patient = ReferralFactory(partnership=partnership).patient
        common = {"patient": patient, "partnership": partnership, "by": navigator}
        pam_row(on=START, score=baseline, answers=answers, **common)
        for on, score in follow_ups:
            pam_row(on=on, kind="follow_up", score=score, answers=fu_answers, **common)
        return patient

    return build


def panel():
    return pam_panel(Patient.objects.all())


def rows_of(pam):
    return {row[0]: row[1:] for row in pam["change"]["rows"]}


def test_follow_ups_count_from_exactly_6_to_exactly_12_months(patient_with):
    patient_with(50, (datetime.date(2025, 7, 14), 60))
    patient_with(50, (datetime.date(2025, 7, 15), 54))
    patient_with(50, (datetime.date(2026, 1, 15), 52))
    patient_with(50, (datetime.date(2026, 1, 16), 60))

    pam = panel()

    overall = pam["overall"]
    assert (overall["baselines"], overall["n"], overall["outside_window"]) == (4, 2, 2)
    assert overall["no_follow_up"] == 0
    assert rows_of(pam)["All analysed"][:2] == [2, 3.0]


def test_the_first_follow_up_in_the_window_is_paired(patient_with):
    patient_with(
        50,
        (datetime.date(2025, 3, 1), 90),
        (datetime.date(2025, 9, 1), 53),
        (datetime.date(2025, 10, 1), 70),
    )
    overall = panel()["overall"]
    assert (overall["n"], float(overall["mean"])) == (1, 3.0)
    assert overall["gained_3"] == 1


def test_only_the_first_baseline_counts(patient_with, partnership, navigator):
    patient = patient_with(50, (datetime.date(2025, 8, 1), 56))
    pam_row(
        patient=patient, partnership=partnership, by=navigator,
        on=datetime.date(2025, 6, 1), score=20,
    )  # fmt: skip
    overall = panel()["overall"]
    assert (overall["baselines"], overall["n"], float(overall["mean"])) == (1, 1, 6.0)


def test_level_3_at_baseline_is_analysed_and_level_4_is_not(patient_with):
    # Current cut points: 67.0 is level 3, 72.5 level 4.
    patient_with(67.0, (datetime.date(2025, 8, 1), 73.0))
    patient_with(72.5, (datetime.date(2025, 8, 1), 80.0))
    pam = panel()
    assert pam["overall"]["level_4"] == 1
    rows = rows_of(pam)
    assert rows["Baseline level 3"] == [1, 6.0, None, None, 100.0, 100.0]
    assert "Baseline level 4" not in rows
    assert pam["matrix"]["rows"][2] == ["Baseline level 3", 0, 0, 0, 1]


def test_an_extreme_response_set_at_follow_up_is_excluded(patient_with):
    patient_with(50, (datetime.date(2025, 8, 1), 60), fu_answers=[2] * 13)
    patient_with(50, (datetime.date(2025, 8, 1), 51))
    overall = panel()["overall"]
    assert (overall["extreme"], overall["n"], float(overall["mean"])) == (1, 1, 1.0)
    assert overall["raw_n"] == 1


def test_a_gain_of_exactly_three_points_counts_and_a_level_kept_does_not_move(
    patient_with,
):
    patient_with(48.0, (datetime.date(2025, 8, 1), 51.0))  # level 2 → 2, +3
    patient_with(48.0, (datetime.date(2025, 8, 1), 50.9))  # level 2 → 2, +2.9
    patient_with(48.0, (datetime.date(2025, 8, 1), 56.0))  # level 2 → 3, +8
    rows = rows_of(panel())
    # changes 3, 2.9 and 8: mean 4.63, sd 2.916, t(2) = 4.303 → ±7.25
    assert rows["Baseline level 2"] == [3, 4.6, -2.6, 11.9, 66.7, 33.3]
    assert rows["All analysed"] == rows["Baseline level 2"]


def test_raw_change_with_a_single_item_answered(patient_with):
    # Raw answers only (no score): the mean item answer moves 2 → 3 and 2 → 4.
    for answer in (3, 4):
        patient_with(
            None,
            (datetime.date(2025, 8, 1), None),
            answers=[*ONE_ITEM, 2],
            fu_answers=[*ONE_ITEM, answer],
        )
    pam = panel()
    overall = pam["overall"]
    assert (overall["raw_only"], overall["raw_n"], overall["extreme"]) == (2, 2, 0)
    assert overall["raw_mean"] == pytest.approx(1.5)
    low, high = pam["raw_ci"]
    # sd 0.7071, t(1) = 12.706: 1.5 ± 6.353
    assert (low, high) == (
        pytest.approx(-4.853, abs=1e-3),
        pytest.approx(7.853, abs=1e-3),
    )
    assert overall["n"] == 0
    assert rows_of(pam)["All analysed"] == [0, None, None, None, None, None]


def test_no_pams_gives_an_empty_analysis(db):
    pam = panel()
    assert pam["overall"]["baselines"] == 0
    assert pam["raw_ci"] is None
    assert pam["change"]["rows"] == [["All analysed", 0, None, None, None, None, None]]
    assert [row[1:] for row in pam["matrix"]["rows"]] == [[0, 0, 0, 0]] * 3


def test_two_baselines_on_the_same_day_count_the_patient_once(
    patient_with, partnership, navigator
):
    patient = patient_with(50, (datetime.date(2025, 8, 1), 56))
    pam_row(patient=patient, partnership=partnership, by=navigator, on=START, score=40)
    overall = panel()["overall"]
    # The first recorded baseline (50) is paired: +6, one patient.
    assert (overall["baselines"], overall["n"], float(overall["mean"])) == (1, 1, 6.0)
