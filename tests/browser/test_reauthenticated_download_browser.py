"""A download behind the password check asks for the password, delivers the
file under its own name, and leaves the user on the page they were on, the
password gone; a second download within the next minutes asks nothing."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from evaluation import datasets
from partners.tests.factories import PASSWORD
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser
STORIES_LINK = "Download the stories consented for funder reports (CSV, de-identified)"


def test_the_dataset_asks_delivers_and_returns_to_the_filtered_dashboard(
    sign_in, manager, partnership, clinic
):
    ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)
    with time_machine.travel(timezone.now(), tick=True) as clock:
        page = sign_in(manager)
        # The password given to sign in no longer counts six minutes later.
        clock.shift(datetime.timedelta(minutes=6))
        page.goto("/evaluation/?language=es&window=12")
        where = page.url
        _ask_deliver_and_return(page, where)


def _ask_deliver_and_return(page, where):

    page.get_by_role(
        "link", name="Download the de-identified patient dataset (CSV)"
    ).click()
    expect(page.get_by_role("heading", name="Confirm Access").first).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Confirm").click()
    download = download_info.value

    assert download.suggested_filename.startswith("chwlink-deidentified-patients-")
    assert download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(datasets.HEADER)
    # Back where the link was, filters kept, nothing typed left on the page.
    expect(page).to_have_url(where)
    expect(
        page.get_by_role("status").filter(has_text="Password confirmed")
    ).to_be_visible()
    expect(page.get_by_label("Password")).to_have_count(0)

    # Within the next minutes the stories come at once, and the page stays.
    with page.expect_download() as download_info:
        page.get_by_role(
            "link",
            name=STORIES_LINK,
        ).click()
    stories = download_info.value
    assert stories.suggested_filename.startswith("chwlink-stories-")
    assert Path(stories.path()).read_text(encoding="utf-8").splitlines() == [
        "year,domain,language,title,story,themes"
    ]
    expect(page).to_have_url(where)

    # Reloading the page does not download again.
    page.reload()
    expect(
        page.get_by_role("status").filter(has_text="Password confirmed")
    ).to_have_count(0)
