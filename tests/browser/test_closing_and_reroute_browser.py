"""Closing with each need's outcome, and sending a declined referral on, in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from evaluation.tests.factories import caseload_referral
from partners.models import User
from partners.tests.factories import (
    OrganizationFactory,
    PartnershipFactory,
    UserFactory,
)
from referrals.services import contacts
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def status_badge(page):
    return page.locator("h1 + .badge")


def test_closing_asks_each_need_then_shows_what_the_clinic_reads(
    signed_in, partnership, clinic, clinic_user, supervisor, navigator, tmp_path
):
    referral = caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        referred_by=clinic_user,
        social_needs=["food-insecurity", "housing-instability"],
        patient__first_name="Rosa",
        patient__last_name="Mamani",
    )
    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=referral.assigned_at,
        mode="phone",
        reached=True,
        minutes=10,
    )
    nav = signed_in(navigator)
    nav.get_by_role("link", name="Rosa Mamani").click()
    nav.get_by_role("link", name="Close: needs addressed").click()
    food = nav.get_by_role("group", name="Food insecurity")
    housing = nav.get_by_role("group", name="Housing instability")
    food.get_by_label("Resolved", exact=True).check()
    nav.get_by_label("Closing note for the clinic").fill("Pantry every Tuesday.")
    nav.get_by_role("button", name="Check what the clinic will read").click()
    # The need left out is named beside it; what was chosen and typed stays.
    expect(housing).to_contain_text("Choose what became of this need.")
    expect(food.get_by_label("Resolved", exact=True)).to_be_checked()
    expect(nav.get_by_label("Closing note for the clinic")).to_have_value(
        "Pantry every Tuesday."
    )
    housing.get_by_label("Referred elsewhere").check()
    nav.screenshot(path=tmp_path / "close-1280.png", full_page=True)
    nav.get_by_role("button", name="Check what the clinic will read").click()
    summary = nav.locator("[data-need-outcomes]")
    expect(summary).to_contain_text("Food insecurity: Resolved")
    expect(summary).to_contain_text("Housing instability: Referred elsewhere")
    expect(status_badge(nav)).to_have_count(0)
    nav.screenshot(path=tmp_path / "close-confirm-1280.png", full_page=True)
    nav.set_viewport_size(PHONE)
    nav.screenshot(path=tmp_path / "close-confirm-390.png", full_page=True)
    nav.get_by_role("button", name="Close the referral").click()
    expect(status_badge(nav)).to_have_text("Completed")

    clinic_page = signed_in(clinic_user)
    clinic_page.get_by_role("row", name=re.compile("Rosa Mamani")).get_by_role(
        "link", name="Rosa Mamani"
    ).click()
    outcomes = clinic_page.locator("[data-need-outcomes]")
    expect(outcomes).to_contain_text("Food insecurity: Resolved")
    expect(outcomes).to_contain_text("Housing instability: Referred elsewhere")
    expect(clinic_page.get_by_text("Pantry every Tuesday.").first).to_be_visible()
    clinic_page.screenshot(path=tmp_path / "closed-clinic-1280.png", full_page=True)


def test_the_clinic_sends_a_declined_referral_to_another_cbo(
    signed_in, partnership, clinic, clinic_user, supervisor, tmp_path
):
    second = PartnershipFactory(
        health_system=partnership.health_system,
        cbo=OrganizationFactory(kind="cbo", name="Second CBO"),
    )
    sol = UserFactory(
        email="sol@second.test",
        first_name="Sol",
        role=User.Role.SUPERVISOR,
        organization=second.cbo,
    )
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
    boss.get_by_label("No capacity right now").check()
    boss.get_by_role("button", name="Confirm").click()
    expect(status_badge(boss)).to_have_text("Declined")

    clinic_page = signed_in(clinic_user)
    clinic_page.get_by_role("row", name=re.compile("Inés Choque")).get_by_role(
        "link", name="Inés Choque"
    ).click()
    expect(clinic_page.locator("[data-after-decline]")).to_contain_text(
        "The CBO has no room right now"
    )
    clinic_page.get_by_role("link", name="Send to another organization").click()
    clinic_page.get_by_label("Second CBO").check()
    clinic_page.get_by_label("Note for the new organization (optional)").fill(
        "Home CBO's list is full."
    )
    clinic_page.get_by_role("button", name="Send the referral").click()
    expect(
        clinic_page.get_by_text("Ask the patient first: tick this once they agree.")
    ).to_be_visible()
    expect(clinic_page.get_by_label("Second CBO")).to_be_checked()
    clinic_page.screenshot(path=tmp_path / "reroute-1280.png", full_page=True)
    clinic_page.set_viewport_size(PHONE)
    clinic_page.screenshot(path=tmp_path / "reroute-390.png", full_page=True)
    clinic_page.get_by_label(
        "The patient agrees to share this referral with that organization."
    ).check()
    clinic_page.get_by_role("button", name="Send the referral").click()
    expect(clinic_page.get_by_text("Referral sent on to Second CBO.")).to_be_visible()
    expect(status_badge(clinic_page)).to_have_text("Submitted")
    timeline = clinic_page.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text("after Home CBO declined referral")
    expect(timeline).to_contain_text("Home CBO's list is full.")

    second_page = signed_in(sol)
    second_page.get_by_role("link", name="Inés Choque").click()
    expect(second_page.get_by_text("declined by Home CBO")).to_be_visible()


def test_a_manager_closes_a_day_and_a_supervisor_reopens_a_referral(
    signed_in,
    partnership,
    clinic,
    clinic_user,
    supervisor,
    navigator,
    manager,
    tmp_path,
):
    boss_of_program = signed_in(manager)
    boss_of_program.goto(f"/partnerships/{partnership.code}/closed-days/")
    expect(boss_of_program.locator(".is-invalid")).to_have_count(0)
    boss_of_program.get_by_role("textbox", name="Day").fill("2026-12-24")
    boss_of_program.get_by_label("Why closed").fill("Staff training")
    boss_of_program.get_by_role("button", name="Add the day").click()
    expect(boss_of_program.get_by_role("cell", name="Staff training")).to_be_visible()
    boss_of_program.screenshot(path=tmp_path / "closed-days-1280.png", full_page=True)
    boss_of_program.set_viewport_size(PHONE)
    boss_of_program.screenshot(path=tmp_path / "closed-days-390.png", full_page=True)

    referral = caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Luz",
        patient__last_name="Apaza",
    )
    from referrals.services import workflow
    from referrals.tests.states import closing_of

    contacts.encounter_log(
        referral=referral,
        actor=navigator,
        occurred_at=referral.assigned_at,
        mode="phone",
        reached=True,
        minutes=5,
    )
    referral.refresh_from_db()
    workflow.referral_transition(
        referral=referral, actor=navigator, name="complete", **closing_of(referral)
    )
    boss = signed_in(supervisor)
    boss.goto(f"/referrals/{referral.code}/")
    boss.get_by_role("link", name="Reopen the referral").click()
    boss.get_by_label("The need came back or was not met").check()
    boss.get_by_label("Details").fill("Lost the pantry slot.")
    boss.screenshot(path=tmp_path / "reopen-1280.png", full_page=True)
    boss.get_by_role("button", name="Confirm").click()
    expect(status_badge(boss)).to_have_text("In progress")
    timeline = boss.get_by_role("region", name="Timeline")
    expect(timeline).to_contain_text(
        f"{supervisor.get_full_name()} reopened the referral for "
        f"{navigator.get_full_name()}."
    )
