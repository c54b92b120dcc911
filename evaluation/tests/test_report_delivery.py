"""What a report's reader gets: every figure and heading of the weekly summary, its
CSV laid out table by table, the e-mail's exact words, link, subject and attachment
in the owner's language, the week counted from Monday in the partnership's time
zone, the progress a poll shows while it is built, and a request that still stands
when the queue is down."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from chwlink.lib.models import OutboundEmail
from evaluation import figures, tasks
from evaluation.models import Report
from evaluation.services import reports
from evaluation.tests.factories import (
    accepted_referral,
    caseload_referral,
    completed_referral,
    declined_referral,
)
from partners.tests.factories import PartnershipFactory, UserFactory
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
MONDAY = datetime.date(2026, 11, 23)


@pytest.fixture
def busy_week(partnership, supervisor, navigator):
    """Week of Monday 16 November 2026 (Los Angeles): one referral still waiting
    since the week before, one accepted, one on the caseload, one declined and
    one completed this week."""
    with time_machine.travel(datetime.datetime(2026, 11, 9, 18, tzinfo=UTC)):
        ReferralFactory(partnership=partnership)
    with time_machine.travel(datetime.datetime(2026, 11, 17, 18, tzinfo=UTC)):
        accepted_referral(partnership=partnership, supervisor=supervisor)
        caseload_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )
        declined_referral(partnership=partnership, supervisor=supervisor)
        completed_referral(
            partnership=partnership, supervisor=supervisor, navigator=navigator
        )


def weekly_report(today=MONDAY):
    with time_machine.travel(
        datetime.datetime.combine(today, datetime.time(15), UTC), tick=False
    ):
        created = reports.weekly_reports_schedule()
        for report_id in created:
            reports.report_build(report_id=report_id)
    return Report.objects.get(pk__in=created)


def test_weekly_summary_shows_every_figure_under_its_heading(busy_week, navigator):
    report = weekly_report()
    assert report.tables == [
        {
            "title": "This week at a glance",
            "headers": ["Figure", "Referrals"],
            "rows": [
                ["Waiting to be accepted", 1],
                ["Accepted, waiting for a navigator", 1],
                ["Overdue in the inbox", 2],
                ["Overdue in caseloads", 1],
                ["Received this week", 4],
                ["Closed this week", 2],
                ["Completed this week", 1],
            ],
        },
        {
            "title": "Caseloads",
            "headers": [
                "Navigator",
                "Active referrals",
                "Overdue",
                "Contacts this week",
            ],
            "rows": [[navigator.get_full_name(), 1, 1, 1]],
        },
    ]


def test_weekly_csv_holds_each_table_with_its_title_and_a_blank_line_after(
    busy_week, navigator
):
    report = weekly_report()
    assert report.csv.split("\r\n") == [
        "This week at a glance",
        "Figure,Referrals",
        "Waiting to be accepted,1",
        '"Accepted, waiting for a navigator",1',
        "Overdue in the inbox,2",
        "Overdue in caseloads,1",
        "Received this week,4",
        "Closed this week,2",
        "Completed this week,1",
        "",
        "Caseloads",
        "Navigator,Active referrals,Overdue,Contacts this week",
        f"{navigator.get_full_name()},1,1,1",
        "",
        "",
    ]


def test_program_csv_leaves_a_cell_without_a_figure_empty(partnership, manager, clinic):
    with time_machine.travel(datetime.datetime(2026, 11, 10, 18, tzinfo=UTC)):
        ReferralFactory.create_batch(10, partnership=partnership, clinic=clinic)
    report = Report.objects.get(
        pk__in=reports.monthly_reports_schedule(today=datetime.date(2026, 12, 1))
    )
    reports.report_build(report_id=report.pk)
    report.refresh_from_db()
    assert "\r\nReferred,10,\r\n" in report.csv
    assert report.csv.startswith("Key figures\r\n")
    funnel = next(t for t in report.tables if t["title"] == "Referral funnel")
    assert funnel["headers"] == [
        "Step",
        "Referrals",
        "Conversion from the step before (%)",
    ]


def test_the_week_starts_at_monday_midnight_in_the_partnerships_time_zone(db):
    partnership = PartnershipFactory(time_zone="America/New_York")
    supervisor = UserFactory(role="supervisor", organization=partnership.cbo)
    # Sunday 23:59 and Monday 00:00 in New York (Sunday 20:59 and 21:00 in LA).
    for moment in (
        datetime.datetime(2026, 11, 16, 4, 59, tzinfo=UTC),
        datetime.datetime(2026, 11, 16, 5, 0, tzinfo=UTC),
    ):
        with time_machine.travel(moment, tick=False):
            ReferralFactory(partnership=partnership)
    report = weekly_report()
    assert report.owner == supervisor
    assert report.tables[0]["rows"][4] == ["Received this week", 1]


def test_a_spanish_speaking_supervisor_gets_the_summary_and_email_in_spanish(
    partnership, supervisor
):
    supervisor.language = "es"
    supervisor.save()
    report = weekly_report()
    assert report.tables[0]["title"] == "Esta semana de un vistazo"
    assert report.tables[0]["rows"][0] == ["Esperando aceptación", 0]
    email = OutboundEmail.objects.get(to=supervisor.email)
    assert email.subject == "Resumen semanal de operaciones"
    assert email.body_text.startswith(
        "Su resumen semanal de operaciones del 2026-11-16 al 2026-11-22 está listo."
    )


def test_monthly_email_says_what_is_ready_and_links_to_it(
    partnership, manager, settings
):
    settings.SITE_URL = "https://chwlink.example.org/"
    report = Report.objects.get(
        pk__in=reports.monthly_reports_schedule(today=datetime.date(2026, 12, 1))
    )
    reports.report_build(report_id=report.pk)
    email = OutboundEmail.objects.get()
    assert email.to == manager.email
    assert email.subject == "Monthly program report"
    assert email.body_text == (
        "Your monthly program report for 2026-11-01 to 2026-11-30 is ready.\n\n"
        f"Open it in chwlink: https://chwlink.example.org/evaluation/reports/"
        f"{report.code}/"
    )
    assert (email.attachment_name, email.attachment_type) == (
        "chwlink-program-2026-11.csv",
        "text/csv",
    )


def test_a_supervisor_who_joins_later_still_gets_the_weeks_summary(
    partnership, supervisor
):
    first = reports.weekly_reports_schedule(today=MONDAY)
    # Listed after Sara, who already has hers.
    newcomer = UserFactory(
        role="supervisor", organization=partnership.cbo, first_name="Zoe"
    )
    second = reports.weekly_reports_schedule(today=MONDAY)
    assert [report.owner for report in Report.objects.filter(pk__in=first)] == [
        supervisor
    ]
    assert [report.owner for report in Report.objects.filter(pk__in=second)] == [
        newcomer
    ]


def test_polling_a_report_being_built_shows_it_running_and_advancing(
    login, partnership, manager, monkeypatch
):
    report = reports.report_request(user=manager, query={})
    client = login(manager)
    status_url = reverse("evaluation:report-status", args=[report.code])
    seen = []
    build = figures.dashboard_for_user

    def polled_while_building(*args, **kwargs):
        answer = client.get(status_url).json()
        seen.append((answer["status"], answer["progress"]))
        return build(*args, **kwargs)

    monkeypatch.setattr(figures, "dashboard_for_user", polled_while_building)
    reports.report_build(report_id=report.pk)
    assert seen == [("running", 10)]
    assert client.get(status_url).json()["progress"] == 100


def test_a_requested_report_for_chosen_dates_and_need_is_built_once_queued(
    partnership, manager, monkeypatch, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime.datetime(2026, 11, 10, 18, tzinfo=UTC)):
        ReferralFactory.create_batch(2, partnership=partnership)
        ReferralFactory(partnership=partnership, social_needs=["housing-instability"])
    monkeypatch.setattr(
        tasks.report_build_task,
        "delay",
        lambda report_id: tasks.report_build_task.apply(args=[report_id]),
    )
    query = {"start": "2026-11-02", "end": "2026-11-20", "need": "housing-instability"}
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_request(user=manager, query=query)
    report.refresh_from_db()
    assert (report.period_start, report.period_end) == (
        datetime.date(2026, 11, 2),
        datetime.date(2026, 11, 20),
    )
    assert report.status == Report.Status.DONE
    funnel = next(t for t in report.tables if t["title"] == "Referral funnel")
    assert funnel["rows"][0] == ["Referred", 1, None]


def test_a_report_requested_while_the_queue_is_down_waits_for_redelivery(
    partnership, manager, monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(report_id):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(tasks.report_build_task, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        report = reports.report_request(user=manager, query={})
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED


def test_building_one_report_leaves_the_others_waiting_their_turn(
    partnership, manager, supervisor
):
    weekly = reports.weekly_reports_schedule(today=MONDAY)
    monthly = reports.monthly_reports_schedule(today=datetime.date(2026, 12, 1))
    assert reports.report_build(report_id=weekly[0]) is True
    assert Report.objects.get(pk=monthly[0]).status == Report.Status.QUEUED
    assert reports.report_build(report_id=monthly[0]) is True
    assert OutboundEmail.objects.filter(to=manager.email).exists()
