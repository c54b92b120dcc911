"""A supervisor finds an assigned referral through *All referrals* (typing the
name without its accents) and opens it, where reassigning and sharing are; the
pages fit a phone and a laptop screen."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from evaluation.tests.factories import caseload_referral
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser

WIDTHS = (390, 1280)


@pytest.fixture
def assigned(partnership, clinic, clinic_user, supervisor, navigator):
    return caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Inés",
        patient__last_name="Choque",
    )


def fits(page) -> bool:
    """Nothing sticks out sideways (tables scroll inside their own box)."""
    return page.evaluate(
        "document.documentElement.scrollWidth <= window.innerWidth + 1"
    )


def test_supervisor_finds_an_assigned_referral_and_opens_it(
    signed_in, partnership, clinic, supervisor, assigned
):
    ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        patient__first_name="Rosa",
        patient__last_name="Mamani",
    )
    page = signed_in(supervisor)
    # The inbox no longer holds it: it has a navigator.
    expect(page.get_by_role("link", name="Inés Choque")).to_have_count(0)
    # A supervisor's referral pages sit in the menu's Referrals area.
    page.get_by_role("navigation").get_by_role("button", name="Referrals").click()
    page.get_by_role("link", name="All referrals").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("All referrals")
    page.get_by_label("Search").fill("choque, ines")
    page.get_by_role("button", name="Find").click()
    table = page.get_by_test_id("all-referrals-table")
    expect(table.get_by_role("link", name="Inés Choque")).to_be_visible()
    expect(table.get_by_role("link", name="Rosa Mamani")).to_have_count(0)
    expect(table).to_contain_text("Navigator assigned")
    table.get_by_role("link", name="Inés Choque").click()
    page.wait_for_url(f"**{reverse('referrals:referral-detail', args=[assigned.code])}")
    expect(
        page.get_by_role("link", name="Reassign to another navigator")
    ).to_be_visible()
    expect(
        page.get_by_role("link", name="Share with another navigator")
    ).to_be_visible()


def test_a_bad_date_is_told_beside_the_field(signed_in, supervisor, assigned):
    page = signed_in(supervisor)
    page.goto(
        reverse("referrals:all-referrals") + "?sent_from=2026-03-05&sent_to=2026-03-01"
    )
    expect(page.get_by_role("alert")).to_contain_text("Some filters could not be used")
    expect(page.get_by_text("Choose a day on or after the first one.")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS)
def test_all_referrals_and_the_team_board_fit_the_screen(
    signed_in, supervisor, assigned, width
):
    page = signed_in(supervisor)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(reverse("referrals:all-referrals"))
    expect(page.get_by_role("link", name="Inés Choque")).to_be_visible()
    assert fits(page)
    page.goto(reverse("referrals:team-board"))
    expect(page.get_by_test_id("team-table")).to_contain_text("Nadia")
    assert fits(page)
