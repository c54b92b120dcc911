"""A navigator records a PAM and a story in Chromium; the program manager reads
only the stories whose consent and de-identified version allow it."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.services import stories
from evaluation.tests.factories import caseload_referral

pytestmark = pytest.mark.browser

ANSWERS = ["3", "2", "3", "4", "3", "2", "3", "3", "2", "3", "4", "3", "2"]


@pytest.fixture
def referral(partnership, clinic, supervisor, navigator):
    return caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        patient__first_name="Lucía",
        patient__last_name="Condori",
    )


def test_navigator_records_a_pam_from_the_patient_page_and_sees_it_listed(
    signed_in, referral, navigator
):
    page = signed_in(navigator)
    page.goto(f"/referrals/patients/{referral.patient.code}/")
    page.get_by_role("link", name="Patient activation (PAM) and stories").click()
    expect(page.get_by_text("No PAM recorded yet.")).to_be_visible()
    page.get_by_role("link", name="Record a PAM").click()
    expect(page.get_by_label("Baseline", exact=True)).to_be_checked()
    page.get_by_label("How").select_option(label="By phone")
    items = page.locator("fieldset fieldset")
    expect(items).to_have_count(13)
    for number, answer in enumerate(ANSWERS):
        items.nth(number).locator(f"input[value='{answer}']").check()
    page.get_by_role("button", name="Save the PAM").click()

    expect(page.get_by_text("The PAM was saved.")).to_be_visible()
    expect(page.get_by_text("37 (13 of 13 answered)")).to_be_visible()
    page.get_by_role("link", name="Back to the patient's PAMs").click()
    rows = page.get_by_role("row").filter(has_text="Baseline")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("37")
    expect(rows).to_contain_text("13/13")
    # A second PAM for this patient is offered as the follow-up.
    page.get_by_role("link", name="Record a PAM").click()
    expect(page.get_by_label("Follow-up", exact=True)).to_be_checked()


def test_story_with_consent_reaches_the_manager_without_the_tellers_words(
    signed_in, referral, navigator, manager
):
    withdrawn = stories.story_record(
        actor=navigator,
        patient=referral.patient,
        told_on=timezone.localdate() - datetime.timedelta(days=3),
        language="es",
        domain="food",
        title="Withdrawn story",
        text="Told and then taken back.",
        consent_scope="funder",
    )
    stories.story_deidentify(
        actor=navigator, story=withdrawn, deidentified_text="A story taken back."
    )
    stories.story_withdraw(actor=navigator, story=withdrawn)

    nav = signed_in(navigator)
    nav.goto(f"/evaluation/patients/{referral.patient.code}/pam/")
    nav.get_by_role("link", name="Record a story").click()
    nav.get_by_label("Title").fill("Back at the clinic")
    nav.get_by_label("Domain of change").select_option(label="Access to care")
    nav.get_by_label("The story, in the teller's words").fill(
        "Lucía says Nadia drove her to the clinic on Alder Street."
    )
    nav.get_by_label("Internal learning only").check()
    nav.get_by_label("The storyteller approved this written version").check()
    nav.get_by_role("button", name="Save the story").click()
    expect(nav.get_by_text("The story was saved.")).to_be_visible()
    expect(
        nav.get_by_text("Not written yet: the story is not shared until it is.")
    ).to_be_visible()

    manager_page = signed_in(manager)
    menu = manager_page.get_by_role("navigation")
    menu.get_by_role("button", name="Evaluation").click()
    menu.get_by_role("link", name="Stories").click()
    expect(manager_page.get_by_text("No stories match.")).to_be_visible()

    nav.get_by_role("link", name="Write or review the de-identified version").click()
    nav.get_by_label("De-identified version").fill(
        "A navigator drove the patient to her clinic."
    )
    nav.get_by_role("button", name="I reviewed it: save").click()
    expect(nav.get_by_text("The de-identified version was reviewed.")).to_be_visible()

    manager_page.reload()
    listed = manager_page.get_by_role("article")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text("Back at the clinic")
    expect(listed).to_contain_text("Internal learning only")
    listed.get_by_role("link", name="Back at the clinic").click()
    expect(
        manager_page.get_by_text("A navigator drove the patient to her clinic.")
    ).to_be_visible()
    content = manager_page.locator("main")
    expect(content).not_to_contain_text("Alder Street")
    expect(content).not_to_contain_text(re.compile("Lucía|Condori"))
