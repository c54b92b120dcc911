"""Which record a reader gets, and in which order: by the day a story was told,
by code, by MRN."""

import datetime

import pytest
import time_machine

from evaluation import selectors
from evaluation.services.reports import report_request
from evaluation.services.stories import story_deidentify, story_record
from evaluation.services.utilization import utilization_save
from evaluation.tests.factories import caseload_referral
from referrals.tests.factories import ReferralFactory


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-05-04 19:00Z", tick=False):
        yield


def _story(navigator, patient, title, told_on):
    story = story_record(
        actor=navigator, patient=patient, told_on=told_on, language="es",
        domain="food", title=title, text="A story.", consent_scope="public",
    )  # fmt: skip
    return story_deidentify(actor=navigator, story=story, deidentified_text="A story.")


def test_stories_are_listed_by_the_day_told_then_latest_recorded(
    partnership, supervisor, navigator, manager
):
    patient = caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    ).patient
    _story(navigator, patient, "Told third", datetime.date(2026, 5, 3))
    _story(navigator, patient, "Told first", datetime.date(2026, 5, 1))
    _story(navigator, patient, "Told first, recorded later", datetime.date(2026, 5, 1))
    expected = ["Told third", "Told first, recorded later", "Told first"]
    assert [s.title for s in selectors.story_list_for_user(navigator)] == expected
    assert [s.title for s in selectors.stories_for_funder_report(manager)] == expected


def _month(manager, patient, month):
    return utilization_save(
        actor=manager, patient=patient,
        values={"period": datetime.date(2026, month, 1), "ed_visits": 0,
                "inpatient_admissions": 0, "hospital_days": 0,
                "readmissions_30d": 0, "primary_care_visits": 0},
    )  # fmt: skip


def test_records_are_found_by_their_own_code_and_mrn(partnership, manager):
    first = ReferralFactory(partnership=partnership, patient__mrn="AB-11").patient
    second = ReferralFactory(partnership=partnership, patient__mrn="AB-12").patient
    _month(manager, first, 1)
    record = _month(manager, second, 2)
    assert selectors.utilization_get_for_user(manager, record.code) == record
    assert selectors.utilization_patient_by_mrn(manager, "ab-12") == second
    assert selectors.utilization_patient_by_mrn(manager, "ab-11") == first
    one = report_request(user=manager, query={})
    two = report_request(user=manager, query={})
    assert selectors.report_get_for_user(manager, one.code) == one
    assert selectors.report_get_for_user(manager, two.code) == two
