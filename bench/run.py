"""Measure every page for the busiest user of each role, against a bare view.

    DJANGO_SETTINGS_MODULE=chwlink.settings DATABASE_URL=postgres://.../chwlink_bench \\
        python -m bench.run [--repeat 5] [--only PATTERN] [--json FILE]

Each page is requested once to warm up, then ``--repeat`` times with the Django test
client (signed in with ``force_login``); the table gives the median and 95th
percentile time, the number of queries, and the median as a multiple of the bare
authenticated view of the same user. Then the dashboard as a multiple of the raw
SQL of its figures, and the reminder sweep: queries and claims tried when nothing
is newly due, and when K items have just become due.
"""

import argparse
import collections
import datetime
import fnmatch
import functools
import json
import math
import re
import statistics
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from unittest import mock

BARE = "bare authenticated view"


@dataclass
class Result:
    page: str
    role: str
    outcome: str
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    times_bare: float | None = None
    samples_ms: list = field(default_factory=list)
    # The slowest statements of the last run (``--top-queries``): [ms, SQL].
    slowest: list = field(default_factory=list)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _error(exception: BaseException) -> str:
    last = traceback.format_exception_only(type(exception), exception)[-1].strip()
    return f"error: {last[:160]}"


def measure(name, role, call, repeat: int, warmup: int = 1, top: int = 0) -> Result:
    """Time ``call`` (which returns "ok" or what went wrong) ``repeat`` times."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    try:
        for _ in range(warmup):
            outcome = call()
            if outcome != "ok":
                return Result(name, role, outcome)
        samples, counts = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                outcome = call()
                samples.append((time.perf_counter() - started) * 1000)
            last = list(queries.captured_queries)
            counts.append(len(last))
            connection.queries_log.clear()
            if outcome != "ok":
                return Result(name, role, outcome)
    except Exception as exception:  # a page that fails is reported, not fatal
        return Result(name, role, _error(exception))
    slowest = sorted(last, key=lambda query: float(query["time"]), reverse=True)[:top]
    return Result(
        name,
        role,
        "ok",
        median_ms=round(statistics.median(samples), 1),
        p95_ms=round(_percentile(samples, 0.95), 1),
        queries=max(counts),
        samples_ms=[round(sample, 1) for sample in samples],
        slowest=[[round(float(q["time"]) * 1000, 1), q["sql"]] for q in slowest],
    )


def _matches(pattern: str | None, name: str) -> bool:
    if not pattern:
        return True
    return fnmatch.fnmatch(name.lower(), f"*{pattern.lower()}*")


def _skipped(patterns, name: str) -> bool:
    if isinstance(patterns, str):
        patterns = [patterns]
    return any(_matches(pattern, name) for pattern in patterns or [])


def _client(user):
    from django.test import Client

    client = Client(raise_request_exception=True)
    client.force_login(user)
    return client


def _profile(directory: Path, result: Result, call) -> None:
    """One more run under pyinstrument; its call tree goes to a text file."""
    from pyinstrument import Profiler

    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{result.role} {result.page}".lower())
    profiler = Profiler()
    profiler.start()
    try:
        call()
    finally:
        profiler.stop()
    (directory / f"{slug.strip('-')}.txt").write_text(
        profiler.output_text(unicode=True, show_all=False)
    )


def _cprofile(directory: Path, result: Result, call, runs: int) -> None:
    """Many more runs under cProfile: where the time goes, summed over the runs.

    pyinstrument samples one run; a page of 30 ms gives it too few samples to
    tell a template tag from the ORM, so this sums ``runs`` of them by function.
    """
    import cProfile
    import io
    import pstats

    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{result.role} {result.page}".lower())
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        for _ in range(runs):
            call()
    finally:
        profiler.disable()
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"{runs} runs of {result.page} ({result.role})\n")
    for order in ("tottime", "cumulative"):
        stats.sort_stats(order).print_stats(60)
    (directory / f"{slug.strip('-')}.cprofile.txt").write_text(text.getvalue())


EXPLAINABLE = ("SELECT", "WITH", "INSERT", "UPDATE", "DELETE")
PGHISTORY_CONTEXT = re.compile(
    r"^\s*SELECT set_config\('pghistory\.context_id'.*?\);\s*", re.S
)


def _explain(directory: Path, result: Result) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the page's slowest statements, one file each."""
    directory.mkdir(parents=True, exist_ok=True)
    slug = re.sub(r"[^a-z0-9]+", "-", f"{result.role} {result.page}".lower())
    explainable = [
        (milliseconds, statement)
        for milliseconds, statement in result.slowest
        if _bare(statement).lstrip().upper().startswith(EXPLAINABLE)
    ]
    for number, (milliseconds, statement) in enumerate(explainable, start=1):
        plan = _plan(statement)
        (directory / f"{slug.strip('-')}-{number}.txt").write_text(
            f"-- {milliseconds} ms in the page\n{statement}\n\n{plan}\n"
        )


def _bare(statement: str) -> str:
    # pghistory prefixes each statement with its context: the plan wanted is the
    # statement's own.
    return PGHISTORY_CONTEXT.sub("", statement, count=1)


def _plan(statement: str) -> str:
    """The plan of one statement, run and then rolled back.

    ANALYZE executes the statement, and a read can carry a writing CTE (issuing a
    statement inserts its lines that way): nothing it does may stay, and a
    statement that no longer fits the data says why instead of ending the run.
    """
    from django.db import DatabaseError, connection, transaction

    statement = _bare(statement)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {statement}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            transaction.set_rollback(True)
    except DatabaseError as error:
        return f"-- not explained: {error}".strip()
    return plan


def measure_pages(
    cast, *, repeat, warmup, only, out, skip=None, top=0, profile=None,
    explain=None, cprofile=None,
):  # fmt: skip
    from django.urls import reverse

    from bench.pages import Cast, pages

    chosen = [
        page
        for page in pages()
        if _matches(only, page.name) and not _skipped(skip, page.name)
    ]
    bare_url = reverse("bench-bare")
    results, bare = [], {}
    clients = {}
    for page in chosen:
        user = cast.users.get(page.role)
        label = Cast.LABELS[page.role]
        if user is None:
            results.append(Result(page.name, label, "no such user in the data"))
            continue
        if page.role not in clients:
            clients[page.role] = client = _client(user)
            result = measure(
                BARE,
                label,
                lambda c=client, url=bare_url: _ok(c.get(url)),
                repeat,
                warmup,
            )
            bare[page.role] = result.median_ms
            results.append(result)
            out(_row(result))
        client = clients[page.role]
        call = functools.partial(page.run, client, cast)
        result = measure(page.name, label, call, repeat, warmup, top)
        if result.median_ms is not None and bare.get(page.role):
            result.times_bare = round(result.median_ms / bare[page.role], 1)
        results.append(result)
        out(_row(result))
        for milliseconds, statement in result.slowest:
            out(f"    {milliseconds:>10,.1f} ms  {' '.join(statement.split())[:300]}")
        if profile and result.outcome == "ok":
            _profile(profile, result, call)
        if cprofile and result.outcome == "ok":
            _cprofile(cprofile, result, call, max(repeat, 20))
        if explain and result.outcome == "ok":
            _explain(explain, result)
        _vacuum(page.vacuum)
    return results


def _vacuum(tables) -> None:
    from django.db import connection

    if connection.in_atomic_block:  # a test's transaction: VACUUM cannot run
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM {connection.ops.quote_name(table)}")


def _ok(response) -> str:
    return "ok" if response.status_code == 200 else f"HTTP {response.status_code}"


def _sweep_once(now=None, full=False):
    """One reminder sweep: (milliseconds, queries, claims tried, reminders sent)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from referrals.services import reminders

    tried = 0
    original = reminders.reminder_send_once

    def counting(**kwargs):
        nonlocal tried
        tried += 1
        return original(**kwargs)

    with (
        mock.patch.object(reminders, "reminder_send_once", counting),
        CaptureQueriesContext(connection) as queries,
    ):
        started = time.perf_counter()
        sent = reminders.reminders_sweep(now=now, full=full)
        elapsed = (time.perf_counter() - started) * 1000
    count = len(queries.captured_queries)
    connection.queries_log.clear()
    return round(elapsed, 1), count, tried, sent


REFERRAL_RULES = [
    "not_accepted",
    "not_assigned",
    "no_first_contact",
    "no_first_contact_escalation",
    "inactive",
]


def measure_sweep(*, due: int, out) -> list[dict]:
    """A full sweep claims what is due; the next, right after, should find nothing
    new. Then ``due`` referrals whose reminders were sent change (their claims
    removed, their ``updated`` moved, as an edit starting a new episode would) and
    the sweep claims them again; one a quarter of an hour later (the schedule's
    interval) claims what came due by the clock meanwhile. All of it commits, as the
    periodic task does (an outer transaction would add a savepoint query to every
    claim tried); the data ends as it was but for the reminders sent again."""
    from django.utils import timezone

    from referrals.models import Referral, ReminderClaim

    def newly_due():
        latest = list(
            ReminderClaim.objects.filter(rule__in=REFERRAL_RULES)
            .order_by("-due_at", "-pk")
            .values_list("pk", "object_code")[:due]
        )
        ReminderClaim.objects.filter(pk__in=[pk for pk, _code in latest]).delete()
        Referral.objects.filter(code__in=[code for _pk, code in latest]).update(
            updated=timezone.now()
        )
        return len(latest), _sweep_once()

    rows = []
    try:
        first = _sweep_once(full=True)
        second = _sweep_once()
        removed, newly = newly_due()
        later = _sweep_once(now=timezone.now() + datetime.timedelta(minutes=15))
    except Exception as exception:  # reported, not fatal
        out(f"reminder sweep: {_error(exception)}")
        return [{"sweep": "error", "outcome": _error(exception)}]
    for label, (ms, queries, tried, sent) in [
        ("full sweep (claims what is due)", first),
        ("nothing newly due", second),
        (f"{removed} changed and newly due", newly),
        ("a quarter of an hour later", later),
    ]:
        rows.append(
            {
                "sweep": label,
                "ms": ms,
                "queries": queries,
                "claims_tried": tried,
                "sent": sent,
            }
        )
    return rows


HEADER = (
    f"{'page':<40} {'role':<32} {'median ms':>10} {'p95 ms':>9} {'queries':>8} "
    f"{'× bare':>8}"
)


SWEEP_HEADER = (
    f"{'reminder sweep':<40} {'ms':>10} {'queries':>8} {'claims':>8} {'sent':>6}"
)


def _row(result: Result) -> str:
    if result.outcome != "ok":
        return f"{result.page:<40} {result.role:<32} {result.outcome}"
    ratio = "" if result.times_bare is None else f"{result.times_bare:,.1f}"
    return (
        f"{result.page:<40} {result.role:<32} {result.median_ms:>10,.1f} "
        f"{result.p95_ms:>9,.1f} {result.queries:>8} {ratio:>8}"
    )


def dashboard_ratios(results: list[Result]) -> list[dict]:
    from bench.pages import RATIOS

    found = {(r.page, r.role): r for r in results if r.median_ms is not None}
    ratios = []
    for page, raw in RATIOS:
        for (name, role), result in found.items():
            if name == page and (raw, role) in found:
                ratio = result.median_ms / found[(raw, role)].median_ms
                ratios.append(
                    {
                        "page": page,
                        "role": role,
                        "ratio": round(ratio, 1),
                        "page_ms": result.median_ms,
                        "raw_sql_ms": found[(raw, role)].median_ms,
                    }  # fmt: skip
                )
    return ratios


def _unlimited_query_log() -> None:
    """Django keeps the last 9,000 statements only; a sweep at 1M runs more."""
    from django.db import connection

    connection.queries_log = collections.deque(maxlen=None)


def run(*, repeat: int = 5, warmup: int = 1, only: str | None = None,
        skip: str | None = None, due: int = 10, top: int = 0,
        profile: Path | None = None, explain: Path | None = None,
        cprofile: Path | None = None, out=print) -> dict:  # fmt: skip
    """Measure and print; return everything measured (what ``--json`` saves)."""
    from django.test.utils import override_settings

    from bench.pages import find_cast

    _unlimited_query_log()
    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        cast = find_cast()
        out(HEADER)
        results = measure_pages(
            cast, repeat=repeat, warmup=warmup, only=only, skip=skip, out=out,
            top=top, profile=profile, explain=explain, cprofile=cprofile,
        )  # fmt: skip
    ratios = dashboard_ratios(results)
    if ratios:
        out("")
        out("dashboard ÷ raw SQL of its figures")
        for ratio in ratios:
            out(
                f"  {ratio['page']:<38} {ratio['role']:<32} {ratio['ratio']:>8,.1f}× "
                f"({ratio['page_ms']:,.0f} ms vs {ratio['raw_sql_ms']:,.0f} ms)"
            )
    sweeps = []
    if _matches(only, "reminder sweep") and not _skipped(skip, "reminder sweep"):
        out("")
        out(SWEEP_HEADER)
        sweeps = measure_sweep(due=due, out=out)
        for row in sweeps:
            if "ms" in row:
                out(
                    f"  {row['sweep']:<38} {row['ms']:>10,.1f} {row['queries']:>8} "
                    f"{row['claims_tried']:>8} {row['sent']:>6}"
                )
    return {
        "pages": [asdict(result) for result in results],
        "dashboard_vs_raw_sql": ratios,
        "sweep": sweeps,
    }


def _flushed(line: str) -> None:
    print(line, flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured runs first")
    parser.add_argument("--only", help="pages whose name matches (a glob or a part)")
    parser.add_argument(
        "--skip", action="append", help="leave out the pages whose name matches"
    )
    parser.add_argument("--json", type=Path, help="save the results to this file")
    parser.add_argument(
        "--due", type=int, default=10, help="items made newly due for the sweep"
    )
    parser.add_argument(
        "--top-queries", type=int, default=0, help="print each page's N slowest SQL"
    )
    parser.add_argument(
        "--profile", type=Path, help="write a pyinstrument call tree per page here"
    )
    parser.add_argument(
        "--explain",
        type=Path,
        help="write EXPLAIN (ANALYZE, BUFFERS) of each page's slowest reads here "
        "(with --top-queries N)",
    )
    parser.add_argument(
        "--cprofile",
        type=Path,
        help="write each page's cProfile statistics, summed over at least 20 "
        "runs, here",
    )
    args = parser.parse_args(argv)
    if args.profile:
        import pyinstrument  # noqa: F401 - before the run, not after an hour of it
    import django

    django.setup()
    results = run(
        repeat=args.repeat, warmup=args.warmup, only=args.only, skip=args.skip,
        due=args.due,
        top=args.top_queries, profile=args.profile, explain=args.explain,
        cprofile=args.cprofile, out=_flushed,
    )  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main(sys.argv[1:])
