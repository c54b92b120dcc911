"""PAM change with the endorsed exclusions, computed in PostgreSQL.

Each patient's first baseline is paired with their first follow-up 6 to 12 months
later. Excluded: level 4 at baseline, extreme response sets (at baseline or
follow-up), follow-ups outside the window. Reported overall and by baseline level:
mean paired change with a 95% CI, % gaining 3 points or more, % moving up a level,
and the baseline × follow-up level table.
"""

from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    StdDev,
    Subquery,
)
from django.utils.translation import gettext as _

from evaluation.models import PamAdministration
from evaluation.selectors import AddMonths
from evaluation.statistics import mean_ci_95, percent
from evaluation.tables import column, rounded


def _pam_pairs(cohort):
    """First baselines of the cohort, each with its first follow-up 6–12 months
    later (``fu_*``), any follow-up at all (``has_follow_up``) and changes."""
    # Two baselines on one day: the first recorded is the patient's baseline.
    earlier = PamAdministration.objects.filter(
        Q(administered_on__lt=OuterRef("administered_on"))
        | Q(administered_on=OuterRef("administered_on"), pk__lt=OuterRef("pk")),
        patient_id=OuterRef("patient_id"),
        kind=PamAdministration.Kind.BASELINE,
    )
    follow_ups = PamAdministration.objects.filter(
        patient_id=OuterRef("patient_id"),
        kind=PamAdministration.Kind.FOLLOW_UP,
        administered_on__gt=OuterRef("administered_on"),
    )
    in_window = follow_ups.filter(
        administered_on__gte=AddMonths(OuterRef("administered_on"), 6),
        administered_on__lte=AddMonths(OuterRef("administered_on"), 12),
    ).order_by("administered_on", "pk")

    def follow(field):
        return Subquery(in_window.values(field)[:1])

    return (
        PamAdministration.objects.filter(
            kind=PamAdministration.Kind.BASELINE,
            patient__in=cohort.values("pk"),
        )
        .exclude(Exists(earlier))
        .annotate(
            has_follow_up=Exists(follow_ups),
            fu_pk=follow("pk"),
            fu_score=follow("score"),
            fu_level=follow("level"),
            fu_extreme=follow("extreme_response"),
            fu_item_mean=Subquery(
                in_window.annotate(item_mean=F("raw_sum") * 1.0 / F("answered")).values(
                    "item_mean"
                )[:1]
            ),
        )
        .annotate(
            change=F("fu_score") - F("score"),
            item_change=F("fu_item_mean") - F("raw_sum") * 1.0 / F("answered"),
        )
    )


ANALYSED = Q(score__isnull=False, fu_score__isnull=False, level__lte=3) & Q(
    extreme_response=False, fu_extreme=False
)
RAW_ONLY = Q(score__isnull=True) | Q(fu_pk__isnull=False, fu_score__isnull=True)
RAW_ANALYSED = Q(fu_pk__isnull=False, extreme_response=False, fu_extreme=False) & (
    Q(level__isnull=True) | Q(level__lte=3)
)


def _pam_stats():
    return {
        "n": Count("pk", filter=ANALYSED),
        "mean": Avg("change", filter=ANALYSED),
        "sd": StdDev("change", filter=ANALYSED, sample=True),
        "gained_3": Count("pk", filter=ANALYSED & Q(change__gte=3)),
        "moved_up": Count("pk", filter=ANALYSED & Q(fu_level__gt=F("level"))),
    }


def pam_panel(cohort) -> dict:
    """PAM change with the endorsed exclusions, overall and by baseline level."""
    pairs = _pam_pairs(cohort)
    overall = pairs.aggregate(
        baselines=Count("pk"),
        level_4=Count("pk", filter=Q(level=4)),
        extreme=Count("pk", filter=Q(extreme_response=True) | Q(fu_extreme=True)),
        outside_window=Count("pk", filter=Q(has_follow_up=True, fu_pk__isnull=True)),
        no_follow_up=Count("pk", filter=Q(has_follow_up=False)),
        raw_only=Count("pk", filter=RAW_ONLY),
        raw_n=Count("pk", filter=RAW_ANALYSED),
        raw_mean=Avg("item_change", filter=RAW_ANALYSED),
        raw_sd=StdDev("item_change", filter=RAW_ANALYSED, sample=True),
        **_pam_stats(),
    )
    by_level = list(
        pairs.filter(ANALYSED)
        .values("level")
        .annotate(**_pam_stats())
        .order_by("level")
    )
    matrix_counts = {
        (row["level"], row["fu_level"]): row["total"]
        for row in pairs.filter(ANALYSED)
        .values("level", "fu_level")
        .annotate(total=Count("pk"))
    }
    return {
        "overall": overall,
        "change": _pam_change_table(overall, by_level),
        "matrix": _pam_matrix_table(matrix_counts),
        "raw_ci": mean_ci_95(overall["raw_n"], overall["raw_mean"], overall["raw_sd"]),
    }


def _change_row(label, stats) -> list:
    ci = mean_ci_95(stats["n"], stats["mean"], stats["sd"])
    return [
        label,
        stats["n"],
        rounded(stats["mean"] and float(stats["mean"])),
        rounded(ci[0]) if ci else None,
        rounded(ci[1]) if ci else None,
        percent(stats["gained_3"], stats["n"]),
        percent(stats["moved_up"], stats["n"]),
    ]


def _pam_change_table(overall, by_level) -> dict:
    rows = [
        _change_row(_("Baseline level %(level)d") % {"level": row["level"]}, row)
        for row in by_level
    ]
    rows.append(_change_row(_("All analysed"), overall))
    return {
        "key": "pam_change",
        "title": _("PAM change, by baseline level"),
        "columns": [
            column(_("Group"), "text"),
            column(_("Patients")),
            column(_("Mean change (points)"), "number", 1),
            column(_("95% CI, low"), "number", 1),
            column(_("95% CI, high"), "number", 1),
            column(_("Gained 3 or more points (%)"), "rate", 1),
            column(_("Moved up a level (%)"), "rate", 1),
        ],
        "rows": rows,
    }


def _pam_matrix_table(counts: dict) -> dict:
    rows = [
        [_("Baseline level %(level)d") % {"level": base}]
        + [counts.get((base, follow), 0) for follow in (1, 2, 3, 4)]
        for base in (1, 2, 3)
    ]
    return {
        "key": "pam_levels",
        "title": _("Baseline level by follow-up level"),
        "columns": [column(_("Baseline"), "text")]
        + [
            column(_("Follow-up level %(level)d") % {"level": level})
            for level in (1, 2, 3, 4)
        ],
        "rows": rows,
    }
