"""Triggers that keep the dashboard's rollups (evaluation.models.rollups) in step
with every write, in the same transaction; then a first full build.

Two views hold the rules: ``evaluation_referralfact_source`` (which referrals
count, and what of each) and ``evaluation_pampair_source`` (which baseline is
paired with which follow-up). The triggers and the rebuild both read them.
"""

from django.db import migrations

# RecentContact.KEPT_DAYS
KEPT_DAYS = 60
RESOLVED = "('completed', 'approved')"
FINAL = "('completed', 'approved', 'incomplete')"
OUTCOME = "('completed', 'unable_to_complete', 'declined', 'cancelled')"

FACT_COLUMNS = [
    "referral_id", "partnership_id", "clinic_id", "navigator_id", "patient_id",
    "status", "language", "social_needs", "submitted_at", "accepted_at",
    "assigned_at", "first_contact_at", "last_contact_at", "closed_at",
    "status_changed_at", "month", "contact_days", "linked", "pathways_opened",
    "pathways_resolved", "pathways_final",
]  # fmt: skip
WITHIN_DAYS = range(1, 15)
MONTH_COUNTS = [
    "referred", "accepted", "assigned", "contacted", "linked", "closed",
    "completed", "pathways_resolved", "pathways_final",
    *(f"contacted_within_{days}" for days in WITHIN_DAYS),
]  # fmt: skip
MEASURES = [
    "ed_visits", "inpatient_admissions", "hospital_days", "readmissions_30d",
    "primary_care_visits",
]  # fmt: skip
PAM_COLUMNS = [
    "pam_baseline", "pam_level", "pam_score", "pam_extreme", "pam_raw_sum",
    "pam_answered", "pam_has_follow_up", "pam_paired", "pam_fu_level",
    "pam_fu_score", "pam_fu_extreme", "pam_fu_raw_sum", "pam_fu_answered",
]  # fmt: skip
WINDOWS = [
    (window, phase, name)
    for window in (6, 12)
    for phase in ("pre", "post")
    for name in ["months", *MEASURES, "hba1c_count", "hba1c_sum"]
]
UTILIZATION_COLUMNS = [f"{phase}{window}_{name}" for window, phase, name in WINDOWS]
ENROLLMENT_COLUMNS = [
    "patient_id", "partnership_id", "first_submitted_at", "last_submitted_at",
    "enrolled_month", "last_month", *PAM_COLUMNS, *UTILIZATION_COLUMNS,
]  # fmt: skip
# ``shared`` is written apart: it depends on the patient's other enrollments.

# What each enrollment adds to EnrollmentMonth: a copy, as of this migration, of
# evaluation.enrollment_sums.SUMS (name, SQL over an enrollment's columns).
ENROLLMENT_SUMS = [
    ('enrollments', '1'),
    ('u6_with_pre', 'CASE WHEN pre6_months > 0 THEN 1 ELSE 0 END'),
    ('u6_n', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN 1 ELSE 0 END'),
    ('u6_pre_months', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN pre6_months ELSE 0 END'),
    ('u6_pre_ed_visits', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN pre6_ed_visits ELSE 0 END'),
    ('u6_pre_inpatient_admissions', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN pre6_inpatient_admissions ELSE 0 END'),
    ('u6_pre_hospital_days', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN pre6_hospital_days ELSE 0 END'),
    ('u6_pre_readmissions_30d', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN pre6_readmissions_30d ELSE 0 END'),
    ('u6_pre_primary_care_visits', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN pre6_primary_care_visits ELSE 0 END'),
    ('u6_post_months', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN post6_months ELSE 0 END'),
    ('u6_post_ed_visits', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN post6_ed_visits ELSE 0 END'),
    ('u6_post_inpatient_admissions', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN post6_inpatient_admissions ELSE 0 END'),
    ('u6_post_hospital_days', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN post6_hospital_days ELSE 0 END'),
    ('u6_post_readmissions_30d', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN post6_readmissions_30d ELSE 0 END'),
    ('u6_post_primary_care_visits', 'CASE WHEN pre6_months > 0 AND post6_months > 0 THEN post6_primary_care_visits ELSE 0 END'),
    ('u6_hba1c_n', 'CASE WHEN pre6_hba1c_count > 0 AND post6_hba1c_count > 0 THEN 1 ELSE 0 END'),
    ('u6_hba1c_pre', 'CASE WHEN pre6_hba1c_count > 0 AND post6_hba1c_count > 0 THEN pre6_hba1c_sum / pre6_hba1c_count ELSE 0 END'),
    ('u6_hba1c_post', 'CASE WHEN pre6_hba1c_count > 0 AND post6_hba1c_count > 0 THEN post6_hba1c_sum / post6_hba1c_count ELSE 0 END'),
    ('u12_with_pre', 'CASE WHEN pre12_months > 0 THEN 1 ELSE 0 END'),
    ('u12_n', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN 1 ELSE 0 END'),
    ('u12_pre_months', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN pre12_months ELSE 0 END'),
    ('u12_pre_ed_visits', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN pre12_ed_visits ELSE 0 END'),
    ('u12_pre_inpatient_admissions', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN pre12_inpatient_admissions ELSE 0 END'),
    ('u12_pre_hospital_days', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN pre12_hospital_days ELSE 0 END'),
    ('u12_pre_readmissions_30d', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN pre12_readmissions_30d ELSE 0 END'),
    ('u12_pre_primary_care_visits', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN pre12_primary_care_visits ELSE 0 END'),
    ('u12_post_months', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN post12_months ELSE 0 END'),
    ('u12_post_ed_visits', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN post12_ed_visits ELSE 0 END'),
    ('u12_post_inpatient_admissions', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN post12_inpatient_admissions ELSE 0 END'),
    ('u12_post_hospital_days', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN post12_hospital_days ELSE 0 END'),
    ('u12_post_readmissions_30d', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN post12_readmissions_30d ELSE 0 END'),
    ('u12_post_primary_care_visits', 'CASE WHEN pre12_months > 0 AND post12_months > 0 THEN post12_primary_care_visits ELSE 0 END'),
    ('u12_hba1c_n', 'CASE WHEN pre12_hba1c_count > 0 AND post12_hba1c_count > 0 THEN 1 ELSE 0 END'),
    ('u12_hba1c_pre', 'CASE WHEN pre12_hba1c_count > 0 AND post12_hba1c_count > 0 THEN pre12_hba1c_sum / pre12_hba1c_count ELSE 0 END'),
    ('u12_hba1c_post', 'CASE WHEN pre12_hba1c_count > 0 AND post12_hba1c_count > 0 THEN post12_hba1c_sum / post12_hba1c_count ELSE 0 END'),
    ('baselines', 'CASE WHEN pam_baseline THEN 1 ELSE 0 END'),
    ('level_4', 'CASE WHEN pam_level = 4 THEN 1 ELSE 0 END'),
    ('extreme', 'CASE WHEN pam_extreme = true OR pam_fu_extreme = true THEN 1 ELSE 0 END'),
    ('outside_window', 'CASE WHEN pam_has_follow_up AND NOT pam_paired THEN 1 ELSE 0 END'),
    ('no_follow_up', 'CASE WHEN pam_baseline AND NOT pam_has_follow_up THEN 1 ELSE 0 END'),
    ('raw_only', 'CASE WHEN pam_baseline AND (pam_score IS NULL OR (pam_paired AND pam_fu_score IS NULL)) THEN 1 ELSE 0 END'),
    ('raw_n', 'CASE WHEN pam_paired AND pam_extreme = false AND pam_fu_extreme = false AND (pam_level IS NULL OR pam_level <= 3) THEN 1 ELSE 0 END'),
    ('raw_sum', 'CASE WHEN pam_paired AND pam_extreme = false AND pam_fu_extreme = false AND (pam_level IS NULL OR pam_level <= 3) THEN (pam_fu_raw_sum * 1.0 / NULLIF(pam_fu_answered, 0) - pam_raw_sum * 1.0 / NULLIF(pam_answered, 0)) ELSE 0 END'),
    ('raw_squares', 'CASE WHEN pam_paired AND pam_extreme = false AND pam_fu_extreme = false AND (pam_level IS NULL OR pam_level <= 3) THEN (pam_fu_raw_sum * 1.0 / NULLIF(pam_fu_answered, 0) - pam_raw_sum * 1.0 / NULLIF(pam_answered, 0)) * (pam_fu_raw_sum * 1.0 / NULLIF(pam_fu_answered, 0) - pam_raw_sum * 1.0 / NULLIF(pam_answered, 0)) ELSE 0 END'),
    ('n', 'CASE WHEN pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3 AND pam_extreme = false AND pam_fu_extreme = false THEN 1 ELSE 0 END'),
    ('change_sum', 'CASE WHEN pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3 AND pam_extreme = false AND pam_fu_extreme = false THEN (pam_fu_score - pam_score) ELSE 0 END'),
    ('change_squares', 'CASE WHEN pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3 AND pam_extreme = false AND pam_fu_extreme = false THEN (pam_fu_score - pam_score) * (pam_fu_score - pam_score) ELSE 0 END'),
    ('gained_3', 'CASE WHEN pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3 AND pam_extreme = false AND pam_fu_extreme = false AND (pam_fu_score - pam_score) >= 3 THEN 1 ELSE 0 END'),
    ('moved_up', 'CASE WHEN pam_score IS NOT NULL AND pam_fu_score IS NOT NULL AND pam_level <= 3 AND pam_extreme = false AND pam_fu_extreme = false AND pam_fu_level > pam_level THEN 1 ELSE 0 END'),
]  # fmt: skip
ENROLLMENT_MONTH_KEY = "partnership_id, side, month, pam_level, pam_fu_level"
ENROLLMENT_MONTH_SUMS = ", ".join(f"sum({name})" for name, _sql in ENROLLMENT_SUMS)
ENROLLMENT_MONTH_COLUMNS = ", ".join(name for name, _sql in ENROLLMENT_SUMS)


def _enrollment_contributions(source: str, sign: str) -> str:
    """The rows enrollments add to EnrollmentMonth: once by the month of the
    patient's first referral, once by that of their latest; a patient enrolled
    in two partnerships is left out."""
    sums = ", ".join(f"{sign} * ({sql}) AS {name}" for name, sql in ENROLLMENT_SUMS)
    return f"""
    SELECT e.partnership_id, s.side, s.month, coalesce(e.pam_level, 0) AS pam_level,
           coalesce(e.pam_fu_level, 0) AS pam_fu_level, {sums}
    FROM {source} e
    CROSS JOIN LATERAL (
        VALUES ('first'::varchar, e.enrolled_month), ('last'::varchar, e.last_month)
    ) s (side, month)
    WHERE NOT e.shared
    """


def _columns(names, prefix=""):
    return ", ".join(f"{prefix}{name}" for name in names)


def _excluded(names):
    return ", ".join(f"{name} = EXCLUDED.{name}" for name in names)


def _utilization_sums(month: str) -> str:
    """The utilization columns from records ``u`` around the month ``month``."""
    sums = []
    for window, phase, name in WINDOWS:
        inside = (
            f"u.period >= ({month} + make_interval(months => -{window}))::date"
            f" AND u.period < {month}"
            if phase == "pre"
            else f"u.period >= {month}"
            f" AND u.period < ({month} + make_interval(months => {window}))::date"
        )
        if name == "months":
            sums.append(f"count(u.id) FILTER (WHERE {inside})")
        elif name == "hba1c_count":
            sums.append(f"count(u.hba1c) FILTER (WHERE {inside})")
        elif name == "hba1c_sum":
            sums.append(f"sum(u.hba1c) FILTER (WHERE {inside})")
        else:
            sums.append(f"coalesce(sum(u.{name}) FILTER (WHERE {inside}), 0)")
    return ", ".join(sums)


def _records_around(month: str) -> str:
    return (
        f"u.period >= ({month} + make_interval(months => -12))::date"
        f" AND u.period < ({month} + make_interval(months => 12))::date"
    )


# One row per referral the dashboard counts: sent, not entered in error.
REFERRAL_FACTS = f"""
CREATE VIEW evaluation_referralfact_source AS
SELECT r.id AS referral_id, r.partnership_id, r.clinic_id, r.navigator_id,
       r.patient_id, r.status, pt.preferred_language AS language, r.social_needs,
       r.submitted_at, r.accepted_at, r.assigned_at, r.first_contact_at,
       r.last_contact_at, r.closed_at, r.status_changed_at,
       (date_trunc('month', r.submitted_at AT TIME ZONE p.time_zone))::date AS month,
       (EXTRACT(EPOCH FROM (r.first_contact_at - r.submitted_at)) / 86400.0)::float8
           AS contact_days,
       EXISTS (
           SELECT 1 FROM referrals_pathway w
           JOIN referrals_pathwayresource l ON l.pathway_id = w.id
           WHERE w.referral_id = r.id
       ) AS linked,
       (SELECT count(*) FROM referrals_pathway w
        WHERE w.referral_id = r.id)::int AS pathways_opened,
       (SELECT count(*) FROM referrals_pathway w
        WHERE w.referral_id = r.id AND w.status IN {RESOLVED})::int AS pathways_resolved,
       (SELECT count(*) FROM referrals_pathway w
        WHERE w.referral_id = r.id AND w.status IN {FINAL})::int AS pathways_final
FROM referrals_referral r
JOIN partners_partnership p ON p.id = r.partnership_id
JOIN referrals_patient pt ON pt.id = r.patient_id
WHERE r.status NOT IN ('draft', 'entered_in_error') AND r.submitted_at IS NOT NULL;
"""

# Each patient's first baseline (two on one day: the first recorded), whether
# any follow-up came later, and the first follow-up 6 to 12 months after it.
PAM_PAIRS = """
CREATE VIEW evaluation_pampair_source AS
SELECT b.patient_id, true AS pam_baseline, b.level AS pam_level,
       b.score AS pam_score, b.extreme_response AS pam_extreme,
       b.raw_sum AS pam_raw_sum, b.answered AS pam_answered,
       EXISTS (
           SELECT 1 FROM evaluation_pamadministration f
           WHERE f.patient_id = b.patient_id AND f.kind = 'follow_up'
             AND f.administered_on > b.administered_on
       ) AS pam_has_follow_up,
       fu.id IS NOT NULL AS pam_paired, fu.level AS pam_fu_level,
       fu.score AS pam_fu_score, fu.extreme_response AS pam_fu_extreme,
       fu.raw_sum AS pam_fu_raw_sum, fu.answered AS pam_fu_answered
FROM (
    SELECT DISTINCT ON (a.patient_id) a.*
    FROM evaluation_pamadministration a
    WHERE a.kind = 'baseline'
    ORDER BY a.patient_id, a.administered_on, a.id
) b
LEFT JOIN LATERAL (
    SELECT f.* FROM evaluation_pamadministration f
    WHERE f.patient_id = b.patient_id AND f.kind = 'follow_up'
      AND f.administered_on >= (b.administered_on + make_interval(months => 6))::date
      AND f.administered_on <= (b.administered_on + make_interval(months => 12))::date
    ORDER BY f.administered_on, f.id LIMIT 1
) fu ON true;
"""


def _month_contributions(source: str, sign: str) -> str:
    """The rows one or more facts add to ReferralMonth: one for the patient's
    language, one per distinct need."""
    counts = [
        sign,
        f"{sign} * (f.accepted_at IS NOT NULL)::int",
        f"{sign} * (f.assigned_at IS NOT NULL)::int",
        f"{sign} * (f.first_contact_at IS NOT NULL)::int",
        f"{sign} * f.linked::int",
        f"{sign} * (f.status IN {OUTCOME})::int",
        f"{sign} * (f.status = 'completed')::int",
        f"{sign} * f.pathways_resolved",
        f"{sign} * f.pathways_final",
        *(
            f"{sign} * coalesce(f.contact_days < {days}, false)::int"
            for days in WITHIN_DAYS
        ),
    ]
    return f"""
    SELECT f.partnership_id, k.need, k.language, f.month, f.clinic_id,
           {", ".join(f"{c} AS {n}" for c, n in zip(counts, MONTH_COUNTS, strict=True))}
    FROM {source} f
    CROSS JOIN LATERAL (
        SELECT f.language::varchar AS language, ''::varchar AS need
        UNION ALL
        SELECT DISTINCT ''::varchar, n::varchar FROM unnest(f.social_needs) n
        WHERE n <> ''
    ) k
    """


MONTH_KEY = "partnership_id, need, language, month, clinic_id"
MONTH_SUMS = ", ".join(f"sum({n})::int" for n in MONTH_COUNTS)
# A patient without a baseline has no pair.
PAIR = ", ".join(
    "coalesce(pair.pam_baseline, false)" if name == "pam_baseline" else f"pair.{name}"
    for name in PAM_COLUMNS
)

FUNCTIONS = f"""
{REFERRAL_FACTS}
{PAM_PAIRS}

-- Apply the change from one fact to another (either may be all NULL: none) to
-- ReferralMonth in one sorted statement, so concurrent writers lock rows in the
-- same order; rows left at zero go.
CREATE FUNCTION evaluation_months_apply(
    old_f evaluation_referralfact, new_f evaluation_referralfact
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT {MONTH_KEY}, {MONTH_SUMS}
        FROM (
            {_month_contributions("(SELECT (old_f).*)", "-1")}
            WHERE f.referral_id IS NOT NULL
            UNION ALL
            {_month_contributions("(SELECT (new_f).*)", "1")}
            WHERE f.referral_id IS NOT NULL
        ) c
        GROUP BY {MONTH_KEY}
        HAVING {" OR ".join(f"sum({n}) <> 0" for n in MONTH_COUNTS)}
        ORDER BY {MONTH_KEY}
    )
    INSERT INTO evaluation_referralmonth AS m ({MONTH_KEY}, {_columns(MONTH_COUNTS)})
    SELECT * FROM delta
    ON CONFLICT ON CONSTRAINT referral_month_once DO UPDATE SET
        {", ".join(f"{n} = m.{n} + EXCLUDED.{n}" for n in MONTH_COUNTS)};
    DELETE FROM evaluation_referralmonth m
    WHERE m.referred = 0
      AND m.partnership_id IN (old_f.partnership_id, new_f.partnership_id)
      AND m.clinic_id IN (old_f.clinic_id, new_f.clinic_id)
      AND m.month IN (old_f.month, new_f.month);
END $$;

-- Write one enrollment: its PAM pair and its utilization around the month.
CREATE FUNCTION evaluation_enrollment_write(
    p_patient bigint, p_partnership bigint, p_first timestamptz,
    p_last timestamptz, p_month date, p_last_month date
) RETURNS void LANGUAGE sql AS $$
    INSERT INTO evaluation_enrollment ({_columns(ENROLLMENT_COLUMNS)}, shared)
    SELECT p_patient, p_partnership, p_first, p_last, p_month, p_last_month, {PAIR},
           u.*, false
    FROM (
        SELECT {_utilization_sums("p_month")}
        FROM evaluation_utilizationrecord u
        WHERE u.patient_id = p_patient AND {_records_around("p_month")}
    ) u
    LEFT JOIN evaluation_pampair_source pair ON pair.patient_id = p_patient
    ON CONFLICT ON CONSTRAINT enrollment_once DO UPDATE SET
        {_excluded(ENROLLMENT_COLUMNS[2:])};
$$;

-- Whether each of a patient's enrollments has a sibling in another partnership.
CREATE FUNCTION evaluation_enrollment_share(p_patients bigint[])
RETURNS void LANGUAGE sql AS $$
    UPDATE evaluation_enrollment e SET shared = s.n > 1
    FROM (
        SELECT patient_id, count(*) AS n FROM evaluation_enrollment
        WHERE patient_id = ANY(p_patients) GROUP BY patient_id
    ) s
    WHERE e.patient_id = s.patient_id AND e.shared <> (s.n > 1);
$$;

-- A patient's enrollment in a partnership follows their first fact there (and
-- knows their last).
CREATE FUNCTION evaluation_enrollment_refresh(p_patient bigint, p_partnership bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    first_at timestamptz;
    last_at timestamptz;
    first_month date;
    latest_month date;
    kept_month date;
BEGIN
    SELECT f.submitted_at, f.month INTO first_at, first_month
    FROM evaluation_referralfact f
    WHERE f.patient_id = p_patient AND f.partnership_id = p_partnership
    ORDER BY f.submitted_at, f.referral_id LIMIT 1;
    SELECT f.submitted_at, f.month INTO last_at, latest_month
    FROM evaluation_referralfact f
    WHERE f.patient_id = p_patient AND f.partnership_id = p_partnership
    ORDER BY f.submitted_at DESC, f.referral_id DESC LIMIT 1;
    IF first_at IS NULL THEN
        DELETE FROM evaluation_enrollment
        WHERE patient_id = p_patient AND partnership_id = p_partnership;
        PERFORM evaluation_enrollment_share(ARRAY[p_patient]);
        RETURN;
    END IF;
    SELECT enrolled_month INTO kept_month FROM evaluation_enrollment
    WHERE patient_id = p_patient AND partnership_id = p_partnership;
    IF kept_month = first_month THEN
        UPDATE evaluation_enrollment
        SET first_submitted_at = first_at, last_submitted_at = last_at,
            last_month = latest_month
        WHERE patient_id = p_patient AND partnership_id = p_partnership
          AND (first_submitted_at, last_submitted_at, last_month)
              <> (first_at, last_at, latest_month);
    ELSE
        PERFORM evaluation_enrollment_write(
            p_patient, p_partnership, first_at, last_at, first_month, latest_month);
        IF kept_month IS NULL THEN
            PERFORM evaluation_enrollment_share(ARRAY[p_patient]);
        END IF;
    END IF;
END $$;

-- The contacts of one referral again, as its fact has them (none without one).
CREATE FUNCTION evaluation_contacts_refresh(rid bigint)
RETURNS void LANGUAGE sql AS $$
    DELETE FROM evaluation_recentcontact WHERE referral_id = rid;
    INSERT INTO evaluation_recentcontact
        (encounter_id, referral_id, navigator_id, partnership_id, occurred_at,
         submitted_at)
    SELECT e.id, e.referral_id, e.navigator_id, f.partnership_id, e.occurred_at,
           f.submitted_at
    FROM referrals_encounter e
    JOIN evaluation_referralfact f ON f.referral_id = e.referral_id
    WHERE e.referral_id = rid;
$$;

-- Bring one referral's fact, and what is counted from it, up to date.
CREATE FUNCTION evaluation_referral_refresh(rid bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    old_f evaluation_referralfact;
    new_f evaluation_referralfact;
BEGIN
    SELECT * INTO old_f FROM evaluation_referralfact
    WHERE referral_id = rid FOR UPDATE;
    SELECT {_columns(FACT_COLUMNS)} INTO {_columns(FACT_COLUMNS, "new_f.")}
    FROM evaluation_referralfact_source WHERE referral_id = rid;
    IF ({_columns(FACT_COLUMNS, "old_f.")})
        IS NOT DISTINCT FROM ({_columns(FACT_COLUMNS, "new_f.")}) THEN
        RETURN;
    END IF;
    IF new_f.referral_id IS NULL THEN
        DELETE FROM evaluation_referralfact WHERE referral_id = rid;
    ELSE
        INSERT INTO evaluation_referralfact ({_columns(FACT_COLUMNS)})
        VALUES ({_columns(FACT_COLUMNS, "new_f.")})
        ON CONFLICT (referral_id) DO UPDATE SET {_excluded(FACT_COLUMNS[1:])};
    END IF;
    PERFORM evaluation_months_apply(old_f, new_f);
    IF (old_f.partnership_id, old_f.submitted_at)
        IS DISTINCT FROM (new_f.partnership_id, new_f.submitted_at) THEN
        PERFORM evaluation_contacts_refresh(rid);
    END IF;
    IF (old_f.patient_id, old_f.partnership_id, old_f.submitted_at, old_f.month)
        IS DISTINCT FROM
       (new_f.patient_id, new_f.partnership_id, new_f.submitted_at, new_f.month) THEN
        IF old_f.referral_id IS NOT NULL THEN
            PERFORM evaluation_enrollment_refresh(
                old_f.patient_id, old_f.partnership_id);
        END IF;
        IF new_f.referral_id IS NOT NULL
           AND (new_f.patient_id, new_f.partnership_id)
               IS DISTINCT FROM (old_f.patient_id, old_f.partnership_id) THEN
            PERFORM evaluation_enrollment_refresh(
                new_f.patient_id, new_f.partnership_id);
        END IF;
    END IF;
END $$;

-- Everything again from the source tables, for one partnership or all; rows
-- are written in the order the dashboard reads them.
CREATE FUNCTION evaluation_rollups_rebuild(ptn bigint DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    -- EnrollmentMonth is summed at the end, not row by row.
    PERFORM set_config('evaluation.rebuilding', 'on', true);
    SELECT array_agg(patient_id) INTO touched FROM evaluation_enrollment
    WHERE ptn IS NOT NULL AND partnership_id = ptn;
    DELETE FROM evaluation_referralfact WHERE ptn IS NULL OR partnership_id = ptn;
    DELETE FROM evaluation_referralmonth WHERE ptn IS NULL OR partnership_id = ptn;
    DELETE FROM evaluation_enrollment WHERE ptn IS NULL OR partnership_id = ptn;
    DELETE FROM evaluation_enrollmentmonth WHERE ptn IS NULL OR partnership_id = ptn;
    DELETE FROM evaluation_recentcontact WHERE ptn IS NULL OR partnership_id = ptn;
    INSERT INTO evaluation_referralfact ({_columns(FACT_COLUMNS)})
    SELECT {_columns(FACT_COLUMNS)} FROM evaluation_referralfact_source
    WHERE ptn IS NULL OR partnership_id = ptn
    ORDER BY partnership_id, submitted_at;
    -- The contacts within the kept days of the latest one.
    INSERT INTO evaluation_recentcontact
        (encounter_id, referral_id, navigator_id, partnership_id, occurred_at,
         submitted_at)
    SELECT e.id, e.referral_id, e.navigator_id, f.partnership_id, e.occurred_at,
           f.submitted_at
    FROM referrals_encounter e
    JOIN evaluation_referralfact f ON f.referral_id = e.referral_id
    WHERE (ptn IS NULL OR f.partnership_id = ptn)
      AND e.occurred_at >= (SELECT max(occurred_at) FROM referrals_encounter)
                           - make_interval(days => {KEPT_DAYS})
    ORDER BY f.partnership_id, e.occurred_at;
    INSERT INTO evaluation_referralmonth ({MONTH_KEY}, {_columns(MONTH_COUNTS)})
    SELECT {MONTH_KEY}, {MONTH_SUMS}
    FROM ({_month_contributions("evaluation_referralfact", "1")}
          WHERE ptn IS NULL OR f.partnership_id = ptn) c
    GROUP BY {MONTH_KEY}
    ORDER BY {MONTH_KEY};
    INSERT INTO evaluation_enrollment ({_columns(ENROLLMENT_COLUMNS)}, shared)
    SELECT e.patient_id, e.partnership_id, e.submitted_at, e.last, e.month,
           e.last_month, {PAIR}, u.*, false
    FROM (
        SELECT DISTINCT ON (partnership_id, patient_id)
               patient_id, partnership_id, submitted_at, month,
               first_value(submitted_at) OVER latest AS last,
               first_value(month) OVER latest AS last_month
        FROM evaluation_referralfact
        WHERE ptn IS NULL OR partnership_id = ptn
        WINDOW latest AS (
            PARTITION BY partnership_id, patient_id
            ORDER BY submitted_at DESC, referral_id DESC
        )
        ORDER BY partnership_id, patient_id, submitted_at, referral_id
    ) e
    CROSS JOIN LATERAL (
        SELECT {_utilization_sums("e.month")}
        FROM evaluation_utilizationrecord u
        WHERE u.patient_id = e.patient_id AND {_records_around("e.month")}
    ) u
    LEFT JOIN evaluation_pampair_source pair ON pair.patient_id = e.patient_id
    ORDER BY e.partnership_id, e.patient_id;
    IF ptn IS NULL THEN
        UPDATE evaluation_enrollment SET shared = true
        WHERE patient_id IN (
            SELECT patient_id FROM evaluation_enrollment
            GROUP BY patient_id HAVING count(*) > 1
        );
    END IF;
    INSERT INTO evaluation_enrollmentmonth
        ({ENROLLMENT_MONTH_KEY}, {ENROLLMENT_MONTH_COLUMNS})
    SELECT {ENROLLMENT_MONTH_KEY}, {ENROLLMENT_MONTH_SUMS}
    FROM ({_enrollment_contributions("evaluation_enrollment", "1")}
          AND (ptn IS NULL OR e.partnership_id = ptn)) c
    GROUP BY {ENROLLMENT_MONTH_KEY}
    ORDER BY {ENROLLMENT_MONTH_KEY};
    PERFORM set_config('evaluation.rebuilding', 'off', true);
    IF ptn IS NOT NULL THEN
        -- Enrollments elsewhere that gained or lost a sibling here move in or
        -- out of EnrollmentMonth through its trigger.
        SELECT touched || array_agg(patient_id) INTO touched
        FROM evaluation_enrollment WHERE partnership_id = ptn;
        PERFORM evaluation_enrollment_share(touched);
    END IF;
END $$;

-- Apply the change from one enrollment to another (either may be all NULL) to
-- EnrollmentMonth, in one sorted statement; rows left without enrollments go.
CREATE FUNCTION evaluation_enrollment_months_apply(
    old_e evaluation_enrollment, new_e evaluation_enrollment
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT {ENROLLMENT_MONTH_KEY}, {ENROLLMENT_MONTH_SUMS}
        FROM (
            {_enrollment_contributions("(SELECT (old_e).*)", "-1")}
            AND e.id IS NOT NULL
            UNION ALL
            {_enrollment_contributions("(SELECT (new_e).*)", "1")}
            AND e.id IS NOT NULL
        ) c
        GROUP BY {ENROLLMENT_MONTH_KEY}
        HAVING {" OR ".join(f"sum({name}) <> 0" for name, _sql in ENROLLMENT_SUMS)}
        ORDER BY {ENROLLMENT_MONTH_KEY}
    )
    INSERT INTO evaluation_enrollmentmonth AS m
        ({ENROLLMENT_MONTH_KEY}, {ENROLLMENT_MONTH_COLUMNS})
    SELECT * FROM delta
    ON CONFLICT ON CONSTRAINT enrollment_month_once DO UPDATE SET
        {", ".join(f"{name} = m.{name} + EXCLUDED.{name}" for name, _ in ENROLLMENT_SUMS)};
    DELETE FROM evaluation_enrollmentmonth m
    WHERE m.enrollments = 0
      AND m.partnership_id IN (old_e.partnership_id, new_e.partnership_id)
      AND m.month IN (old_e.enrolled_month, old_e.last_month,
                      new_e.enrolled_month, new_e.last_month);
END $$;

CREATE FUNCTION evaluation_on_enrollment() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    none evaluation_enrollment;
BEGIN
    IF current_setting('evaluation.rebuilding', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM evaluation_enrollment_months_apply(none, NEW);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM evaluation_enrollment_months_apply(OLD, none);
    ELSE
        PERFORM evaluation_enrollment_months_apply(OLD, NEW);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION evaluation_on_referral() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM evaluation_referral_refresh(OLD.id);
    ELSE
        PERFORM evaluation_referral_refresh(NEW.id);
    END IF;
    RETURN NULL;
END $$;

-- A contact in or out; then the navigator's contacts from before the kept
-- days, counted back from this one, go.
CREATE FUNCTION evaluation_on_encounter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        DELETE FROM evaluation_recentcontact WHERE encounter_id = OLD.id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        INSERT INTO evaluation_recentcontact
            (encounter_id, referral_id, navigator_id, partnership_id, occurred_at,
             submitted_at)
        SELECT NEW.id, NEW.referral_id, NEW.navigator_id, f.partnership_id,
               NEW.occurred_at, f.submitted_at
        FROM evaluation_referralfact f WHERE f.referral_id = NEW.referral_id;
        DELETE FROM evaluation_recentcontact
        WHERE navigator_id = NEW.navigator_id
          AND occurred_at < NEW.occurred_at - make_interval(days => {KEPT_DAYS});
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION evaluation_on_pathway() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        PERFORM evaluation_referral_refresh(OLD.referral_id);
    END IF;
    IF TG_OP = 'INSERT' OR OLD.referral_id <> NEW.referral_id THEN
        PERFORM evaluation_referral_refresh(NEW.referral_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION evaluation_on_pathway_resource() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_referral_refresh(w.referral_id)
    FROM referrals_pathway w
    WHERE w.id IN (
        CASE WHEN TG_OP <> 'INSERT' THEN OLD.pathway_id END,
        CASE WHEN TG_OP <> 'DELETE' THEN NEW.pathway_id END
    );
    RETURN NULL;
END $$;

CREATE FUNCTION evaluation_on_patient_language() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_referral_refresh(r.id)
    FROM referrals_referral r WHERE r.patient_id = NEW.id;
    RETURN NULL;
END $$;

CREATE FUNCTION evaluation_on_partnership_time_zone() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_rollups_rebuild(NEW.id);
    RETURN NULL;
END $$;

-- A changed utilization month or PAM administration rewrites the patient's
-- enrollments (utilization: only those whose windows reach that month).
CREATE FUNCTION evaluation_on_patient_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    patients bigint[] := '{{}}';
    periods date[] := '{{}}';
BEGIN
    IF TG_OP <> 'INSERT' THEN
        patients := patients || OLD.patient_id;
        periods := periods || CASE WHEN TG_TABLE_NAME = 'evaluation_utilizationrecord'
                                   THEN (to_jsonb(OLD) ->> 'period')::date END;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        patients := patients || NEW.patient_id;
        periods := periods || CASE WHEN TG_TABLE_NAME = 'evaluation_utilizationrecord'
                                   THEN (to_jsonb(NEW) ->> 'period')::date END;
    END IF;
    PERFORM evaluation_enrollment_write(e.patient_id, e.partnership_id,
                                        e.first_submitted_at, e.last_submitted_at,
                                        e.enrolled_month, e.last_month)
    FROM evaluation_enrollment e
    WHERE e.id IN (
        SELECT reached.id FROM evaluation_enrollment reached
        JOIN unnest(patients, periods) c (patient_id, period)
          ON c.patient_id = reached.patient_id
         AND (c.period IS NULL OR (
             c.period >= (reached.enrolled_month + make_interval(months => -12))
             AND c.period < (reached.enrolled_month + make_interval(months => 12))))
    );
    RETURN NULL;
END $$;

CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON referrals_referral FOR EACH ROW EXECUTE FUNCTION evaluation_on_referral();
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON referrals_pathway FOR EACH ROW EXECUTE FUNCTION evaluation_on_pathway();
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON referrals_encounter FOR EACH ROW EXECUTE FUNCTION evaluation_on_encounter();
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON referrals_pathwayresource FOR EACH ROW
EXECUTE FUNCTION evaluation_on_pathway_resource();
CREATE TRIGGER evaluation_rollups AFTER UPDATE OF preferred_language
ON referrals_patient FOR EACH ROW
WHEN (OLD.preferred_language IS DISTINCT FROM NEW.preferred_language)
EXECUTE FUNCTION evaluation_on_patient_language();
CREATE TRIGGER evaluation_rollups AFTER UPDATE OF time_zone
ON partners_partnership FOR EACH ROW
WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
EXECUTE FUNCTION evaluation_on_partnership_time_zone();
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON evaluation_utilizationrecord FOR EACH ROW
EXECUTE FUNCTION evaluation_on_patient_record();
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON evaluation_pamadministration FOR EACH ROW
EXECUTE FUNCTION evaluation_on_patient_record();
CREATE TRIGGER evaluation_rollups AFTER INSERT OR UPDATE OR DELETE
ON evaluation_enrollment FOR EACH ROW EXECUTE FUNCTION evaluation_on_enrollment();

SELECT evaluation_rollups_rebuild();
"""

DROP = """
DROP TRIGGER evaluation_rollups ON referrals_referral;
DROP TRIGGER evaluation_rollups ON referrals_pathway;
DROP TRIGGER evaluation_rollups ON referrals_encounter;
DROP TRIGGER evaluation_rollups ON referrals_pathwayresource;
DROP TRIGGER evaluation_rollups ON referrals_patient;
DROP TRIGGER evaluation_rollups ON partners_partnership;
DROP TRIGGER evaluation_rollups ON evaluation_utilizationrecord;
DROP TRIGGER evaluation_rollups ON evaluation_pamadministration;
DROP TRIGGER evaluation_rollups ON evaluation_enrollment;
DROP FUNCTION evaluation_on_referral, evaluation_on_pathway,
    evaluation_on_pathway_resource, evaluation_on_patient_language,
    evaluation_on_partnership_time_zone, evaluation_on_patient_record,
    evaluation_rollups_rebuild, evaluation_referral_refresh,
    evaluation_enrollment_refresh, evaluation_enrollment_write,
    evaluation_enrollment_share, evaluation_months_apply,
    evaluation_on_enrollment, evaluation_enrollment_months_apply,
    evaluation_on_encounter, evaluation_contacts_refresh;
DROP VIEW evaluation_referralfact_source, evaluation_pampair_source;
DELETE FROM evaluation_referralfact;
DELETE FROM evaluation_referralmonth;
DELETE FROM evaluation_enrollment;
DELETE FROM evaluation_enrollmentmonth;
DELETE FROM evaluation_recentcontact;
"""


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0004_rollups")]

    operations = [migrations.RunSQL(FUNCTIONS, DROP)]
