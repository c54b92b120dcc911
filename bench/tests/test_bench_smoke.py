"""A small-scale run of the benchmark: the generator loads a consistent data set
and the runner measures every page on it (figures are never asserted here)."""

import pytest
from django.db import connection

from bench.generate import generate
from bench.pages import find_cast, pages
from bench.run import BARE, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_world():
    steps = []
    generate(referrals=300, seed=3, directory_services=200, out=steps.append)
    # The instrument is under test, not the speed: without JIT compilation the
    # dashboard's queries take a tenth of the time on a data set this small.
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    yield [line.split("  ")[0] for line in steps]
    with connection.cursor() as cursor:
        cursor.execute("RESET jit")


def _scalar(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def test_generated_referrals_match_their_timeline(small_world):
    """The denormalised moments and the status are what the events say."""
    assert _scalar("SELECT count(*) FROM referrals_referral") == 300
    assert _scalar("SELECT count(DISTINCT status) FROM referrals_referral") >= 8, (
        "referrals in most statuses"
    )
    mismatched = _scalar(
        """
        SELECT count(*) FROM referrals_referral r
        WHERE r.last_contact_at IS DISTINCT FROM (
                SELECT max(occurred_at) FROM referrals_encounter e
                WHERE e.referral_id = r.id)
           OR r.version <> (
                SELECT count(*) FROM referrals_referralevent e
                WHERE e.referral_id = r.id AND e.kind IN ('status', 'assignment'))
           OR r.status IS DISTINCT FROM coalesce((
                SELECT e.to_status FROM referrals_referralevent e
                WHERE e.referral_id = r.id AND e.kind IN ('status', 'assignment')
                ORDER BY e.created DESC, e.id DESC LIMIT 1), 'draft')
           OR (r.first_contact_at IS NULL) <> NOT EXISTS (
                SELECT 1 FROM referrals_encounter e
                WHERE e.referral_id = r.id AND e.reached)
        """
    )
    assert mismatched == 0
    # Issued statements bill each accepted referral once at most.
    assert _scalar("SELECT count(*) FROM partners_statement") > 0
    assert (
        _scalar(
            "SELECT count(*) - count(DISTINCT referral_id) FROM partners_statementline "
            "WHERE method = 'accepted_referral'"
        )
        == 0
    )
    # ...and leave the marks issuing leaves: exactly what the lines bill is marked.
    assert _scalar("SELECT bool_and(earners_marked) FROM partners_statement")
    unmarked_or_stray = _scalar(
        """
        SELECT count(*) FROM referrals_referral r
        WHERE (r.acceptance_billed_at IS NOT NULL) <> EXISTS (
            SELECT 1 FROM partners_statementline l
            WHERE l.method = 'accepted_referral' AND l.referral_id = r.id)
        """
    ) + _scalar(
        """
        SELECT count(*) FROM referrals_pathway w
        WHERE (w.billed_at IS NOT NULL) <> EXISTS (
            SELECT 1 FROM partners_statementline l
            WHERE l.method = 'approved_pathway' AND l.pathway_id = w.id)
        """
    )
    assert (
        _scalar("SELECT count(*) FROM referrals_pathway WHERE billed_at IS NOT NULL")
        > 0
    )
    assert unmarked_or_stray == 0


def test_what_reads_the_loaded_tables_runs_after_their_indexes_and_statistics(
    small_world,
):
    """At 1M, the rollups planned without statistics, and the measured CBO found
    without indexes, each ran for hours: at 300 referrals both take a second."""
    steps = small_world
    indexes = steps.index("indexes and unique constraints rebuilt")
    assert indexes < steps.index("ANALYZE") < steps.index("evaluation rollups rebuilt")
    assert indexes < steps.index("large directory (services)")


def test_runner_measures_every_page_against_the_bare_view(small_world):
    lines = []
    results = run(repeat=1, warmup=0, out=lines.append)
    failing = [(r["page"], r["role"], r["outcome"]) for r in results["pages"]
               if r["outcome"] != "ok"]  # fmt: skip
    assert failing == []
    measured = {r["page"] for r in results["pages"]}
    assert measured == {page.name for page in pages()} | {BARE}
    table = "\n".join(lines)
    for result in results["pages"]:
        assert result["page"] in table
        if result["page"] != BARE:
            assert result["times_bare"] is not None, result["page"]
    assert len(results["dashboard_vs_raw_sql"]) == 4
    assert "dashboard ÷ raw SQL" in table
    sweeps = {row["sweep"]: row for row in results["sweep"]}
    assert sweeps["nothing newly due"]["sent"] == 0
    # The referrals changed since the last sweep are read again, whenever their
    # reminders came due.
    label, changed = next(item for item in sweeps.items() if "changed" in item[0])
    assert changed["sent"] == changed["claims_tried"] == int(label.split()[0])


KPIS = [
    "referred",
    "accepted",
    "contacted",
    "needs_linked",
    "closed",
    "open",
    "active_patients",
    "overdue",
    "needs_resolved",
]


def test_raw_sql_computes_the_dashboard_figures(small_world):
    """The ratio compares like with like: the hand-written SQL gives the
    dashboard's own figures."""
    from bench import rawsql
    from bench.pages import find_cast
    from evaluation import figures

    for role in ("manager", "cbo_manager"):
        user = find_cast().users[role]
        dashboard = figures.dashboard_for_user(user, {"window": 6})
        raw = rawsql.dashboard_figures(user, {"window": 6})
        kpis = dict(zip(raw["kpis"]["columns"], raw["kpis"]["rows"][0], strict=True))
        for name in KPIS:
            assert dashboard["figures"][name] == kpis[name], name
        monthly = [tuple(row[1:]) for row in raw["monthly"]["rows"]]
        assert [tuple(row[1:]) for row in dashboard["tables"]["monthly"]["rows"]] == (
            monthly
        )
        totals = dashboard["utilization"]["totals"]
        cohort, with_pre, both = raw["utilization"]["rows"][0][:3]
        assert (totals["cohort"], totals["with_pre"], totals["n"]) == (
            cohort,
            with_pre,
            both,
        )
        assert dashboard["pam"]["overall"]["baselines"] == raw["pam"]["rows"][0][0]


def test_explaining_the_statement_issue_writes_nothing(small_world, tmp_path):
    """EXPLAIN ANALYZE runs what it explains: the issue's writes are rolled back,
    like the measured issue itself, and each write's own plan is saved (every
    statement's: which are the five slowest depends on the machine's load)."""
    statements = _scalar("SELECT count(*) FROM partners_statement")
    lines = _scalar("SELECT count(*) FROM partners_statementline")
    results = run(
        repeat=1, warmup=0, only="statement issue", top=40, explain=tmp_path, out=str
    )
    assert [r["outcome"] for r in results["pages"]] == ["ok", "ok"]
    plans = [path.read_text() for path in tmp_path.glob("*issue-*.txt")]
    assert plans and all("Execution Time" in plan for plan in plans)
    assert any("Insert on" in plan for plan in plans), "the write's own plan"
    assert _scalar("SELECT count(*) FROM partners_statement") == statements
    assert _scalar("SELECT count(*) FROM partners_statementline") == lines


def test_an_empty_inbox_and_caseload_still_cast_their_busiest_people(small_world):
    """At some hours a small data set has nothing waiting and nobody with an
    open caseload: the supervisor and navigator with the most referrals are
    measured then, on their referrals, rather than the run failing."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE referrals_referral SET status = 'completed', closed_at = now() "
            "WHERE status IN ('submitted', 'accepted', 'assigned', 'in_progress', "
            "'on_hold')"
        )
    cast = find_cast()
    assert {"supervisor", "navigator"} <= cast.users.keys()
    assert cast.referrals["supervisor"] and cast.referrals["navigator"]
    assert cast.patients["navigator"]
