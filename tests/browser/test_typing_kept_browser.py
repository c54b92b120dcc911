"""What a person typed is never lost without a word: switching language keeps a
half-filled form, and a long note shows its limit instead of being cut."""

import pytest
from playwright.sync_api import expect

from evaluation.tests.factories import caseload_referral
from referrals.models import Encounter

pytestmark = pytest.mark.browser


def test_switching_language_keeps_a_half_filled_form(signed_in, clinic_user):
    page = signed_in(clinic_user)
    page.goto("/referrals/patients/new/")
    page.get_by_label("First name").fill("Elena")
    page.get_by_label("Last name").fill("Quispe")
    page.get_by_label("Date of birth").fill("1970-04-12")
    page.get_by_label("Preferred language").select_option("es")
    heading = page.get_by_role("heading", level=1).inner_text()

    page.locator("#language-select").select_option("es")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    expect(page.get_by_role("heading", level=1)).not_to_have_text(heading)
    expect(page.locator("[name=first_name]")).to_have_value("Elena")
    expect(page.locator("[name=last_name]")).to_have_value("Quispe")
    expect(page.locator("[name=date_of_birth]")).to_have_value("1970-04-12")
    expect(page.locator("[name=preferred_language]")).to_have_value("es")
    # Kept only for the reload: nothing of the patient stays in the browser.
    assert page.evaluate("() => window.sessionStorage.length") == 0
    page.reload()
    expect(page.locator("[name=first_name]")).to_have_value("")


@pytest.fixture
def referral(partnership, supervisor, navigator):
    return caseload_referral(
        partnership=partnership, supervisor=supervisor, navigator=navigator
    )


def test_a_long_note_shows_its_limit_and_is_refused_whole(
    signed_in, navigator, referral
):
    page = signed_in(navigator)
    page.goto(f"/referrals/{referral.code}/contacts/new/")
    note = page.get_by_label("Note")
    note.fill("a" * 3990)
    expect(page.get_by_text("3,990 of 4,000 characters")).to_be_visible()

    note.fill("b" * 4125)
    expect(
        page.get_by_text("4,125 of 4,000 characters: 125 too many.", exact=False)
    ).to_be_visible()
    assert len(note.input_value()) == 4125
    page.get_by_label("Minutes spent").fill("15")
    page.get_by_role("button", name="Save the contact").click()

    expect(page.get_by_text("at most 4000 characters")).to_be_visible()
    assert len(page.get_by_label("Note").input_value()) == 4125
    assert Encounter.objects.count() == 0
