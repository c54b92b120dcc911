"""The de-identified patient-level dataset evaluators download.

One row per patient of the filtered cohort; no names, record numbers, phones,
addresses or exact dates: only years and offsets in days from enrollment (the
day, in its partnership's time zone, of the patient's first referral sent to
one of the program manager's partnerships, not one entered in error). Ages over
89 are grouped (HIPAA Safe Harbor). The pseudonym is random for each export,
and rows come in random order, so two exports cannot be linked.
"""

import secrets

from django.db import connection, transaction
from django.utils import timezone

from evaluation.scope import compiled, dashboard_scope

HEADER = [
    "pseudonym",
    "birth_year",
    "sex",
    "preferred_language",
    "interpreter_needed",
    "enrollment_year",
    "referrals",
    "needs_first_referral",
    "outcome_first_referral",
    "days_to_first_contact",
    "days_to_closure",
    "pathways_opened",
    "pathways_resolved",
    "pam_baseline_day",
    "pam_baseline_score",
    "pam_baseline_level",
    "pam_follow_up_day",
    "pam_follow_up_score",
    "pam_follow_up_level",
    "ed_visits_6m_before",
    "ed_visits_6m_after",
    "admissions_6m_before",
    "admissions_6m_after",
    "utilization_months_before",
    "utilization_months_after",
    "screening_instrument",
    "screening_day",
    "screening_positive",
    "rescreen_day",
    "rescreen_positive",
    "rescreen_negative",
]
# Safety answers never leave chwlink patient by patient: the dashboard's
# suppressed counts are the only place they are summed.
PRIVATE_DOMAIN = "intimate-partner-violence"
BATCH = 2000

# Each cohort patient's first enrollment among the partnerships, the referral
# that made it, the first PAM baseline and the latest follow-up. Only SQL
# compiled by the ORM goes into ``facts``.
PATIENTS = """
WITH cohort AS (
    SELECT patient_id, count(*) AS referrals, sum(pathways_opened) AS opened,
           sum(pathways_resolved) AS resolved
    FROM ({facts}) f GROUP BY patient_id
), enrolled AS (
    SELECT DISTINCT ON (e.patient_id) e.patient_id, e.partnership_id,
           e.first_submitted_at, e.pre6_ed_visits, e.post6_ed_visits,
           e.pre6_inpatient_admissions, e.post6_inpatient_admissions,
           e.pre6_months, e.post6_months
    FROM evaluation_enrollment e
    WHERE e.partnership_id = ANY(%s)
      AND e.patient_id IN (SELECT patient_id FROM cohort)
    ORDER BY e.patient_id, e.first_submitted_at, e.partnership_id
)
SELECT pt.date_of_birth, pt.sex, pt.preferred_language, pt.interpreter_needed,
       (e.first_submitted_at AT TIME ZONE p.time_zone)::date, c.referrals,
       first.social_needs, first.status, first.contact_days,
       (EXTRACT(EPOCH FROM (first.closed_at - first.submitted_at)) / 86400.0)::float8,
       c.opened, c.resolved,
       b.administered_on, b.score, b.level, fu.administered_on, fu.score, fu.level,
       e.pre6_ed_visits, e.post6_ed_visits, e.pre6_inpatient_admissions,
       e.post6_inpatient_admissions, e.pre6_months, e.post6_months,
       sf.code, sf.screened_on, array_remove(sf.positive_domains, %s),
       sl.screened_on, array_remove(sl.positive_domains, %s),
       array_remove(sl.negative_domains, %s)
FROM cohort c
JOIN referrals_patient pt ON pt.id = c.patient_id
JOIN enrolled e ON e.patient_id = c.patient_id
JOIN partners_partnership p ON p.id = e.partnership_id
CROSS JOIN LATERAL (
    SELECT f.social_needs, f.status, f.contact_days, f.closed_at, f.submitted_at
    FROM evaluation_referralfact f
    WHERE f.patient_id = e.patient_id AND f.partnership_id = e.partnership_id
    ORDER BY f.submitted_at, f.referral_id LIMIT 1
) first
LEFT JOIN LATERAL (
    SELECT a.administered_on, a.score, a.level FROM evaluation_pamadministration a
    WHERE a.patient_id = c.patient_id AND a.kind = 'baseline'
    ORDER BY a.administered_on, a.id LIMIT 1
) b ON true
LEFT JOIN LATERAL (
    SELECT a.administered_on, a.score, a.level FROM evaluation_pamadministration a
    WHERE a.patient_id = c.patient_id AND a.kind = 'follow_up'
    ORDER BY a.administered_on DESC, a.id DESC LIMIT 1
) fu ON true
LEFT JOIN LATERAL (
    SELECT s.screened_on, i.code, s.positive_domains FROM referrals_screening s
    JOIN referrals_referral r ON r.id = s.referral_id
    LEFT JOIN referrals_screeninginstrument i ON i.id = s.instrument_id
    WHERE s.patient_id = c.patient_id AND r.partnership_id = e.partnership_id
      AND s.setting <> 'closure'
    ORDER BY s.screened_on, s.id LIMIT 1
) sf ON true
LEFT JOIN LATERAL (
    SELECT s.screened_on, s.positive_domains, s.negative_domains
    FROM referrals_screening s
    JOIN referrals_referral r ON r.id = s.referral_id
    WHERE s.patient_id = c.patient_id AND r.partnership_id = e.partnership_id
      AND s.setting = 'closure'
    ORDER BY s.screened_on DESC, s.id DESC LIMIT 1
) sl ON true
ORDER BY random()
"""


def _birth_year(born, today) -> str:
    if today.year - born.year > 89:
        return f"<={today.year - 90}"
    return str(born.year)


def deidentified_rows(user, filters: dict):
    """The rows of the dataset, read in batches as they are written out."""
    scope = dashboard_scope(user, filters)
    facts = scope.facts().values("patient_id", "pathways_opened", "pathways_resolved")
    sql, params = compiled(facts)
    today = timezone.localdate()
    with transaction.atomic():
        with connection.cursor() as cursor:
            # The cohort's enrollments are sorted in memory.
            cursor.execute("SET LOCAL work_mem = '32MB'")
        with connection.chunked_cursor() as cursor:
            private = [PRIVATE_DOMAIN] * 3
            arguments = [*params, scope.partnership_ids, *private]
            cursor.execute(PATIENTS.format(facts=sql), arguments)
            while batch := cursor.fetchmany(BATCH):
                for row in batch:
                    yield _row(row, today)


def _row(row, today) -> list:
    (born, sex, language, interpreter, enrolled, referrals, needs, outcome,
     to_contact, to_close, opened, resolved, baseline_on, baseline_score,
     baseline_level, follow_up_on, follow_up_score, follow_up_level,
     *utilization) = row[:-6]  # fmt: skip
    instrument, screened_on, positive, rescreened_on, still, negative = row[-6:]
    return [
        secrets.token_hex(5),
        _birth_year(born, today),
        sex,
        language,
        int(interpreter),
        enrolled.year,
        referrals,
        ";".join(needs),
        outcome,
        _days(to_contact),
        _days(to_close),
        opened,
        resolved,
        _offset(baseline_on, enrolled),
        _blank(baseline_score),
        _blank(baseline_level),
        _offset(follow_up_on, enrolled),
        _blank(follow_up_score),
        _blank(follow_up_level),
        *utilization,
        instrument or "",
        _offset(screened_on, enrolled),
        ";".join(positive or ()),
        _offset(rescreened_on, enrolled),
        ";".join(still or ()),
        ";".join(negative or ()),
    ]


def _days(value):
    return "" if value is None else round(value, 1)


def _offset(day, enrolled):
    return "" if day is None else (day - enrolled).days


def _blank(value):
    return "" if value is None else value
