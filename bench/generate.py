"""Load a statewide data set at a chosen scale into the database of DATABASE_URL.

    DJANGO_SETTINGS_MODULE=chwlink.settings DATABASE_URL=postgres://.../chwlink_bench \\
        python -m bench.generate --referrals 20000 --seed 1

It creates and migrates the database if needed. It wipes what it loads, so it
refuses a database holding anything it did not load itself (organizations not
named "Bench …", users outside @bench.example.org) unless ``--force``. The whole
load is one transaction: an interrupted run leaves the database as it was. The
history triggers (django-pghistory) are bypassed while loading
(``session_replication_role = replica``): the pages measured never read the
change history, and writing it would double the load.
"""

import argparse
import datetime
import math
import random
import sys
import time
from decimal import Decimal

import django


def _setup() -> None:
    """Create the database if it is missing, then migrate it."""
    import environ
    import psycopg2
    from psycopg2 import sql

    config = environ.Env().db_url("DATABASE_URL")
    name = config["NAME"]
    maintenance = psycopg2.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
    )
    maintenance.autocommit = True
    with maintenance.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    maintenance.close()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _tables_to_wipe() -> list[str]:
    from django.apps import apps

    labels = {
        "partners", "referrals", "evaluation", "pghistory", "sessions", "axes",
        "account", "mfa", "usersessions", "admin",
    }  # fmt: skip
    # Reference data the migrations load (chwlink's HSDS taxonomies) stays.
    kept = {"referrals_resourcetaxonomy", "referrals_resourcetaxonomyterm"}
    names = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.db_table in kept:
            continue
        if meta.app_label in labels and meta.managed and not meta.proxy:
            names.append(meta.db_table)
    return sorted(set(names))


def holds_other_data() -> bool:
    """Anything in the database that this generator did not load."""
    from bench.world import BENCH_DOMAIN, BENCH_PREFIX
    from partners.models import Organization, User

    return (
        Organization.objects.exclude(name__startswith=BENCH_PREFIX).exists()
        or User.objects.exclude(email__endswith=BENCH_DOMAIN).exists()
    )


# Secondary indexes and unique constraints of the big tables are dropped while
# loading and built again at the end: one sort per index instead of millions of
# random inserts (the random UUID codes above all).
BIG_TABLES = [
    "referrals_referral", "referrals_referralevent", "referrals_encounter",
    "referrals_pathway", "referrals_pathwaystep", "referrals_pathwayresource",
    "referrals_notification", "referrals_patient", "evaluation_utilizationrecord",
    "partners_statementline",
]  # fmt: skip


def _drop_indexes(cursor) -> list[str]:
    """Drop the big tables' secondary indexes and unique constraints (not the
    primary keys); return the statements that build them again."""
    cursor.execute(
        """
        SELECT k.conrelid::regclass::text, k.conname, pg_get_constraintdef(k.oid)
        FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
        WHERE c.relname = ANY(%s) AND k.contype = 'u'
        """,
        [BIG_TABLES],
    )
    constraints = cursor.fetchall()
    for table, name, _definition in constraints:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
        WHERE c.relname = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
        """,
        [BIG_TABLES],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes] + [
        f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"
        for table, name, definition in constraints
    ]


class Report:
    """Rows and seconds per table, printed as the load goes."""

    def __init__(self, out):
        self.out = out
        self.started = time.perf_counter()
        self.out(f"{'step / table':<40}{'rows':>12}{'seconds':>10}")

    def line(self, name: str, rows, seconds: float) -> None:
        rows = "" if rows is None else f"{rows:,}"
        self.out(f"{name:<40}{rows:>12}{seconds:>10.1f}")

    def total(self) -> float:
        return time.perf_counter() - self.started


def _timed(report, name, action, rows=None):
    started = time.perf_counter()
    result = action()
    counted = rows(result) if rows else None
    report.line(name, counted, time.perf_counter() - started)
    return result


def _referral_moments(count: int, rng, now: float, days: int) -> list[float]:
    """Submission moments over ``days``, more in recent months (the program
    grows), on weekdays in working hours (Pacific time, roughly)."""
    span = days * 86400.0
    start = now - span
    moments = []
    for _ in range(count):
        share = -0.5 + math.sqrt(0.25 + 2 * rng.random())
        moment = start + share * span
        local_midnight = math.floor((moment - 8 * 3600) / 86400) * 86400 + 8 * 3600
        weekday = time.gmtime(local_midnight).tm_wday
        if weekday >= 5 and rng.random() < 0.9:
            local_midnight += (7 - weekday) * 86400
        candidate = local_midnight + rng.uniform(8, 18) * 3600
        moments.append(candidate if candidate < now else moment)
    moments.sort()
    return moments


def _simulate(report, world, rng, now: float, batch: int) -> dict:
    from django.db import connection

    from bench.timeline import Simulation
    from bench.world import HISTORY_DAYS, PATIENTS_PER_REFERRAL

    simulation = Simulation(rng=rng, now=now, email_modes=world.email_modes)
    started = time.perf_counter()
    done = 0
    with connection.cursor() as cursor:
        for plan in world.partnerships:
            for moment in _referral_moments(plan.referrals, rng, now, HISTORY_DAYS):
                simulation.referral(plan, moment, PATIENTS_PER_REFERRAL)
                done += 1
                if done % batch == 0:
                    for table in simulation.tables.values():
                        table.flush(cursor)
        for table in simulation.tables.values():
            table.flush(cursor)
    loading = sum(table.seconds for table in simulation.tables.values())
    report.line(
        "simulate referrals (Python)", done, time.perf_counter() - started - loading
    )
    for table in simulation.tables.values():
        report.line(f"  {table.name} (COPY)", table.rows, table.seconds)
    return simulation.ids.last


MONTH_BOUNDS = """
    (s.period_start::timestamp AT TIME ZONE p.time_zone) AS month_start,
    ((s.period_start + interval '1 month')::timestamp AT TIME ZONE p.time_zone)
        AS month_end
"""


def _statements(cursor, now) -> int:
    """Monthly statements issued up to two months ago (last month is left to
    draft and issue), with the lines ``statement_compute`` would have frozen and
    the billing marks issuing leaves on what they bill."""
    from partners.pathway_kinds import PathwayKind

    today = now.date()
    last_issued = (today.replace(day=1) - datetime.timedelta(days=32)).replace(day=1)
    cursor.execute(
        """
        INSERT INTO partners_statement (code, created, updated, partnership_id,
            contract_id, period_start, subtotal, cap, total, issued_at, issued_by_id)
        SELECT gen_random_uuid(), issued, issued, c.partnership_id, c.id, m::date,
               0, c.cap_per_month, 0, issued,
               (SELECT min(u.id) FROM partners_user u
                WHERE u.organization_id = p.health_system_id
                  AND u.role = 'program_manager')
        FROM partners_contract c
        JOIN partners_partnership p ON p.id = c.partnership_id
        CROSS JOIN LATERAL generate_series(
            date_trunc('month', c.effective_on), %s::date, interval '1 month') m
        CROSS JOIN LATERAL (SELECT ((m + interval '1 month 3 days')::timestamp
            AT TIME ZONE p.time_zone) + interval '10 hours' AS issued) i
        WHERE c.kind = 'payment' AND c.status = 'signed'
        """,
        [last_issued],
    )
    statement = f"""
        FROM partners_statement s
        JOIN partners_contract c ON c.id = s.contract_id
        JOIN partners_partnership p ON p.id = s.partnership_id
        CROSS JOIN LATERAL (SELECT {MONTH_BOUNDS},
            (c.effective_on::timestamp AT TIME ZONE p.time_zone) AS since) b
    """
    columns = """INSERT INTO partners_statementline (statement_id, period_start,
        method, description, referral_id, pathway_id, patient_id, quantity,
        unit_amount, amount, earned_on)"""
    cursor.execute(
        f"""{columns}
        SELECT s.id, s.period_start, 'accepted_referral', 'Referral accepted', r.id,
               NULL, r.patient_id, 1, c.fee_per_accepted_referral,
               c.fee_per_accepted_referral,
               (r.accepted_at AT TIME ZONE p.time_zone)::date
        {statement}
        JOIN referrals_referral r ON r.partnership_id = s.partnership_id
         AND r.accepted_at >= greatest(b.month_start, b.since)
         AND r.accepted_at < b.month_end
        WHERE c.fee_per_accepted_referral IS NOT NULL
          AND r.status NOT IN ('draft', 'entered_in_error')
        """
    )
    labels = " ".join(
        f"WHEN '{kind.value}' THEN '{kind.label} pathway approved'"
        for kind in PathwayKind
    )
    cursor.execute(
        f"""{columns}
        SELECT s.id, s.period_start, 'approved_pathway', CASE w.kind {labels} END,
               r.id, w.id, r.patient_id, 1, rate.amount, rate.amount,
               (w.approved_at AT TIME ZONE p.time_zone)::date
        {statement}
        JOIN referrals_referral r ON r.partnership_id = s.partnership_id
        JOIN referrals_pathway w ON w.referral_id = r.id AND w.status = 'approved'
         AND w.approved_at >= greatest(b.month_start, b.since)
         AND w.approved_at < b.month_end
        JOIN partners_pathwayrate rate ON rate.contract_id = c.id AND rate.kind = w.kind
        WHERE r.status NOT IN ('draft', 'entered_in_error')
        """
    )
    cursor.execute(
        f"""{columns}
        SELECT s.id, s.period_start, 'enrolled_patient',
               'Patient enrolled during the month', min(r.id), NULL, r.patient_id, 1,
               c.fee_per_enrolled_patient_month, c.fee_per_enrolled_patient_month,
               s.period_start
        {statement}
        JOIN referrals_referral r ON r.partnership_id = s.partnership_id
         AND r.accepted_at < b.month_end
         AND (r.closed_at IS NULL OR r.closed_at >= b.month_start)
        WHERE c.fee_per_enrolled_patient_month IS NOT NULL
          AND r.status NOT IN ('draft', 'entered_in_error')
        GROUP BY s.id, s.period_start, r.patient_id, c.fee_per_enrolled_patient_month
        """
    )
    cursor.execute(
        f"""{columns}
        SELECT s.id, s.period_start, 'navigator_fte',
               'Funded navigator FTEs for the month', NULL, NULL, NULL, c.funded_ftes,
               c.monthly_rate_per_fte, round(c.funded_ftes * c.monthly_rate_per_fte, 2),
               s.period_start
        {statement}
        WHERE c.funded_ftes > 0 AND c.monthly_rate_per_fte IS NOT NULL
        """
    )
    cursor.execute(
        """
        UPDATE partners_statement s
        SET subtotal = t.amount, total = least(t.amount, s.cap)
        FROM (SELECT statement_id, sum(amount) AS amount FROM partners_statementline
              GROUP BY statement_id) t
        WHERE t.statement_id = s.id
        """
    )
    # The marks issuing leaves, so drafts read only what is not yet billed.
    cursor.execute(
        """
        UPDATE referrals_referral r SET acceptance_billed_at = s.issued_at
        FROM partners_statementline l JOIN partners_statement s ON s.id = l.statement_id
        WHERE l.method = 'accepted_referral' AND l.referral_id = r.id
        """
    )
    cursor.execute(
        """
        UPDATE referrals_pathway w SET billed_at = s.issued_at
        FROM partners_statementline l JOIN partners_statement s ON s.id = l.statement_id
        WHERE l.method = 'approved_pathway' AND l.pathway_id = w.id
        """
    )
    cursor.execute("UPDATE partners_statement SET earners_marked = true")
    cursor.execute("SELECT count(*) FROM partners_statementline")
    return cursor.fetchone()[0]


def _utilization(cursor, seed: int) -> int:
    """Monthly utilization from six months before to six after each enrolled
    patient's first referral, for six patients in ten (the health system's
    extract): more emergency use before, more primary care after."""
    cursor.execute("SELECT setseed(%s)", [(seed % 1000) / 1000])
    cursor.execute(
        """
        INSERT INTO evaluation_utilizationrecord (code, created, updated, patient_id,
            period, ed_visits, inpatient_admissions, hospital_days, readmissions_30d,
            primary_care_visits, hba1c, systolic_bp, diastolic_bp, source,
            updated_by_id)
        WITH enrolled AS (
            SELECT r.patient_id, pt.health_system_id,
                   date_trunc('month', min(r.submitted_at) AT TIME ZONE p.time_zone)
                       ::date AS month
            FROM referrals_referral r
            JOIN partners_partnership p ON p.id = r.partnership_id
            JOIN referrals_patient pt ON pt.id = r.patient_id
            WHERE r.submitted_at IS NOT NULL AND r.status <> 'entered_in_error'
            GROUP BY r.patient_id, pt.health_system_id, p.time_zone
        ), months AS (
            SELECT e.patient_id, e.health_system_id, k,
                   (e.month + make_interval(months => k))::date AS period,
                   random() AS a, random() AS b, random() AS d,
                   e.patient_id % 5 < 2 AS diabetic
            FROM enrolled e CROSS JOIN generate_series(-6, 6) k
            WHERE (e.patient_id * 7919) % 10 < 6
              AND e.month + make_interval(months => k)
                  < date_trunc('month', now() AT TIME ZONE 'America/Los_Angeles')
        ), counts AS (
            SELECT m.*, (b < CASE WHEN k < 0 THEN 0.06 ELSE 0.03 END)::int AS admitted
            FROM months m
        )
        SELECT gen_random_uuid(), stamp, stamp, patient_id, period,
               floor(power(a, CASE WHEN k < 0 THEN 2.5 ELSE 4 END) * 3)::int,
               admitted, admitted * (1 + floor(d * 5)::int),
               admitted * (d < 0.2)::int,
               floor(d * CASE WHEN k < 0 THEN 1.5 ELSE 2.5 END)::int,
               CASE WHEN diabetic THEN round((8.8 - 0.08 * greatest(k, 0) + a - 0.5)
                   ::numeric, 1) END,
               CASE WHEN diabetic THEN 120 + floor(a * 30)::int END,
               CASE WHEN diabetic THEN 70 + floor(d * 20)::int END,
               'import',
               (SELECT min(u.id) FROM partners_user u
                WHERE u.organization_id = counts.health_system_id
                  AND u.role = 'program_manager')
        FROM counts
        CROSS JOIN LATERAL (SELECT least(now(), (period + interval '1 month 5 days')
            ::timestamp AT TIME ZONE 'America/Los_Angeles') AS stamp) s
        """
    )
    return cursor.rowcount


def _pam(cursor, rng, now, ids) -> int:
    """A baseline PAM for 45 % of the patients reached, a follow-up six to eleven
    months later for most of them (a few outside the window), scored from the
    licensed scorer for three in five (raw answers only for the rest)."""
    from bench.copying import NULL, Table, array, boolean, day, ts
    from evaluation.models import PamAdministration
    from evaluation.statistics import pam_level, pam_raw

    cursor.execute(
        """
        SELECT DISTINCT ON (r.patient_id) r.patient_id, r.partnership_id,
               r.navigator_id, extract(epoch FROM r.first_contact_at),
               pt.preferred_language
        FROM referrals_referral r JOIN referrals_patient pt ON pt.id = r.patient_id
        WHERE r.first_contact_at IS NOT NULL AND r.navigator_id IS NOT NULL
        ORDER BY r.patient_id, r.first_contact_at
        """
    )
    reached = cursor.fetchall()
    table = Table(
        PamAdministration,
        ["id", "code", "created", "updated", "patient_id", "partnership_id",
         "administered_on", "administered_by_id", "language", "mode", "kind",
         "answers", "raw_sum", "answered", "extreme_response", "score",
         "score_source", "cut_set", "level"],
    )  # fmt: skip
    number = 0
    today = now.timestamp()
    for patient, partnership, navigator, contacted, language in reached:
        if rng.random() >= 0.45:
            continue
        ability = rng.uniform(1.6, 3.5)
        scored = rng.random() < 0.6
        moment = float(contacted) + rng.uniform(0, 14) * 86400
        plan = [("baseline", moment, ability)]
        if rng.random() < 0.65:
            months = rng.uniform(13, 15) if rng.random() < 0.05 else rng.uniform(6, 11)
            plan.append(
                (
                    "follow_up",
                    moment + months * 30.4 * 86400,
                    ability + rng.gauss(0.25, 0.35),
                )
            )
        for kind, when, level in plan:
            if when > today:
                break
            if rng.random() < 0.03:
                answers = [rng.randint(1, 4)] * 13
            else:
                answers = [
                    None if rng.random() < 0.04
                    else max(1, min(4, round(level + rng.gauss(0, 0.6))))
                    for _ in range(13)
                ]  # fmt: skip
                if all(answer is None for answer in answers):
                    answers[0] = 3
            raw = pam_raw(answers)
            score = source = cut = grade = NULL
            if scored:
                value = (raw["raw_sum"] / raw["answered"] - 1) / 3 * 100
                value = Decimal(
                    str(round(max(0, min(100, value + rng.gauss(0, 4))), 1))
                )
                score, source, cut = str(value), "manual", "current"
                grade = pam_level(value, "current")
            else:
                source, cut = "none", ""
            number += 1
            table.add(
                f"{number}\t{_code(rng)}\t{ts(when)}\t{ts(when)}\t{patient}\t"
                f"{partnership}\t{day(when - 8 * 3600)}\t{navigator}\t{language}\t"
                f"{rng.choice(['phone', 'in_person', 'self'])}\t{kind}\t"
                f"{array(answers)}\t{raw['raw_sum']}\t{raw['answered']}\t"
                f"{boolean(raw['extreme_response'])}\t{score}\t{source}\t{cut}\t{grade}\n"
            )
    table.flush(cursor)
    ids["pam"] = number
    return number


def _code(rng) -> str:
    return f"{rng.getrandbits(128):032x}"


STORY_DOMAINS = {
    "food-insecurity": "food", "housing-instability": "housing",
    "homelessness": "housing", "transportation-insecurity": "access",
    "health-insurance-coverage-status": "access", "employment-status": "money",
    "financial-insecurity": "money", "social-connection": "community",
    "stress": "health",
}  # fmt: skip


def _stories(cursor, rng, now, ids) -> int:
    """Stories from about one completed referral in seventy, most with a reviewed
    de-identified version, each consent scope, a few withdrawn or expired; half of
    the reviewed ones coded with a theme of the health system."""
    from bench.copying import NULL, Table, boolean, day, ts
    from evaluation.models import Story, StoryExcerpt

    cursor.execute(
        """
        SELECT r.id, r.patient_id, r.partnership_id, r.navigator_id,
               extract(epoch FROM r.closed_at), pt.preferred_language,
               p.health_system_id, r.social_needs[1],
               (SELECT min(u.id) FROM partners_user u
                WHERE u.organization_id = p.health_system_id
                  AND u.role = 'program_manager'),
               (SELECT array_agg(t.id) FROM evaluation_theme t
                WHERE t.organization_id = p.health_system_id)
        FROM referrals_referral r
        JOIN referrals_patient pt ON pt.id = r.patient_id
        JOIN partners_partnership p ON p.id = r.partnership_id
        WHERE r.status = 'completed' AND (r.id * 7907) % 1000 < 15
        """
    )
    stories = Table(
        Story,
        ["id", "code", "created", "updated", "partnership_id", "patient_id",
         "referral_id", "told_on", "language", "domain", "title", "text",
         "deidentified_text", "deidentified_reviewed_by_id", "deidentified_reviewed_at",
         "consent_scope", "consent_expires_on", "storyteller_approved", "withdrawn_at",
         "withdrawn_by_id", "recorded_by_id"],
    )  # fmt: skip
    excerpts = Table(
        StoryExcerpt,
        ["id", "story_id", "theme_id", "excerpt", "coded_by_id", "created"],
    )
    today = now.timestamp()
    number = coded = 0
    for row in cursor.fetchall():
        referral, patient, partnership, navigator, closed, language = row[:6]
        need, manager, themes = row[7:]
        told = min(today, float(closed) + rng.uniform(0, 30) * 86400)
        language = "es" if language == "es" else "en"
        text_ = (
            "Antes no sabía a quién pedir ayuda. Mi navegadora me acompañó y ahora "
            "estoy mejor." if language == "es" else
            "Before, I did not know who to ask for help. My navigator walked with me "
            "and now things are better."
        )  # fmt: skip
        reviewed = rng.random() < 0.75
        deidentified = (
            "Before, the storyteller did not know who to ask. With the navigator's "
            "help, things are better now." if reviewed else ""
        )  # fmt: skip
        expires = rng.random()
        if expires < 0.05:
            expires_on = NULL
        elif expires < 0.15:
            expires_on = day(today - rng.uniform(1, 200) * 86400)
        else:
            expires_on = day(today + rng.uniform(30, 730) * 86400)
        withdrawn = rng.random() < 0.04
        scope = rng.choices(["internal", "funder", "public"], [30, 40, 30])[0]
        number += 1
        stories.add(
            f"{number}\t{_code(rng)}\t{ts(told)}\t{ts(told)}\t{partnership}\t{patient}\t"
            f"{referral}\t{day(told - 8 * 3600)}\t{language}\t"
            f"{STORY_DOMAINS.get(need, 'other')}\tWhat changed for me\t{text_}\t"
            f"{deidentified}\t{navigator if reviewed else NULL}\t"
            f"{ts(told + 86400) if reviewed else NULL}\t{scope}\t{expires_on}\t"
            f"{boolean(rng.random() < 0.9)}\t"
            f"{ts(told + 5 * 86400) if withdrawn else NULL}\t"
            f"{navigator if withdrawn else NULL}\t{navigator}\n"
        )
        if reviewed and themes and rng.random() < 0.5:
            coded += 1
            excerpts.add(
                f"{coded}\t{number}\t{rng.choice(themes)}\t"
                f"With the navigator's help, things are better now.\t{manager}\t"
                f"{ts(told + 2 * 86400)}\n"
            )
    stories.flush(cursor)
    excerpts.flush(cursor)
    ids["story"], ids["excerpt"] = number, coded
    return number


SEQUENCE_TABLES = {
    "patient": "referrals_patient", "referral": "referrals_referral",
    "event": "referrals_referralevent", "encounter": "referrals_encounter",
    "pathway": "referrals_pathway", "step": "referrals_pathwaystep",
    "resource": "referrals_pathwayresource", "notification": "referrals_notification",
    "share": "referrals_referral_shared_with", "pam": "evaluation_pamadministration",
    "story": "evaluation_story", "excerpt": "evaluation_storyexcerpt",
}  # fmt: skip


def _sequences(cursor, ids: dict) -> None:
    for key, table in SEQUENCE_TABLES.items():
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, %s)",
            [table, max(ids.get(key, 0), 1), ids.get(key, 0) > 0],
        )


def generate(*, referrals: int, seed: int = 1, force: bool = False,
             batch: int = 20000, directory_services: int = 0,
             out=print, now=None) -> float:  # fmt: skip
    """Wipe and load; return the seconds it took. Inside an open transaction (a
    test) the load joins it and only ANALYZE runs at the end, not VACUUM. The
    history ends at ``now`` (the present unless given)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from bench.directory import build_large_directory
    from bench.world import build_world
    from evaluation.rollups import rollups_rebuild

    if holds_other_data() and not force:
        raise SystemExit(
            "This database holds data the benchmark did not load; it would be wiped. "
            "Use another database, or --force."
        )
    rng = random.Random(seed)
    now = (now or timezone.now()).replace(microsecond=0)
    report = Report(out)
    nested = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        _timed(report, "wipe", lambda: cursor.execute(
            f"TRUNCATE {', '.join(_tables_to_wipe())} RESTART IDENTITY CASCADE"
        ))  # fmt: skip
        world = _timed(
            report,
            "organizations, people, contracts, directory",
            lambda: build_world(referrals=referrals, rng=rng, now=now),
        )
        indexes = _drop_indexes(cursor)
        ids = _simulate(report, world, rng, now.timestamp(), batch)
        _timed(report, "partners_statement + lines (SQL)",
               lambda: _statements(cursor, now), rows=lambda n: n)  # fmt: skip
        _timed(report, "evaluation_utilizationrecord (SQL)",
               lambda: _utilization(cursor, seed), rows=lambda n: n)  # fmt: skip
        _timed(report, "evaluation_pamadministration",
               lambda: _pam(cursor, rng, now, ids), rows=lambda n: n)  # fmt: skip
        _timed(report, "evaluation_story + excerpts",
               lambda: _stories(cursor, rng, now, ids), rows=lambda n: n)  # fmt: skip
        _timed(report, "sequences", lambda: _sequences(cursor, ids))

        def rebuild():
            for definition in indexes:
                cursor.execute(definition)
            return len(indexes)

        _timed(
            report, "indexes and unique constraints rebuilt", rebuild, rows=lambda n: n
        )
    with connection.cursor() as cursor:
        # Statistics before the rollups are built from the tables just loaded:
        # without them a referral was planned as having thousands of pathways,
        # and the rebuild at 1M ran for hours instead of minutes.
        _timed(report, "ANALYZE", lambda: cursor.execute("ANALYZE"))
    # The triggers that keep the dashboard's rollups were bypassed. The rebuild
    # runs in a transaction of its own: an index built in the transaction that
    # also updated its table (the billing marks) stays unusable to that same
    # transaction (pg_index.indcheckxmin), and the rebuild would scan per row.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        _timed(report, "evaluation rollups rebuilt", rollups_rebuild)
    if directory_services:
        # After the indexes are back: finding the measured navigator's CBO reads
        # every referral of the busiest people, which without them took hours.
        with transaction.atomic():
            _timed(report, "large directory (services)",
                   lambda: build_large_directory(services=directory_services, rng=rng),
                   rows=lambda n: n)  # fmt: skip
    with connection.cursor() as cursor:
        statement = "ANALYZE" if nested else "VACUUM (ANALYZE)"
        _timed(report, statement, lambda: cursor.execute(statement))
    elapsed = report.total()
    report.line("total", None, elapsed)
    return elapsed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--referrals", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--batch", type=int, default=20000, help="referrals per COPY")
    parser.add_argument(
        "--directory-services",
        type=int,
        default=50_000,
        help="services added to the busiest CBO's directory (the directory search "
        "and the HSDS API are measured at this size)",
    )
    parser.add_argument(
        "--force", action="store_true", help="wipe a database holding other data"
    )
    args = parser.parse_args(argv)
    _setup()
    generate(
        referrals=args.referrals,
        seed=args.seed,
        force=args.force,
        batch=args.batch,
        directory_services=args.directory_services,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
