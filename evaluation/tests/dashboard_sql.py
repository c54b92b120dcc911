# ruff: noqa: S608 - the statements are built from this module's constants only.
"""Every dashboard figure computed again, from the base tables only (referrals,
pathways, contacts, PAM, utilization, stories; never the rollups), in SQL written
apart from the dashboard's, for ``test_dashboard_against_sql``.

The definitions are the dashboard's (README, Evaluation; shared/domain
REFERENCE.md): a referral counts once sent and not entered in error; its day and
month of sending are those of its own partnership's time zone.
"""

import datetime
import statistics
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from evaluation.statistics import mean_ci_95, percent
from evaluation.tables import rounded
from partners.models import Partnership
from referrals.services.timeliness import overdue_cutoffs_by_partnership

OPEN = ("submitted", "accepted", "assigned", "in_progress", "on_hold")
CASELOAD = ("assigned", "in_progress", "on_hold")
OUTCOME = ("completed", "unable_to_complete", "declined", "cancelled")
# Closed after the work: the funnel's last step.
WORKED = ("completed", "unable_to_complete")

REFERRALS = """
WITH parts AS (
    SELECT id, time_zone, cbo_id FROM partners_partnership
    WHERE health_system_id = %(org)s OR cbo_id = %(org)s
), sent AS (
    SELECT r.*, pt.preferred_language,
           (r.submitted_at AT TIME ZONE p.time_zone)::date AS sent_on,
           date_trunc('month', r.submitted_at AT TIME ZONE p.time_zone)::date AS month
    FROM referrals_referral r
    JOIN parts p ON p.id = r.partnership_id
    JOIN referrals_patient pt ON pt.id = r.patient_id
    WHERE r.status NOT IN ('draft', 'entered_in_error')
      AND r.submitted_at IS NOT NULL
), r AS (
    SELECT * FROM sent
    WHERE (%(start)s::date IS NULL OR sent_on >= %(start)s::date)
      AND (%(end)s::date IS NULL OR sent_on <= %(end)s::date)
      AND (%(clinic)s::bigint IS NULL OR clinic_id = %(clinic)s)
      AND (%(navigator)s::bigint IS NULL OR navigator_id = %(navigator)s)
      AND (%(language)s::text IS NULL OR preferred_language = %(language)s)
      AND (%(need)s::text IS NULL OR %(need)s = ANY(social_needs))
)
"""


def _rows(sql, values):
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _overdue(
    prefix, cutoffs, statuses=("submitted", "accepted", "assigned", "in_progress")
):
    """SQL: the referral, in one of `statuses`, is overdue under its own
    partnership's cutoffs."""
    cases = []
    for pk, c in cutoffs.items():
        q = lambda moment: f"'{moment.isoformat()}'::timestamptz"  # noqa: E731
        by_status = {
            "submitted": f"{prefix}submitted_at <= {q(c['accept'])}",
            "accepted": f"{prefix}accepted_at <= {q(c['assign'])}",
            "assigned": f"""({prefix}last_contact_at IS NULL
                     OR NOT {prefix}last_contact_at >= {prefix}assigned_at)
                AND {prefix}assigned_at <= {q(c["first_contact"])}""",
            "in_progress": f"""greatest(
                    {prefix}last_contact_at, {prefix}status_changed_at
                ) <= {q(c["inactive"])}""",
        }
        either = " OR ".join(
            f"({prefix}status = '{status}' AND {by_status[status]})"
            for status in statuses
        )
        cases.append(f"({prefix}partnership_id = {pk} AND ({either}))")
    return "(" + (" OR ".join(cases) or "false") + ")"


def expected(user, filters: dict) -> dict:
    """The dashboard's tables (raw values, before suppression) and totals."""
    partnerships = list(Partnership.objects.of_organization(user.organization_id))
    cutoffs = overdue_cutoffs_by_partnership(partnerships)
    values = _values(user, filters)
    linked = """EXISTS (SELECT 1 FROM referrals_pathway w
        JOIN referrals_pathwayresource l ON l.pathway_id = w.id
        WHERE w.referral_id = r.id)"""
    days = "EXTRACT(EPOCH FROM (r.first_contact_at - r.submitted_at)) / 86400.0"
    [k] = _rows(
        REFERRALS
        + f"""
        SELECT count(*) AS referred,
          count(*) FILTER (WHERE accepted_at IS NOT NULL) AS accepted,
          count(*) FILTER (WHERE assigned_at IS NOT NULL) AS assigned,
          count(*) FILTER (WHERE first_contact_at IS NOT NULL) AS contacted,
          count(*) FILTER (WHERE {linked}) AS linked,
          count(*) FILTER (WHERE status IN {OUTCOME}) AS closed,
          count(*) FILTER (WHERE status IN {WORKED}) AS worked_closed,
          count(DISTINCT patient_id) FILTER (WHERE status IN {OPEN}) AS patients,
          count(*) FILTER (WHERE {_overdue("r.", cutoffs)}) AS overdue,
          percentile_cont(0.5) WITHIN GROUP (ORDER BY {days})
              FILTER (WHERE first_contact_at IS NOT NULL) AS median,
          (SELECT count(*) FROM referrals_pathway w
           WHERE w.referral_id IN (SELECT id FROM r)
             AND w.status IN ('completed', 'approved')) AS resolved,
          (SELECT count(*) FROM referrals_pathway w
           WHERE w.referral_id IN (SELECT id FROM r)
             AND w.status IN ('completed', 'approved', 'incomplete')) AS final
        FROM r""",
        values,
    )
    tables = {
        "kpis": [
            ["Active patients", k["patients"], k["patients"]],
            ["New referrals", k["referred"], k["referred"]],
            [
                "Closed-loop rate (%)",
                percent(k["closed"], k["referred"]),
                k["referred"],
            ],
            ["Median days to first contact", rounded(k["median"]), k["contacted"]],
            ["Needs resolved (%)", percent(k["resolved"], k["final"]), k["final"]],
            ["Overdue referrals", k["overdue"], k["overdue"]],
        ]
    }
    steps = [
        ("Referred", k["referred"]), ("Accepted", k["accepted"]),
        ("Navigator assigned", k["assigned"]), ("Contacted", k["contacted"]),
        ("Needs linked to resources", k["linked"]),
        ("Closed with an outcome", k["worked_closed"]),
    ]  # fmt: skip
    tables["funnel"] = [
        [label, n, percent(n, steps[i - 1][1]) if i and steps[i - 1][1] else None]
        for i, (label, n) in enumerate(steps)
    ]
    tables["monthly"] = [
        [row["month"].strftime("%Y-%m"), row["n"], row["contacted"], row["closed"]]
        for row in _rows(
            REFERRALS
            + f"""SELECT month, count(*) AS n,
                count(*) FILTER (WHERE first_contact_at IS NOT NULL) AS contacted,
                count(*) FILTER (WHERE status IN {OUTCOME}) AS closed
            FROM r GROUP BY month ORDER BY month""",
            values,
        )
    ]
    tables["navigators"] = [
        [row["name"], row["caseload"], row["overdue"], row["contacts"]]
        for row in _rows(
            REFERRALS
            + f"""SELECT coalesce(nullif(trim(u.first_name || ' ' || u.last_name), ''),
                    u.email) AS name,
                (SELECT count(*) FROM r WHERE r.navigator_id = u.id
                 AND r.status IN {CASELOAD}) AS caseload,
                (SELECT count(*) FROM r WHERE r.navigator_id = u.id
                 AND r.status IN {CASELOAD}
                 AND {_overdue("r.", cutoffs, ("assigned", "in_progress"))}) AS overdue,
                (SELECT count(*) FROM referrals_encounter e
                 WHERE e.navigator_id = u.id AND e.occurred_at >= %(since)s
                   AND e.referral_id IN (SELECT id FROM r)) AS contacts
            FROM partners_user u
            WHERE u.role = 'navigator' AND u.is_active
              AND u.organization_id IN (SELECT cbo_id FROM parts)
              AND (%(navigator)s::bigint IS NULL OR u.id = %(navigator)s)
            ORDER BY u.first_name, u.last_name, u.id""",
            values,
        )
    ]
    tables["clinics"] = [
        [
            row["name"],
            row["n"],
            row["accepted"],
            row["closed"],
            row["completed"],
            percent(row["closed"], row["n"]),
            rounded(row["median"]),
            row["contacted"],
        ]  # fmt: skip
        for row in _rows(
            REFERRALS
            + f"""SELECT s.name, count(*) AS n,
                count(*) FILTER (WHERE r.accepted_at IS NOT NULL) AS accepted,
                count(*) FILTER (WHERE r.status IN {OUTCOME}) AS closed,
                count(*) FILTER (WHERE r.status = 'completed') AS completed,
                percentile_cont(0.5) WITHIN GROUP (ORDER BY {days})
                    FILTER (WHERE r.first_contact_at IS NOT NULL) AS median,
                count(*) FILTER (WHERE r.first_contact_at IS NOT NULL) AS contacted
            FROM r JOIN partners_site s ON s.id = r.clinic_id
            GROUP BY s.id, s.name ORDER BY s.name, s.id""",
            values,
        )
    ]
    tables.update(_pam(values))
    tables.update(_utilization(values, filters.get("window") or 6))
    tables.update(_stories(values))
    return tables


def _pam(values) -> dict:
    """First baseline by day (then by entry) paired with the first follow-up 6 to
    12 months after it; level 4 and extreme response sets left out."""
    pairs = _rows(
        REFERRALS
        + """, ranked AS (
            SELECT a.*, row_number() OVER (
                PARTITION BY a.patient_id ORDER BY a.administered_on, a.id) AS nth
            FROM evaluation_pamadministration a
            WHERE a.kind = 'baseline' AND a.patient_id IN (SELECT patient_id FROM r)
        )
        SELECT b.level, b.score, b.extreme_response AS extreme,
               b.raw_sum, b.answered,
               (SELECT count(*) FROM evaluation_pamadministration f
                WHERE f.patient_id = b.patient_id AND f.kind = 'follow_up'
                  AND f.administered_on > b.administered_on) > 0 AS followed,
               fu.id AS fu_id, fu.level AS fu_level, fu.score AS fu_score,
               fu.extreme_response AS fu_extreme, fu.raw_sum AS fu_raw_sum,
               fu.answered AS fu_answered
        FROM ranked b
        LEFT JOIN LATERAL (
            SELECT * FROM (
                SELECT f.*, row_number() OVER (ORDER BY f.administered_on, f.id) AS nth
                FROM evaluation_pamadministration f
                WHERE f.patient_id = b.patient_id AND f.kind = 'follow_up'
                  AND f.administered_on BETWEEN b.administered_on + interval '6 months'
                                            AND b.administered_on + interval '12 months'
            ) w WHERE w.nth = 1
        ) fu ON true
        WHERE b.nth = 1""",
        values,
    )
    analysed = [
        p for p in pairs
        if p["score"] is not None and p["fu_score"] is not None and p["level"] <= 3
        and p["extreme"] is False and p["fu_extreme"] is False
    ]  # fmt: skip

    def row(label, group):
        changes = [p["fu_score"] - p["score"] for p in group]
        n = len(group)
        mean = statistics.mean(changes) if changes else None
        sd = statistics.stdev(changes) if n > 1 else None
        ci = mean_ci_95(n, mean, sd)
        return [
            label, n, rounded(mean and float(mean)),
            rounded(ci[0]) if ci else None, rounded(ci[1]) if ci else None,
            percent(sum(c >= 3 for c in changes), n),
            percent(sum(p["fu_level"] > p["level"] for p in group), n),
        ]  # fmt: skip

    levels = sorted({p["level"] for p in analysed})
    change = [
        row(f"Baseline level {level}", [p for p in analysed if p["level"] == level])
        for level in levels
    ]
    change.append(row("All analysed", analysed))
    matrix = [
        [f"Baseline level {base}"]
        + [
            sum(p["level"] == base and p["fu_level"] == follow for p in analysed)
            for follow in (1, 2, 3, 4)
        ]
        for base in (1, 2, 3)
    ]
    overall = {
        "baselines": len(pairs),
        "level_4": sum(p["level"] == 4 for p in pairs),
        "extreme": sum(bool(p["extreme"] or p["fu_extreme"]) for p in pairs),
        "outside_window": sum(p["followed"] and p["fu_id"] is None for p in pairs),
        "no_follow_up": sum(not p["followed"] for p in pairs),
        "raw_only": sum(
            p["score"] is None or (p["fu_id"] is not None and p["fu_score"] is None)
            for p in pairs
        ),
        "raw_n": sum(
            p["fu_id"] is not None
            and p["extreme"] is False
            and p["fu_extreme"] is False
            and (p["level"] is None or p["level"] <= 3)
            for p in pairs
        ),  # fmt: skip
    }
    return {"pam_change": change, "pam_levels": matrix, "pam_overall": overall}


def _utilization(values, months: int) -> dict:
    """Per person-year before and after the month of each cohort patient's first
    referral sent to the partnerships (not entered in error), in its partnership's
    time zone; patients with data in both periods."""
    people = _rows(
        REFERRALS
        + """, enrolled AS (
            SELECT DISTINCT ON (patient_id) patient_id, month FROM sent
            ORDER BY patient_id, submitted_at, id
        )
        SELECT e.patient_id, e.month, u.period, u.ed_visits, u.inpatient_admissions,
               u.hospital_days, u.readmissions_30d, u.primary_care_visits, u.hba1c
        FROM enrolled e
        LEFT JOIN evaluation_utilizationrecord u ON u.patient_id = e.patient_id
        WHERE e.patient_id IN (SELECT patient_id FROM r)""",
        values,
    )
    measures = [
        ("ed_visits", "Emergency visits"),
        ("inpatient_admissions", "Inpatient admissions"),
        ("hospital_days", "Hospital days"),
        ("readmissions_30d", "30-day readmissions"),
        ("primary_care_visits", "Primary-care visits"),
    ]
    by_patient = defaultdict(lambda: {"pre": [], "post": []})
    for row in people:
        patient = by_patient[row["patient_id"]]
        if row["period"] is None:
            continue
        month = row["month"]
        before = _months_after(month, -months) <= row["period"] < month
        after = month <= row["period"] < _months_after(month, months)
        if before:
            patient["pre"].append(row)
        elif after:
            patient["post"].append(row)
    both = [p for p in by_patient.values() if p["pre"] and p["post"]]
    rows = []
    for field, label in measures:
        rates = []
        for phase in ("pre", "post"):
            person_months = sum(len(p[phase]) for p in both)
            events = sum(r[field] for p in both for r in p[phase])
            rates.append(
                round(events * 12 / person_months, 2) if person_months else None
            )
        change = None if None in rates else round(rates[1] - rates[0], 2)
        rows.append([label, len(both), *rates, change])
    with_hba1c = [
        p for p in both
        if any(r["hba1c"] is not None for r in p["pre"])
        and any(r["hba1c"] is not None for r in p["post"])
    ]  # fmt: skip

    def mean_of_means(phase):
        if not with_hba1c:
            return None
        means = [
            statistics.mean(r["hba1c"] for r in p[phase] if r["hba1c"] is not None)
            for p in with_hba1c
        ]
        return rounded(float(statistics.mean(means)), 2)

    pre, post = mean_of_means("pre"), mean_of_means("post")
    change = None if pre is None or post is None else round(post - pre, 2)
    rows.append(["HbA1c (%), mean", len(with_hba1c), pre, post, change])
    totals = {
        "cohort": len(by_patient),
        "with_pre": sum(bool(p["pre"]) for p in by_patient.values()),
        "n": len(both),
    }
    return {"utilization": rows, "utilization_totals": totals}


def _months_after(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1)


def _stories(values) -> dict:
    """Stories of the partnerships' cohort patients shareable internally: the
    three latest, and how many of them each theme is coded on."""
    values = {**values, "today": timezone.localdate()}
    shareable = """, shareable AS (
        SELECT s.* FROM evaluation_story s
        WHERE s.partnership_id IN (SELECT id FROM parts)
          AND s.patient_id IN (SELECT patient_id FROM r)
          AND s.withdrawn_at IS NULL AND s.deidentified_reviewed_at IS NOT NULL
          AND (s.consent_expires_on IS NULL OR s.consent_expires_on >= %(today)s)
    )"""
    latest = _rows(
        REFERRALS + shareable
        + " SELECT id FROM shareable ORDER BY told_on DESC, id DESC LIMIT 3",
        values,
    )  # fmt: skip
    themes = _rows(
        REFERRALS + shareable
        + """ SELECT t.name, count(DISTINCT x.story_id) AS n FROM evaluation_theme t
        JOIN evaluation_storyexcerpt x ON x.theme_id = t.id
        WHERE x.story_id IN (SELECT id FROM shareable)
        GROUP BY t.id, t.name ORDER BY n DESC, t.name""",
        values,
    )  # fmt: skip
    return {
        "themes": [[row["name"], row["n"]] for row in themes],
        "latest_stories": [row["id"] for row in latest],
    }


def expected_dataset(user, filters: dict) -> list[list]:
    """The de-identified dataset's rows without their pseudonyms, sorted: one per
    cohort patient, dated from the day of their first referral sent to the
    partnerships (in its partnership's time zone)."""
    values = _values(user, filters)
    patients = _rows(
        REFERRALS
        + """, enrolled AS (
            SELECT DISTINCT ON (patient_id) * FROM sent
            ORDER BY patient_id, submitted_at, id
        )
        SELECT pt.id, pt.date_of_birth, pt.sex, pt.preferred_language,
               pt.interpreter_needed, e.sent_on, e.month, e.social_needs, e.status,
               EXTRACT(EPOCH FROM (e.first_contact_at - e.submitted_at)) / 86400.0
                   AS to_contact,
               EXTRACT(EPOCH FROM (e.closed_at - e.submitted_at)) / 86400.0 AS to_close,
               (SELECT count(*) FROM r WHERE r.patient_id = pt.id) AS referrals,
               (SELECT count(*) FROM referrals_pathway w JOIN r ON r.id = w.referral_id
                WHERE r.patient_id = pt.id) AS opened,
               (SELECT count(*) FROM referrals_pathway w JOIN r ON r.id = w.referral_id
                WHERE r.patient_id = pt.id AND w.status IN ('completed', 'approved'))
                   AS resolved
        FROM referrals_patient pt JOIN enrolled e ON e.patient_id = pt.id
        WHERE pt.id IN (SELECT patient_id FROM r)""",
        values,
    )
    pams = _rows(
        "SELECT patient_id, kind, administered_on, score, level, id"
        " FROM evaluation_pamadministration",
        {},
    )
    records = defaultdict(list)
    for row in _rows("SELECT * FROM evaluation_utilizationrecord", {}):
        records[row["patient_id"]].append(row)
    today = timezone.localdate()
    rows = []
    for p in patients:
        mine = [a for a in pams if a["patient_id"] == p["id"]]
        baselines = sorted(
            (a for a in mine if a["kind"] == "baseline"),
            key=lambda a: (a["administered_on"], a["id"]),
        )
        follow_ups = sorted(
            (a for a in mine if a["kind"] == "follow_up"),
            key=lambda a: (a["administered_on"], a["id"]),
        )
        month = p["month"]
        pre = [
            r for r in records[p["id"]]
            if _months_after(month, -6) <= r["period"] < month
        ]  # fmt: skip
        post = [
            r for r in records[p["id"]]
            if month <= r["period"] < _months_after(month, 6)
        ]  # fmt: skip
        born = p["date_of_birth"]
        rows.append([
            f"<={today.year - 90}" if today.year - born.year > 89 else str(born.year),
            p["sex"], p["preferred_language"], str(int(p["interpreter_needed"])),
            str(p["sent_on"].year), str(p["referrals"]), ";".join(p["social_needs"]),
            p["status"], _day(p["to_contact"]), _day(p["to_close"]),
            str(p["opened"]), str(p["resolved"]),
            *_pam_columns(baselines[0] if baselines else None, p["sent_on"]),
            *_pam_columns(follow_ups[-1] if follow_ups else None, p["sent_on"]),
            str(sum(r["ed_visits"] for r in pre)),
            str(sum(r["ed_visits"] for r in post)),
            str(sum(r["inpatient_admissions"] for r in pre)),
            str(sum(r["inpatient_admissions"] for r in post)),
            str(len(pre)), str(len(post)),
            # The statewide data has no screenings (test_dashboard_screening
            # checks these columns).
            *[""] * 6,
        ])  # fmt: skip
    return sorted(rows)


def _values(user, filters):
    return {
        "org": user.organization_id,
        "start": filters.get("start"),
        "end": filters.get("end"),
        "clinic": filters["clinic"].pk if filters.get("clinic") else None,
        "navigator": filters["navigator"].pk if filters.get("navigator") else None,
        "language": filters.get("language") or None,
        "need": filters.get("need") or None,
        "since": timezone.now() - datetime.timedelta(days=14),
    }


def _day(value):
    return "" if value is None else str(round(float(value), 1))


def _pam_columns(pam, enrolled_on):
    if pam is None:
        return ["", "", ""]
    return [
        str((pam["administered_on"] - enrolled_on).days),
        "" if pam["score"] is None else str(pam["score"]),
        "" if pam["level"] is None else str(pam["level"]),
    ]
