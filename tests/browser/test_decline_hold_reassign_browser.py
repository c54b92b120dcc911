"""Declining, holding and reassigning a referral in Chromium, as each person sees it."""

import re

import pytest
from playwright.sync_api import expect

from evaluation.tests.factories import caseload_referral
from partners.models import User
from partners.tests.factories import UserFactory
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser


def status_badge(page):
    return page.locator("h1 + .badge")


@pytest.fixture
def assigned_referral(partnership, clinic, clinic_user, supervisor, navigator):
    return caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Rosa",
        patient__last_name="Mamani",
    )


@pytest.fixture
def second_navigator(partnership):
    return UserFactory(
        email="pablo@home.test",
        first_name="Pablo",
        last_name="Ruiz",
        role=User.Role.NAVIGATOR,
        organization=partnership.cbo,
        languages=["es"],
    )


def test_supervisor_declines_with_a_reason_and_the_clinic_sees_it(
    signed_in, partnership, clinic, clinic_user, supervisor
):
    ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Inés",
        patient__last_name="Choque",
    )
    boss = signed_in(supervisor)
    boss.get_by_role("link", name="Inés Choque").click()
    boss.get_by_role("link", name="Decline").click()
    expect(boss.get_by_role("heading", level=1)).to_have_text("Decline")
    # Without a reason the page refuses and keeps the person on the form.
    boss.get_by_role("button", name="Confirm").click()
    expect(boss.get_by_text("This field is required.")).to_be_visible()
    boss.get_by_label("No capacity right now").check()
    boss.get_by_label("Details").fill("Our waitlist is full until March.")
    boss.get_by_role("button", name="Confirm").click()
    expect(boss.get_by_text("Referral declined.")).to_be_visible()
    expect(status_badge(boss)).to_have_text("Declined")
    expect(boss.get_by_role("link", name="Decline")).to_have_count(0)

    clinic_page = signed_in(clinic_user)
    row = clinic_page.get_by_role("row", name=re.compile("Inés Choque"))
    expect(row).to_contain_text("Declined")
    row.get_by_role("link", name="Inés Choque").click()
    expect(status_badge(clinic_page)).to_have_text("Declined")
    timeline = clinic_page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text(
        f"{supervisor.get_full_name()} changed the status from "
        "“Submitted” to “Declined”."
    )
    expect(timeline).to_contain_text("Reason: No capacity right now")
    expect(timeline).to_contain_text("Our waitlist is full until March.")


def test_navigator_holds_and_resumes_and_the_referral_stays_on_the_caseload(
    signed_in, assigned_referral, navigator
):
    nav = signed_in(navigator)
    nav.get_by_role("link", name="Rosa Mamani").click()
    expect(status_badge(nav)).to_have_text("Navigator assigned")
    nav.get_by_role("link", name="Put on hold").click()
    nav.get_by_label("Patient asked to pause").check()
    nav.get_by_role("button", name="Confirm").click()
    expect(status_badge(nav)).to_have_text("On hold")
    expect(nav.get_by_role("button", name="Resume")).to_be_visible()

    nav.get_by_role("link", name="My caseload").click()
    row = nav.get_by_role("row", name=re.compile("Rosa Mamani"))
    expect(row).to_contain_text("On hold")
    expect(row).to_contain_text("On hold: check back with the patient")

    row.get_by_role("link", name="Rosa Mamani").click()
    nav.get_by_role("button", name="Resume").click()
    expect(nav.get_by_text("Work on the referral resumed.")).to_be_visible()
    # Nobody has reached the patient yet, so the work goes back to first contact.
    expect(status_badge(nav)).to_have_text("Navigator assigned")
    nav.goto("/referrals/caseload/")
    row = nav.get_by_role("row", name=re.compile("Rosa Mamani"))
    expect(row).to_contain_text("Navigator assigned")
    expect(row).to_contain_text("Make first contact")


def test_supervisor_reassigns_and_only_the_new_navigator_has_it(
    signed_in, assigned_referral, supervisor, navigator, second_navigator
):
    boss = signed_in(supervisor)
    boss.goto(f"/referrals/{assigned_referral.code}/")
    boss.get_by_role("link", name="Reassign to another navigator").click()
    expect(boss.get_by_role("heading", level=1)).to_have_text(
        "Reassign to another navigator"
    )
    current = boss.get_by_role("radio", name=re.compile(navigator.get_full_name()))
    expect(current).to_be_disabled()
    boss.get_by_role("radio", name=re.compile("Pablo Ruiz")).check()
    # The reason is required when the referral moves.
    boss.get_by_role("button", name="Reassign").click()
    expect(boss.get_by_text("Say why the referral moves.")).to_be_visible()
    boss.get_by_role("radio", name=re.compile("Pablo Ruiz")).check()
    boss.get_by_label("Why is the referral moving?").fill("Nadia is on leave.")
    boss.get_by_role("button", name="Reassign").click()
    expect(boss.get_by_text("Pablo now has this referral.")).to_be_visible()
    expect(boss.get_by_text("Navigator: Pablo")).to_be_visible()
    timeline = boss.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text(
        f"{supervisor.get_full_name()} moved the referral to Pablo Ruiz."
    )
    expect(timeline).to_contain_text("Nadia is on leave.")

    new = signed_in(second_navigator)
    expect(new.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(new.get_by_role("row", name=re.compile("Rosa Mamani"))).to_be_visible()

    old = signed_in(navigator)
    expect(old.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(
        old.get_by_text("No referrals are assigned to you right now.")
    ).to_be_visible()
    response = old.goto(f"/referrals/{assigned_referral.code}/")
    assert response.status == 404
