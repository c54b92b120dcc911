"""The statement pages at any size: the draft reads one page of lines in the same
queries whatever the month holds, and the CSV streams its rows."""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from partners import statements
from partners.tests.partnership_builders import (
    accepted_referral,
    approved_pathway,
    payment_agreement,
)

FEBRUARY = datetime.date(2026, 2, 1)
# session, user, partnership, agreement, whether every issued statement is marked,
# its pathway rates, the count and amount of each method (three), the page's
# accepted referrals, approved pathways and enrolled patients (what earned them
# joined), issued statements, this month's, navigation organization, the access
# record of the patients shown, then the session save (savepoint, update, release)
DRAFT_PAGE_QUERIES = 19


@pytest.fixture
def in_february(time_machine):
    time_machine.move_to("2026-02-10 18:00:00+00:00")
    return time_machine


def earn(partnership, clinic, supervisor, navigator, manager, referrals):
    """Each referral accepted with an approved food pathway: three lines each
    (acceptance, pathway, enrolled patient), then the staffing line."""
    payment_agreement(
        partnership,
        manager,
        fee_per_accepted_referral="100.00",
        fee_per_enrolled_patient_month="50.00",
        rates={"food_security": "300.00"},
        funded_ftes="1.00",
        monthly_rate_per_fte="10.00",
    )
    for _ in range(referrals):
        approved_pathway(
            accepted_referral(partnership, clinic, supervisor), supervisor, navigator
        )


def page_lines(content):
    return content.count("<tr>") - 1


@pytest.mark.parametrize("referrals", [1, 30])
def test_each_page_of_the_draft_takes_the_same_queries_whatever_the_month_holds(
    login,
    partnership,
    clinic,
    supervisor,
    navigator,
    manager,
    in_february,
    referrals,
    django_assert_max_num_queries,
):
    earn(partnership, clinic, supervisor, navigator, manager, referrals)
    client = login(manager)
    url = reverse("partners:statements", args=[partnership.code])
    lines = 3 * referrals + 1
    # With thirty referrals page 2 starts among the acceptances and ends among
    # the pathways, page 3 runs on into the enrolled patients.
    for page in range(1, (lines - 1) // 25 + 2):
        with django_assert_max_num_queries(DRAFT_PAGE_QUERIES):
            response = client.get(url, {"month": "2026-02", "page": page})
        content = response.content.decode()
        assert page_lines(content) == min(25, lines - 25 * (page - 1))
    assert f"({referrals} line" in content
    total = referrals * 450 + 10
    assert f"${total:,}.00" in content


@pytest.fixture
def issued(partnership, clinic, supervisor, navigator, manager, in_february):
    """February's statement for so many referrals (see ``earn``), issued in March."""

    def issue(referrals):
        earn(partnership, clinic, supervisor, navigator, manager, referrals)
        in_february.move_to("2026-03-02 18:00:00+00:00")
        return statements.statement_issue(
            actor=manager, partnership=partnership, period_start=FEBRUARY
        )

    return issue


def test_the_statement_csv_streams_its_rows_after_its_headings(
    reauthenticated, manager, issued, django_assert_num_queries
):
    statement = issued(3)
    client = reauthenticated(manager)
    response = client.get(reverse("partners:statement-csv", args=[statement.code]))
    assert response.streaming
    chunks = iter(response.streaming_content)
    # The headings go out before a single line is read.
    with django_assert_num_queries(0):
        heading = next(chunks).decode()
    assert heading.startswith("Month,Method,Description")
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode())))
    assert len(rows) == 10 + 1 + 2
    assert rows[-1] == ["", "", "Total due", "", "", "", "", "", "", "1360.00"]


def test_an_issued_statement_shows_a_page_of_lines_and_the_totals_of_all(
    login, manager, issued, django_assert_max_num_queries
):
    statement = issued(10)
    client = login(manager)
    url = reverse("partners:statement-detail", args=[statement.code])
    pages = []
    for page in (1, 2):
        # session, user, navigation organization, statement, its totals per
        # method, its lines counted and the page of them (what earned them
        # joined), the access record of the patients shown, then the session
        # save (savepoint, update, release)
        with django_assert_max_num_queries(11):
            pages.append(client.get(url, {"page": page}).content.decode())
    assert [page_lines(content) for content in pages] == [25, 6]
    assert "(10 lines)" in pages[1]
    assert "$4,510.00" in pages[1]
    assert "the CSV lists every line" in pages[0]
