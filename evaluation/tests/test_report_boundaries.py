"""Reports at their edges: the week and month they cover when the schedule fires on
a Sunday or on New Year's Day, the month's last moment in the partnership's time
zone, exact figures on the page but hidden small cells in the CSV, who gets one,
and a build that fails."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from chwlink.lib.models import OutboundEmail
from evaluation import figures
from evaluation.models import Report
from evaluation.services import reports
from partners.tests.factories import UserFactory
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (datetime.date(2026, 11, 22), datetime.date(2026, 11, 9)),  # Sunday
        (datetime.date(2026, 11, 23), datetime.date(2026, 11, 16)),  # Monday
        (datetime.date(2026, 11, 29), datetime.date(2026, 11, 16)),  # Sunday
    ],
)
def test_weekly_report_covers_the_last_full_monday_to_sunday(supervisor, today, start):
    created = reports.weekly_reports_schedule(today=today)
    report = Report.objects.get(pk__in=created)
    assert (report.kind, report.owner) == ("weekly_operations", supervisor)
    assert (report.period_start, report.period_end) == (
        start,
        start + datetime.timedelta(days=6),
    )


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        ("2027-01-01", "2026-12-01", "2026-12-31"),
        ("2026-12-31", "2026-11-01", "2026-11-30"),
        ("2028-03-01", "2028-02-01", "2028-02-29"),
    ],
)
def test_monthly_report_covers_the_whole_previous_month(manager, today, start, end):
    today, start, end = map(datetime.date.fromisoformat, (today, start, end))
    report = Report.objects.get(pk__in=reports.monthly_reports_schedule(today=today))
    assert (report.owner, report.period_start, report.period_end) == (
        manager,
        start,
        end,
    )


def test_only_active_people_of_the_role_are_scheduled(
    partnership, manager, supervisor, navigator
):
    UserFactory(role="supervisor", organization=partnership.cbo, is_active=False)
    UserFactory(
        role="program_manager", organization=partnership.health_system, is_active=False
    )
    today = datetime.date(2026, 12, 1)
    weekly = Report.objects.filter(pk__in=reports.weekly_reports_schedule(today=today))
    monthly = Report.objects.filter(
        pk__in=reports.monthly_reports_schedule(today=today)
    )
    assert [r.owner for r in weekly] == [supervisor]
    assert [r.owner for r in monthly] == [manager]


def test_program_report_counts_to_the_last_moment_of_the_month_in_local_time(
    partnership, manager, clinic
):
    # 23:59 on 30 November in Los Angeles is 07:59 UTC on 1 December.
    for moment in (
        datetime.datetime(2026, 11, 1, 7, 0, tzinfo=UTC),
        datetime.datetime(2026, 12, 1, 7, 59, tzinfo=UTC),
        datetime.datetime(2026, 12, 1, 8, 0, tzinfo=UTC),
        datetime.datetime(2026, 11, 1, 6, 59, tzinfo=UTC),
    ):
        with time_machine.travel(moment, tick=False):
            ReferralFactory.create_batch(5, partnership=partnership, clinic=clinic)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 15, tzinfo=UTC)):
        created = reports.monthly_reports_schedule()
        assert reports.report_build(report_id=created[0]) is True
    report = Report.objects.get(pk=created[0])
    funnel = next(t for t in report.tables if t["title"] == "Referral funnel")
    assert funnel["rows"][0] == ["Referred", 10, None]
    assert "Referred,10," in report.csv
    assert "Accepted,0,0.0" in report.csv
    assert (report.status, report.progress) == ("done", 100)
    assert report.finished_at is not None
    email = OutboundEmail.objects.get(to=manager.email)
    assert "2026-11-01 to 2026-11-30" in email.body_text


def test_program_report_csv_hides_small_cells_the_page_shows(partnership, manager):
    with time_machine.travel(datetime.datetime(2026, 11, 10, 18, tzinfo=UTC)):
        ReferralFactory.create_batch(3, partnership=partnership)
        report = reports.report_request(user=manager, query={"language": "es"})
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 10),
    )
    with time_machine.travel(datetime.datetime(2026, 11, 10, 19, tzinfo=UTC)):
        reports.report_build(report_id=report.pk)
    report.refresh_from_db()
    funnel = next(t for t in report.tables if t["title"] == "Referral funnel")
    assert funnel["rows"][0] == ["Referred", 3, None]
    assert "Referred,<10," in report.csv
    # On-demand reports are downloaded, not e-mailed.
    assert not OutboundEmail.objects.exists()


def test_only_program_managers_request_reports(navigator, supervisor, clinic_user):
    for user in (navigator, supervisor, clinic_user):
        with pytest.raises(PermissionDenied):
            reports.report_request(user=user, query={})
    assert not Report.objects.exists()


def test_weekly_email_carries_no_attachment(partnership, supervisor):
    created = reports.weekly_reports_schedule(today=datetime.date(2026, 11, 23))
    reports.report_build(report_id=created[0])
    email = OutboundEmail.objects.get(to=supervisor.email)
    assert not email.attachment_name
    assert "2026-11-16 to 2026-11-22 is ready" in email.body_text


def test_a_failed_build_is_marked_failed(manager, monkeypatch):
    report = reports.report_request(user=manager, query={})

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(figures, "dashboard_for_user", broken)
    with pytest.raises(RuntimeError):
        reports.report_build(report_id=report.pk)
    report.refresh_from_db()
    assert (report.status, report.progress) == ("failed", 0)
    assert reports.report_build(report_id=report.pk) is False
