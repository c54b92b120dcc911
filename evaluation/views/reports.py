"""Reports: the list, asking for one, watching it build, reading and downloading it."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chwlink.lib.pagination import page_of
from chwlink.lib.submissions import (
    AlreadySubmitted,
    already_submitted,
    posted_form_token,
)
from evaluation import figures, selectors
from evaluation.access import manages_program, reads_reports
from evaluation.forms import DashboardFilterForm
from evaluation.services import reports
from partners.access import allowed
from referrals.access import supervises

FILTER_KEYS = ("start", "end", "clinic", "navigator", "language", "need", "window")


@allowed(reads_reports)
def report_list(request):
    page = page_of(
        selectors.report_list_for_user(request.user), 25, request.GET.get("page")
    )
    return render(
        request,
        "evaluation/report_list.html",
        {"page_obj": page, "gets_operations_summary": supervises(request.user)},
    )


@require_POST
@allowed(manages_program)
def report_request(request):
    """Prepare a report of the dashboard's current filters (checked like the
    dashboard checks them)."""
    choices = figures.dashboard_choices(request.user)
    form = DashboardFilterForm(
        {key: request.POST.get(key, "") for key in FILTER_KEYS}, **choices
    )
    if not form.is_valid():
        messages.error(request, _("Check the filters: the report was not prepared."))
        return redirect("evaluation:dashboard")
    query = {key: form.data.get(key, "") for key in FILTER_KEYS}
    try:
        report = reports.report_request(
            user=request.user, query=query, form_token=posted_form_token(request.POST)
        )
    except AlreadySubmitted as first:
        return already_submitted(request, "evaluation:report-detail", code=first.result)
    return redirect("evaluation:report-detail", code=report.code)


@allowed(reads_reports)
def report_detail(request, code):
    report = selectors.report_get_for_user(request.user, code)
    return render(request, "evaluation/report_detail.html", {"report": report})


@allowed(reads_reports)
def report_status(request, code):
    """Polled while the report builds (background traffic: no session extension)."""
    report = selectors.report_get_for_user(request.user, code)
    return JsonResponse(
        {
            "status": report.status,
            "status_label": report.get_status_display(),
            "progress": report.progress,
        }
    )


@allowed(reads_reports)
def report_csv(request, code):
    report = selectors.report_get_for_user(request.user, code)
    if report.status != report.Status.DONE:
        return redirect("evaluation:report-detail", code=report.code)
    response = HttpResponse(report.csv, content_type="text/csv; charset=utf-8")
    name = f"chwlink-{report.kind}-{report.period_start:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
