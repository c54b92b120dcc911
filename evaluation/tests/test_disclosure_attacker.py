"""No hidden count can be worked out from what is shared: the "as shared" page,
every table's CSV and the program reports' CSV are given to an attacker
(``evaluation.tests.attacker``) who adds, subtracts and multiplies rates by their
bases, and recovers nothing; the same figures with only the small counts hidden
give several counts away (the issue's examples among them)."""

import csv
import datetime
import io
from html.parser import HTMLParser

import pytest
import time_machine

from evaluation.models import Report
from evaluation.services import reports
from evaluation.tests.attacker import Attacker
from evaluation.tests.factories import (
    accepted_referral,
    completed_referral,
    in_progress_referral,
    pam_row,
)
from partners.tests.factories import SiteFactory
from referrals.tests.factories import ReferralFactory

UTC = datetime.UTC
NOVEMBER = datetime.datetime(2026, 11, 10, 18, tzinfo=UTC)
OCTOBER = datetime.datetime(2026, 10, 10, 18, tzinfo=UTC)
NOW = datetime.datetime(2026, 12, 2, 18, tzinfo=UTC)
ATTACKED = ("kpis", "funnel", "monthly", "clinics", "pam_change", "pam_levels")
PERIOD = "?start=2026-10-01&end=2026-11-30"


@pytest.fixture
def program(partnership, supervisor, navigator, clinic, other_clinic):
    """North: 12 referred, 10 accepted, 9 with a navigator, 5 closed (the issue's
    41.7 %); East: 15 waiting; South: 3 sent in October. PAM: 3 patients from
    level 1 and 12 from level 2."""
    team = {"partnership": partnership, "supervisor": supervisor}
    east = SiteFactory(organization=partnership.health_system, name="East Clinic")
    with time_machine.travel(NOVEMBER, tick=False):
        north = []
        for _ in range(5):
            north.append(completed_referral(**team, navigator=navigator, clinic=clinic))
        for _ in range(4):
            north.append(
                in_progress_referral(**team, navigator=navigator, clinic=clinic)
            )
        north.append(accepted_referral(**team, clinic=clinic))
        north += ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)
        ReferralFactory.create_batch(15, partnership=partnership, clinic=east)
    with time_machine.travel(OCTOBER, tick=False):
        south = ReferralFactory.create_batch(
            3, partnership=partnership, clinic=other_clinic
        )
    for i, referral in enumerate(north + south):
        baseline = 52.0 if i < len(north) else 45.0  # level 2, else level 1
        follow_up = baseline + (6.0 if i % 2 else 1.0)
        common = {"patient": referral.patient, "partnership": partnership}
        common["by"] = navigator
        pam_row(on=datetime.date(2025, 1, 15), score=baseline, **common)
        pam_row(
            on=datetime.date(2025, 8, 1), kind="follow_up", score=follow_up, **common
        )


class _Tables(HTMLParser):
    """The dashboard's tables as shown: rows of cell texts by table key."""

    def __init__(self):
        super().__init__()
        self.tables, self.key, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and attrs.get("aria-labelledby", "").startswith("table-"):
            self.key = attrs["aria-labelledby"].removeprefix("table-")
            self.tables[self.key] = []
        elif self.key and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = ""

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.key].append(self.row)
            self.row = None
        elif tag == "table":
            self.key = None


def page_tables(content: str) -> dict:
    parser = _Tables()
    parser.feed(content)
    return {key: rows[1:] for key, rows in parser.tables.items() if key in ATTACKED}


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def report_tables(text: str) -> dict:
    """A report's CSV: a title line, a header and rows, then a blank line."""
    titles = {
        "Key figures": "kpis", "Referral funnel": "funnel",
        "Referrals by month sent": "monthly", "By clinic": "clinics",
        "PAM change, by baseline level": "pam_change",
        "Baseline level by follow-up level": "pam_levels",
    }  # fmt: skip
    tables, key, lines = {}, None, csv_rows(text)
    for i, line in enumerate(lines):
        if key is None and line and line[0] in titles and len(line) == 1:
            key, start = titles[line[0]], i + 2
        elif key is not None and not line:
            tables[key] = lines[start:i]
            key = None
    return tables


def only_small_counts_hidden(tables: dict) -> dict:
    """The exact tables with only the counts from 1 to 9 hidden."""

    def shown(cell):
        if isinstance(cell, int) and 0 < cell < 10:
            return "<10"
        return "" if cell is None else str(cell)

    result = {}
    for key in ATTACKED:
        rows = [[shown(cell) for cell in row] for row in tables[key]["rows"]]
        result[key] = rows
    return result


def test_the_attacker_recovers_counts_when_only_small_ones_are_hidden(
    login, manager, program
):
    with time_machine.travel(NOW, tick=False):
        exact = login(manager).get(f"/evaluation/{PERIOD}").context["tables"]
    recovered = Attacker(only_small_counts_hidden(exact)).recovered()
    # The examples: 90 % of 10 accepted, 41.7 % of North's 12 referred.
    assert recovered[("total", "assigned")] == 9
    assert recovered[("clinic", "North Clinic", "closed")] == 5
    # South's October: the 30 referred less November's 27.
    assert recovered[("month", "2026-10", "referred")] == 3
    assert recovered[("clinic", "South Clinic", "referred")] == 3
    # Level 1's three patients: 15 analysed less level 2's 12.
    assert recovered[("pam", "1", "n")] == 3


def test_nothing_hidden_can_be_recovered_from_the_shared_page(login, manager, program):
    with time_machine.travel(NOW, tick=False):
        page = login(manager).get(f"/evaluation/{PERIOD}&shared=on")
    tables = page_tables(page.content.decode())
    assert set(tables) == set(ATTACKED)
    assert tables["funnel"][2][:2] == ["Navigator assigned", "<10"]
    assert Attacker(tables).recovered() == {}


def test_nothing_hidden_can_be_recovered_from_the_csvs(login, manager, program):
    with time_machine.travel(NOW, tick=False):
        client = login(manager)
        tables = {
            key: csv_rows(
                client.get(f"/evaluation/export/{key}.csv{PERIOD}").getvalue().decode()
            )[1:]
            for key in ATTACKED
        }
        page = page_tables(
            client.get(f"/evaluation/{PERIOD}&shared=on").content.decode()
        )
    assert Attacker(tables).recovered() == {}
    # Each CSV hides what the shared page hides, no more and no less (an empty
    # cell is a dash on the page).
    emptied = {
        key: [["" if cell == "—" else cell for cell in row] for row in rows]
        for key, rows in page.items()
    }
    assert tables == emptied


def test_nothing_hidden_can_be_recovered_from_the_program_reports(manager, program):
    with time_machine.travel(NOW, tick=False):
        monthly = Report.objects.get(pk__in=reports.monthly_reports_schedule())
        reports.report_build(report_id=monthly.pk)
        asked = reports.report_request(
            user=manager, query={"start": "2026-10-01", "end": "2026-11-30"}
        )
        reports.report_build(report_id=asked.pk)
    for report in (monthly, asked):
        report.refresh_from_db()
        tables = report_tables(report.csv)
        assert set(tables) == set(ATTACKED)
        assert Attacker(tables).recovered() == {}
    # November alone: North's 5 closed of 12 are hidden with their rate.
    north = next(
        row for row in report_tables(monthly.csv)["clinics"] if "North" in row[0]
    )
    assert north[3] == "<10" and north[5] == "–"
