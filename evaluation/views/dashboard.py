"""The program dashboard, its CSV exports and the de-identified dataset."""

import itertools

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from chwlink.lib import csv_export
from chwlink.lib.reauthenticated_downloads import download_after_reauthentication
from evaluation import datasets, figures, selectors
from evaluation.access import manages_program
from evaluation.disclosure import release_for_display
from evaluation.forms import DashboardFilterForm
from partners.access import allowed


def _filter_form(request) -> DashboardFilterForm:
    choices = figures.dashboard_choices(request.user)
    return DashboardFilterForm(
        request.GET or None,
        clinics=choices["clinics"],
        navigators=choices["navigators"],
    )


def _chart_data(tables: dict) -> dict:
    """What dashboard.js draws: labels and series taken from the tables."""
    monthly = tables["monthly"]["rows"]
    return {
        "funnel": {
            "labels": [row[0] for row in tables["funnel"]["rows"]],
            "values": [row[1] for row in tables["funnel"]["rows"]],
        },
        "monthly": {
            "labels": [row[0] for row in monthly],
            "series": [
                [row[i] for row in monthly]
                for i in range(1, len(tables["monthly"]["headers"]))
            ],
            "names": [str(name) for name in tables["monthly"]["headers"][1:]],
        },
    }


@allowed(manages_program)
def dashboard(request):
    form = _filter_form(request)
    filters = form.filters()
    shared = bool(filters.get("shared"))
    data = figures.dashboard_for_user(request.user, filters)
    tables = release_for_display(data["tables"], shared=shared)
    context = {
        "form": form,
        "shared": shared,
        "partnerships": data["partnerships"],
        "data": data,
        # The headline figures (partners/tests/test_demo.py reads "open").
        "summary": data["figures"],
        "tables": {key: tables[key] for key in figures.TABLE_KEYS},
        # The counts of the sentences above the PAM and utilization tables.
        "summaries": {key: dict(tables[key]["rows"]) for key in figures.SUMMARIES},
        "charts": _chart_data(tables),
        "query": request.GET.urlencode(),
    }
    return render(request, "evaluation/dashboard.html", context)


def _csv_response(name: str, header, rows) -> StreamingHttpResponse:
    """A CSV download written row by row as it is sent."""
    lines = csv_export.lines(itertools.chain([header], rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.csv"'
    return response


@allowed(manages_program)
def export_table(request, table):
    """One dashboard table as CSV, always with small cells suppressed; nothing
    else of the dashboard is computed."""
    if table not in figures.TABLE_KEYS:
        raise Http404
    form = _filter_form(request)
    data = figures.dashboard_for_user(request.user, form.filters(), only=table)
    shown = release_for_display(data["tables"], shared=True)[table]
    # Figures stay numbers; the writer turns the rest into safe text.
    return _csv_response(f"chwlink-{table}", shown["headers"], shown["rows"])


@allowed(manages_program)
@download_after_reauthentication
def export_dataset(request):
    """The de-identified patient-level dataset for evaluators."""
    form = _filter_form(request)
    rows = datasets.deidentified_rows(request.user, form.filters())
    return _csv_response("chwlink-deidentified-patients", datasets.HEADER, rows)


@allowed(manages_program)
@download_after_reauthentication
def export_stories(request):
    """Stories the tellers allowed in funder reports: de-identified text only."""
    header = ["year", "domain", "language", "title", "story", "themes"]
    rows = (
        [
            story.told_on.year, story.get_domain_display(),
            story.get_language_display(), story.title, story.deidentified_text,
            "; ".join(sorted({excerpt.theme.name for excerpt in story.excerpts.all()})),
        ]
        for story in selectors.stories_for_funder_report(request.user)
    )  # fmt: skip
    return _csv_response("chwlink-stories", header, rows)
