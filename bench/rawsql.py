"""The program dashboard's figures written by hand in SQL, for the same user and
filters: what the database alone needs to answer them. The runner times this beside
the dashboard; the ratio between the two is the time spent outside the data.

The overdue moments (service levels, business days, time zones) are inputs, not
figures: they come from ``overdue_cutoffs_by_partnership`` as on the dashboard.
The statements run without JIT compilation: compiling them takes longer than running
them on this data, and that time is not what the data costs.
"""

import datetime
import zoneinfo

from django.db import connection, transaction
from django.utils import timezone

from evaluation.figures import time_zone_for
from partners.models import Partnership
from referrals.services.timeliness import overdue_cutoffs_by_partnership

OPEN = "('submitted', 'accepted', 'assigned', 'in_progress', 'on_hold')"
OUTCOME = "('completed', 'unable_to_complete', 'declined', 'cancelled')"
CASELOAD = "('assigned', 'in_progress', 'on_hold')"

# The filtered referrals of the user's partnerships (not drafts, not in error),
# with each one's overdue moments.
COHORT = """
WITH cutoffs(partnership_id, accept, assign, first_contact, inactive) AS (
    SELECT * FROM unnest(%(ids)s::bigint[], %(accept)s::timestamptz[],
        %(assign)s::timestamptz[], %(first_contact)s::timestamptz[],
        %(inactive)s::timestamptz[])
), r AS (
    SELECT r.id, r.patient_id, r.clinic_id, r.navigator_id, r.status,
        r.submitted_at, r.accepted_at, r.assigned_at, r.first_contact_at,
        (r.status = 'submitted' AND r.submitted_at <= c.accept)
        OR (r.status = 'accepted' AND r.accepted_at <= c.assign)
        OR (r.status = 'assigned' AND r.assigned_at <= c.first_contact
            AND (r.last_contact_at IS NULL OR r.last_contact_at < r.assigned_at))
        OR (r.status = 'in_progress'
            AND greatest(r.last_contact_at, r.status_changed_at) <= c.inactive)
            AS overdue
    FROM referrals_referral r
    JOIN cutoffs c ON c.partnership_id = r.partnership_id
    WHERE r.status NOT IN ('draft', 'entered_in_error')
      AND (%(start)s::timestamptz IS NULL OR r.submitted_at >= %(start)s)
      AND (%(end)s::timestamptz IS NULL OR r.submitted_at < %(end)s)
      AND (%(clinic)s::bigint IS NULL OR r.clinic_id = %(clinic)s)
      AND (%(navigator)s::bigint IS NULL OR r.navigator_id = %(navigator)s)
      AND (%(language)s::text IS NULL OR %(language)s = (
          SELECT preferred_language FROM referrals_patient WHERE id = r.patient_id))
      AND (%(need)s::text IS NULL OR r.social_needs @> ARRAY[%(need)s]::varchar[])
), cohort AS (SELECT DISTINCT patient_id AS id FROM r)
"""

KPIS = f"""
SELECT count(*) AS referred, count(accepted_at) AS accepted,
    count(assigned_at) AS assigned, count(first_contact_at) AS contacted,
    count(*) FILTER (WHERE EXISTS (
        SELECT 1 FROM referrals_pathwayresource l
        JOIN referrals_pathway w ON w.id = l.pathway_id WHERE w.referral_id = r.id
    )) AS needs_linked,
    count(*) FILTER (WHERE status IN {OUTCOME}) AS closed,
    count(*) FILTER (WHERE status IN {OPEN}) AS open,
    count(DISTINCT patient_id) FILTER (WHERE status IN {OPEN}) AS active_patients,
    count(*) FILTER (WHERE overdue) AS overdue,
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM first_contact_at - submitted_at) / 86400.0
    ) FILTER (WHERE first_contact_at IS NOT NULL) AS median_days_to_contact,
    (SELECT count(*) FROM referrals_pathway w JOIN r x ON x.id = w.referral_id
     WHERE w.status IN ('completed', 'approved')) AS needs_resolved,
    (SELECT count(*) FROM referrals_pathway w JOIN r x ON x.id = w.referral_id
     WHERE w.status IN ('completed', 'approved', 'incomplete')) AS needs_final
FROM r
"""

MONTHLY = f"""
SELECT date_trunc('month', submitted_at AT TIME ZONE %(zone)s) AS month,
    count(*), count(first_contact_at), count(*) FILTER (WHERE status IN {OUTCOME})
FROM r GROUP BY 1 ORDER BY 1
"""

NAVIGATORS = f"""
SELECT u.first_name, u.last_name, coalesce(c.active, 0), coalesce(c.overdue, 0),
    coalesce(e.contacts, 0)
FROM partners_user u
LEFT JOIN (
    SELECT navigator_id, count(*) AS active, count(*) FILTER (WHERE overdue) AS overdue
    FROM r WHERE status IN {CASELOAD} GROUP BY navigator_id
) c ON c.navigator_id = u.id
LEFT JOIN (
    SELECT e.navigator_id, count(*) AS contacts FROM referrals_encounter e
    JOIN r ON r.id = e.referral_id WHERE e.occurred_at >= %(since)s
    GROUP BY e.navigator_id
) e ON e.navigator_id = u.id
WHERE u.role = 'navigator' AND u.is_active
  AND u.organization_id IN (SELECT cbo_id FROM partners_partnership
                            WHERE health_system_id = %(org)s OR cbo_id = %(org)s)
  AND (%(navigator)s::bigint IS NULL OR u.id = %(navigator)s)
ORDER BY u.first_name, u.last_name, u.id
"""

CLINICS = f"""
SELECT s.name, count(*), count(r.accepted_at),
    count(*) FILTER (WHERE r.status IN {OUTCOME}),
    count(*) FILTER (WHERE r.status = 'completed'),
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM r.first_contact_at - r.submitted_at) / 86400.0
    ) FILTER (WHERE r.first_contact_at IS NOT NULL),
    count(r.first_contact_at)
FROM r JOIN partners_site s ON s.id = r.clinic_id GROUP BY s.name ORDER BY s.name
"""

# Each cohort patient's first baseline, with its first follow-up 6 to 12 months
# later (and whether any follow-up came at all).
PAM_PAIRS = """
, baseline AS (
    SELECT DISTINCT ON (a.patient_id) a.*
    FROM evaluation_pamadministration a
    WHERE a.kind = 'baseline' AND a.patient_id IN (SELECT id FROM cohort)
    ORDER BY a.patient_id, a.administered_on, a.id
), pairs AS (
    SELECT b.score, b.level, b.extreme_response, b.raw_sum, b.answered,
        EXISTS (SELECT 1 FROM evaluation_pamadministration f
                WHERE f.patient_id = b.patient_id AND f.kind = 'follow_up'
                  AND f.administered_on > b.administered_on) AS has_follow_up,
        fu.id AS fu_id, fu.score AS fu_score, fu.level AS fu_level,
        fu.extreme_response AS fu_extreme,
        fu.score - b.score AS change,
        fu.raw_sum * 1.0 / fu.answered - b.raw_sum * 1.0 / b.answered AS item_change
    FROM baseline b
    LEFT JOIN LATERAL (
        SELECT f.* FROM evaluation_pamadministration f
        WHERE f.patient_id = b.patient_id AND f.kind = 'follow_up'
          AND f.administered_on > b.administered_on
          AND f.administered_on >= (b.administered_on + interval '6 months')::date
          AND f.administered_on <= (b.administered_on + interval '12 months')::date
        ORDER BY f.administered_on, f.id LIMIT 1
    ) fu ON true
), analysed AS (
    SELECT * FROM pairs
    WHERE score IS NOT NULL AND fu_score IS NOT NULL AND level <= 3
      AND NOT extreme_response AND NOT fu_extreme
)
"""

PAM = f"""
{PAM_PAIRS}
SELECT (SELECT count(*) FROM pairs), (SELECT count(*) FROM pairs WHERE level = 4),
    (SELECT count(*) FROM pairs WHERE extreme_response OR fu_extreme),
    (SELECT count(*) FROM pairs WHERE has_follow_up AND fu_id IS NULL),
    (SELECT count(*) FROM pairs WHERE NOT has_follow_up),
    (SELECT count(*) FROM pairs
     WHERE score IS NULL OR (fu_id IS NOT NULL AND fu_score IS NULL)),
    raw.n, raw.mean, raw.sd, count(a.*), avg(a.change), stddev_samp(a.change),
    count(*) FILTER (WHERE a.change >= 3),
    count(*) FILTER (WHERE a.fu_level > a.level)
FROM (SELECT count(*) AS n, avg(item_change) AS mean, stddev_samp(item_change) AS sd
      FROM pairs WHERE fu_id IS NOT NULL AND NOT extreme_response AND NOT fu_extreme
        AND (level IS NULL OR level <= 3)) raw
LEFT JOIN analysed a ON true
GROUP BY raw.n, raw.mean, raw.sd
"""

PAM_BY_LEVEL = f"""
{PAM_PAIRS}
SELECT level, fu_level, count(*), avg(change), stddev_samp(change),
    count(*) FILTER (WHERE change >= 3)
FROM analysed GROUP BY level, fu_level ORDER BY level, fu_level
"""

MEASURES = [
    "ed_visits",
    "inpatient_admissions",
    "hospital_days",
    "readmissions_30d",
    "primary_care_visits",
]
_WINDOW_SUMS = ",\n".join(
    f"sum(u.{m}) FILTER (WHERE u.period < e.month) AS pre_{m}, "
    f"sum(u.{m}) FILTER (WHERE u.period >= e.month) AS post_{m}"
    for m in MEASURES
)
_TOTALS = ",\n".join(
    f"coalesce(sum(pre_{m}) FILTER (WHERE both_), 0), "
    f"coalesce(sum(post_{m}) FILTER (WHERE both_), 0)"
    for m in MEASURES
)
UTILIZATION = f"""
, enrolled AS MATERIALIZED (
    SELECT x.patient_id,
        date_trunc('month', min(x.submitted_at) AT TIME ZONE %(zone)s)::date AS month
    FROM referrals_referral x
    WHERE x.patient_id IN (SELECT id FROM cohort) AND x.submitted_at IS NOT NULL
      AND x.status NOT IN ('draft', 'entered_in_error')
      AND x.partnership_id = ANY(%(ids)s)
    GROUP BY x.patient_id
), per_patient AS (
    SELECT e.patient_id,
        count(u.id) FILTER (WHERE u.period < e.month) AS pre_months,
        count(u.id) FILTER (WHERE u.period >= e.month) AS post_months,
        {_WINDOW_SUMS},
        avg(u.hba1c) FILTER (WHERE u.period < e.month) AS pre_hba1c,
        avg(u.hba1c) FILTER (WHERE u.period >= e.month) AS post_hba1c
    FROM enrolled e
    LEFT JOIN evaluation_utilizationrecord u ON u.patient_id = e.patient_id
        AND u.period >= (e.month - make_interval(months => %(window)s))::date
        AND u.period < (e.month + make_interval(months => %(window)s))::date
    GROUP BY e.patient_id
), flagged AS (
    SELECT *, pre_months > 0 AND post_months > 0 AS both_ FROM per_patient
)
SELECT count(*), count(*) FILTER (WHERE pre_months > 0), count(*) FILTER (WHERE both_),
    coalesce(sum(pre_months) FILTER (WHERE both_), 0),
    coalesce(sum(post_months) FILTER (WHERE both_), 0),
    {_TOTALS},
    count(*) FILTER (WHERE pre_hba1c IS NOT NULL AND post_hba1c IS NOT NULL),
    avg(pre_hba1c) FILTER (WHERE pre_hba1c IS NOT NULL AND post_hba1c IS NOT NULL),
    avg(post_hba1c) FILTER (WHERE pre_hba1c IS NOT NULL AND post_hba1c IS NOT NULL)
FROM flagged
"""

STORIES = """
, shareable AS (
    SELECT s.id, s.told_on FROM evaluation_story s
    WHERE s.patient_id IN (SELECT id FROM cohort) AND s.withdrawn_at IS NULL
      AND s.deidentified_reviewed_at IS NOT NULL
      AND (s.consent_expires_on IS NULL OR s.consent_expires_on >= %(today)s)
)
SELECT 'latest', s.id, NULL::bigint FROM (
    SELECT id FROM shareable ORDER BY told_on DESC, id DESC LIMIT 3) s
UNION ALL
SELECT t.name, count(DISTINCT x.story_id), NULL FROM evaluation_theme t
JOIN evaluation_storyexcerpt x ON x.theme_id = t.id
WHERE x.story_id IN (SELECT id FROM shareable) GROUP BY t.id, t.name
"""


def parameters(user, filters: dict) -> dict:
    """The query parameters for the user and the dashboard's cleaned filters."""
    partnerships = list(
        Partnership.objects.of_organization(user.organization_id).order_by("pk")
    )
    zone_name = time_zone_for(user, partnerships[0] if partnerships else None)
    zone = zoneinfo.ZoneInfo(zone_name)
    cutoffs = overdue_cutoffs_by_partnership(partnerships)
    ids = list(cutoffs)

    def moment(day, shift=0):
        if not day:
            return None
        day += datetime.timedelta(days=shift)
        return datetime.datetime.combine(day, datetime.time(), zone)

    def pk(value):
        return value.pk if value else None

    return {
        "org": user.organization_id,
        "ids": ids,
        "accept": [cutoffs[i]["accept"] for i in ids],
        "assign": [cutoffs[i]["assign"] for i in ids],
        "first_contact": [cutoffs[i]["first_contact"] for i in ids],
        "inactive": [cutoffs[i]["inactive"] for i in ids],
        "start": moment(filters.get("start")),
        "end": moment(filters.get("end"), 1),
        "clinic": pk(filters.get("clinic")),
        "navigator": pk(filters.get("navigator")),
        "language": filters.get("language") or None,
        "need": filters.get("need") or None,
        "zone": zone_name,
        "window": filters.get("window") or 6,
        "since": datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=14),
        "today": timezone.localdate(),
    }


def dashboard_figures(user, filters: dict) -> dict:
    """Every figure of the dashboard, one statement per panel."""
    values = parameters(user, filters)
    results = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        for name, sql in [
            ("kpis", COHORT + KPIS),
            ("monthly", COHORT + MONTHLY),
            ("navigators", COHORT + NAVIGATORS),
            ("clinics", COHORT + CLINICS),
            ("pam", COHORT + PAM),
            ("pam_by_level", COHORT + PAM_BY_LEVEL),
            ("utilization", COHORT + UTILIZATION),
            ("stories", COHORT + STORIES),
        ]:
            cursor.execute(sql, values)
            columns = [column.name for column in cursor.description]
            results[name] = {"columns": columns, "rows": cursor.fetchall()}
    return results
