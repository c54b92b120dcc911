"""Scheduled and on-demand reports: built by Celery, stored, e-mailed without PHI.

Weekly operations summaries go to each supervisor; monthly program reports (the
dashboard's figures for last month, CSV attached with small cells hidden) go to each
program manager. A unique constraint makes each scheduled report once per person and
period however often the schedule fires.
"""

import datetime
import io
import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chwlink.lib import csv_export
from chwlink.lib.outbox import email_queue
from chwlink.lib.submissions import claims_form_token
from evaluation import figures
from evaluation.access import manages_program
from evaluation.disclosure import release_for_display
from evaluation.forms import DashboardFilterForm
from evaluation.models import Report
from partners.models import Partnership, User
from referrals.selectors import operations_summary_for_supervisor

Kind = Report.Kind
Status = Report.Status


@claims_form_token
def report_request(*, user: User, query: dict) -> Report:
    """Queue an on-demand program report for the dashboard's current filters."""
    if not manages_program(user):
        raise PermissionDenied
    from evaluation.tasks import report_build_task

    today = timezone.localdate()
    report = Report.objects.create(
        kind=Kind.ON_DEMAND,
        owner=user,
        period_start=query.get("start") or today.replace(day=1),
        period_end=query.get("end") or today,
        query=query,
    )
    transaction.on_commit(lambda: report_build_task.delay(report.pk), robust=True)
    return report


def _csv_text(tables: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv_export.writer(buffer)
    for table in tables:
        writer.writerow([table["title"]])
        writer.writerow(table["headers"])
        writer.writerows(table["rows"])  # the csv module writes None as ""
        writer.writerow([])
    return buffer.getvalue()


def _plain(table: dict) -> dict:
    """A display table as JSON-friendly values."""
    return {
        "title": str(table["title"]),
        "headers": [str(header) for header in table["headers"]],
        "rows": [
            [
                cell if isinstance(cell, int | float) or cell is None else str(cell)
                for cell in row
            ]
            for row in table["rows"]
        ],  # fmt: skip
    }


def _program_tables(report: Report) -> dict:
    """The dashboard's tables for the report's period and filters."""
    choices = figures.dashboard_choices(report.owner)
    query = {
        "start": report.period_start.isoformat(),
        "end": report.period_end.isoformat(),
        **{key: value for key, value in report.query.items() if value},
    }
    form = DashboardFilterForm(query, **choices)
    return figures.dashboard_for_user(report.owner, form.filters())["tables"]


def _shown(tables: dict, *, shared: bool) -> list[dict]:
    """The dashboard's tables, suppressed together with every table released
    with them, as the dashboard shows them."""
    shown = release_for_display(tables, shared=shared)
    return [_plain(shown[key]) for key in figures.TABLE_KEYS]


def _time_zone_of(user) -> str:
    """The time zone of the user's first partnership."""
    partnership = (
        Partnership.objects.of_organization(user.organization_id)
        .accepted()
        .order_by("pk")
        .first()
    )
    return partnership.time_zone if partnership else settings.TIME_ZONE


def _operations_tables(report: Report) -> list[dict]:
    # The week starts at Monday midnight where the partnership works.
    zone = zoneinfo.ZoneInfo(_time_zone_of(report.owner))
    since = datetime.datetime.combine(report.period_start, datetime.time.min, zone)
    summary = operations_summary_for_supervisor(user=report.owner, since=since)
    headline = [
        (_("Waiting to be accepted"), summary["waiting_acceptance"]),
        (_("Accepted, waiting for a navigator"), summary["waiting_assignment"]),
        (_("Overdue in the inbox"), summary["overdue_in_inbox"]),
        (_("Overdue in caseloads"), summary["overdue_in_caseloads"]),
        (_("Received this week"), summary["received"]),
        (_("Closed this week"), summary["closed"]),
        (_("Completed this week"), summary["completed"]),
    ]
    return [
        {
            "title": _("This week at a glance"),
            "headers": [_("Figure"), _("Referrals")],
            "rows": [[str(label), value] for label, value in headline],
        },
        {
            "title": _("Caseloads"),
            "headers": [
                _("Navigator"),
                _("Active referrals"),
                _("Overdue"),
                _("Contacts this week"),
            ],
            "rows": [
                [row["name"], row["active"], row["overdue"], row["contacts"]]
                for row in summary["navigators"]
            ],
        },
    ]


def report_build(*, report_id: int) -> bool:
    """Build one queued report; a second delivery of the task finds it taken."""
    claimed = Report.objects.filter(pk=report_id, status=Status.QUEUED).update(
        status=Status.RUNNING, progress=10
    )
    if not claimed:
        return False
    report = Report.objects.select_related("owner").get(pk=report_id)
    try:
        with translation.override(report.owner.language or settings.LANGUAGE_CODE):
            if report.kind == Kind.WEEKLY_OPERATIONS:
                tables = _operations_tables(report)
                shared_tables = tables
            else:
                computed = _program_tables(report)
                tables = _shown(computed, shared=False)
                shared_tables = _shown(computed, shared=True)
            Report.objects.filter(pk=report_id).update(
                tables=tables,
                csv=_csv_text(shared_tables),
                progress=100,
                status=Status.DONE,
                finished_at=timezone.now(),
            )
    except Exception:
        Report.objects.filter(pk=report_id).update(status=Status.FAILED, progress=0)
        raise
    if report.kind != Kind.ON_DEMAND:
        report.refresh_from_db()
        _email_report(report)
    return True


def _email_report(report: Report) -> None:
    """Tell the owner the report is ready; the program CSV holds aggregates only,
    with small cells hidden, so it may travel by e-mail."""
    owner = report.owner
    link = f"{settings.SITE_URL.rstrip('/')}/evaluation/reports/{report.code}/"
    with translation.override(owner.language or settings.LANGUAGE_CODE):
        lines = [
            _("Your %(report)s for %(start)s to %(end)s is ready.")
            % {
                "report": report.get_kind_display().lower(),
                "start": report.period_start,
                "end": report.period_end,
            },
            _("Open it in chwlink: %(url)s") % {"url": link},
        ]
        attachment = None
        if report.kind == Kind.MONTHLY_PROGRAM:
            attachment = (
                f"chwlink-program-{report.period_start:%Y-%m}.csv",
                report.csv,
                "text/csv",
            )
        with transaction.atomic():
            email_queue(
                to=owner.email,
                subject=str(report.get_kind_display()),
                body_text="\n\n".join(lines),
                attachment=attachment,
            )


def _schedule(kind: str, role: str, start, end) -> list[int]:
    """Create this period's report for everyone of the role, once; return new ids."""
    created = []
    for owner in User.objects.filter(role=role, is_active=True):
        try:
            with transaction.atomic():
                report = Report.objects.create(
                    kind=kind, owner=owner, period_start=start, period_end=end
                )
        except IntegrityError:
            continue
        created.append(report.pk)
    return created


def weekly_reports_schedule(*, today=None) -> list[int]:
    """Last week's (Monday to Sunday) operations summary for every supervisor."""
    today = today or timezone.localdate()
    start = today - datetime.timedelta(days=today.weekday() + 7)
    return _schedule(
        Kind.WEEKLY_OPERATIONS,
        User.Role.SUPERVISOR,
        start,
        start + datetime.timedelta(days=6),
    )


def monthly_reports_schedule(*, today=None) -> list[int]:
    """Last month's program report for every program manager."""
    today = today or timezone.localdate()
    end = today.replace(day=1) - datetime.timedelta(days=1)
    return _schedule(
        Kind.MONTHLY_PROGRAM, User.Role.PROGRAM_MANAGER, end.replace(day=1), end
    )
