import math

import pytest

from evaluation.statistics import mean_ci_95, pam_level, pam_raw, percent, t_critical_95


@pytest.mark.parametrize(
    ("df", "expected"),
    [(1, 12.706), (4, 2.776), (10, 2.228), (30, 2.042), (40, 2.021), (60, 2.000),
     (120, 1.980), (1000, 1.962)],
)  # fmt: skip
def test_t_critical_value_matches_the_published_table(df, expected):
    assert t_critical_95(df) == pytest.approx(expected, abs=0.0015)


def test_confidence_interval_matches_a_hand_computation():
    # changes 2, 4, 6, 8: mean 5, sample sd sqrt(20/3), t(3) = 3.182
    sd = math.sqrt(20 / 3)
    low, high = mean_ci_95(4, 5, sd)
    half = 3.182 * sd / 2
    assert low == pytest.approx(5 - half)
    assert high == pytest.approx(5 + half)
    assert round(low, 2) == 0.89 and round(high, 2) == 9.11


def test_confidence_interval_needs_two_people():
    assert mean_ci_95(1, 5, None) is None


def test_raw_sum_skips_not_applicable_answers():
    answers = [4, 3, None, 2, 1, 4, 3, None, 2, 1, 4, 3, 2]
    assert pam_raw(answers) == {
        "raw_sum": 29,
        "answered": 11,
        "extreme_response": False,
    }


def test_identical_answers_are_an_extreme_response_set():
    assert pam_raw([4] * 12 + [None])["extreme_response"] is True
    assert pam_raw([1] * 13)["raw_sum"] == 13


@pytest.mark.parametrize(
    ("score", "original", "current"),
    [(47.0, 1, 1), (47.1, 2, 2), (55.1, 2, 2), (55.2, 3, 3), (67.0, 3, 3),
     (67.1, 4, 3), (72.4, 4, 3), (72.5, 4, 4), (100, 4, 4), (0, 1, 1)],
)  # fmt: skip
def test_levels_follow_the_chosen_cut_point_set(score, original, current):
    assert pam_level(score, "original") == original
    assert pam_level(score, "current") == current


def test_percent_of_nothing_is_empty():
    assert percent(3, 0) is None
    assert percent(1, 3) == 33.3
