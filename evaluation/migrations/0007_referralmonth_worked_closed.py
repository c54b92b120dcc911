"""The funnel's last step counts referrals closed after the work (needs addressed
or unable to complete), not declines or cancellations: ``ReferralMonth`` keeps
that count beside ``closed`` (any final outcome, for the closed-loop rate).

The trigger function that applies a fact's change to the months is replaced with
one that also moves the new count; the full rebuild keeps its body (renamed) and
fills the new count afterwards, from the facts, the same way.
"""

from django.db import migrations, models

WORKED = "('completed', 'unable_to_complete')"
OUTCOME = "('completed', 'unable_to_complete', 'declined', 'cancelled')"
WITHIN_DAYS = range(1, 15)
COUNTS_0005 = [
    "referred", "accepted", "assigned", "contacted", "linked", "closed",
    "completed", "pathways_resolved", "pathways_final",
    *(f"contacted_within_{days}" for days in WITHIN_DAYS),
]  # fmt: skip
MONTH_KEY = "partnership_id, need, language, month, clinic_id"
# One row for the patient's language, one per distinct need (as in 0005).
KEYS = """
    CROSS JOIN LATERAL (
        SELECT f.language::varchar AS language, ''::varchar AS need
        UNION ALL
        SELECT DISTINCT ''::varchar, n::varchar FROM unnest(f.social_needs) n
        WHERE n <> ''
    ) k
"""


def _month_contributions(source: str, sign: str, names: list[str]) -> str:
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
        f"{sign} * (f.status IN {WORKED})::int",
    ]
    columns = ", ".join(f"{c} AS {n}" for c, n in zip(counts, names, strict=False))
    return f"""
    SELECT f.partnership_id, k.need, k.language, f.month, f.clinic_id, {columns}
    FROM {source} f {KEYS}
    """


def months_apply(names: list[str]) -> str:
    """The trigger function applying a fact's change to the months' ``names``."""
    sums = ", ".join(f"sum({n})::int" for n in names)
    return f"""
CREATE OR REPLACE FUNCTION evaluation_months_apply(
    old_f evaluation_referralfact, new_f evaluation_referralfact
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH delta AS (
        SELECT {MONTH_KEY}, {sums}
        FROM (
            {_month_contributions("(SELECT (old_f).*)", "-1", names)}
            WHERE f.referral_id IS NOT NULL
            UNION ALL
            {_month_contributions("(SELECT (new_f).*)", "1", names)}
            WHERE f.referral_id IS NOT NULL
        ) c
        GROUP BY {MONTH_KEY}
        HAVING {" OR ".join(f"sum({n}) <> 0" for n in names)}
        ORDER BY {MONTH_KEY}
    )
    INSERT INTO evaluation_referralmonth AS m ({MONTH_KEY}, {", ".join(names)})
    SELECT * FROM delta
    ON CONFLICT ON CONSTRAINT referral_month_once DO UPDATE SET
        {", ".join(f"{n} = m.{n} + EXCLUDED.{n}" for n in names)};
    DELETE FROM evaluation_referralmonth m
    WHERE m.referred = 0
      AND m.partnership_id IN (old_f.partnership_id, new_f.partnership_id)
      AND m.clinic_id IN (old_f.clinic_id, new_f.clinic_id)
      AND m.month IN (old_f.month, new_f.month);
END $$;
"""


FORWARD = f"""
{months_apply([*COUNTS_0005, "worked_closed"])}

-- The months' worked closures of one partnership or all, from the facts.
CREATE FUNCTION evaluation_months_worked_closed(ptn bigint DEFAULT NULL)
RETURNS void LANGUAGE sql AS $$
    UPDATE evaluation_referralmonth m SET worked_closed = coalesce(w.n, 0)
    FROM evaluation_referralmonth m2
    LEFT JOIN (
        SELECT f.partnership_id, k.need, k.language, f.month, f.clinic_id,
               count(*) AS n
        FROM evaluation_referralfact f {KEYS}
        WHERE f.status IN {WORKED} AND (ptn IS NULL OR f.partnership_id = ptn)
        GROUP BY 1, 2, 3, 4, 5
    ) w ON (w.partnership_id, w.need, w.language, w.month, w.clinic_id)
         = (m2.partnership_id, m2.need, m2.language, m2.month, m2.clinic_id)
    WHERE m2.id = m.id AND (ptn IS NULL OR m.partnership_id = ptn);
$$;

ALTER FUNCTION evaluation_rollups_rebuild(bigint)
    RENAME TO evaluation_rollups_rebuild_without_worked_closed;
CREATE FUNCTION evaluation_rollups_rebuild(ptn bigint DEFAULT NULL)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM evaluation_rollups_rebuild_without_worked_closed(ptn);
    PERFORM evaluation_months_worked_closed(ptn);
END $$;

SELECT evaluation_months_worked_closed(NULL);
"""

BACKWARD = f"""
DROP FUNCTION evaluation_rollups_rebuild(bigint);
ALTER FUNCTION evaluation_rollups_rebuild_without_worked_closed(bigint)
    RENAME TO evaluation_rollups_rebuild;
DROP FUNCTION evaluation_months_worked_closed(bigint);
{months_apply(COUNTS_0005)}
"""


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0006_rollup_triggers_on_read_columns")]

    operations = [
        migrations.AddField(
            model_name="referralmonth",
            name="worked_closed",
            field=models.IntegerField(db_default=0),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
