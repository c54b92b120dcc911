"""The whole loop in a real browser: clinic → supervisor → navigator → clinic."""

import re

import pytest
from playwright.sync_api import expect

from referrals.models import ResourceOrganization, ResourceService

pytestmark = pytest.mark.browser


@pytest.fixture
def food_pantry(partnership):
    organization = ResourceOrganization.objects.create(
        directory_owner=partnership.cbo, name="Eastside Food Bank"
    )
    return ResourceService.objects.create(
        organization=organization,
        name="Weekly food pantry",
        needs=["food-insecurity"],
        languages=["es", "en"],
        hours="Tue and Thu 10-2",
        capacity_note="Taking new clients",
    )


def test_referral_travels_the_whole_loop(
    signed_in, clinic_user, supervisor, navigator, food_pantry
):
    # Clinic staff find no such patient, register her and submit a referral.
    clinic = signed_in(clinic_user)
    clinic.get_by_role("link", name="New referral").click()
    clinic.get_by_label("Last name").fill("Quispe")
    clinic.get_by_label("Date of birth").fill("1970-04-12")
    clinic.get_by_role("button", name="Search").click()
    clinic.get_by_role("link", name="New patient").click()
    clinic.get_by_label("First name").fill("Elena")
    clinic.get_by_label("Last name").fill("Quispe")
    clinic.get_by_label("Date of birth").fill("1970-04-12")
    clinic.get_by_label("Medical record number").fill("MRN-77001")
    clinic.get_by_label("Preferred language").select_option("es")
    clinic.get_by_label("Phone", exact=True).fill("503-555-0199")
    clinic.get_by_role("button", name="Add the patient and continue").click()
    clinic.get_by_label("Food insecurity").check()
    clinic.get_by_label("Diabetes").check()
    clinic.get_by_label(re.compile("agrees that we share")).check()
    clinic.get_by_role("button", name="Submit to the CBO").click()
    expect(clinic.get_by_text("sent the referral to the CBO")).to_be_visible()

    # The supervisor accepts it from the inbox and assigns the Spanish speaker.
    boss = signed_in(supervisor)
    boss.get_by_role("link", name="Elena Quispe").click()
    boss.get_by_role("button", name="Accept").click()
    boss.get_by_role("link", name="Assign a navigator").click()
    boss.get_by_label(re.compile(navigator.first_name)).check()
    boss.get_by_role("button", name="Assign", exact=True).click()
    expect(
        boss.get_by_text(f"assigned the referral to {navigator.first_name}")
    ).to_be_visible()

    # The navigator fails to reach her once, then reaches her.
    nav = signed_in(navigator)
    nav.get_by_role("link", name="Elena Quispe").click()
    for reached, minutes in (("No, not reached", "5"), ("Yes, we talked", "20")):
        nav.get_by_role("link", name="Log a contact").first.click()
        nav.get_by_label(reached, exact=True).check()
        nav.get_by_label("Minutes spent").fill(minutes)
        nav.get_by_role("button", name="Save the contact").click()
    expect(nav.locator("h1 + .badge")).to_have_text("In progress")

    # She opens a food pathway, links the pantry and completes it.
    nav.get_by_role("link", name="Open a pathway").first.click()
    nav.get_by_label("Goal").fill("Enough food every week")
    nav.get_by_role("button", name="Open the pathway").click()
    nav.get_by_role("button", name=re.compile("^Link")).first.click()
    expect(nav.get_by_text("Weekly food pantry").first).to_be_visible()
    nav.get_by_role("link", name="Close the pathway").click()
    nav.get_by_label("Completed: the need is resolved").check()
    nav.get_by_label("What happened").fill("Enrolled at the pantry")
    nav.get_by_role("button", name="Close the pathway").click()

    # The supervisor approves the completed pathway.
    # A supervisor's referral pages sit in the menu's Referrals area.
    boss.get_by_role("navigation").get_by_role("button", name="Referrals").click()
    boss.get_by_role("link", name="Pathway approvals").click()
    boss.get_by_role(
        "link", name=re.compile("Elena Quispe|Food security")
    ).first.click()
    boss.get_by_role("button", name="Approve: the need is resolved").click()
    expect(boss.get_by_text("Approved · counts as an outcome")).to_be_visible()

    # The navigator closes the referral with its needs addressed.
    nav.goto("/referrals/caseload/")
    nav.get_by_role("link", name="Elena Quispe").click()
    nav.get_by_role("link", name="Close: needs addressed").click()
    # Nothing closes in one tap: each need's outcome, a note, then a check.
    nav.get_by_role("button", name="Check what the clinic will read").click()
    need = nav.get_by_role("group", name="Food insecurity")
    expect(need).to_contain_text("Choose what became of this need.")
    nav.get_by_label("Closing note for the clinic").fill("Pantry every Tuesday.")
    need.get_by_label("Resolved", exact=True).check()
    nav.get_by_role("button", name="Check what the clinic will read").click()
    expect(nav.locator("[data-need-outcomes]")).to_have_text(
        "Food insecurity: Resolved"
    )
    nav.get_by_role("button", name="Close the referral").click()
    expect(nav.locator("h1 + .badge")).to_have_text("Completed")

    # The clinic sees the loop closed on its list and on the timeline.
    clinic.goto("/referrals/")
    row = clinic.get_by_role("row", name=re.compile("Elena Quispe"))
    expect(row).to_contain_text("Completed")
    expect(row).to_contain_text(navigator.first_name)
    row.get_by_role("link", name="Elena Quispe").click()
    expect(
        clinic.get_by_text("approved the completed Food security pathway")
    ).to_be_visible()
    expect(clinic.get_by_text(re.compile("to “Completed”"))).to_be_visible()
    expect(clinic.locator("[data-need-outcomes]")).to_have_text(
        "Food insecurity: Resolved"
    )
    expect(clinic.get_by_text("Pantry every Tuesday.").first).to_be_visible()
