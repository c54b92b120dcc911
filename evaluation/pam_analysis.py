"""PAM change with the endorsed exclusions, computed in PostgreSQL.

Each patient's first baseline is paired with their first follow-up 6 to 12 months
later. Excluded: level 4 at baseline, extreme response sets (at baseline or
follow-up), follow-ups outside the window. Reported overall and by baseline level:
mean paired change with a 95% CI, % gaining 3 points or more, % moving up a level,
and the baseline × follow-up level table.
"""

from django.db import connection
from django.utils.translation import gettext as _

from evaluation.scope import compiled
from evaluation.statistics import mean_ci_95, percent
from evaluation.tables import column, rounded
from referrals.models import Patient

# The pairs come from the view ``evaluation_pampair_source`` (migration
# evaluation 0005), which holds the pairing rule: each patient's first baseline
# (two on one day: the first recorded), whether any follow-up came after it, and
# the first follow-up 6 to 12 months after it. ``Enrollment`` keeps a copy per
# enrollment. Only SQL compiled by the ORM goes into ``pairs``.
STATISTICS = """
WITH flagged AS (
    SELECT pam_level AS level, pam_fu_level AS fu_level, pam_score AS score,
           pam_fu_score AS fu_score, pam_extreme AS extreme,
           pam_fu_extreme AS fu_extreme,
           pam_has_follow_up AS has_follow_up, pam_paired AS paired,
           pam_fu_score - pam_score AS change,
           pam_fu_raw_sum * 1.0 / NULLIF(pam_fu_answered, 0)
               - pam_raw_sum * 1.0 / NULLIF(pam_answered, 0) AS item_change,
           pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3
           AND pam_extreme = false AND pam_fu_extreme = false AS analysed,
           pam_paired AND pam_extreme = false AND pam_fu_extreme = false
           AND (pam_level IS NULL OR pam_level <= 3) AS raw_analysed
    FROM ({pairs}) pairs
    WHERE pam_baseline
)
SELECT GROUPING(level, fu_level) AS grouping, level, fu_level,
       count(*) AS baselines,
       count(*) FILTER (WHERE level = 4) AS level_4,
       count(*) FILTER (WHERE extreme = true OR fu_extreme = true) AS extreme,
       count(*) FILTER (WHERE has_follow_up AND NOT paired) AS outside_window,
       count(*) FILTER (WHERE NOT has_follow_up) AS no_follow_up,
       count(*) FILTER (WHERE score IS NULL OR (paired AND fu_score IS NULL))
           AS raw_only,
       count(*) FILTER (WHERE raw_analysed) AS raw_n,
       (avg(item_change) FILTER (WHERE raw_analysed))::float8 AS raw_mean,
       (stddev_samp(item_change) FILTER (WHERE raw_analysed))::float8 AS raw_sd,
       count(*) FILTER (WHERE analysed) AS n,
       avg(change) FILTER (WHERE analysed) AS mean,
       (stddev_samp(change) FILTER (WHERE analysed))::float8 AS sd,
       count(*) FILTER (WHERE analysed AND change >= 3) AS gained_3,
       count(*) FILTER (WHERE analysed AND fu_level > level) AS moved_up
FROM flagged
GROUP BY GROUPING SETS ((), (level), (level, fu_level))
"""
COHORT_PAIRS = "SELECT * FROM evaluation_pampair_source WHERE patient_id IN ({cohort})"
OVERALL, BY_LEVEL, BY_LEVELS = 3, 1, 0


def pam_panel(cohort) -> dict:
    """PAM change for a cohort: patients, or a queryset of one column of ids."""
    if cohort.model is Patient:
        cohort = cohort.values("pk")
    sql, params = compiled(cohort)
    return pam_panel_of(COHORT_PAIRS.format(cohort=sql), params)


def pam_panel_of(pairs: str, params) -> dict:
    """PAM change with the endorsed exclusions, overall and by baseline level,
    for the patients of ``pairs`` (SQL of rows with the ``pam_*`` columns of
    ``Enrollment``, one per patient)."""
    with connection.cursor() as cursor:
        cursor.execute(STATISTICS.format(pairs=pairs), params)
        names = [c.name for c in cursor.description]
        groups = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    overall = next(g for g in groups if g["grouping"] == OVERALL)
    by_level = sorted(
        (g for g in groups if g["grouping"] == BY_LEVEL and g["n"]),
        key=lambda g: g["level"],
    )
    matrix_counts = {
        (g["level"], g["fu_level"]): g["n"]
        for g in groups
        if g["grouping"] == BY_LEVELS and g["n"]
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
