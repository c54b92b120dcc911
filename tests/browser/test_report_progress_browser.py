"""A program manager asks for a report from the dashboard; the page shows it being
built by the real Celery worker, then offers the CSV."""

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect

from evaluation.services import reports
from referrals.tests.factories import ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.celery_worker]


@pytest.fixture
def held_build(monkeypatch):
    """The worker claims the report, then waits here until the test has seen the
    page mid-build (never longer than the timeout, so a failure cannot hang)."""
    release = threading.Event()
    build_tables = reports._program_tables

    def held(report):
        release.wait(timeout=20)
        return build_tables(report)

    monkeypatch.setattr(reports, "_program_tables", held)
    yield release
    release.set()


def test_report_shows_its_progress_then_offers_the_csv(
    celery_worker, held_build, signed_in, manager, partnership, clinic, other_clinic
):
    ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)
    ReferralFactory.create_batch(11, partnership=partnership, clinic=other_clinic)
    page = signed_in(manager)
    page.get_by_label("Clinic", exact=True).select_option(label=other_clinic.name)
    page.get_by_role("button", name="Apply filters").click()
    page.get_by_role("button", name="Prepare a report of these figures").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Program report on demand"
    )
    expect(
        page.get_by_text("The report is being prepared. This page updates by itself.")
    ).to_be_visible()
    progress = page.get_by_role("progressbar", name="Progress")
    # The worker has claimed the report: the polled progress reaches the page.
    expect(progress).to_have_attribute("aria-valuenow", "10", timeout=15_000)
    expect(page.locator("[data-report-state]")).to_have_text("Being prepared")
    expect(page.get_by_role("link", name="Download CSV")).to_have_count(0)

    held_build.set()
    download_link = page.get_by_role("link", name="Download CSV")
    expect(download_link).to_be_visible(timeout=20_000)
    expect(progress).to_have_count(0)
    funnel = page.get_by_role("table").filter(
        has=page.get_by_role("cell", name="Referred", exact=True)
    )
    expect(funnel.get_by_role("row", name="Referred")).to_contain_text("11")

    with page.expect_download() as download_info:
        download_link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("chwlink-on_demand-")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert "Referral funnel" in content
    assert "Referred,11" in content
