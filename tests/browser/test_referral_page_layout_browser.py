"""On a phone the referral page says who and what first; the actions follow as a
compact bar. On a laptop the actions stand beside the referral."""

import pytest
from playwright.sync_api import expect

from referrals.tests.factories import ReferralFactory
from referrals.tests.states import in_progress_referral

pytestmark = pytest.mark.browser

BOXES = """
() => Object.fromEntries(['patient-heading', 'referral-heading', 'actions-heading']
  .map((id) => [id, document.getElementById(id).closest('section')
    .getBoundingClientRect().toJSON()]))
"""

BUTTON_ROWS = """
() => new Set([...document.querySelectorAll('[data-testid=actions] .btn')]
  .map((button) => Math.round(button.getBoundingClientRect().top))).size
"""


@pytest.fixture
def referral(partnership, clinic, supervisor, navigator):
    return in_progress_referral(
        supervisor=supervisor,
        navigator=navigator,
        referral=ReferralFactory(
            partnership=partnership, clinic=clinic, social_needs=["food-insecurity"]
        ),
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_who_and_what_come_before_the_actions(
    signed_in, navigator, referral, language
):
    navigator.language = language
    page = signed_in(navigator, viewport={"width": 390, "height": 844})
    if language == "es":
        page.evaluate(
            "() => { const box = document.getElementById('language-select');"
            " box.value = 'es'; box.form.submit(); }"
        )
        expect(page.locator("html")).to_have_attribute("lang", "es")
    page.goto(f"/referrals/{referral.code}/")
    boxes = page.evaluate(BOXES)
    patient, what, actions = (
        boxes["patient-heading"],
        boxes["referral-heading"],
        boxes["actions-heading"],
    )
    assert patient["top"] < what["top"] < actions["top"]
    # The phone number and the needs are on the first screen.
    assert what["bottom"] < 844 * 2
    buttons = page.locator("[data-testid=actions] .btn")
    assert buttons.count() >= 6
    # A compact bar: buttons share rows (one under the other, they filled a screen).
    assert page.evaluate(BUTTON_ROWS) <= buttons.count() - 2
    assert page.evaluate("() => document.documentElement.scrollWidth - innerWidth") <= 0


def test_on_a_laptop_the_actions_stand_beside_the_referral(
    signed_in, navigator, referral
):
    page = signed_in(navigator, viewport={"width": 1280, "height": 900})
    page.goto(f"/referrals/{referral.code}/")
    boxes = page.evaluate(BOXES)
    assert boxes["actions-heading"]["left"] > boxes["referral-heading"]["right"]
    assert abs(boxes["actions-heading"]["top"] - boxes["referral-heading"]["top"]) < 2
    assert (
        page.evaluate(BUTTON_ROWS) == page.locator("[data-testid=actions] .btn").count()
    )
