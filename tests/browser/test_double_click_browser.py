"""A second click on a creating form's button while the form is on its way sends
nothing: the button is disabled until the answer comes, the pressed button still
counts ("Submit to the CBO", not "Save draft"), and one referral and one contact
are made."""

import pytest
from playwright.sync_api import expect

from referrals.models import Encounter, Referral
from referrals.tests import states
from referrals.tests.factories import PatientFactory

pytestmark = pytest.mark.browser


# Counts the submissions that leave the form and holds them back (a listener on the
# window runs after the page's own), so a second press can be made while the first
# is "on its way" without any waiting.
HOLD_SUBMISSIONS = """() => {
  window.submissions = 0;
  window.addEventListener("submit", (event) => {
    window.submissions += 1;
    event.preventDefault();
  });
}"""


def click_twice(page, name):
    """Press the button, press it again while the form is on its way; then send the
    form as the browser would have, with what the page put in it."""
    page.evaluate(HOLD_SUBMISSIONS)
    button = page.get_by_role("button", name=name)
    button.click()
    expect(button).to_be_disabled()
    # A real click where the button is, whatever its state.
    button.click(force=True)
    sent = page.evaluate("window.submissions")
    button.evaluate("button => button.form.submit()")
    return sent


def test_double_clicking_submit_to_the_cbo_sends_one_referral(signed_in, clinic_user):
    patient = PatientFactory(
        health_system=clinic_user.organization,
        created_by=clinic_user,
        first_name="Elena",
        last_name="Quispe",
    )
    page = signed_in(clinic_user)
    path = f"/referrals/new/{patient.code}/"
    page.goto(path)
    page.get_by_label("Food insecurity").check()
    page.get_by_label(
        "The patient agrees that we share their information with the CBO"
    ).check()

    sent = click_twice(page, "Submit to the CBO")

    expect(page.get_by_text("The referral is sent to the CBO.")).to_be_visible()
    assert sent == 1
    referral = Referral.objects.get(patient=patient)
    assert referral.status == Referral.Status.SUBMITTED
    assert page.url.endswith(f"/referrals/{referral.code}/")


def test_double_clicking_save_the_contact_logs_one_contact(
    signed_in, clinic_user, supervisor, navigator
):
    referral = states.assigned_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    page = signed_in(navigator)
    path = f"/referrals/{referral.code}/contacts/new/"
    page.goto(path)
    page.get_by_label("Yes, we talked", exact=True).check()
    page.get_by_label("Minutes spent").fill("20")

    sent = click_twice(page, "Save the contact")

    expect(page.get_by_text("Contact saved.")).to_be_visible()
    assert sent == 1
    assert Encounter.objects.filter(referral=referral).count() == 1
