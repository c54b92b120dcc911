"""Evaluation records at the edges of their scope and order: same-day PAMs and
same-named patients, another patient of the same partnership, another
organization's table, the CBO's program manager, a story whose patient moved to
another navigator, and the utilization files of another health system."""

import datetime

import pytest
import time_machine
from django.http import Http404

from evaluation import selectors
from evaluation.services.pam import pam_table_upload
from evaluation.services.stories import story_deidentify, story_record
from evaluation.services.utilization import utilization_import_upload, utilization_save
from evaluation.tests.factories import caseload_referral, pam_row
from partners.models import User
from partners.tests.factories import UserFactory
from referrals.services import assignment, contacts
from referrals.tests.factories import ReferralFactory

Role = User.Role
MAY_1 = datetime.date(2026, 5, 1)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel("2026-05-04 19:00Z", tick=False):
        yield


def on_caseload(partnership, supervisor, navigator, **fields):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator, **fields
    )


def test_the_first_of_two_same_day_baselines_gives_the_level(
    partnership, supervisor, navigator
):
    patient = on_caseload(partnership, supervisor, navigator).patient
    pam_row(patient=patient, partnership=partnership, by=navigator, on=MAY_1, score=40)
    pam_row(patient=patient, partnership=partnership, by=navigator, on=MAY_1, score=80)
    [row] = selectors.pam_due_for_navigator(user=navigator)
    assert (row.baseline_on, row.baseline_level) == (MAY_1, 1)


def test_a_first_baseline_corrected_later_still_gives_the_level(
    partnership, supervisor, navigator
):
    from evaluation.models import PamAdministration

    patient = on_caseload(partnership, supervisor, navigator).patient
    first = pam_row(
        patient=patient, partnership=partnership, by=navigator, on=MAY_1, score=40
    )
    pam_row(patient=patient, partnership=partnership, by=navigator, on=MAY_1, score=80)
    PamAdministration.objects.filter(pk=first.pk).update(mode="in_person")
    [row] = selectors.pam_due_for_navigator(user=navigator)
    assert row.baseline_level == 1


def test_patients_due_the_same_day_with_the_same_name_keep_the_order_they_came(
    partnership, supervisor, navigator
):
    patients = [
        on_caseload(
            partnership, supervisor, navigator, patient__last_name="Reyes"
        ).patient
        for _ in range(4)
    ]
    for patient in reversed(patients):
        pam_row(patient=patient, partnership=partnership, by=navigator, on=MAY_1)
    listed = list(selectors.pam_due_for_navigator(user=navigator))
    assert listed == patients


def _month(manager, patient, month):
    return utilization_save(
        actor=manager, patient=patient,
        values={"period": datetime.date(2026, month, 1), "ed_visits": 0,
                "inpatient_admissions": 0, "hospital_days": 0,
                "readmissions_30d": 0, "primary_care_visits": 0},
    )  # fmt: skip


def test_utilization_months_of_two_same_named_patients_stay_together_newest_first(
    partnership, manager
):
    first, second = (
        ReferralFactory(partnership=partnership, patient__last_name="Reyes").patient
        for _ in range(2)
    )
    _month(manager, first, 1)
    _month(manager, second, 2)
    _month(manager, first, 3)
    _month(manager, second, 4)
    listed = [
        (record.patient, record.period.month)
        for record in selectors.utilization_list_for_user(manager)
    ]
    assert listed == [(first, 3), (first, 1), (second, 4), (second, 2)]


def test_a_navigator_sees_no_pam_of_a_patient_of_the_partnership_not_on_caseload(
    partnership, supervisor, navigator
):
    mine = on_caseload(partnership, supervisor, navigator).patient
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    theirs = on_caseload(partnership, supervisor, colleague).patient
    kept = pam_row(patient=mine, partnership=partnership, by=navigator, on=MAY_1)
    hidden = pam_row(patient=theirs, partnership=partnership, by=colleague, on=MAY_1)
    assert list(selectors.pam_list_for_user(navigator)) == [kept]
    with pytest.raises(Http404):
        selectors.pam_get_for_user(navigator, hidden.code)


TABLE = "answered,raw_sum,score\n" + "".join(
    f"13,{raw},{min(100, raw)}\n" for raw in range(13, 53)
)


def test_a_manager_lists_the_tables_of_their_organization_only(
    partnership, other_partnership, manager
):
    other = UserFactory(
        role=Role.PROGRAM_MANAGER, organization=other_partnership.health_system
    )
    upload = {
        "cut_set": "current",
        "license_reference": "L-1",
        "table_csv": TABLE,
        "wording_csv": "",
    }
    assert not selectors.pam_tables_for_user(manager).exists()
    pam_table_upload(actor=other, name="Other system's", **upload)
    assert not selectors.pam_tables_for_user(manager).exists()
    own = pam_table_upload(actor=manager, name="Ours", **upload)
    assert list(selectors.pam_tables_for_user(manager)) == [own]


def _shared_story(navigator, patient, title):
    story = story_record(
        actor=navigator, patient=patient, told_on=MAY_1, language="es",
        domain="food", title=title, text="A story.", consent_scope="public",
    )  # fmt: skip
    return story_deidentify(actor=navigator, story=story, deidentified_text="A story.")


def test_the_cbos_program_manager_sees_the_partnerships_shared_stories(
    partnership, other_partnership, supervisor, navigator
):
    cbo_manager = UserFactory(role=Role.PROGRAM_MANAGER, organization=partnership.cbo)
    patient = on_caseload(partnership, supervisor, navigator).patient
    story = _shared_story(navigator, patient, "Back on my feet")
    assert list(selectors.story_list_for_user(cbo_manager)) == [story]
    assert list(selectors.stories_for_funder_report(cbo_manager)) == [story]
    assert selectors.story_get_for_user(cbo_manager, story.code) == story
    outsider = UserFactory(
        role=Role.PROGRAM_MANAGER, organization=other_partnership.cbo
    )
    assert list(selectors.story_list_for_user(outsider)) == []
    assert list(selectors.stories_for_funder_report(outsider)) == []


def test_a_navigator_keeps_the_story_they_recorded_after_the_patient_moves_on(
    partnership, supervisor, navigator
):
    referral = on_caseload(partnership, supervisor, navigator)
    story = _shared_story(navigator, referral.patient, "Back on my feet")
    contacts.encounter_log(
        referral=referral, actor=navigator, occurred_at=referral.updated,
        mode="phone", reached=True, minutes=15,
    )  # fmt: skip
    referral.refresh_from_db()
    colleague = UserFactory(role=Role.NAVIGATOR, organization=partnership.cbo)
    assignment.referral_reassign(
        referral=referral, actor=supervisor, navigator=colleague, reason="Leave"
    )
    assert list(selectors.story_list_for_user(navigator)) == [story]
    assert list(selectors.story_list_for_user(colleague)) == [story]


HEADER = (
    "mrn,period,ed_visits,inpatient_admissions,hospital_days,readmissions_30d,"
    "primary_care_visits,hba1c,systolic_bp,diastolic_bp\n"
)


def test_a_utilization_file_is_opened_by_its_health_systems_managers_only(
    partnership, other_partnership, manager
):
    ReferralFactory(partnership=partnership, patient__mrn="A-1")
    upload = utilization_import_upload(
        actor=manager, file_name="october.csv",
        content=HEADER + "A-1,2025-10,0,0,0,0,0,,,\n",
    )  # fmt: skip
    colleague = UserFactory(
        role=Role.PROGRAM_MANAGER, organization=partnership.health_system
    )
    assert selectors.utilization_import_get_for_user(colleague, upload.code) == upload
    other = UserFactory(
        role=Role.PROGRAM_MANAGER, organization=other_partnership.health_system
    )
    with pytest.raises(Http404):
        selectors.utilization_import_get_for_user(other, upload.code)
