"""Who reads which evaluation records (evaluation.selectors): a navigator their
caseload's, a supervisor their CBO's, a program manager their partnership's with
live consent, nobody else's; what is due for follow-up and in which order."""

import datetime

import pytest
import time_machine
from django.http import Http404

from evaluation import selectors
from evaluation.models import PamConversionTable, Story
from evaluation.services.reports import report_request
from evaluation.services.stories import (
    story_code,
    story_deidentify,
    story_record,
    theme_save,
)
from evaluation.services.utilization import utilization_save
from evaluation.tests.factories import caseload_referral, pam_row
from partners.tests.factories import UserFactory
from referrals.services import workflow
from referrals.services.assignment import referral_share
from referrals.tests.factories import ReferralFactory

TODAY = datetime.datetime(2026, 5, 4, 19, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def team(partnership, supervisor, navigator):
    return {
        "partnership": partnership,
        "supervisor": supervisor,
        "navigator": navigator,
    }


def story_of(
    navigator, patient, *, scope="internal", language="es", domain="food", **extra
):
    extra = {"told_on": datetime.date(2026, 5, 1)} | extra
    story = story_record(
        actor=navigator, patient=patient, language=language, domain=domain,
        title=f"{scope} {language} {domain}", text="A story.", consent_scope=scope,
        **extra,
    )  # fmt: skip
    return story_deidentify(actor=navigator, story=story, deidentified_text="A story.")


def titles(stories):
    return sorted(story.title for story in stories)


def test_each_role_sees_its_own_stories(
    team, navigator, supervisor, manager, clinic_user, outsiders, partnership
):
    mine = caseload_referral(**team)
    story_of(navigator, mine.patient)
    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    theirs = caseload_referral(**{**team, "navigator": colleague})
    story_of(colleague, theirs.patient, language="en")
    # A story whose de-identified version was never reviewed stays inside the CBO.
    story_record(
        actor=navigator, patient=mine.patient, told_on=datetime.date(2026, 5, 2),
        language="es", domain="food", title="unreviewed", text="Raw.",
        consent_scope="public",
    )  # fmt: skip

    assert titles(selectors.story_list_for_user(navigator)) == [
        "internal es food",
        "unreviewed",
    ]
    assert titles(selectors.story_list_for_user(colleague)) == ["internal en food"]
    assert titles(selectors.story_list_for_user(supervisor)) == [
        "internal en food",
        "internal es food",
        "unreviewed",
    ]
    assert titles(selectors.story_list_for_user(manager)) == [
        "internal en food",
        "internal es food",
    ]
    assert list(selectors.story_list_for_user(clinic_user)) == []
    for outsider in outsiders.values():
        assert list(selectors.story_list_for_user(outsider)) == []


def test_navigator_sees_stories_of_a_patient_shared_with_them(
    team, navigator, supervisor, partnership
):
    colleague = UserFactory(role="navigator", organization=partnership.cbo)
    referral = caseload_referral(**{**team, "navigator": colleague})
    story_of(colleague, referral.patient)
    assert list(selectors.story_list_for_user(navigator)) == []
    referral_share(referral=referral, actor=supervisor, navigator=navigator)
    assert titles(selectors.story_list_for_user(navigator)) == ["internal es food"]


def test_story_filters_and_newest_first(team, navigator, manager):
    referral = caseload_referral(**team)
    food = story_of(navigator, referral.patient)
    story_of(
        navigator, referral.patient, domain="housing", language="en",
        told_on=datetime.date(2026, 5, 3),
    )  # fmt: skip
    theme = theme_save(actor=manager, name="Stability")
    story_code(actor=manager, story=food, theme=theme, excerpt="A story")
    story_code(actor=manager, story=food, theme=theme, excerpt="story")

    def listed(**filters):
        return [
            s.title for s in selectors.story_list_for_user(manager, filters=filters)
        ]

    assert listed() == ["internal en housing", "internal es food"]
    assert listed(theme=theme) == ["internal es food"]
    assert listed(domain="housing") == ["internal en housing"]
    assert listed(language="es") == ["internal es food"]
    assert selectors.story_get_for_user(manager, food.code) == food
    with pytest.raises(Http404):
        selectors.story_get_for_user(navigator, food.code.__class__(int=1))


@pytest.mark.parametrize(
    ("scope", "internal", "funder", "public"),
    [("internal", True, False, False), ("funder", True, True, False),
     ("public", True, True, True)],
)  # fmt: skip
def test_consent_scope_covers_its_own_and_narrower_uses(
    team, navigator, manager, scope, internal, funder, public
):
    referral = caseload_referral(**team)
    story = story_of(navigator, referral.patient, scope=scope)
    shown = {
        use: Story.objects.filter(selectors.shareable_q(use), pk=story.pk).exists()
        for use in ("internal", "funder", "public")
    }
    assert shown == {"internal": internal, "funder": funder, "public": public}
    assert bool(list(selectors.stories_for_funder_report(manager))) == funder


def test_consent_expiring_today_still_covers_today(team, navigator, manager):
    referral = caseload_referral(**team)
    today = story_of(
        navigator, referral.patient, scope="funder",
        consent_expires_on=datetime.date(2026, 5, 4),
    )  # fmt: skip
    story_of(
        navigator, referral.patient, scope="public",
        consent_expires_on=datetime.date(2026, 5, 3),
    )  # fmt: skip
    assert list(selectors.stories_for_funder_report(manager)) == [today]


def test_pams_are_read_within_the_partnership_of_the_referral(
    team, navigator, supervisor, manager, partnership, outsiders, other_partnership
):
    referral = caseload_referral(**team)
    pam = pam_row(patient=referral.patient, partnership=partnership, by=navigator,
                  on=datetime.date(2026, 1, 5), score=50)  # fmt: skip
    # The same patient's PAM recorded under another partnership stays there.
    elsewhere = pam_row(patient=referral.patient, partnership=other_partnership,
                        by=navigator, on=datetime.date(2026, 1, 6))  # fmt: skip
    for user in (navigator, supervisor, manager):
        assert list(selectors.pam_list_for_user(user)) == [pam]
        assert selectors.pam_get_for_user(user, pam.code) == pam
        with pytest.raises(Http404):
            selectors.pam_get_for_user(user, elsewhere.code)
    assert selectors.evaluation_patient_get_for_user(manager, referral.patient.code)
    for outsider in outsiders.values():
        with pytest.raises(Http404):
            selectors.evaluation_patient_get_for_user(outsider, referral.patient.code)


def test_follow_ups_due_soonest_first_then_no_baseline_last(
    team, navigator, partnership, settings
):
    settings.PAM_FOLLOW_UP_MONTHS = 12
    late, soon, none_yet = (
        caseload_referral(**team, patient__last_name=name) for name in ("A", "B", "C")
    )
    common = {"partnership": partnership, "by": navigator}
    pam_row(patient=late.patient, on=datetime.date(2025, 9, 30), **common)
    pam_row(patient=late.patient, on=datetime.date(2025, 3, 1), **common)
    pam_row(patient=soon.patient, on=datetime.date(2024, 12, 31), score=50, **common)
    pam_row(
        patient=soon.patient, on=datetime.date(2025, 6, 1), kind="follow_up", **common
    )
    pam_row(
        patient=soon.patient, on=datetime.date(2025, 2, 1), kind="follow_up", **common
    )
    closed = caseload_referral(**team)
    pam_row(patient=closed.patient, on=datetime.date(2024, 1, 1), **common)
    workflow.referral_transition(
        referral=closed, actor=navigator, name="close_unable", reason_code="moved"
    )

    due = list(selectors.pam_due_for_navigator(user=navigator))

    assert due == [soon.patient, late.patient, none_yet.patient]
    assert [p.follow_up_due_on for p in due] == [
        datetime.date(2025, 12, 31),
        datetime.date(2026, 3, 1),
        None,
    ]
    assert due[0].last_follow_up_on == datetime.date(2025, 6, 1)
    assert due[0].baseline_level == 2
    assert due[1].baseline_on == datetime.date(2025, 3, 1)


def test_only_the_active_conversion_table_of_the_organization_scores(
    manager, outsiders
):
    def table(owner, active):
        return PamConversionTable.objects.create(
            organization=owner.organization, name=f"{owner.pk} {active}",
            cut_set="current", rows={}, is_active=active, uploaded_by=owner,
        )  # fmt: skip

    inactive = table(manager, False)
    active = table(manager, True)
    foreign = table(outsiders["program_manager"], True)
    assert set(selectors.pam_tables_for_user(manager)) == {inactive, active}
    assert selectors.pam_table_get_for_user(manager, inactive.code) == inactive
    with pytest.raises(Http404):
        selectors.pam_table_get_for_user(manager, foreign.code)


def test_utilization_is_read_within_the_health_system_by_any_case_of_mrn(
    partnership, manager, outsiders
):
    patient = ReferralFactory(partnership=partnership, patient__mrn="AB-12").patient
    for month in (1, 2):
        utilization_save(
            actor=manager, patient=patient,
            values={"period": datetime.date(2026, month, 1), "ed_visits": 0,
                    "inpatient_admissions": 0, "hospital_days": 0,
                    "readmissions_30d": 0, "primary_care_visits": 0},
        )  # fmt: skip
    records = list(selectors.utilization_list_for_user(manager, mrn="ab-12"))
    assert [r.period for r in records] == [
        datetime.date(2026, 2, 1),
        datetime.date(2026, 1, 1),
    ]
    assert list(selectors.utilization_list_for_user(manager, mrn="AB-1")) == []
    assert selectors.utilization_patient_by_mrn(manager, "  ab-12 ") == patient
    stranger = outsiders["program_manager"]
    assert list(selectors.utilization_list_for_user(stranger)) == []
    assert selectors.utilization_patient_by_mrn(stranger, "AB-12") is None
    with pytest.raises(Http404):
        selectors.utilization_get_for_user(stranger, records[0].code)


def test_reports_are_their_owners_only(manager, partnership):
    colleague = UserFactory(
        role="program_manager", organization=partnership.health_system
    )
    report = report_request(user=manager, query={})
    assert list(selectors.report_list_for_user(manager)) == [report]
    assert list(selectors.report_list_for_user(colleague)) == []
    assert selectors.report_get_for_user(manager, report.code) == report
    with pytest.raises(Http404):
        selectors.report_get_for_user(colleague, report.code)
