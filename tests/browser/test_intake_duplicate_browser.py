"""Clinic staff registering a patient who is already there are warned, and refer
the existing record instead of adding them twice."""

import datetime

import pytest
from playwright.sync_api import expect

from referrals.models import Patient
from referrals.tests.factories import PatientFactory

pytestmark = pytest.mark.browser


def test_clinic_is_warned_of_the_same_name_and_birth_date_and_refers_the_existing(
    signed_in, partnership, clinic_user
):
    existing = PatientFactory(
        health_system=partnership.health_system,
        first_name="Elena",
        last_name="Quispe",
        date_of_birth=datetime.date(1970, 4, 12),
        mrn="MRN-10001",
    )
    page = signed_in(clinic_user)
    page.get_by_role("link", name="New referral").click()
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("First name").fill("Elena")
    # Typed differently from the record: the check ignores case.
    page.get_by_label("Last name").fill("QUISPE")
    page.get_by_label("Date of birth").fill("1970-04-12")
    page.get_by_label("Medical record number").fill("MRN-20002")
    page.get_by_label("Preferred language").select_option("es")
    page.get_by_role("button", name="Add the patient and continue").click()

    warning = page.get_by_role("region", name="This patient may already be registered")
    expect(warning).to_be_visible()
    match = warning.get_by_role("row", name="Quispe, Elena")
    expect(match).to_contain_text("MRN-10001")
    expect(
        warning.get_by_text(
            "Open the existing record if it is the same person; "
            "otherwise tick this box.",
            exact=True,
        )
    ).to_be_visible()
    expect(
        page.get_by_label("This is a different person: add the new patient anyway")
    ).not_to_be_checked()
    assert Patient.objects.count() == 1

    match.get_by_role("link", name="Refer this patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Refer Elena Quispe to the CBO"
    )
    summary = page.get_by_role("region", name="Patient")
    expect(summary).to_contain_text("MRN-10001")
    assert page.url.endswith(f"/referrals/new/{existing.code}/")
    assert Patient.objects.count() == 1
