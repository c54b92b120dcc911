"""The loop closed for a clinic's EHR: its system posts the IG's referral, people
work it in the browser, and the system's poll sees it completed with a Procedure."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from referrals.models import Referral
from referrals.tests.fhir_clients import Ehr
from referrals.tests.test_fhir_api_writes import ig_referral, post

pytestmark = pytest.mark.browser


def test_an_ehrs_referral_is_worked_in_the_browser_and_polled_back_completed(
    signed_in, clinic, partnership, supervisor, navigator
):
    ehr, http = Ehr(clinic), Client()
    response = post(http, ehr, "/fhir/", ig_referral(partnership))
    assert response.status_code == 200, response.content
    task_id = Referral.objects.get().code

    # The supervisor finds it in the inbox, accepts it and assigns a navigator.
    boss = signed_in(supervisor)
    boss.get_by_role("link", name=re.compile("ABBAS", re.IGNORECASE)).first.click()
    boss.get_by_role("button", name="Accept").click()
    boss.get_by_role("link", name="Assign a navigator").click()
    boss.get_by_label(re.compile(navigator.first_name)).check()
    boss.get_by_role("button", name="Assign", exact=True).click()
    expect(
        boss.get_by_text(f"assigned the referral to {navigator.first_name}")
    ).to_be_visible()

    # The navigator reaches the patient and closes the referral, need resolved.
    nav = signed_in(navigator)
    nav.get_by_role("link", name=re.compile("ABBAS", re.IGNORECASE)).first.click()
    nav.get_by_role("link", name="Log a contact").first.click()
    nav.get_by_label("Yes, we talked", exact=True).check()
    nav.get_by_label("Minutes spent").fill("15")
    nav.get_by_role("button", name="Save the contact").click()
    nav.get_by_role("link", name="Close: needs addressed").click()
    nav.get_by_label("Closing note for the clinic").fill("Signed up at the pantry.")
    nav.get_by_role("group", name="Food insecurity").get_by_label(
        "Resolved", exact=True
    ).check()
    nav.get_by_role("button", name="Check what the clinic will read").click()
    nav.get_by_role("button", name="Close the referral").click()
    expect(nav.locator("h1 + .badge")).to_have_text("Completed")

    # The EHR's poll of its Tasks sees the completion and the Procedure beside it.
    token = ehr.token(http)
    bundle = http.get(
        "/fhir/Task",
        {"_id": str(task_id), "_include": "Task:output"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    resources = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    task, procedure = resources["Task"], resources["Procedure"]
    assert task["status"] == "completed"
    output = task["output"][0]["valueReference"]["reference"]
    assert output == f"Procedure/{procedure['id']}"
    assert procedure["status"] == "completed"
    assert procedure["basedOn"][0]["reference"].startswith("ServiceRequest/")
