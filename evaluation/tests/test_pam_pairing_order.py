"""Which baseline and which follow-up are paired when PAMs are entered late or out
of order, that a later baseline is never taken for a follow-up, that the panel
covers only the filtered patients, and the raw change of full administrations."""

import datetime

import pytest

from evaluation.pam_analysis import pam_panel
from evaluation.tests.factories import pam_row
from referrals.models import Patient
from referrals.tests.factories import ReferralFactory

START = datetime.date(2025, 1, 15)


@pytest.fixture
def record(partnership, navigator):
    """``record(patient, on, score, kind)`` in the order the test calls it."""

    def add(patient, on, score, kind="baseline", answers=None):
        pam_row(
            patient=patient, partnership=partnership, by=navigator, on=on,
            kind=kind, score=score, answers=answers,
        )  # fmt: skip

    return add


@pytest.fixture
def patient(partnership):
    return ReferralFactory(partnership=partnership).patient


def overall(cohort=None):
    return pam_panel(cohort or Patient.objects.all())["overall"]


def test_a_baseline_entered_late_for_an_earlier_day_is_the_baseline(record, patient):
    record(patient, datetime.date(2025, 3, 1), 40)
    record(patient, START, 50)  # entered afterwards, given first
    record(patient, datetime.date(2025, 8, 1), 56, kind="follow_up")
    figures = overall()
    assert (figures["baselines"], figures["n"], float(figures["mean"])) == (1, 1, 6.0)


def test_a_second_baseline_in_the_window_is_not_a_follow_up(record, patient):
    record(patient, START, 50)
    record(patient, datetime.date(2025, 9, 15), 60)
    figures = overall()
    assert (figures["n"], figures["no_follow_up"], figures["outside_window"]) == (
        0, 1, 0,
    )  # fmt: skip


def test_the_earliest_follow_up_in_the_window_is_paired_whatever_the_entry_order(
    record, patient
):
    record(patient, START, 50)
    record(patient, datetime.date(2025, 11, 1), 70, kind="follow_up")
    record(patient, datetime.date(2025, 8, 1), 53, kind="follow_up")  # entered later
    figures = overall()
    assert (figures["n"], float(figures["mean"]), figures["gained_3"]) == (1, 3.0, 1)


def test_the_panel_covers_only_the_patients_of_the_filtered_referrals(
    record, patient, partnership
):
    other = ReferralFactory(partnership=partnership).patient
    for someone, gain in ((patient, 6), (other, 1)):
        record(someone, START, 50)
        record(someone, datetime.date(2025, 8, 1), 50 + gain, kind="follow_up")
    figures = overall(Patient.objects.filter(pk=patient.pk))
    assert (figures["baselines"], figures["n"], float(figures["mean"])) == (1, 1, 6.0)


def test_raw_change_is_the_change_in_the_average_item_answer(record, patient):
    # 13 answered: the average answer moves from 27/13 to 40/13, one point.
    record(patient, START, None, answers=[2] * 12 + [3])
    record(
        patient, datetime.date(2025, 8, 1), None, kind="follow_up",
        answers=[3] * 12 + [4],
    )  # fmt: skip
    figures = overall()
    assert (figures["raw_n"], figures["raw_mean"]) == (1, pytest.approx(1.0))


def test_raw_change_leaves_out_extreme_response_sets_and_level_4_baselines(
    record, patient, partnership
):
    gains_2, extreme, level_4 = (
        ReferralFactory(partnership=partnership).patient for _ in "abc"
    )
    # The average answer moves one point (27/13 → 40/13), then two (14/13 → 40/13).
    for someone, first in ((patient, [2] * 12 + [3]), (gains_2, [1] * 12 + [2])):
        record(someone, START, None, answers=first)
        record(
            someone, datetime.date(2025, 8, 1), None, kind="follow_up",
            answers=[3] * 12 + [4],
        )  # fmt: skip
    record(extreme, START, None, answers=[1] * 12 + [2])
    record(extreme, datetime.date(2025, 8, 1), None, kind="follow_up", answers=[4] * 13)
    record(level_4, START, 80.0, answers=[1] * 12 + [2])
    record(level_4, datetime.date(2025, 8, 1), 90.0, kind="follow_up")
    pam = pam_panel(Patient.objects.all())
    assert (pam["overall"]["raw_n"], pam["overall"]["raw_mean"]) == (
        2, pytest.approx(1.5),
    )  # fmt: skip
    # sd 0.7071, t(1) = 12.706: 1.5 ± 6.353
    assert pam["raw_ci"] == (
        pytest.approx(-4.853, abs=1e-3),
        pytest.approx(7.853, abs=1e-3),
    )


def test_a_follow_up_on_the_baselines_own_day_is_not_yet_a_follow_up(record, patient):
    # The same visit cannot measure change: the patient still waits for theirs.
    record(patient, START, 50)
    record(patient, START, 55, kind="follow_up")
    figures = overall()
    assert (figures["n"], figures["no_follow_up"], figures["outside_window"]) == (
        0, 1, 0,
    )  # fmt: skip
