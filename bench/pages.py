"""What the runner measures: the busiest user of each role, and each page as a
request that user makes (found by URL name), plus the raw SQL of the dashboard.

A page is a function of the test client and the cast that makes one request (or
one unit of work) and returns its outcome: "ok", or what went wrong.
"""

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from bench import rawsql
from evaluation import figures
from evaluation.forms import DashboardFilterForm
from evaluation.models import Report
from evaluation.services import reports
from partners.models import Partnership, User

Role = User.Role


@dataclass
class Cast:
    """The busiest user of each role and the records their pages open."""

    users: dict  # role key -> User
    referrals: dict  # role key -> referral code
    patients: dict  # role key -> patient code
    partnership: Partnership  # the health-system manager's, for statements
    last_month: datetime.date
    fhir_token: str = ""  # the clinic's EHR's, made on first use
    hsds_key: str = ""  # the supervisor CBO's HSDS API key, made on first use

    LABELS = {
        "clinic": "clinic staff",
        "supervisor": "CBO supervisor",
        "navigator": "navigator",
        "manager": "program manager (health system)",
        "cbo_manager": "program manager (CBO)",
        "admin": "administrator",
    }


def _one(sql: str, params=()) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return row[0] if row else None


OPEN = "('submitted', 'accepted', 'assigned', 'in_progress', 'on_hold')"


def _busiest_referral(where: str, params, *, open_first: bool = False) -> str | None:
    """The referral with the longest timeline among those ``where`` selects; with
    ``open_first``, among the open ones if there are any."""
    if open_first:
        found = _busiest_referral(f"r.status IN {OPEN} AND {where}", params)
        if found:
            return found
    return _one(
        f"""
        SELECT r.code FROM referrals_referral r
        WHERE {where}
        ORDER BY (SELECT count(*) FROM referrals_referralevent e
                  WHERE e.referral_id = r.id) DESC, r.id
        LIMIT 1
        """,
        params,
    )


def find_cast() -> Cast:
    """The users with the most work of each role (most referrals made, largest
    inbox, largest caseload, largest program) and what their pages open."""
    clinic = _one(
        "SELECT referred_by_id FROM referrals_referral GROUP BY 1 "
        "ORDER BY count(*) DESC, 1 LIMIT 1"
    )
    # An inbox or a caseload can be empty at the moment of the run (a small data
    # set at some hours): the one with the most referrals is then measured.
    supervisor = _one(
        """
        SELECT u.id FROM partners_user u
        JOIN partners_partnership p ON p.cbo_id = u.organization_id
        JOIN referrals_referral r ON r.partnership_id = p.id
        WHERE u.role = 'supervisor' AND u.is_active
        GROUP BY u.id
        ORDER BY count(*) FILTER (WHERE r.status IN ('submitted', 'accepted')) DESC,
                 count(*) DESC, u.id
        LIMIT 1
        """
    )
    navigator = _one(
        """
        SELECT navigator_id FROM referrals_referral WHERE navigator_id IS NOT NULL
        GROUP BY 1
        ORDER BY count(*) FILTER (
                     WHERE status IN ('assigned', 'in_progress', 'on_hold')) DESC,
                 count(*) DESC, 1
        LIMIT 1
        """
    )

    def manager_of(side: str) -> int | None:
        return _one(
            f"""
            SELECT u.id FROM partners_user u
            JOIN partners_partnership p ON p.{side} = u.organization_id
            JOIN referrals_referral r ON r.partnership_id = p.id
            WHERE u.role = 'program_manager' AND u.is_active
            GROUP BY u.id ORDER BY count(*) DESC, u.id LIMIT 1
            """
        )

    ids = {
        "clinic": clinic,
        "supervisor": supervisor,
        "navigator": navigator,
        "manager": manager_of("health_system_id"),
        "cbo_manager": manager_of("cbo_id"),
        "admin": _one("SELECT min(id) FROM partners_user WHERE role = 'administrator'"),
    }
    users = User.objects.in_bulk([pk for pk in ids.values() if pk])
    users = {key: users[pk] for key, pk in ids.items() if pk in users}
    referrals = {
        "clinic": _busiest_referral("r.referred_by_id = %s", [clinic]),
        "supervisor": _busiest_referral(
            "r.status <> 'draft' AND r.partnership_id IN "
            "(SELECT id FROM partners_partnership WHERE cbo_id = %s)",
            [users["supervisor"].organization_id],
            open_first=True,
        ),
        "navigator": _busiest_referral(
            "r.navigator_id = %s", [navigator], open_first=True
        ),
    }
    patients = {
        "clinic": _one(
            """
            SELECT p.code FROM referrals_patient p
            JOIN referrals_referral r ON r.patient_id = p.id
            WHERE p.health_system_id = %s GROUP BY p.id ORDER BY count(*) DESC, p.id
            LIMIT 1
            """,
            [users["clinic"].organization_id],
        ),
        "navigator": _one(
            "SELECT p.code FROM referrals_patient p JOIN referrals_referral r "
            "ON r.patient_id = p.id WHERE r.code = %s",
            [referrals["navigator"]],
        ),
    }
    manager = users["manager"]
    partnership = (
        Partnership.objects.of_organization(manager.organization_id)
        .filter(status=Partnership.Status.ACTIVE)
        .order_by("pk")
        .first()
    )
    today = timezone.localdate()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return Cast(users, referrals, patients, partnership, last_month)


@dataclass
class Page:
    name: str
    role: str
    run: Callable  # (client, cast) -> outcome string
    # Tables a rolled-back page wrote to: vacuumed once it is measured, or the
    # dead rows it left would slow the pages measured after it (a count over
    # referrals read 60,000 of them after six statements were issued).
    vacuum: tuple[str, ...] = ()


def _get(name, *args, query=None):
    """A GET of the named URL (arguments taken from the cast by ``args``), read to
    the end when it streams."""

    def run(client, cast):
        url = reverse(name, args=[arg(cast) for arg in args])
        response = client.get(url, query or {})
        if hasattr(response, "streaming_content"):
            for _chunk in response.streaming_content:
                pass
        return _outcome(response, 200)

    return run


def _outcome(response, expect) -> str:
    if response.status_code == expect:
        return "ok"
    return f"HTTP {response.status_code}"


def _post(name, *args, data, expect_in_location=""):
    def run(client, cast):
        url = reverse(name, args=[arg(cast) for arg in args])
        response = client.post(url, data(cast))
        if response.status_code != 302:
            return f"HTTP {response.status_code}"
        if expect_in_location and expect_in_location not in response["Location"]:
            return f"refused (back to {response['Location']})"
        return "ok"

    return run


def rolled_back(run):
    """Run a page that writes inside a transaction that is rolled back, so every
    repetition starts from the same data."""

    def wrapped(client, cast):
        with transaction.atomic():
            try:
                return run(client, cast)
            finally:
                transaction.set_rollback(True)

    return wrapped


def _last_month(cast) -> str:
    return cast.last_month.strftime("%Y-%m")


def _twelve_months() -> dict:
    return {"start": (timezone.localdate() - datetime.timedelta(days=365)).isoformat()}


def _last_half_year() -> dict:
    today = timezone.localdate()
    return {
        "start": (today - datetime.timedelta(days=182)).isoformat(),
        "end": today.isoformat(),
    }


def _dataset(client, cast):
    """The de-identified dataset asks for the password again unless given within
    the last minutes: record a fresh one in the session, as the sign-in would."""
    session = client.session
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": cast.users["manager"].email}
    ]
    session.save()
    return _get("evaluation:export-dataset")(client, cast)


def _program_report(role):
    """The scheduled monthly program report, built as the Celery task builds it
    (both table sets, the CSV and the e-mail), then rolled back."""

    def run(client, cast):
        end = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        report = Report.objects.create(
            kind=Report.Kind.MONTHLY_PROGRAM,
            owner=cast.users[role],
            period_start=cast.last_month,
            period_end=end,
        )
        reports.report_build(report_id=report.pk)
        report.refresh_from_db()
        return "ok" if report.status == Report.Status.DONE else report.status

    return rolled_back(run)


def _raw_sql(role, query=None):
    def run(client, cast):
        user = cast.users[role]
        form = DashboardFilterForm(
            query() if query else None, **figures.dashboard_choices(user)
        )
        rawsql.dashboard_figures(user, form.filters())
        return "ok"

    return run


# The dashboard pages and the raw SQL of the same figures, by filters.
DASHBOARD = "dashboard, default filters"
DASHBOARD_12 = "dashboard, 12 months"
RAW_SQL = "raw SQL of the dashboard"
RAW_SQL_12 = "raw SQL of the dashboard, 12 months"
RATIOS = [(DASHBOARD, RAW_SQL), (DASHBOARD_12, RAW_SQL_12)]


def _dashboard_pages(role: str) -> list[Page]:
    return [
        Page(DASHBOARD, role, _get("evaluation:dashboard")),
        Page(
            DASHBOARD_12,
            role,
            lambda client, cast: _get("evaluation:dashboard", query=_twelve_months())(
                client, cast
            ),
        ),
        # The filters that need the referrals themselves, not the monthly rollups.
        *(
            Page(
                f"dashboard, {label}",
                role,
                lambda client, cast, query=query: _get(
                    "evaluation:dashboard", query=query()
                )(client, cast),
            )
            for label, query in [
                ("one need", lambda: {"need": "food-insecurity"}),
                ("one language", lambda: {"language": "es"}),
                ("a range of sending days", _last_half_year),
            ]
        ),
        Page(
            "dashboard CSV export (clinics)",
            role,
            _get("evaluation:export-table", lambda cast: "clinics"),
        ),
        Page("scheduled program report", role, _program_report(role)),
        Page(RAW_SQL, role, _raw_sql(role)),
        Page(RAW_SQL_12, role, _raw_sql(role, _twelve_months)),
    ]


def pages() -> list[Page]:
    def code(role, kind="referrals"):
        return lambda cast: getattr(cast, kind)[role]

    def partnership(cast):
        return cast.partnership.code

    return [
        Page("clinic referral list", "clinic", _get("referrals:clinic-referral-list")),
        Page(
            "clinic referral list, all clinics",
            "clinic",
            _get("referrals:clinic-referral-list", query={"clinic": ""}),
        ),
        Page(
            "patient search",
            "clinic",
            _post_ok(
                "referrals:referral-new", {"last_name": "García", "first_name": "A"}
            ),
        ),
        Page(
            "referral detail",
            "clinic",
            _get("referrals:referral-detail", code("clinic")),
        ),
        Page(
            "patient detail",
            "clinic",
            _get("referrals:patient-detail", code("clinic", "patients")),
        ),
        Page("notifications list", "clinic", _get("referrals:notification-list")),
        Page(
            "FHIR Task read (the clinic's EHR)",
            "clinic",
            _fhir(lambda cast: f"/fhir/Task/{cast.referrals['clinic']}"),
        ),
        Page(
            "FHIR Task poll, last day, with includes (the clinic's EHR)",
            "clinic",
            lambda client, cast: _fhir(
                "/fhir/Task",
                {
                    "_lastUpdated": _since_yesterday(),
                    "_include": ["Task:focus", "Task:patient"],
                    "_count": "50",
                },
            )(client, cast),
        ),
        Page("CBO inbox", "supervisor", _get("referrals:inbox")),
        Page(
            "referral detail",
            "supervisor",
            _get("referrals:referral-detail", code("supervisor")),
        ),
        Page("pathway approvals", "supervisor", _get("referrals:pathway-approvals")),
        Page("all referrals", "supervisor", _get("referrals:all-referrals")),
        Page(
            "all referrals, overdue first",
            "supervisor",
            _get("referrals:all-referrals", query={"overdue": "on", "sort": "overdue"}),
        ),
        *(
            Page(
                f"all referrals, sorted {label}",
                "supervisor",
                _get("referrals:all-referrals", query={"sort": sort}),
            )
            for sort, label in [
                ("overdue", "overdue first"),
                ("sent_oldest", "sent oldest first"),
                ("sent_newest", "sent newest first"),
                ("patient", "by patient's name"),
            ]
        ),
        Page(
            "all referrals, search by name",
            "supervisor",
            _get("referrals:all-referrals", query={"q": "Garcia, Maria"}),
        ),
        Page(
            "all referrals, filtered",
            "supervisor",
            _get(
                "referrals:all-referrals",
                query={"status": "open", "need": "food-insecurity", "language": "es"},
            ),
        ),
        Page("team board", "supervisor", _get("referrals:team-board")),
        Page("notifications list", "supervisor", _get("referrals:notification-list")),
        Page("navigator caseload", "navigator", _get("referrals:caseload")),
        Page(
            "referral detail",
            "navigator",
            _get("referrals:referral-detail", code("navigator")),
        ),
        Page(
            "patient detail",
            "navigator",
            _get("referrals:patient-detail", code("navigator", "patients")),
        ),
        Page("notifications list", "navigator", _get("referrals:notification-list")),
        Page(
            "directory search",
            "navigator",
            _get(
                "referrals:resource-list",
                query={"q": "food", "need": "food-insecurity"},
            ),
        ),
        # The directory holds 50,000 services in the navigator's CBO once
        # bench.generate has run with its default --directory-services.
        Page(
            "directory search near a ZIP (50,000 services)",
            "navigator",
            _get(
                "referrals:resource-list",
                query={
                    "need": "food-insecurity",
                    "language": "es",
                    "zip_code": "97301",
                    "within": "10",
                },
            ),
        ),
        Page(
            "directory search open now (50,000 services)",
            "navigator",
            _get("referrals:resource-list", query={"open_now": "on"}),
        ),
        Page(
            "directory search by capacity (50,000 services)",
            "navigator",
            _get(
                "referrals:resource-list",
                query={"need": "housing-instability", "capacity": "accepting"},
            ),
        ),
        # The HSDS API by the key of the navigator's CBO (no session).
        Page("HSDS API services page", "navigator", _hsds("services")),
        Page(
            "HSDS API services by taxonomy term",
            "navigator",
            _hsds("services", query=_sdoh_term_query),
        ),
        Page("HSDS API organizations page", "navigator", _hsds("organizations")),
        Page("HSDS API service detail", "navigator", _hsds(_first_service)),
        Page("PAM follow-ups due", "navigator", _get("evaluation:pam-due")),
        *_dashboard_pages("manager"),
        Page("de-identified dataset CSV", "manager", _dataset),
        Page(
            "monthly statement draft",
            "manager",
            lambda client, cast: _get(
                "partners:statements", partnership, query={"month": _last_month(cast)}
            )(client, cast),
        ),
        Page(
            "monthly statement issue",
            "manager",
            rolled_back(
                _post(
                    "partners:statement-issue",
                    partnership,
                    data=lambda cast: {"month": _last_month(cast)},
                    expect_in_location="/statements/",
                )
            ),
            vacuum=(
                "referrals_referral",
                "referrals_pathway",
                "partners_statementline",
                "partners_statement",
            ),
        ),
        Page("all referrals", "manager", _get("referrals:all-referrals")),
        Page("team board", "manager", _get("referrals:team-board")),
        *_dashboard_pages("cbo_manager"),
        Page("all referrals", "cbo_manager", _get("referrals:all-referrals")),
        Page("team board", "cbo_manager", _get("referrals:team-board")),
        Page(
            "all-referrals list (admin)",
            "admin",
            _get("admin:referrals_referral_changelist"),
        ),
    ]


def _fhir_token(cast) -> str:
    """A bearer token for the clinic's EHR (registered once in the bench data),
    valid for the whole run: the token endpoint itself is not what is measured."""
    import secrets

    from referrals.fhir.auth import api_client_register, token_digest
    from referrals.models import ApiClient, ApiToken

    if cast.fhir_token:
        return cast.fhir_token
    clinic = cast.users["clinic"].site
    client = ApiClient.objects.filter(clinic=clinic, name="Bench EHR").first()
    client = client or api_client_register(
        name="Bench EHR", clinic=clinic, jwks={"keys": []}
    )
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(
        client=client,
        digest=token_digest(token),
        scopes=["system/*.rs"],
        expires_at=timezone.now() + datetime.timedelta(days=1),
    )
    cast.fhir_token = token
    return token


def _fhir(path, query=None):
    def run(client, cast):
        url = path(cast) if callable(path) else path
        response = client.get(
            url, query or {}, HTTP_AUTHORIZATION=f"Bearer {_fhir_token(cast)}"
        )
        return _outcome(response, 200)

    return run


def _since_yesterday() -> str:
    return "gt" + (timezone.now() - datetime.timedelta(days=1)).isoformat(
        timespec="seconds"
    )


def _post_ok(name, data):
    def run(client, cast):
        response = client.post(reverse(name), data)
        return _outcome(response, 200)

    return run


def _hsds_key(cast) -> str:
    """A key of the navigator's CBO (whose directory is the large one), made once
    per run by one of its supervisors: making it is not what is measured."""
    from referrals.hsds.keys import hsds_key_create

    if not cast.hsds_key:
        organization = cast.users["navigator"].organization
        supervisor = User.objects.filter(
            organization=organization, role=Role.SUPERVISOR
        ).first()
        cast.hsds_key = hsds_key_create(
            actor=supervisor, organization=organization, name="Bench"
        )[1]
    return cast.hsds_key


def _first_service(cast) -> str:
    from referrals.models import ResourceService

    service = (
        ResourceService.objects.filter(
            organization__directory_owner_id=cast.users["navigator"].organization_id
        )
        .order_by("pk")
        .first()
    )
    return f"services/{service.code}" if service else "services"


def _sdoh_term_query(cast) -> dict:
    from referrals.hsds.taxonomy import sdoh_term_id

    return {"taxonomy_term_id": str(sdoh_term_id("food-insecurity"))}


def _hsds(path, query=None):
    def run(client, cast):
        where = path(cast) if callable(path) else path
        params = query(cast) if callable(query) else (query or {})
        response = client.get(
            f"/hsds/{where}", params, HTTP_AUTHORIZATION=f"Bearer {_hsds_key(cast)}"
        )
        return _outcome(response, 200)

    return run
