"""Ticking a pathway step updates the step where it is, without reloading the page."""

import pytest
from playwright.sync_api import expect

from referrals.models import Pathway
from referrals.services import pathways
from referrals.tests.states import assigned_referral

pytestmark = pytest.mark.browser


def test_a_tick_updates_the_step_and_the_count_in_place(
    signed_in, supervisor, navigator, clinic_user
):
    referral = assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    pathway = pathways.pathway_open(
        referral=referral, actor=navigator, need="food-insecurity", goal="Food"
    )
    first = pathway.steps.first()
    total = pathway.steps.count()
    page = signed_in(navigator)
    page.goto(f"/referrals/pathways/{pathway.code}/")
    page.evaluate("() => { window.notReloaded = true; }")

    page.locator(f"#step-{first.pk}").get_by_role("button").click()

    step = page.locator(f"#step-{first.pk}")
    expect(step.get_by_role("button")).to_contain_text("Done")
    expect(page.locator("[data-steps-summary]")).to_have_text(f"1 of {total} done")
    assert page.evaluate("() => window.notReloaded") is True
    first.refresh_from_db()
    assert first.done_at is not None
    assert pathway.events.filter(reason_code=Pathway.Event.STEP_DONE).exists()

    step.get_by_role("button").click()
    expect(page.locator("[data-steps-summary]")).to_have_text(f"0 of {total} done")
    assert page.evaluate("() => window.notReloaded") is True
