"""Scheduled and on-demand reports: contents, exactly once, e-mail without PHI."""

import datetime
import time

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from chwlink.lib.models import OutboundEmail
from evaluation.models import Report
from evaluation.services import reports
from partners.tests.factories import UserFactory
from referrals.services import assignment, workflow
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC


@pytest.fixture
def week_of_work(partnership, supervisor, navigator):
    """Monday 16 – Sunday 22 November 2026: three referrals in, one assigned."""
    with time_machine.travel(datetime.datetime(2026, 11, 17, 18, tzinfo=UTC)):
        first, second, third = ReferralFactory.create_batch(3, partnership=partnership)
        workflow.referral_transition(referral=second, actor=supervisor, name="accept")
        assignment.referral_assign(
            referral=third, actor=supervisor, navigator=navigator
        )
    return first, second, third


def figure(report, table, label):
    rows = {row[0]: row[1:] for row in report.tables[table]["rows"]}
    return rows[label]


def test_weekly_summary_counts_the_inbox_and_caseloads(
    week_of_work, supervisor, navigator
):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 15, tzinfo=UTC)):
        created = reports.weekly_reports_schedule()
        assert reports.weekly_reports_schedule() == []  # once per period
        assert len(created) == 1
        reports.report_build(report_id=created[0])
    report = Report.objects.get(pk=created[0])
    assert report.owner == supervisor
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 11, 16),
        datetime.date(2026, 11, 22),
    )
    assert figure(report, 0, "Waiting to be accepted") == [1]
    assert figure(report, 0, "Accepted, waiting for a navigator") == [1]
    assert figure(report, 0, "Received this week") == [3]
    # one active referral, its first contact overdue, no contacts this week
    assert figure(report, 1, navigator.get_full_name()) == [1, 1, 0]
    email = OutboundEmail.objects.get(to=supervisor.email)
    assert f"/evaluation/reports/{report.code}/" in email.body_text


def test_monthly_report_goes_to_managers_with_small_cells_hidden(week_of_work, manager):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 15, tzinfo=UTC)):
        created = reports.monthly_reports_schedule()
        assert reports.monthly_reports_schedule() == []
        reports.report_build(report_id=created[0])
    report = Report.objects.get(pk=created[0])
    assert report.period_start == datetime.date(2026, 11, 1)
    assert report.status == Report.Status.DONE
    assert "<10" in report.csv
    email = OutboundEmail.objects.get(to=manager.email)
    assert email.attachment_name == "chwlink-program-2026-11.csv"
    assert email.attachment_content == report.csv
    for referral in week_of_work:
        for detail in (referral.patient.last_name, referral.patient.mrn):
            assert detail not in email.body_text + email.attachment_content


def test_a_report_is_built_once_even_if_the_task_runs_twice(partnership, manager):
    report = Report.objects.create(
        kind=Report.Kind.ON_DEMAND,
        owner=manager,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
    )
    assert reports.report_build(report_id=report.pk) is True
    assert reports.report_build(report_id=report.pk) is False


def test_reports_are_private_to_their_owner(login, partnership, manager, outsiders):
    other_manager = UserFactory(
        role="program_manager", organization=partnership.health_system
    )
    report = Report.objects.create(
        kind=Report.Kind.ON_DEMAND,
        owner=manager,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
    )
    for user in [other_manager, outsiders["program_manager"], outsiders["supervisor"]]:
        client = login(user)
        for name in ("report-detail", "report-status", "report-csv"):
            url = reverse(f"evaluation:{name}", args=[report.code])
            assert client.get(url).status_code == 404


def test_navigators_and_clinic_staff_have_no_reports(login, navigator, clinic_user):
    for user in (navigator, clinic_user):
        assert login(user).get(reverse("evaluation:report-list")).status_code == 403


@pytest.mark.celery_worker
def test_on_demand_report_builds_in_the_background_and_downloads(
    celery_worker, login, partnership, manager
):
    ReferralFactory.create_batch(2, partnership=partnership)
    client = login(manager)
    response = client.post(reverse("evaluation:report-request"), {"need": ""})
    report = Report.objects.get(owner=manager)
    assert response["Location"] == reverse(
        "evaluation:report-detail", args=[report.code]
    )
    status_url = reverse("evaluation:report-status", args=[report.code])
    deadline = time.monotonic() + 20
    while client.get(status_url).json()["status"] != "done":
        assert time.monotonic() < deadline, "the worker did not build the report"
        time.sleep(0.2)
    download = client.get(reverse("evaluation:report-csv", args=[report.code]))
    assert download["Content-Type"].startswith("text/csv")
    assert b"Referral funnel" in download.content
    assert b"Key figures" in download.content
    assert mail.outbox == []  # on-demand reports are downloaded, not e-mailed
