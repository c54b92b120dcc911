from celery import shared_task
from django.conf import settings
from django.utils import timezone

from chwlink.lib.periodic import periodic_run
from evaluation.models import Report
from evaluation.services import reports

TRANSIENT_ERRORS = (ConnectionError, TimeoutError)


@shared_task(autoretry_for=TRANSIENT_ERRORS, retry_backoff=True, max_retries=5)
def report_build_task(report_id: int) -> None:
    reports.report_build(report_id=report_id)


def _enqueue(report_ids) -> None:
    for report_id in report_ids:
        report_build_task.delay(report_id)


@shared_task
def weekly_reports_task() -> None:
    with periodic_run("weekly_reports_task") as run:
        created = reports.weekly_reports_schedule()
        _enqueue(created)
        run["text"] = f"{len(created)} weekly reports queued"


@shared_task
def monthly_reports_task() -> None:
    with periodic_run("monthly_reports_task") as run:
        created = reports.monthly_reports_schedule()
        _enqueue(created)
        run["text"] = f"{len(created)} monthly reports queued"


@shared_task
def reports_redeliver_task() -> None:
    """Queue again reports whose first enqueue was lost (broker down at the time)."""
    with periodic_run("reports_redeliver_task") as run:
        cutoff = timezone.now() - settings.OUTBOX_REDELIVER_AFTER
        stale = list(
            Report.objects.filter(
                status=Report.Status.QUEUED, created__lt=cutoff
            ).values_list("pk", flat=True)[:100]
        )
        _enqueue(stale)
        run["text"] = f"{len(stale)} reports re-queued"
