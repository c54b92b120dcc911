"""The program dashboard's figures, computed in PostgreSQL for a filtered cohort.

Filters (date range on the day a referral was sent, clinic, navigator, patient
language, social need) select referrals; the cohort is their patients, and every
panel (PAM, utilization, stories) reads the same cohort. Each panel is a table:
``{"key", "title", "columns": [{"label", "kind", "base"}], "rows"}``; charts,
screen-reader tables and CSV exports all come from it.
"""

import datetime
import zoneinfo

from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.models import Story, Theme, UtilizationRecord
from evaluation.pam_analysis import pam_panel
from evaluation.selectors import AddMonths, shareable_q
from evaluation.statistics import percent
from evaluation.tables import column, rounded
from partners.models import Partnership, Site, User
from referrals.models import (
    CASELOAD_STATUSES,
    OPEN_STATUSES,
    OUTCOME_STATUSES,
    Encounter,
    Pathway,
    PathwayResource,
    Patient,
    Referral,
)
from referrals.selectors import (
    overdue_in_caseload,
    overdue_in_inbox,
    referral_list_for_user,
)
from referrals.services.timeliness import overdue_cutoffs_by_partnership

Status = Referral.Status
RESOLVED = [Pathway.Status.COMPLETED, Pathway.Status.APPROVED]
FINAL = [*RESOLVED, Pathway.Status.INCOMPLETE]
UTILIZATION_MEASURES = [
    ("ed_visits", gettext_lazy("Emergency visits")),
    ("inpatient_admissions", gettext_lazy("Inpatient admissions")),
    ("hospital_days", gettext_lazy("Hospital days")),
    ("readmissions_30d", gettext_lazy("30-day readmissions")),
    ("primary_care_visits", gettext_lazy("Primary-care visits")),
]


class Median(Aggregate):
    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def local_month_start(expression, time_zone: str) -> Func:
    """The first day of the local month of a moment, as a date."""
    return Func(
        TruncMonth(expression, tzinfo=zoneinfo.ZoneInfo(time_zone)),
        template="(%(expressions)s)::date",
        output_field=DateField(),
    )


def days_between(later: str, earlier: str) -> Func:
    return Func(
        F(later),
        F(earlier),
        template="EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0",
        arg_joiner=" - ",
        output_field=FloatField(),
    )


def count_subquery(queryset, group: str) -> Coalesce:
    """A correlated COUNT(*) subquery grouped on ``group``."""
    counted = (
        queryset.order_by().values(group).annotate(total=Count("pk")).values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


DEFAULT_TIME_ZONE = "America/Los_Angeles"


def partnership_for(user) -> Partnership | None:
    """The user's first partnership: the dashboard's months are in its time zone."""
    return (
        Partnership.objects.of_organization(user.organization_id).order_by("pk").first()
    )


def time_zone_for(user, partnership: Partnership | None = None) -> str:
    partnership = partnership or partnership_for(user)
    return partnership.time_zone if partnership else DEFAULT_TIME_ZONE


def dashboard_choices(user) -> dict:
    """Clinics and navigators of the user's partnerships, for the filters."""
    partnerships = Partnership.objects.of_organization(user.organization_id)
    return {
        "clinics": Site.objects.filter(
            organization_id__in=partnerships.values("health_system_id")
        ).order_by("name"),
        "navigators": User.objects.filter(
            role=User.Role.NAVIGATOR,
            organization_id__in=partnerships.values("cbo_id"),
        ).order_by("first_name", "last_name"),
    }


def filtered_referrals(user, filters: dict, time_zone: str):
    """The user's submitted referrals matching the dashboard filters."""
    zone = zoneinfo.ZoneInfo(time_zone)
    referrals = referral_list_for_user(user).exclude(
        status__in=[Status.DRAFT, Status.ENTERED_IN_ERROR]
    )
    if filters.get("start"):
        start = datetime.datetime.combine(filters["start"], datetime.time(), zone)
        referrals = referrals.filter(submitted_at__gte=start)
    if filters.get("end"):
        end = datetime.datetime.combine(
            filters["end"] + datetime.timedelta(days=1), datetime.time(), zone
        )
        referrals = referrals.filter(submitted_at__lt=end)
    if filters.get("clinic"):
        referrals = referrals.filter(clinic=filters["clinic"])
    if filters.get("navigator"):
        referrals = referrals.filter(navigator=filters["navigator"])
    if filters.get("language"):
        referrals = referrals.filter(patient__preferred_language=filters["language"])
    if filters.get("need"):
        referrals = referrals.filter(social_needs__contains=[filters["need"]])
    return referrals


def cohort_of(referrals):
    return Patient.objects.filter(Exists(referrals.filter(patient_id=OuterRef("pk"))))


def kpis_and_funnel(referrals, cutoffs: dict) -> dict:
    """KPI tiles and the funnel in one aggregate query (+ one for needs)."""
    linked = PathwayResource.objects.filter(pathway__referral_id=OuterRef("pk"))
    figures = referrals.annotate(linked=Exists(linked)).aggregate(
        referred=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        assigned=Count("pk", filter=Q(assigned_at__isnull=False)),
        contacted=Count("pk", filter=Q(first_contact_at__isnull=False)),
        needs_linked=Count("pk", filter=Q(linked=True)),
        closed=Count("pk", filter=Q(status__in=OUTCOME_STATUSES)),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        active_patients=Count(
            "patient", distinct=True, filter=Q(status__in=OPEN_STATUSES)
        ),
        overdue=Count(
            "pk", filter=overdue_in_inbox(cutoffs) | overdue_in_caseload(cutoffs)
        ),
        median_days_to_contact=Median(
            days_between("first_contact_at", "submitted_at"),
            filter=Q(first_contact_at__isnull=False),
        ),
    )
    needs = Pathway.objects.filter(referral__in=referrals.values("pk")).aggregate(
        resolved=Count("pk", filter=Q(status__in=RESOLVED)),
        final=Count("pk", filter=Q(status__in=FINAL)),
    )
    figures["needs_resolved"] = needs["resolved"]
    figures["needs_final"] = needs["final"]
    figures["closed_loop_rate"] = percent(figures["closed"], figures["referred"])
    figures["needs_resolved_rate"] = percent(needs["resolved"], needs["final"])
    figures["median_days_to_contact"] = rounded(figures["median_days_to_contact"])
    return figures


def kpi_table(figures: dict) -> dict:
    return {
        "key": "kpis",
        "title": _("Key figures"),
        "columns": [
            column(_("Measure"), "text"),
            column(_("Value"), "number", 2),
            column(_("Based on"), "count"),
        ],
        "rows": [
            [
                _("Active patients"),
                figures["active_patients"],
                figures["active_patients"],
            ],
            [_("New referrals"), figures["referred"], figures["referred"]],
            [
                _("Closed-loop rate (%)"),
                figures["closed_loop_rate"],
                figures["referred"],
            ],
            [
                _("Median days to first contact"),
                figures["median_days_to_contact"],
                figures["contacted"],
            ],
            [
                _("Needs resolved (%)"),
                figures["needs_resolved_rate"],
                figures["needs_final"],
            ],
            [_("Overdue referrals"), figures["overdue"], figures["overdue"]],
        ],
    }


def funnel_table(figures: dict) -> dict:
    steps = [
        (_("Referred"), figures["referred"]),
        (_("Accepted"), figures["accepted"]),
        (_("Navigator assigned"), figures["assigned"]),
        (_("Contacted"), figures["contacted"]),
        (_("Needs linked to resources"), figures["needs_linked"]),
        (_("Closed with an outcome"), figures["closed"]),
    ]
    rows, previous = [], None
    for label, count in steps:
        rows.append(
            [label, count, percent(count, previous) if previous else None, previous]
        )
        previous = count
    return {
        "key": "funnel",
        "title": _("Referral funnel"),
        "columns": [
            column(_("Step"), "text"),
            column(_("Referrals")),
            {**column(_("Conversion from the step before (%)"), "rate", 3), "part": 1},
            column(_("Previous step"), "hidden"),
        ],
        "rows": rows,
    }


def monthly_table(referrals, time_zone: str) -> dict:
    months = (
        referrals.annotate(
            month=TruncMonth("submitted_at", tzinfo=zoneinfo.ZoneInfo(time_zone))
        )
        .values("month")
        .annotate(
            referred=Count("pk"),
            contacted=Count("pk", filter=Q(first_contact_at__isnull=False)),
            closed=Count("pk", filter=Q(status__in=OUTCOME_STATUSES)),
        )
        .order_by("month")
    )
    return {
        "key": "monthly",
        "title": _("Referrals by month sent"),
        "columns": [
            column(_("Month"), "text"),
            column(_("Referred")),
            column(_("Contacted")),
            column(_("Closed with an outcome")),
        ],
        "rows": [
            [
                row["month"].strftime("%Y-%m"),
                row["referred"],
                row["contacted"],
                row["closed"],
            ]
            for row in months
        ],
    }


def navigator_table(user, referrals, filters: dict, cutoffs: dict) -> dict:
    since = timezone.now() - datetime.timedelta(days=14)
    cbos = Partnership.objects.of_organization(user.organization_id).values("cbo_id")
    navigators = User.objects.filter(
        role=User.Role.NAVIGATOR, organization_id__in=cbos, is_active=True
    )
    if filters.get("navigator"):
        navigators = navigators.filter(pk=filters["navigator"].pk)
    mine = referrals.filter(navigator_id=OuterRef("pk"))
    rows = navigators.annotate(
        active_caseload=count_subquery(
            mine.filter(status__in=CASELOAD_STATUSES), "navigator"
        ),
        overdue=count_subquery(
            mine.filter(status__in=CASELOAD_STATUSES).filter(
                overdue_in_caseload(cutoffs)
            ),
            "navigator",
        ),
        contacts=count_subquery(
            Encounter.objects.filter(
                navigator_id=OuterRef("pk"),
                occurred_at__gte=since,
                referral__in=referrals.values("pk"),
            ),
            "navigator",
        ),
    ).order_by("first_name", "last_name", "pk")
    return {
        "key": "navigators",
        "title": _("By navigator"),
        "columns": [
            column(_("Navigator"), "text"),
            column(_("Active caseload")),
            column(_("Overdue")),
            column(_("Contacts in the last 14 days")),
        ],
        "rows": [[str(n), n.active_caseload, n.overdue, n.contacts] for n in rows],
    }


def clinic_table(referrals) -> dict:
    clinics = (
        referrals.values("clinic__name")
        .annotate(
            referred=Count("pk"),
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            closed=Count("pk", filter=Q(status__in=OUTCOME_STATUSES)),
            completed=Count("pk", filter=Q(status=Status.COMPLETED)),
            median_days=Median(
                days_between("first_contact_at", "submitted_at"),
                filter=Q(first_contact_at__isnull=False),
            ),
            contacted=Count("pk", filter=Q(first_contact_at__isnull=False)),
        )
        .order_by("clinic__name")
    )
    return {
        "key": "clinics",
        "title": _("By clinic"),
        "columns": [
            column(_("Clinic"), "text"),
            column(_("Referred")),
            column(_("Accepted")),
            column(_("Closed with an outcome")),
            column(_("Needs addressed")),
            {**column(_("Closed-loop rate (%)"), "rate", 1), "part": 3},
            column(_("Median days to first contact"), "number", 7),
            column(_("Contacted")),
        ],
        "rows": [
            [
                c["clinic__name"],
                c["referred"],
                c["accepted"],
                c["closed"],
                c["completed"],
                percent(c["closed"], c["referred"]),
                rounded(c["median_days"]),
                c["contacted"],
            ]
            for c in clinics
        ],
    }


def window_sum(field: str, months: int, after: bool):
    records = UtilizationRecord.objects.filter(patient_id=OuterRef("pk"))
    if after:
        records = records.filter(
            period__gte=OuterRef("enrolled_month"),
            period__lt=AddMonths(OuterRef("enrolled_month"), months),
        )
    else:
        records = records.filter(
            period__gte=AddMonths(OuterRef("enrolled_month"), -months),
            period__lt=OuterRef("enrolled_month"),
        )
    if field == "months":
        return count_subquery(records, "patient")
    if field == "hba1c":
        mean = records.order_by().values("patient").annotate(mean=Avg(field))
        return Subquery(mean.values("mean"), output_field=FloatField())
    summed = (
        records.order_by().values("patient").annotate(total=Sum(field)).values("total")
    )
    return Coalesce(Subquery(summed, output_field=IntegerField()), 0)


def utilization_panel(user, cohort, months: int, time_zone: str) -> dict:
    """Events per person-year in the ``months`` before and after each patient's
    enrollment (the month of their first submitted referral, not one entered in
    error), for patients with utilization data in both periods."""
    first = (
        referral_list_for_user(user)
        .filter(patient_id=OuterRef("pk"), submitted_at__isnull=False)
        .exclude(status=Status.ENTERED_IN_ERROR)
        .order_by("submitted_at")
    )
    patients = cohort.annotate(
        enrolled_month=local_month_start(
            Subquery(first.values("submitted_at")[:1]), time_zone
        )
    )
    sums = {}
    for after in (False, True):
        phase = "post" if after else "pre"
        sums[f"{phase}_months"] = window_sum("months", months, after)
        for field, _label in UTILIZATION_MEASURES:
            sums[f"{phase}_{field}"] = window_sum(field, months, after)
    both = Q(pre_months__gt=0, post_months__gt=0)
    aggregates = {
        "cohort": Count("pk"),
        "with_pre": Count("pk", filter=Q(pre_months__gt=0)),
        "n": Count("pk", filter=both),
    }
    for name in sums:
        aggregates[f"sum_{name}"] = Coalesce(Sum(name, filter=both), 0)
    with_hba1c = Q(pre_hba1c__isnull=False, post_hba1c__isnull=False)
    aggregates |= {
        "hba1c_n": Count("pk", filter=with_hba1c),
        "hba1c_pre": Avg("pre_hba1c", filter=with_hba1c),
        "hba1c_post": Avg("post_hba1c", filter=with_hba1c),
    }
    totals = (
        patients.annotate(**sums)
        .annotate(
            pre_hba1c=window_sum("hba1c", months, after=False),
            post_hba1c=window_sum("hba1c", months, after=True),
        )
        .aggregate(**aggregates)
    )
    rows = []
    for field, label in UTILIZATION_MEASURES:
        pre = _per_person_year(totals[f"sum_pre_{field}"], totals["sum_pre_months"])
        post = _per_person_year(totals[f"sum_post_{field}"], totals["sum_post_months"])
        change = None if pre is None or post is None else round(post - pre, 2)
        rows.append([label, totals["n"], pre, post, change])
    rows.append(_hba1c_row(totals))
    return {
        "totals": totals,
        "months": months,
        "attrition": totals["with_pre"] - totals["n"],
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
        },
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


def story_panel(cohort) -> dict:
    """The three latest stories shareable internally, and theme counts."""
    shareable = Story.objects.filter(
        shareable_q(Story.Scope.INTERNAL), patient__in=cohort.values("pk")
    )
    stories = list(
        shareable.prefetch_related("excerpts__theme").order_by("-told_on", "-pk")[:3]
    )
    themes = (
        Theme.objects.filter(excerpts__story__in=shareable.values("pk"))
        .annotate(stories=Count("excerpts__story", distinct=True))
        .order_by("-stories", "name")
    )
    return {
        "stories": stories,
        "table": {
            "key": "themes",
            "title": _("Themes in consented stories"),
            "columns": [column(_("Theme"), "text"), column(_("Stories"))],
            "rows": [[theme.name, theme.stories] for theme in themes],
        },
    }


def dashboard_for_user(user, filters: dict) -> dict:
    """Every panel of the dashboard for the filtered cohort (a fixed number of
    queries, whatever the data)."""
    partnerships = list(
        Partnership.objects.of_organization(user.organization_id).order_by("pk")
    )
    time_zone = time_zone_for(user, partnerships[0] if partnerships else None)
    # Each referral is overdue under its own partnership's levels and business days.
    cutoffs = overdue_cutoffs_by_partnership(partnerships)
    referrals = filtered_referrals(user, filters, time_zone)
    cohort = cohort_of(referrals)
    figures = kpis_and_funnel(referrals, cutoffs)
    pam = pam_panel(cohort)
    utilization = utilization_panel(user, cohort, filters.get("window") or 6, time_zone)
    stories = story_panel(cohort)
    tables = [
        kpi_table(figures),
        funnel_table(figures),
        monthly_table(referrals, time_zone),
        navigator_table(user, referrals, filters, cutoffs),
        clinic_table(referrals),
        pam["change"],
        pam["matrix"],
        utilization["table"],
        stories["table"],
    ]
    return {
        "figures": figures,
        "pam": pam,
        "utilization": utilization,
        "stories": stories,
        "tables": {table["key"]: table for table in tables},
    }
