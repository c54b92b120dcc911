"""The navigator texts a patient from the referral on a phone, and the reply shows
in the conversation, with each text's status, without the page spilling sideways."""

import pytest
from playwright.sync_api import expect

from referrals.tests.texting import SENDING_NUMBER, texting_referral
from referrals.texting.webhook import inbound_receive

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


def test_the_conversation_on_a_phone(signed_in, clinic_user, supervisor, navigator):
    referral = texting_referral(
        clinic_user=clinic_user, supervisor=supervisor, navigator=navigator
    )
    page = signed_in(navigator, **PHONE)
    page.goto(f"/referrals/{referral.code}/")
    texts = page.locator("#texts")
    expect(texts.get_by_role("heading", name="Text messages")).to_be_visible()
    expect(texts.locator("#text-consent-state")).to_contain_text("Consents to texts")
    texts.get_by_role("link", name="Introduction").click()
    box = page.get_by_label("Text to the patient")
    first = referral.patient.first_name
    expect(box).to_have_value(
        f"Hola {first}, soy Nadia, su navegador(a) de Home CBO. Le llamaré mañana."
    )
    page.get_by_role("button", name="Send text").click()
    expect(page.get_by_text("The text is on its way to the patient.")).to_be_visible()
    conversation = page.get_by_role("list", name="Conversation")
    expect(conversation.locator("li")).to_have_count(1)
    expect(conversation).to_contain_text("Waiting to be sent")

    inbound_receive(
        sid="SM-browser",
        sender=referral.patient.phone.as_e164,
        to=SENDING_NUMBER,
        body="Sí, mañana está bien.",
    )
    page.reload()
    expect(conversation.locator("li")).to_have_count(2)
    expect(conversation.locator("li").last).to_contain_text("Sí, mañana está bien.")
    expect(conversation.locator("li").last).to_contain_text("Received")
    bubble = conversation.locator(".text-bubble").last.bounding_box()
    assert bubble["x"] >= 0 and bubble["x"] + bubble["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The contact attempt by text is on the caseload's record of contacts.
    expect(page.locator("#contacts-heading")).to_be_visible()
    expect(page.get_by_text("Text message").first).to_be_visible()
