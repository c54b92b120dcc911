"""Recording and scoring a PAM at its edges: a single item answered (the minimum),
the day's date in local time, manual scores of exactly 0 and 100, the licensed
table of the health system before the CBO's, and each line of an uploaded table or
wording file at and past its limits."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.models import PamConversionTable
from evaluation.services.pam import (
    pam_active_table,
    pam_record,
    pam_table_deactivate,
    pam_table_upload,
)
from evaluation.tests.factories import caseload_referral
from partners.tests.factories import UserFactory

# 23:30 on Tuesday 10 March 2026 in Los Angeles (06:30 UTC the next day).
LATE_EVENING = datetime.datetime(2026, 3, 11, 6, 30, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 3, 10)
ONE_ITEM = [None] * 12 + [3]
ANSWERS = [3, 3, 4, 2, 3, None, 3, 4, 3, 2, 3, 3, 4]
WORDING_ES = "".join(f"es,{item},Pregunta {item}\n" for item in range(1, 14))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(LATE_EVENING, tick=False):
        yield


@pytest.fixture
def referral(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )


def record(navigator, referral, **changes):
    values = {
        "actor": navigator, "patient": referral.patient, "administered_on": TODAY,
        "language": "es", "mode": "phone", "kind": "baseline", "answers": ANSWERS,
    } | changes  # fmt: skip
    return pam_record(**values)


def upload(actor, table, wording="", name="Licensed"):
    return pam_table_upload(
        actor=actor, name=name, cut_set="current", license_reference="L-1",
        table_csv="answered,raw_sum,score\n" + table,
        wording_csv=wording and "language,item,text\n" + wording,
    )  # fmt: skip


def test_a_single_item_answered_is_enough_and_scored_from_the_table(
    navigator, manager, referral
):
    upload(manager, "1,3,38.5\n1,4,45.0\n")
    pam = record(navigator, referral, answers=ONE_ITEM)
    assert (pam.raw_sum, pam.answered, pam.extreme_response) == (3, 1, False)
    assert (pam.score, pam.score_source, pam.level) == (Decimal("38.5"), "table", 1)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([None] * 13, "At least one item needs an answer"),
        ([3] * 12, "Answer all 13 items"),
        ([3] * 14, "Answer all 13 items"),
        ([0] + [3] * 12, "Each answer is 1 to 4, or N/A."),
        ([5] + [3] * 12, "Each answer is 1 to 4, or N/A."),
        (["3"] + [3] * 12, "Each answer is 1 to 4, or N/A."),
    ],
)
def test_answers_outside_the_scale_are_refused(navigator, referral, answers, message):
    with pytest.raises(ValidationError, match=message):
        record(navigator, referral, answers=answers)


def test_answers_of_1_and_4_are_on_the_scale(navigator, referral):
    pam = record(navigator, referral, answers=[1, 4] * 6 + [None])
    assert (pam.raw_sum, pam.answered, pam.extreme_response) == (30, 12, False)


def test_the_local_day_is_today_even_when_it_is_tomorrow_in_utc(navigator, referral):
    assert record(navigator, referral).administered_on == TODAY
    with pytest.raises(ValidationError, match="cannot be in the future"):
        record(navigator, referral, administered_on=TODAY + datetime.timedelta(days=1))


@pytest.mark.parametrize(("score", "level"), [(Decimal(0), 1), (Decimal(100), 4)])
def test_manual_scores_of_0_and_100_are_taken(navigator, referral, score, level):
    pam = record(navigator, referral, manual_score=score, manual_cut_set="original")
    assert (pam.score, pam.score_source, pam.cut_set, pam.level) == (
        score, "manual", "original", level,
    )  # fmt: skip
    assert pam.conversion_table is None


@pytest.mark.parametrize("score", [Decimal("-0.1"), Decimal("100.1")])
def test_manual_scores_outside_0_to_100_are_refused(navigator, referral, score):
    with pytest.raises(ValidationError, match="between 0 and 100"):
        record(navigator, referral, manual_score=score, manual_cut_set="current")


def test_manual_score_needs_its_cut_point_set(navigator, referral):
    with pytest.raises(ValidationError, match="which cut-point set"):
        record(navigator, referral, manual_score=Decimal(50), manual_cut_set="")


def test_a_follow_up_may_be_on_the_baselines_day_but_not_before(navigator, referral):
    with pytest.raises(ValidationError, match="baseline before a follow-up"):
        record(navigator, referral, kind="follow_up")
    record(navigator, referral)
    yesterday = TODAY - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="baseline before a follow-up"):
        record(navigator, referral, kind="follow_up", administered_on=yesterday)
    assert record(navigator, referral, kind="follow_up").kind == "follow_up"


def test_without_a_table_row_for_the_answers_there_is_no_score(
    navigator, manager, referral
):
    upload(manager, "1,3,38.5\n")
    pam = record(navigator, referral)
    assert (pam.score, pam.score_source, pam.level) == (None, "none", None)


def test_the_health_systems_table_comes_before_the_cbos(
    navigator, manager, partnership, referral
):
    cbo_manager = UserFactory(role="program_manager", organization=partnership.cbo)
    cbo_table = upload(cbo_manager, "1,3,40.0\n", name="CBO")
    assert pam_active_table(partnership=partnership) == cbo_table
    assert record(navigator, referral, answers=ONE_ITEM).score == Decimal("40.0")
    health_table = upload(manager, "1,3,50.0\n", name="Health system")
    assert pam_active_table(partnership=partnership) == health_table
    pam = record(navigator, referral, answers=ONE_ITEM)
    assert (pam.score, pam.conversion_table) == (Decimal("50.0"), health_table)


def test_a_new_table_replaces_the_active_one_and_deactivation_stops_scoring(
    manager, partnership, outsiders
):
    first = upload(manager, "1,3,40.0\n")
    second = upload(manager, "1,3,41.0\n", wording=WORDING_ES)
    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert second.wording["es"][12] == "Pregunta 13"
    with pytest.raises(PermissionDenied):
        pam_table_deactivate(actor=outsiders["program_manager"], table=second)
    pam_table_deactivate(actor=manager, table=second)
    assert pam_active_table(partnership=partnership) is None


def test_only_program_managers_upload_tables(navigator, supervisor):
    for actor in (navigator, supervisor):
        with pytest.raises(PermissionDenied):
            upload(actor, "1,3,40.0\n")
    assert not PamConversionTable.objects.exists()


@pytest.mark.parametrize(
    ("line", "error"),
    [
        ("1,1,0", None),
        ("13,52,100", None),
        ("1,4,45.5", None),
        ("0,0,10", "Line 2: answered must be 1 to 13."),
        ("14,14,10", "Line 2: answered must be 1 to 13."),
        ("2,1,10", "Line 2: with 2 items answered the raw sum is 2 to 8."),
        ("2,9,10", "Line 2: with 2 items answered the raw sum is 2 to 8."),
        ("1,1,-0.1", "Line 2: the score is 0 to 100 with one decimal."),
        ("1,1,100.1", "Line 2: the score is 0 to 100 with one decimal."),
        ("1,1,45.55", "Line 2: the score is 0 to 100 with one decimal."),
        ("one,1,45", "Line 2: answered, raw_sum and score must be numbers."),
        ("1,1,high", "Line 2: answered, raw_sum and score must be numbers."),
    ],
)
def test_each_table_line_at_and_past_its_limits(manager, line, error):
    if error is None:
        assert upload(manager, line + "\n").rows
    else:
        with pytest.raises(ValidationError) as refused:
            upload(manager, line + "\n")
        assert refused.value.messages == [error]


def test_table_errors_are_all_reported_with_their_lines(manager):
    with pytest.raises(ValidationError) as refused:
        upload(manager, "2,5,50.0\n2,5,51.0\n2,6,49.0\n2,7,49.0\n1,0,10\n")
    assert refused.value.messages == [
        "Line 3: this raw sum is listed twice.",
        "Line 6: with 1 items answered the raw sum is 1 to 4.",
        "Scores must not go down as the raw sum goes up (2 answered, raw 6).",
    ]


def test_an_empty_table_or_wrong_columns_are_refused(manager):
    with pytest.raises(ValidationError, match="has no rows"):
        upload(manager, "")
    with pytest.raises(ValidationError, match="needs the columns answered, raw_sum"):
        pam_table_upload(
            actor=manager, name="x", cut_set="current", license_reference="",
            table_csv="answered,score\n1,40\n", wording_csv="",
        )  # fmt: skip


def test_wording_lines_at_and_past_their_limits(manager):
    bad = (
        "xx,1,Question\n"
        "es,0,Pregunta\n"
        "es,14,Pregunta\n"
        "es,one,Pregunta\n"
        "es,1,\n" + "".join(f"es,{item},Pregunta {item}\n" for item in range(1, 13))
    )
    with pytest.raises(ValidationError) as refused:
        upload(manager, "1,3,40.0\n", wording=bad)
    assert refused.value.messages == [
        "Line 2: unknown language code.",
        "Line 3: item must be 1 to 13.",
        "Line 4: item must be 1 to 13.",
        "Line 5: item must be 1 to 13.",
        "Line 6: the item text is empty.",
        "Language es is missing items 13.",
    ]
