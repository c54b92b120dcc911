import csv
import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from evaluation.models import Story, StoryExcerpt, Theme
from evaluation.services.utilization import utilization_save
from evaluation.tests.factories import (
    accepted_referral,
    completed_referral,
    declined_referral,
    draft_referral,
    in_progress_referral,
    pam_row,
)
from referrals.tests.factories import ReferralFactory


@pytest.fixture
def referrals(partnership, supervisor, navigator, clinic_user, clinic):
    """Three waiting, one accepted, one being worked, one completed, one declined
    and one draft, each reached through the workflow services."""
    team = {"partnership": partnership, "supervisor": supervisor}
    ReferralFactory.create_batch(3, partnership=partnership)
    accepted_referral(**team)
    in_progress_referral(**team, navigator=navigator)
    completed_referral(**team, navigator=navigator)
    declined_referral(**team)
    draft_referral(clinic_user=clinic_user, clinic=clinic)


def test_dashboard_counts_the_partnerships_referrals(login, manager, referrals):
    response = login(manager).get("/evaluation/")
    figures = response.context["data"]["figures"]
    assert figures["referred"] == 7
    assert figures["open"] == 5
    assert figures["active_patients"] == 5
    assert figures["closed"] == 2
    assert figures["closed_loop_rate"] == pytest.approx(28.6)
    assert "Referral funnel" in response.content.decode()


def test_manager_of_another_partnership_sees_none_of_it(login, outsiders, referrals):
    response = login(outsiders["program_manager"]).get("/evaluation/")
    assert response.context["data"]["figures"]["referred"] == 0


def test_dashboard_queries_do_not_grow_with_referrals(
    login, manager, navigator, partnership, referrals, django_assert_max_num_queries
):
    client = login(manager)
    # session, user, partnerships (scope and header), the figures' transaction
    # (savepoint, JIT off, release), monthly counts, the contracts' service
    # levels, open work, medians, navigators, their caseloads, their contacts,
    # PAM, utilization, stories (+ excerpts and their themes when there are
    # stories), themes, organization (navigation bar), clinic and navigator
    # choices, session save (savepoint, update, release)
    with django_assert_max_num_queries(25):
        client.get("/evaluation/")
    for referral in ReferralFactory.create_batch(5, partnership=partnership):
        _evaluation_records(referral, navigator, manager)
    with django_assert_max_num_queries(25):
        response = client.get("/evaluation/")
    assert len(response.context["data"]["stories"]["stories"]) == 3


def _evaluation_records(referral, navigator, manager):
    patient = referral.patient
    common = {"patient": patient, "partnership": referral.partnership, "by": navigator}
    pam_row(on=datetime.date(2025, 1, 1), score=50, **common)
    pam_row(on=datetime.date(2025, 8, 1), kind="follow_up", score=56, **common)
    utilization_save(
        actor=manager, patient=patient,
        values={"period": datetime.date(2025, 1, 1), "ed_visits": 1,
                "inpatient_admissions": 0, "hospital_days": 0,
                "readmissions_30d": 0, "primary_care_visits": 1},
    )  # fmt: skip
    story = Story.objects.create(
        partnership=referral.partnership, patient=patient,
        told_on=datetime.date(2025, 9, 1), language="es", domain="food",
        title="Food", text="Text", consent_scope="public",
        deidentified_text="Text", deidentified_reviewed_at=timezone.now(),
        deidentified_reviewed_by=navigator, recorded_by=navigator,
    )  # fmt: skip
    theme, _created = Theme.objects.get_or_create(
        organization=manager.organization, name="Food security"
    )
    StoryExcerpt.objects.create(
        story=story, theme=theme, excerpt="Text", coded_by=manager
    )


def test_table_export_hides_counts_below_ten(login, manager, referrals):
    response = login(manager).get("/evaluation/export/funnel.csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert response["Content-Type"].startswith("text/csv")
    assert rows[1][:2] == ["Referred", "<10"]


def test_filters_apply_to_every_panel(
    login, manager, partnership, clinic, other_clinic
):
    ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)
    ReferralFactory(
        partnership=partnership, clinic=other_clinic, patient__preferred_language="en"
    )
    client = login(manager)
    by_clinic = client.get(f"/evaluation/?clinic={clinic.pk}").context["data"]
    assert by_clinic["figures"]["referred"] == 2
    assert [row[0] for row in by_clinic["tables"]["clinics"]["rows"]] == [clinic.name]
    assert by_clinic["utilization"]["totals"]["cohort"] == 2
    by_language = client.get("/evaluation/?language=en").context["data"]
    assert by_language["figures"]["referred"] == 1


def test_date_range_counts_referrals_sent_in_it(login, manager, partnership):
    sent = datetime.datetime(2026, 2, 10, 18, tzinfo=datetime.UTC)
    for moment in (sent, sent.replace(month=4)):
        with time_machine.travel(moment, tick=False):
            ReferralFactory(partnership=partnership)
    client = login(manager)
    data = client.get("/evaluation/?start=2026-02-01&end=2026-02-28").context["data"]
    assert data["figures"]["referred"] == 1
    assert data["tables"]["monthly"]["rows"] == [["2026-02", 1, 0, 0]]


def test_end_before_start_is_shown_beside_the_field(login, manager):
    response = login(manager).get("/evaluation/?start=2026-03-01&end=2026-02-01")
    assert "The end date must be after the start date." in response.content.decode()


def test_shared_view_hides_small_counts(login, manager, referrals):
    page = login(manager).get("/evaluation/?shared=on")
    funnel = page.context["tables"]["funnel"]
    assert funnel["rows"][0][1] == "<10"
    assert "&lt;10" in page.content.decode()


def test_large_counts_are_not_suppressed(login, manager, partnership, clinic):
    ReferralFactory.create_batch(12, partnership=partnership, clinic=clinic)
    response = login(manager).get("/evaluation/export/funnel.csv")
    rows = list(csv.reader(io.StringIO(response.getvalue().decode())))
    assert rows[1][:2] == ["Referred", "12"]
    assert rows[2][:3] == ["Accepted", "0", "0.0"]


def test_unknown_export_table_is_404(login, manager):
    assert login(manager).get("/evaluation/export/patients.csv").status_code == 404


def test_only_program_managers_see_the_dashboard_and_exports(
    login, clinic_user, supervisor, navigator
):
    for user in (clinic_user, supervisor, navigator):
        client = login(user)
        assert client.get("/evaluation/").status_code == 403
        assert client.get("/evaluation/export/funnel.csv").status_code == 403
        assert client.get("/evaluation/export/dataset.csv").status_code == 403
