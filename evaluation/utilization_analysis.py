"""Health care use per person-year before and after enrollment, for a cohort.

A patient's enrollment is the month (in the partnership's time zone) of their
first referral sent to one of the program manager's partnerships, not one
entered in error; ``Enrollment`` keeps, for each, the months of data and the
events in the 6 and 12 months each side of it, and ``evaluation.enrollment_sums``
what each adds to the panel.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.enrollment_sums import NAMES, WINDOWS
from evaluation.tables import column, rounded

MEASURES = [
    ("ed_visits", gettext_lazy("Emergency visits")),
    ("inpatient_admissions", gettext_lazy("Inpatient admissions")),
    ("hospital_days", gettext_lazy("Hospital days")),
    ("readmissions_30d", gettext_lazy("30-day readmissions")),
    ("primary_care_visits", gettext_lazy("Primary-care visits")),
]


def utilization_panel(scope, months: int) -> dict:
    """Events per person-year in the ``months`` before and after each cohort
    patient's enrollment, for patients with utilization data in both periods."""
    if months not in WINDOWS:
        raise ValueError("Utilization windows are 6 or 12 months.")
    sums = dict.fromkeys(NAMES, 0)
    for group in scope.enrollment_sums.values():
        for name in NAMES:
            sums[name] += group[name]
    w = f"u{months}"
    totals = {
        "cohort": sums["enrollments"],
        "with_pre": sums[f"{w}_with_pre"],
        "n": sums[f"{w}_n"],
        "hba1c_n": sums[f"{w}_hba1c_n"],
    }
    for phase in ("pre", "post"):
        for name in ["months", *(field for field, _label in MEASURES)]:
            totals[f"sum_{phase}_{name}"] = sums[f"{w}_{phase}_{name}"]
        totals[f"hba1c_{phase}"] = (
            float(Decimal(sums[f"{w}_hba1c_{phase}"]) / totals["hba1c_n"])
            if totals["hba1c_n"]
            else None
        )
    rows = []
    for field, label in MEASURES:
        pre = _per_person_year(totals[f"sum_pre_{field}"], totals["sum_pre_months"])
        post = _per_person_year(totals[f"sum_post_{field}"], totals["sum_post_months"])
        change = None if pre is None or post is None else round(post - pre, 2)
        rows.append([label, totals["n"], pre, post, change])
    rows.append(_hba1c_row(totals))
    attrition = totals["with_pre"] - totals["n"]
    return {
        "totals": totals,
        "months": months,
        "attrition": attrition,
        "summary": _summary_table(totals, attrition),
        "table": {
            "key": "utilization",
            "title": _("Utilization per person-year, before and after enrollment"),
            "columns": [
                column(_("Measure"), "text"),
                column(_("Patients in both periods")),
                column(_("Before"), "number", 1),
                column(_("After"), "number", 1),
                column(_("Change"), "number", 1),
            ],
            "rows": rows,
            "cells": [
                [None, n, (n,), (n,), (n,)]
                for n in ["util_n"] * len(MEASURES) + ["util_hba1c_n"]
            ],
        },
    }


def _summary_table(totals: dict, attrition: int) -> dict:
    """The counts of the sentence above the utilization table, as a table that
    is suppressed with it and never shown as one: of the patients with data
    before enrollment, some have data after too and the rest were lost."""
    names = ["cohort", "with_pre", "n", "attrition"]
    values = {**totals, "attrition": attrition}
    return {
        "key": "utilization_summary",
        "title": "",
        "columns": [column("", "text"), column("")],
        "rows": [[name, values[name]] for name in names],
        "cells": [[None, f"util_{name}"] for name in names],
        "sums": [("util_with_pre", ["util_n", "util_attrition"])],
    }


def _hba1c_row(totals: dict) -> list:
    """Mean of each patient's average HbA1c before and after, for patients with a
    value in both periods."""
    pre, post = rounded(totals["hba1c_pre"], 2), rounded(totals["hba1c_post"], 2)
    change = None if pre is None or post is None else round(post - pre, 2)
    return [_("HbA1c (%), mean"), totals["hba1c_n"], pre, post, change]


def _per_person_year(events: int, person_months: int) -> float | None:
    if not person_months:
        return None
    return round(events * 12 / person_months, 2)
