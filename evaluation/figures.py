"""The program dashboard's figures for a filtered cohort, read from the rollups.

Filters (date range on the day a referral was sent, clinic, navigator, patient
language, social need) select referrals (``evaluation.scope``); the cohort is
their patients, and the PAM, utilization and story panels read the same cohort.
Each panel is a table: ``{"key", "title", "columns": [{"label", "kind", "base"}],
"rows"}``; charts, screen-reader tables and CSV exports all come from it.

Counts come from the monthly rollup (a few thousand rows for the largest
partnership) and from the facts for the days a month cannot answer; what changes
with the clock (open work, overdue, recent contacts) from the open facts only;
medians by walking an index to the middle value.
"""

import datetime
import math
from contextlib import contextmanager
from functools import cached_property

from django.db import connection, transaction
from django.db.models import Case, Count, OuterRef, Q, Subquery, Sum, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evaluation.forms import person_name
from evaluation.models import RecentContact, Story
from evaluation.pam_analysis import pam_panel_of
from evaluation.scope import (
    DashboardScope,
    compiled,
    dashboard_scope,
    split_by_month,
)
from evaluation.screening_panel import screening_table
from evaluation.selectors import shareable_q
from evaluation.statistics import percent
from evaluation.tables import column, rounded
from evaluation.utilization_analysis import utilization_panel
from partners.models import Partnership, Site, User
from referrals.models import (
    CASELOAD_STATUSES,
    OPEN_STATUSES,
    OUTCOME_STATUSES,
    Encounter,
    Referral,
)
from referrals.selectors import overdue_in_caseload, overdue_in_inbox
from referrals.services.timeliness import overdue_cutoffs_by_partnership

Status = Referral.Status
# Closed after the work: the funnel's last step (declines are not an outcome of
# navigation; they count in the closed-loop rate, with every final outcome).
WORKED_STATUSES = (Status.COMPLETED, Status.UNABLE_TO_COMPLETE)
TABLE_KEYS = (
    "kpis", "funnel", "monthly", "navigators", "clinics", "pam_change",
    "pam_levels", "utilization", "themes", "screening",
)  # fmt: skip
# Contacted within N days: ``ReferralMonth.contacted_within_N``.
WITHIN_DAYS = range(1, 15)
COUNTS = (
    "referred", "accepted", "assigned", "contacted", "linked", "closed",
    "worked_closed", "completed", "pathways_resolved", "pathways_final",
    *(f"contacted_within_{days}" for days in WITHIN_DAYS),
)  # fmt: skip
UTILIZATION_MEASURES = [
    ("ed_visits", gettext_lazy("Emergency visits")),
    ("inpatient_admissions", gettext_lazy("Inpatient admissions")),
    ("hospital_days", gettext_lazy("Hospital days")),
    ("readmissions_30d", gettext_lazy("30-day readmissions")),
    ("primary_care_visits", gettext_lazy("Primary-care visits")),
]


@contextmanager
def figures_transaction():
    """One transaction for the dashboard's reads, with room to sort a large
    cohort's enrollments in memory (the default spills them to disk) and no
    parallel workers (starting them costs more than these reads take)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('work_mem', '32MB', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
        yield


def dashboard_choices(user) -> dict:
    """Clinics and navigators of the user's partnerships, for the filters."""
    partnerships = Partnership.objects.of_organization(user.organization_id).accepted()
    return {
        "clinics": Site.objects.filter(
            organization_id__in=partnerships.values("health_system_id")
        )
        .only("name")
        .order_by("name"),
        "navigators": User.objects.filter(
            role=User.Role.NAVIGATOR,
            organization_id__in=partnerships.values("cbo_id"),
        ).order_by("first_name", "last_name"),
    }


def _fact_counts(facts):
    """``ReferralMonth``'s counts, computed from facts."""
    return facts.values("month", "clinic_id").annotate(
        referred=Count("pk"),
        accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
        assigned=Count("pk", filter=Q(assigned_at__isnull=False)),
        contacted=Count("pk", filter=Q(first_contact_at__isnull=False)),
        linked=Count("pk", filter=Q(linked=True)),
        closed=Count("pk", filter=Q(status__in=OUTCOME_STATUSES)),
        worked_closed=Count("pk", filter=Q(status__in=WORKED_STATUSES)),
        completed=Count("pk", filter=Q(status=Status.COMPLETED)),
        pathways_resolved=Sum("pathways_resolved"),
        pathways_final=Sum("pathways_final"),
        **{
            f"contacted_within_{days}": Count("pk", filter=Q(contact_days__lt=days))
            for days in WITHIN_DAYS
        },
    )


# Counts of monthly rows and facts together, by month, by clinic and in all.
# Only SQL compiled by the ORM goes into ``parts``.
PART = "SELECT month, clinic_id, {columns} FROM ({sql}) part"
BY_MONTH_AND_CLINIC = """
    SELECT GROUPING(rows.month, rows.clinic_id, s.name) AS grouping, rows.month,
           rows.clinic_id, s.name, {sums}
    FROM ({parts}) rows LEFT JOIN partners_site s ON s.id = rows.clinic_id
    GROUP BY GROUPING SETS ((rows.month), (rows.clinic_id, s.name), ())
"""
ALL, BY_MONTH, BY_CLINIC = 7, 3, 4


def referral_counts(scope: DashboardScope) -> dict:
    """Counts of the filtered referrals in all (key None), by local month of
    sending (date keys) and by clinic ((name, id) keys): from the monthly rows
    for whole months, from the facts for the days around them."""
    parts = []
    if not scope.by_month:
        parts.append(compiled(_fact_counts(scope.facts())))
    else:
        months, edges = split_by_month(scope.days)
        if months:
            parts.append(
                compiled(scope.months(months).values("month", "clinic_id", *COUNTS))
            )
        if edges:
            edge_days = Q(pk__in=[])
            for days in edges:
                edge_days |= scope.sent_in(days)
            parts.append(
                compiled(_fact_counts(scope.facts(days=scope.days).filter(edge_days)))
            )
    columns = ", ".join(COUNTS)
    query = BY_MONTH_AND_CLINIC.format(
        sums=", ".join(f"coalesce(sum({name}), 0)::int AS {name}" for name in COUNTS),
        parts=" UNION ALL ".join(
            PART.format(columns=columns, sql=sql) for sql, _ in parts
        ),
    )
    counts = {None: dict.fromkeys(COUNTS, 0)}
    if not parts:
        return counts
    with connection.cursor() as cursor:
        cursor.execute(query, [value for _, params in parts for value in params])
        names = [c.name for c in cursor.description]
        for row in cursor.fetchall():
            group = dict(zip(names, row, strict=True))
            key = {
                ALL: None,
                BY_MONTH: group["month"],
                BY_CLINIC: (group["name"], group["clinic_id"]),
            }[group.pop("grouping")]
            counts[key] = {name: group[name] for name in COUNTS}
    return counts


# Open work in all and by navigator (the flags are 1 or 0). Only SQL compiled by
# the ORM goes into ``facts``.
WORK = ("open", "patients", "late", "working", "working_late")
OPEN_WORK = """
    SELECT GROUPING(navigator_id) = 1, navigator_id, count(*),
           count(DISTINCT patient_id), coalesce(sum(late), 0),
           coalesce(sum(working), 0), coalesce(sum(working_late), 0)
    FROM ({facts}) o
    GROUP BY GROUPING SETS ((), (navigator_id))
"""


# The middle one or two delays of ``source`` in order, as percentile_cont
# computes their median (``lo + (hi - lo) * 0.5``), read upwards or downwards.
# Only SQL compiled by the ORM is put into these texts; every value goes as a
# parameter.
MIDDLE = """
    SELECT min(d) + (max(d) - min(d)) * 0.5 FROM (
        SELECT contact_days AS d FROM ({source}) s
        ORDER BY contact_days {order} OFFSET {skip} LIMIT {take}
    ) middle
"""
UP, DOWN = (">=", ""), ("<", "DESC")
PARTNERSHIP_DELAYS = """
    (SELECT contact_days FROM ({facts}) f WHERE f.contact_days {compare} %s
     ORDER BY contact_days {order})
"""
CLINIC_DELAYS = """
    SELECT contact_days FROM ({facts}) f
    WHERE f.clinic_id = c.clinic_id AND f.contact_days {compare} c.bound
"""
MEDIANS = """
    SELECT NULL::bigint, ({overall})
    UNION ALL
    SELECT c.clinic_id, CASE WHEN c.down THEN ({down}) ELSE ({up}) END
    FROM unnest(%s::bigint[], %s::float8[], %s::int[], %s::int[], %s::bool[])
        c (clinic_id, bound, skip, take, down)
"""


def _middle(counts: dict) -> tuple[float, int, int, bool]:
    """Where the median's one or two delays are in order, between the whole
    numbers of days the counts place them: read upwards from the lower one or
    downwards from the upper one, whichever passes fewer delays; the bound, how
    many delays to skip and how many to take, and whether downwards."""
    contacted = counts["contacted"]
    place, take = (contacted - 1) // 2, 2 - contacted % 2
    low, below = -math.inf, 0
    high, under = math.inf, contacted
    for days in WITHIN_DAYS:
        within = counts[f"contacted_within_{days}"]
        if within <= place:
            low, below = float(days), within
        elif within >= place + take:
            high, under = float(days), within
            break
    up, down = place - below, under - place - take
    return (high, down, take, True) if down < up else (low, up, take, False)


def contact_medians(scope: DashboardScope, totals: dict, by_clinic: dict) -> dict:
    """Median days to first contact overall (key None) and by clinic id, from the
    counts of the filtered referrals: the middle of the delays, read in order
    from an index, starting from the whole number of days nearest to it that the
    counts place it beside."""
    by_clinic = {clinic: c for clinic, c in by_clinic.items() if c["contacted"]}
    if not totals["contacted"]:
        return {}
    bound, skip, take, down = _middle(totals)
    compare, order = DOWN if down else UP
    delays = scope.facts().filter(contact_days__isnull=False)
    sql, params = compiled(delays.values("contact_days", "clinic_id"))
    # One ordered read per partnership, merged in order.
    overall, overall_params = [], []
    for pk in scope.partnership_ids:
        branch, branch_params = compiled(
            scope.facts(partnership_ids=[pk])
            .filter(contact_days__isnull=False)
            .values("contact_days")
        )
        overall.append(
            PARTNERSHIP_DELAYS.format(facts=branch, compare=compare, order=order)
        )
        overall_params += [*branch_params, bound]
    by_clinic_middle = {
        direction: MIDDLE.format(
            source=CLINIC_DELAYS.format(facts=sql, compare=direction[0]),
            order=direction[1],
            skip="c.skip",
            take="c.take",
        )
        for direction in (UP, DOWN)
    }
    query = MEDIANS.format(
        overall=MIDDLE.format(
            source=" UNION ALL ".join(overall), order=order, skip="%s", take="%s"
        ),
        down=by_clinic_middle[DOWN],
        up=by_clinic_middle[UP],
    )
    clinics = sorted(by_clinic)
    middles = [_middle(by_clinic[clinic]) for clinic in clinics]
    arguments = [*overall_params, skip, take, *params, *params, clinics]
    arguments += [[middle[i] for middle in middles] for i in range(4)]
    with connection.cursor() as cursor:
        cursor.execute(query, arguments)
        return dict(cursor.fetchall())


class Dashboard:
    """The dashboard's panels for a scope, each computed when first asked for."""

    def __init__(self, user, filters: dict):
        self.user = user
        self.filters = filters
        self.scope = dashboard_scope(user, filters)

    @cached_property
    def cutoffs(self) -> dict:
        # Each referral is overdue under its own partnership's levels and days.
        return overdue_cutoffs_by_partnership(self.scope.partnerships)

    @cached_property
    def counts(self) -> dict:
        return referral_counts(self.scope)

    @cached_property
    def totals(self) -> dict:
        return self.counts[None]

    @cached_property
    def by_month(self) -> dict:
        return {k: c for k, c in self.counts.items() if isinstance(k, datetime.date)}

    @cached_property
    def by_clinic(self) -> dict:
        return {k: c for k, c in self.counts.items() if isinstance(k, tuple)}

    @cached_property
    def medians(self) -> dict:
        by_clinic = {clinic: counts for (_, clinic), counts in self.by_clinic.items()}
        return contact_medians(self.scope, self.totals, by_clinic)

    @cached_property
    def open_work(self) -> dict:
        """Open referrals in all (key None) and by navigator: how many, their
        patients, how many are overdue, and of them on the navigator's caseload,
        how many and how many overdue there."""
        caseload_late = overdue_in_caseload(self.cutoffs)
        late = overdue_in_inbox(self.cutoffs) | caseload_late
        flags = {
            "late": late,
            "working": Q(status__in=CASELOAD_STATUSES),
            "working_late": caseload_late,
        }
        rows = (
            self.scope.facts()
            .filter(status__in=OPEN_STATUSES)
            .annotate(
                **{
                    name: Case(When(condition, then=1), default=0)
                    for name, condition in flags.items()
                }
            )
            .values("navigator_id", "patient_id", *flags)
        )
        sql, params = compiled(rows)
        work = {None: {"open": 0, "patients": 0, "late": 0}}
        with connection.cursor() as cursor:
            cursor.execute(OPEN_WORK.format(facts=sql), params)
            for everyone, navigator, *counts in cursor.fetchall():
                key = None if everyone else navigator
                work[key] = dict(zip(WORK, counts, strict=True))
        return work

    @cached_property
    def figures(self) -> dict:
        work = self.open_work[None]
        figures = {
            **self.totals,
            "open": work["open"],
            "active_patients": work["patients"],
            "overdue": work["late"],
        }
        figures["needs_linked"] = figures.pop("linked")
        figures["needs_resolved"] = figures.pop("pathways_resolved")
        figures["needs_final"] = figures.pop("pathways_final")
        figures["closed_loop_rate"] = percent(figures["closed"], figures["referred"])
        figures["needs_resolved_rate"] = percent(
            figures["needs_resolved"], figures["needs_final"]
        )
        figures["median_days_to_contact"] = rounded(self.medians.get(None))
        return figures

    @cached_property
    def pam(self) -> dict:
        return pam_panel_of(self.scope.enrollment_sums)

    @cached_property
    def utilization(self) -> dict:
        return utilization_panel(self.scope, self.filters.get("window") or 6)

    @cached_property
    def stories(self) -> dict:
        return story_figures(self.scope)

    def table(self, key: str) -> dict:
        return {
            "kpis": lambda: kpi_table(self.figures),
            "funnel": lambda: funnel_table(self.figures_for_funnel),
            "monthly": lambda: monthly_table(self.by_month),
            "navigators": lambda: navigator_table(self.scope, self.open_work),
            "clinics": lambda: clinic_table(self.by_clinic, self.medians),
            "pam_change": lambda: self.pam["change"],
            "pam_levels": lambda: self.pam["matrix"],
            "utilization": lambda: self.utilization["table"],
            "themes": lambda: self.stories["table"],
            "screening": lambda: screening_table(self.scope),
            "pam_summary": lambda: self.pam["summary"],
            "utilization_summary": lambda: self.utilization["summary"],
            # The clinics' counts without their medians, for suppression.
            "clinic_counts": lambda: clinic_table(self.by_clinic, {}),
        }[key]()

    @property
    def figures_for_funnel(self) -> dict:
        return {**self.totals, "needs_linked": self.totals["linked"]}


def kpi_table(figures: dict) -> dict:
    """The headline figures, each with the count it is based on."""
    rows = [
        ("active_patients", _("Active patients"), "active_patients", None),
        ("referred", _("New referrals"), "referred", None),
        ("closed_loop_rate", _("Closed-loop rate (%)"), "referred", "closed"),
        ("median_days_to_contact", _("Median days to first contact"), "contacted",
         None),
        ("needs_resolved_rate", _("Needs resolved (%)"), "needs_final",
         "needs_resolved"),
        ("overdue", _("Overdue referrals"), "overdue", None),
    ]  # fmt: skip
    return {
        "key": "kpis",
        "title": _("Key figures"),
        "columns": [
            column(_("Measure"), "text"),
            column(_("Value"), "number", 2),
            column(_("Based on"), "count"),
        ],
        "rows": [
            [label, figures[value], figures[base]] for value, label, base, _p in rows
        ],
        "cells": [
            [
                None,
                value if value == base else (base,) if part is None else (part, base),
                base,
            ]
            for value, _label, base, part in rows
        ],
        # The counts the rates are made of, not displayed.
        "counts": {part: figures[part] for *_rest, part in rows if part},
    }


def funnel_table(figures: dict) -> dict:
    steps = [
        ("referred", _("Referred"), figures["referred"]),
        ("accepted", _("Accepted"), figures["accepted"]),
        ("assigned", _("Navigator assigned"), figures["assigned"]),
        ("contacted", _("Contacted"), figures["contacted"]),
        ("needs_linked", _("Needs linked to resources"), figures["needs_linked"]),
        ("worked_closed", _("Closed with an outcome"), figures["worked_closed"]),
    ]
    rows, cells, previous, before = [], [], None, None
    for name, label, count in steps:
        rows.append(
            [label, count, percent(count, previous) if previous else None, previous]
        )
        cells.append([None, name, before and (name, before), before])
        previous, before = count, name
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
        "cells": cells,
    }


MONTHLY = ("referred", "contacted", "closed")


def monthly_table(by_month: dict) -> dict:
    """Referrals by month; the months add up to the totals of the funnel."""
    months = sorted(by_month)
    return {
        "key": "monthly",
        "title": _("Referrals by month sent"),
        "columns": [
            column(_("Month"), "text"),
            column(_("Referred")),
            column(_("Contacted")),
            column(_("Loop closed (any final outcome)")),
        ],
        "rows": [
            [month.strftime("%Y-%m"), *(by_month[month][name] for name in MONTHLY)]
            for month in months
        ],
        "cells": [
            [None, *(f"{name}@{month:%Y-%m}" for name in MONTHLY)] for month in months
        ],
        "sums": [
            (name, [f"{name}@{month:%Y-%m}" for month in months]) for name in MONTHLY
        ],
    }


def navigator_table(scope: DashboardScope, open_work: dict) -> dict:
    """Active navigators of the partnerships' CBOs: their caseload among the
    filtered referrals, what of it is overdue, and their contacts on those
    referrals in the last 14 days."""
    navigators = User.objects.filter(
        role=User.Role.NAVIGATOR,
        organization_id__in={p.cbo_id for p in scope.partnerships},
        is_active=True,
    )
    if scope.filters.get("navigator"):
        navigators = navigators.filter(pk=scope.filters["navigator"].pk)
    navigators = list(
        navigators.order_by("first_name", "last_name", "pk").values_list(
            "pk", "first_name", "last_name", "email"
        )
    )
    contacts = recent_contacts(scope, [pk for pk, *_name in navigators])
    rows = []
    for pk, first_name, last_name, email in navigators:
        work = open_work.get(pk, {})
        rows.append(
            [
                person_name(first_name, last_name, email),
                work.get("working", 0),
                work.get("working_late", 0),
                contacts.get(pk, 0),
            ]
        )
    return {
        "key": "navigators",
        "title": _("By navigator"),
        "columns": [
            column(_("Navigator"), "text"),
            column(_("Active caseload")),
            column(_("Overdue")),
            column(_("Contacts in the last 14 days")),
        ],
        "rows": rows,
    }


def recent_contacts(scope: DashboardScope, navigator_ids: list[int]) -> dict:
    """Each navigator's contacts in the last 14 days on the filtered referrals;
    the recent contacts' own rows answer filters on the days of sending."""
    since = timezone.now() - datetime.timedelta(days=14)
    if any(
        scope.filters.get(name) for name in ("clinic", "navigator", "language", "need")
    ):
        contacts = Encounter.objects.filter(
            referral_id__in=scope.facts().values("referral_id")
        )
    else:
        contacts = RecentContact.objects.filter(
            scope.sent_in(scope.days), partnership_id__in=scope.partnership_ids
        )
    return dict(
        contacts.filter(navigator_id__in=navigator_ids, occurred_at__gte=since)
        .values("navigator_id")
        .annotate(total=Count("pk"))
        .values_list("navigator_id", "total")
    )


CLINIC_COUNTS = ("referred", "accepted", "closed", "completed", "contacted")


def clinic_table(by_clinic: dict, medians: dict) -> dict:
    """Referrals by clinic; the clinics add up to the partnership's totals."""
    clinics = sorted(by_clinic.items())
    cells = []
    for (_name, clinic_id), _counts in clinics:
        name = {count: f"{count}@clinic-{clinic_id}" for count in CLINIC_COUNTS}
        cells.append(
            [
                None, name["referred"], name["accepted"], name["closed"],
                name["completed"], (name["closed"], name["referred"]),
                (name["contacted"],), name["contacted"],
            ]
        )  # fmt: skip
    return {
        "key": "clinics",
        "title": _("By clinic"),
        "columns": [
            column(_("Clinic"), "text"),
            column(_("Referred")),
            column(_("Accepted")),
            column(_("Loop closed (any final outcome)")),
            column(_("Needs addressed")),
            {**column(_("Closed-loop rate (%)"), "rate", 1), "part": 3},
            column(_("Median days to first contact"), "number", 7),
            column(_("Contacted")),
        ],
        "rows": [
            [
                name,
                c["referred"],
                c["accepted"],
                c["closed"],
                c["completed"],
                percent(c["closed"], c["referred"]),
                rounded(medians.get(clinic_id)),
                c["contacted"],
            ]
            for (name, clinic_id), c in clinics
        ],
        "cells": cells,
        "sums": [
            (count, [f"{count}@clinic-{clinic_id}" for (_n, clinic_id), _c in clinics])
            for count in CLINIC_COUNTS
        ],
    }


def _shareable_stories(scope: DashboardScope):
    """Stories of the cohort shareable internally, in the partnerships."""
    in_cohort = scope.patient_ids().filter(patient_id=OuterRef("patient_id"))
    # Each story's patient looked up in the cohort (fewer stories than patients),
    # not the whole cohort hashed as EXISTS would be planned.
    return Story.objects.alias(
        cohort_patient=Subquery(in_cohort.values("patient_id")[:1])
    ).filter(
        shareable_q(Story.Scope.INTERNAL),
        cohort_patient__isnull=False,
        partnership_id__in=scope.partnership_ids,
    )


# The three latest shareable stories and each theme's count of them, in one read
# of the shareable stories. Only SQL compiled by the ORM goes into ``stories``.
STORIES = """
    WITH shareable AS MATERIALIZED ({stories})
    SELECT 'story', id, NULL, NULL, row_number() OVER (ORDER BY told_on DESC, id DESC)
    FROM (SELECT * FROM shareable ORDER BY told_on DESC, id DESC LIMIT 3) latest
    UNION ALL
    SELECT 'theme', t.id, t.name, count(DISTINCT x.story_id),
           row_number() OVER (ORDER BY count(DISTINCT x.story_id) DESC, t.name)
    FROM evaluation_theme t JOIN evaluation_storyexcerpt x ON x.theme_id = t.id
    WHERE x.story_id IN (SELECT id FROM shareable)
    GROUP BY t.id, t.name
"""


def story_figures(scope: DashboardScope) -> dict:
    """The three latest stories of the cohort shareable internally, and how
    many of those stories each theme is coded on."""
    sql, params = compiled(_shareable_stories(scope).order_by().values("id", "told_on"))
    with connection.cursor() as cursor:
        cursor.execute(STORIES.format(stories=sql), params)
        rows = sorted(cursor.fetchall(), key=lambda row: (row[0], row[4]))
    latest = [pk for kind, pk, *_rest in rows if kind == "story"]
    stories = Story.objects.filter(pk__in=latest).prefetch_related("excerpts__theme")
    stories = sorted(stories, key=lambda story: latest.index(story.pk))
    return {
        "stories": stories,
        "table": {
            "key": "themes",
            "title": _("Themes in consented stories"),
            "columns": [column(_("Theme"), "text"), column(_("Stories"))],
            "rows": [
                [name, count] for kind, _pk, name, count, _n in rows if kind == "theme"
            ],
        },
    }


# What each table is suppressed together with: tables that share its counts or
# add up to them (``evaluation.disclosure``), all computed from the same reads.
SUPPRESSED_WITH = {
    "kpis": ("funnel", "monthly", "clinic_counts"),
    "funnel": ("monthly", "clinic_counts"),
    "monthly": ("funnel", "clinic_counts"),
    "clinics": ("funnel", "monthly"),
    "pam_change": ("pam_levels", "pam_summary"),
    "pam_levels": ("pam_change", "pam_summary"),
    "utilization": ("utilization_summary",),
}
SUMMARIES = ("pam_summary", "utilization_summary")


def dashboard_for_user(user, filters: dict, *, only: str | None = None) -> dict:
    """The dashboard's panels for the filtered cohort, or only the table ``only``
    and the tables it is suppressed with (a CSV export computes nothing else),
    in a fixed number of queries. ``tables`` holds every table released with
    them, ``TABLE_KEYS`` those shown as tables."""
    dashboard = Dashboard(user, filters)
    keys = (
        (*TABLE_KEYS, *SUMMARIES)
        if only is None
        else (only, *SUPPRESSED_WITH.get(only, ()))
    )
    with figures_transaction():
        tables = {key: dashboard.table(key) for key in keys}
        if only is not None:
            return {"tables": tables}
        return {
            "partnerships": dashboard.scope.partnerships,
            "figures": dashboard.figures,
            "pam": dashboard.pam,
            "utilization": dashboard.utilization,
            "stories": dashboard.stories,
            "tables": tables,
        }
