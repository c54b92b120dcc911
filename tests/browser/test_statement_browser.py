"""A program manager reads last month's statement, issues it and downloads the CSV."""

import csv
import datetime
import io
import re
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from allauth.account.internal.flows.login import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
from playwright.sync_api import expect

from partners.tests.factories import PASSWORD
from partners.tests.partnership_builders import (
    accepted_referral,
    approved_pathway,
    payment_agreement,
)
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser


def _signed_in_an_hour_ago(page):
    key = next(
        cookie["value"]
        for cookie in page.context.cookies()
        if cookie["name"].endswith("sessionid")
    )
    session = SessionStore(session_key=key)
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - 3600}
        for record in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()


@pytest.fixture
def last_month(partnership):
    today = timezone.localdate(timezone=zoneinfo.ZoneInfo(partnership.time_zone))
    return (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


@pytest.fixture
def earned_last_month(partnership, clinic, supervisor, navigator, manager, last_month):
    """Two accepted referrals (one with an approved food pathway) and one never
    accepted, all in the middle of last month; the clock then runs on as usual."""
    payment_agreement(
        partnership,
        manager,
        effective_on=last_month,
        fee_per_accepted_referral="150.00",
        rates={"food_security": "350.00"},
    )
    middle = datetime.datetime.combine(
        last_month.replace(day=15),
        datetime.time(12),
        tzinfo=zoneinfo.ZoneInfo(partnership.time_zone),
    )
    with time_machine.travel(middle, tick=False):
        fed = accepted_referral(
            partnership, clinic, supervisor, patient__mrn="MRN-30001"
        )
        approved_pathway(fed, supervisor, navigator)
        accepted_referral(partnership, clinic, supervisor, patient__mrn="MRN-30002")
        ReferralFactory(partnership=partnership, clinic=clinic, patient__mrn="MRN-9")


def test_manager_sees_the_billable_lines_and_total_and_downloads_the_csv(
    signed_in, partnership, manager, last_month, earned_last_month
):
    page = signed_in(manager)
    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Partnerships"
    ).click()
    page.get_by_role("link", name=partnership.name).click()
    page.get_by_role("link", name="Statements").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Monthly statements")
    page.get_by_role("textbox", name=re.compile("^Month")).fill(f"{last_month:%Y-%m}")
    page.get_by_role("button", name="Show").click()

    draft = page.get_by_role("region", name=re.compile("computed from the records"))
    expect(draft).to_contain_text(f"{last_month:%B %Y}")
    lines = draft.get_by_role("row").filter(has=page.get_by_role("cell"))
    expect(lines).to_have_count(3)
    expect(lines.filter(has_text="Referral accepted")).to_have_count(2)
    pathway = lines.filter(has_text="Food security pathway approved")
    expect(pathway).to_contain_text("MRN-30001")
    expect(pathway).to_contain_text("$350.00")
    expect(draft).not_to_contain_text("MRN-9")
    expect(draft.locator("dd").last).to_have_text("$650.00")

    page.get_by_role("button", name="Issue this statement").click()
    expect(
        page.get_by_text("The statement is issued; it can no longer change.")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Statement for {last_month:%B %Y}"
    )
    expect(page.get_by_role("row").filter(has_text="Referral accepted")).to_have_count(
        2
    )
    expect(page.locator("main dd").last).to_have_text("$650.00")

    # The lines name patients' record numbers: the password given to sign in a
    # few minutes ago counts; an hour later it is asked again first.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    assert download_info.value.suggested_filename.startswith("statement-")
    _signed_in_an_hour_ago(page)
    page.get_by_role("link", name="Download CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Access")
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    download = download_info.value
    assert download.suggested_filename == f"statement-{last_month:%Y-%m}.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text("utf-8"))))
    assert rows[0][:3] == ["Month", "Method", "Description"]
    billed = [row for row in rows[1:] if row and row[0] == f"{last_month:%Y-%m}"]
    assert sorted((row[2], row[6], row[9]) for row in billed) == [
        ("Food security pathway approved", "MRN-30001", "350.00"),
        ("Referral accepted", "MRN-30001", "150.00"),
        ("Referral accepted", "MRN-30002", "150.00"),
    ]
    totals = {row[2]: row[9] for row in rows if len(row) == 10 and not row[0]}
    assert totals == {"Subtotal": "650.00", "Total due": "650.00"}
