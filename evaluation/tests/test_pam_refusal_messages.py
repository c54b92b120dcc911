"""The exact words a navigator or program manager reads when a PAM or an uploaded
table is refused (the form shows them above its fields), one refusal at a time."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from evaluation.services.pam import pam_record, pam_table_upload
from evaluation.tests.factories import caseload_referral

TODAY = datetime.date(2026, 3, 10)
ANSWERS = [3, 3, 4, 2, 3, None, 3, 4, 3, 2, 3, 3, 4]
TABLE_HEADER = "answered,raw_sum,score\n"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-03-10 18:00Z", tick=False):
        yield


@pytest.fixture
def referral(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )


def refusal(call, **values):
    with pytest.raises(ValidationError) as refused:
        call(**values)
    return refused.value.messages


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"answers": [3] * 12}, "Answer all 13 items (N/A is an answer)."),
        ({"answers": [5] + [3] * 12}, "Each answer is 1 to 4, or N/A."),
        (
            {"answers": [None] * 13},
            "At least one item needs an answer other than N/A.",
        ),
        (
            {"administered_on": TODAY + datetime.timedelta(days=1)},
            "The date cannot be in the future.",
        ),
        (
            {"manual_score": Decimal("100.1"), "manual_cut_set": "current"},
            "A PAM score is between 0 and 100.",
        ),
        ({"manual_score": Decimal(50)}, "Say which cut-point set the scorer used."),
        ({"kind": "follow_up"}, "Record the baseline before a follow-up."),
    ],
)
def test_a_refused_pam_says_why(navigator, referral, changes, message):
    values = {
        "actor": navigator, "patient": referral.patient, "administered_on": TODAY,
        "language": "es", "mode": "phone", "kind": "baseline", "answers": ANSWERS,
    } | changes  # fmt: skip
    assert refusal(pam_record, **values) == [message]


@pytest.mark.parametrize(
    ("table", "wording", "messages"),
    [
        ("answered,raw_sum,score\n", "", ["The conversion table has no rows."]),
        (
            "answered,score\n1,40\n",
            "",
            ["The conversion table file needs the columns answered, raw_sum, score."],
        ),
        (
            "answered,raw_sum,score\n1,3,40.0\n",
            "language,text\nes,Pregunta\n",
            ["The item wording file needs the columns language, item, text."],
        ),
        (
            "",
            "",
            ["The conversion table file needs the columns answered, raw_sum, score."],
        ),
    ],
)
def test_a_refused_table_says_why(manager, table, wording, messages):
    refused = refusal(
        pam_table_upload, actor=manager, name="T", cut_set="current",
        license_reference="", table_csv=table, wording_csv=wording,
    )  # fmt: skip
    assert refused == messages


def test_a_bad_table_and_bad_wording_are_reported_together(manager):
    assert refusal(
        pam_table_upload, actor=manager, name="T", cut_set="current",
        license_reference="", table_csv="answered,raw_sum,score\n0,0,10\n",
        wording_csv="language,item,text\nxx,1,Question\n",
    ) == [
        "Line 2: answered must be 1 to 13.",
        "Line 2: unknown language code.",
    ]  # fmt: skip


def test_wording_missing_several_items_lists_them_all(manager):
    refused = refusal(
        pam_table_upload, actor=manager, name="T", cut_set="current",
        license_reference="", table_csv="answered,raw_sum,score\n1,3,40.0\n",
        wording_csv="language,item,text\nes,1,Pregunta 1\nes,13,Pregunta 13\n",
    )  # fmt: skip
    assert refused == [
        "Language es is missing items 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12."
    ]


def upload_table(manager, table):
    return pam_table_upload(
        actor=manager, name="T", cut_set="current", license_reference="",
        table_csv=table, wording_csv="",
    )  # fmt: skip


def test_a_table_saved_by_a_spreadsheet_with_a_byte_order_mark_is_taken(manager):
    table = upload_table(manager, "\ufeffanswered,raw_sum,score\n1,3,40.0\n")
    assert table.rows == {"1:3": "40.0"}


def test_a_header_with_a_stray_character_before_it_is_refused(manager):
    assert refusal(
        upload_table, manager=manager, table="Xanswered,raw_sum,score\n"
    ) == ["The conversion table file needs the columns answered, raw_sum, score."]


def test_every_bad_line_is_reported_not_only_the_first(manager):
    assert refusal(
        upload_table, manager=manager, table=TABLE_HEADER + "0,0,10\n2,1,10\n"
    ) == [
        "Line 2: answered must be 1 to 13.",
        "Line 3: with 2 items answered the raw sum is 2 to 8.",
    ]


def test_a_supervisor_may_not_record_a_pam_even_for_their_cbos_patient(
    supervisor, referral
):
    with pytest.raises(PermissionDenied):
        pam_record(
            actor=supervisor, patient=referral.patient, administered_on=TODAY,
            language="es", mode="phone", kind="baseline", answers=ANSWERS,
        )  # fmt: skip


def test_a_follow_up_needs_this_patients_own_baseline(
    navigator, referral, partnership, supervisor
):
    other = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )
    values = {
        "actor": navigator, "administered_on": TODAY, "language": "es",
        "mode": "phone", "answers": ANSWERS,
    }  # fmt: skip
    pam_record(patient=other.patient, kind="baseline", **values)
    assert refusal(
        pam_record, patient=referral.patient, kind="follow_up", **values
    ) == ["Record the baseline before a follow-up."]


def test_a_recorded_pam_keeps_how_and_in_which_language_it_was_given(
    navigator, referral
):
    pam = pam_record(
        actor=navigator, patient=referral.patient, administered_on=TODAY,
        language="es", mode="phone", kind="baseline", answers=ANSWERS,
    )  # fmt: skip
    pam.refresh_from_db()
    assert (pam.get_mode_display(), pam.get_language_display()) == (
        "By phone",
        "Spanish",
    )
