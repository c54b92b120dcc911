"""The directory as a navigator uses it on a phone: resources near a ZIP code,
nearest first, with their capacity, phone and hours, and a page of details to give
the patient."""

import re

import pytest
from playwright.sync_api import expect

from referrals.demo_directory import seed_directory

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


def test_a_navigator_finds_the_nearest_pantry_and_prints_it_for_the_patient(
    signed_in, partnership, navigator
):
    seed_directory(partnership.cbo)
    nav = signed_in(navigator, **PHONE)
    nav.goto("/referrals/resources/")
    # On a phone the button comes after every filter, not between them.
    button = nav.get_by_role("button", name="Search").bounding_box()
    assert button["y"] > nav.get_by_label("Open now").bounding_box()["y"]
    nav.get_by_label("Near ZIP code").fill("97266")
    nav.get_by_label("Within").select_option("5")
    nav.get_by_label("New clients").select_option("accepting")
    nav.get_by_role("button", name="Search").click()
    first = nav.locator("article").first
    expect(first.get_by_role("heading")).to_contain_text("Community food pantry")
    expect(first.get_by_test_id("distance")).to_have_text(re.compile(r"mi away$"))
    expect(first).to_contain_text("Accepting new clients")
    distances = [
        float(text.split()[0])
        for text in nav.get_by_test_id("distance").all_inner_texts()
    ]
    assert distances == sorted(distances) and all(d <= 5 for d in distances)
    expect(
        first.get_by_role("link", name=re.compile(r"^\d{3}-\d{3}-\d{4}$"))
    ).to_have_count(1)
    nav.screenshot(path="test-results/directory-list-phone.png", full_page=True)
    # What was searched stays in the form.
    expect(nav.get_by_label("Near ZIP code")).to_have_value("97266")

    first.get_by_role("link", name="Details for the patient").click()
    expect(nav.get_by_role("heading", level=1)).to_contain_text("Community food pantry")
    expect(nav.locator("body")).to_contain_text("Tue")
    nav.screenshot(path="test-results/directory-print-phone.png", full_page=True)


def test_a_zip_code_that_is_not_one_is_said_beside_the_field(
    signed_in, partnership, navigator
):
    seed_directory(partnership.cbo)
    nav = signed_in(navigator)
    nav.goto("/referrals/resources/")
    nav.get_by_label("Near ZIP code").fill("9726")
    nav.get_by_role("button", name="Search").click()
    field = nav.get_by_label("Near ZIP code")
    expect(field).to_have_value("9726")
    expect(field).to_have_class(re.compile("is-invalid"))
