"""The evaluation's arithmetic at its edges: the end of the t table, two people, a
single PAM answer, the extreme-response flag and rounding of percentages."""

import math

import pytest

from evaluation.statistics import mean_ci_95, pam_level, pam_raw, percent, t_critical_95


def test_t_table_is_used_up_to_thirty_degrees_of_freedom():
    assert t_critical_95(1) == 12.706
    assert t_critical_95(2) == 4.303
    assert t_critical_95(30) == 2.042


@pytest.mark.parametrize(
    ("df", "published"),
    [(31, 2.039513), (40, 2.021075), (60, 2.000298), (120, 1.979930),
     (1000, 1.962339)],
)  # fmt: skip
def test_beyond_the_table_the_expansion_matches_published_values(df, published):
    assert t_critical_95(df) == pytest.approx(published, abs=2e-5)


@pytest.mark.parametrize("df", [0, -1])
def test_t_needs_a_degree_of_freedom(df):
    with pytest.raises(ValueError, match="at least one degree of freedom"):
        t_critical_95(df)


def test_two_people_give_an_interval_on_one_degree_of_freedom():
    low, high = mean_ci_95(2, 4.5, math.sqrt(24.5))
    half = 12.706 * math.sqrt(24.5) / math.sqrt(2)
    assert (low, high) == (pytest.approx(4.5 - half), pytest.approx(4.5 + half))


def test_interval_of_identical_changes_is_the_mean_itself():
    assert mean_ci_95(5, 3, 0) == (3.0, 3.0)


@pytest.mark.parametrize(
    ("n", "mean", "sd"),
    [(0, 5, 1), (None, 5, 1), (1, 5, 1), (3, None, 1), (3, 5, None)],
)
def test_no_interval_without_two_people_a_mean_and_a_spread(n, mean, sd):
    assert mean_ci_95(n, mean, sd) is None


def test_a_single_answer_is_scored_but_is_not_an_extreme_response_set():
    assert pam_raw([None] * 12 + [3]) == {
        "raw_sum": 3,
        "answered": 1,
        "extreme_response": False,
    }


def test_two_identical_answers_are_an_extreme_response_set():
    assert pam_raw([2, 2] + [None] * 11)["extreme_response"] is True
    assert pam_raw([2, 3] + [None] * 11)["extreme_response"] is False


def test_one_different_answer_clears_the_extreme_flag():
    assert pam_raw([4] * 12 + [3]) == {
        "raw_sum": 51,
        "answered": 13,
        "extreme_response": False,
    }


def test_nothing_answered_sums_to_zero():
    assert pam_raw([None] * 13) == {
        "raw_sum": 0,
        "answered": 0,
        "extreme_response": False,
    }


def test_a_score_above_every_cut_point_is_level_four():
    assert pam_level(100.1, "current") == 4
    assert pam_level("72.4", "current") == 3


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(0, 5, 0.0), (2, 3, 66.7), (1, 8, 12.5), (5, 5, 100.0), (3, None, None)],
)
def test_percent_is_rounded_to_one_decimal(part, whole, shown):
    assert percent(part, whole) == shown
