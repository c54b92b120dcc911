"""PAM change with the endorsed exclusions, computed in PostgreSQL.

Each patient's first baseline is paired with their first follow-up 6 to 12 months
later. Excluded: level 4 at baseline, extreme response sets (at baseline or
follow-up), follow-ups outside the window. Reported overall and by baseline level:
mean paired change with a 95% CI, % gaining 3 points or more, % moving up a level,
and the baseline × follow-up level table.
"""

from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from evaluation.enrollment_sums import PAM_SUMS
from evaluation.scope import compiled
from evaluation.statistics import mean_ci_95, percent
from evaluation.tables import column, rounded
from referrals.models import Patient

# The pairs come from the view ``evaluation_pampair_source`` (migration
# evaluation 0005), which holds the pairing rule: each patient's first baseline
# (two on one day: the first recorded), whether any follow-up came after it, and
# the first follow-up 6 to 12 months after it. ``Enrollment`` keeps a copy per
# enrollment; ``evaluation.enrollment_sums`` says what each pair adds. Only SQL
# compiled by the ORM goes into ``cohort``.
COHORT_PAIRS = """
    SELECT coalesce(pam_level, 0), coalesce(pam_fu_level, 0), {sums}
    FROM evaluation_pampair_source WHERE patient_id IN ({cohort})
"""
BY_LEVELS = "SELECT l, f, {sums} FROM ({pairs}) p (l, f, {names}) GROUP BY l, f"
PAM_NAMES = [name for name, _sql in PAM_SUMS]


def pam_panel(cohort) -> dict:
    """PAM change for a cohort: patients, or a queryset of one column of ids."""
    if cohort.model is Patient:
        cohort = cohort.values("pk")
    sql, params = compiled(cohort)
    pairs = COHORT_PAIRS.format(
        cohort=sql, sums=", ".join(expression for _name, expression in PAM_SUMS)
    )
    query = BY_LEVELS.format(
        pairs=pairs,
        names=", ".join(PAM_NAMES),
        sums=", ".join(f"sum({name})" for name in PAM_NAMES),
    )
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        groups = {
            (row[0], row[1]): dict(zip(PAM_NAMES, row[2:], strict=True))
            for row in cursor.fetchall()
        }
    return pam_panel_of(groups)


def _statistics(sums: dict, prefix: str, squares: str, n: str) -> tuple:
    """Mean and sample standard deviation from a count, a sum and a sum of
    squares (exact decimals)."""
    count = sums[n]
    if not count:
        return None, None
    total, square = Decimal(sums[prefix]), Decimal(sums[squares])
    mean = total / count
    if count < 2:
        return mean, None
    variance = (count * square - total * total) / (count * (count - 1))
    return mean, float(max(variance, Decimal(0)).sqrt())


def _stats(sums: dict) -> dict:
    mean, sd = _statistics(sums, "change_sum", "change_squares", "n")
    return {
        "n": sums["n"], "mean": mean, "sd": sd,
        "gained_3": sums["gained_3"], "moved_up": sums["moved_up"],
    }  # fmt: skip


def _added(groups) -> dict:
    total = dict.fromkeys(PAM_NAMES, 0)
    for sums in groups:
        for name in PAM_NAMES:
            total[name] += sums[name] or 0
    return total


def pam_panel_of(groups: dict) -> dict:
    """PAM change with the endorsed exclusions, overall and by baseline level,
    from the sums of ``evaluation.enrollment_sums`` by (baseline level,
    follow-up level), 0 for none."""
    total = _added(groups.values())
    overall = {name: total[name] for name in PAM_NAMES if name in OVERALL_COUNTS}
    overall |= _stats(total)
    raw_mean, raw_sd = _statistics(total, "raw_sum", "raw_squares", "raw_n")
    overall |= {"raw_mean": raw_mean and float(raw_mean), "raw_sd": raw_sd}
    levels = sorted({level for level, _follow in groups if level})
    by_level = []
    for level in levels:
        sums = _added(s for (lv, _f), s in groups.items() if lv == level)
        if sums["n"]:
            by_level.append({"level": level, **_stats(sums)})
    matrix_counts = {key: sums["n"] for key, sums in groups.items() if sums["n"]}
    raw_ci = mean_ci_95(overall["raw_n"], overall["raw_mean"], overall["raw_sd"])
    return {
        "overall": overall,
        "change": _pam_change_table(overall, by_level),
        "matrix": _pam_matrix_table(matrix_counts),
        "raw_ci": raw_ci,
        "summary": pam_summary_table(overall, raw_ci),
    }


OVERALL_COUNTS = {
    "baselines", "level_4", "extreme", "outside_window", "no_follow_up",
    "raw_only", "raw_n",
}  # fmt: skip


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


def _change_cells(group: str) -> list:
    """The counts a row of the change table is made of, named for suppression."""
    n, gained, moved = (f"pam_{name}@{group}" for name in ("n", "gained", "moved"))
    return [None, n, (n,), (n,), (n,), (gained, n), (moved, n)]


def _pam_change_table(overall, by_level) -> dict:
    """Mean change by baseline level and in all; the levels add up to all."""
    rows = [
        _change_row(_("Baseline level %(level)d") % {"level": row["level"]}, row)
        for row in by_level
    ]
    rows.append(_change_row(_("All analysed"), overall))
    levels = [str(row["level"]) for row in by_level]
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
        "cells": [_change_cells(group) for group in [*levels, "all"]],
        # The counts the rates are made of, not displayed.
        "counts": {
            f"pam_{name}@{group}": stats[key]
            for group, stats in [*zip(levels, by_level, strict=True), ("all", overall)]
            for name, key in (("gained", "gained_3"), ("moved", "moved_up"))
        },
        "sums": [
            (f"pam_{name}@all", [f"pam_{name}@{level}" for level in levels])
            for name in ("n", "gained", "moved")
        ],
    }


def _pam_matrix_table(counts: dict) -> dict:
    """Patients by baseline and follow-up level; a row adds up to its level's
    patients in the change table."""
    rows = [
        [_("Baseline level %(level)d") % {"level": base}]
        + [counts.get((base, follow), 0) for follow in (1, 2, 3, 4)]
        for base in (1, 2, 3)
    ]
    cells = [
        [None, *(f"pam_pair@{base}-{follow}" for follow in (1, 2, 3, 4))]
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
        "cells": cells,
        "sums": [
            (f"pam_n@{base}", row[1:])
            for base, row in zip((1, 2, 3), cells, strict=True)
        ],
    }


def pam_summary_table(overall: dict, raw_ci) -> dict:
    """The counts of the sentence above the PAM tables, as a table that is
    suppressed with them and never shown as one."""
    counts = [*sorted(OVERALL_COUNTS)]
    rows = [[name, overall[name]] for name in counts]
    rows += [
        ["raw_mean", overall["raw_mean"]],
        ["raw_low", raw_ci and raw_ci[0]],
        ["raw_high", raw_ci and raw_ci[1]],
    ]
    return {
        "key": "pam_summary",
        "title": "",
        "columns": [column("", "text"), column("")],
        "rows": rows,
        "cells": [[None, f"pam_{name}"] for name in counts]
        + [[None, ("pam_raw_n",)] for _ in range(3)],
    }
