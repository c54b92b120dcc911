"""A program manager filters the dashboard and downloads a table as CSV."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from partners.tests.factories import PASSWORD
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser


def test_manager_filters_the_dashboard_and_downloads_a_csv(
    page, manager, partnership, clinic, other_clinic
):
    ReferralFactory.create_batch(3, partnership=partnership, clinic=clinic)
    ReferralFactory.create_batch(12, partnership=partnership, clinic=other_clinic)
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(
        page.get_by_role("heading", level=1, name="Program dashboard")
    ).to_be_visible()
    expect(page.locator("#chart-funnel")).to_be_visible()

    page.get_by_label("Clinic", exact=True).select_option(label=other_clinic.name)
    page.get_by_role("button", name="Apply filters").click()
    funnel = page.get_by_role("table", name="Referral funnel")
    expect(funnel.get_by_role("row", name="Referred")).to_contain_text("12")
    clinics = page.get_by_role("table", name="By clinic")
    expect(clinics).to_contain_text(other_clinic.name)
    expect(clinics).not_to_contain_text(clinic.name)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download “Referral funnel” (CSV)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("chwlink-funnel-")
    content = Path(download.path()).read_text(encoding="utf-8")
    assert "Referred,12" in content
    assert "Accepted,0" in content


def test_the_charts_are_drawn_at_their_length_at_once(
    sign_in, page, manager, partnership, clinic
):
    """No animation: bars have their final length the moment the page is shown,
    and the page asks for no motion of people who asked for none."""
    ReferralFactory.create_batch(12, partnership=partnership, clinic=clinic)
    page.emulate_media(reduced_motion="reduce")
    sign_in(manager)
    page.goto("/evaluation/")
    bar_width = """() => {
        const chart = Chart.getChart(document.getElementById("chart-funnel"));
        const bar = chart.getDatasetMeta(0).data[0].getProps(["x", "base"]);
        return [chart.options.animation, Math.abs(bar.x - bar.base)];
    }"""
    animation, first = page.evaluate(bar_width)
    page.wait_for_timeout(800)
    assert animation is False
    assert first > 0 and page.evaluate(bar_width)[1] == first
