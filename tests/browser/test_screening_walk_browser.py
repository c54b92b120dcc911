"""The screening walk in Chromium: the clinic screens a draft and accepts the
proposed needs, submits; the navigator rescreens from the closing page and
closes; the program manager reads the pair on the dashboard."""

import pytest
from playwright.sync_api import expect

from referrals.tests import states
from referrals.tests.screenings import CALM_AHC, NEEDY_AHC

pytestmark = pytest.mark.browser


def _answer(page, answers):
    for item, answer in answers.items():
        for code in [answer] if isinstance(answer, str) else answer:
            page.check(f'input[name="item_{item}"][value="{code}"]')
    page.get_by_role("button", name="Save the screening").click()


def test_screen_propose_submit_rescreen_close_and_read_the_pair(
    signed_in, clinic_user, supervisor, navigator, manager
):
    draft = states.draft_referral(
        clinic_user=clinic_user,
        social_needs=[],
        patient=None,
    )
    draft.patient.first_name, draft.patient.last_name = "Rosa", "Mamani"
    draft.patient.save()
    clinic = signed_in(clinic_user)
    clinic.goto(f"/referrals/{draft.code}/")
    clinic.get_by_role("link", name="Screen for social needs").click()
    expect(clinic.get_by_text("physically hurt you")).to_have_count(0)
    # "Check all that apply": mold and no heat at home.
    _answer(clinic, NEEDY_AHC | {"96778-6": ["LA28580-1", "LA31998-0"]})
    expect(clinic.get_by_test_id("screening-results")).to_contain_text(
        "Inadequate housing: Positive"
    )
    proposed = clinic.get_by_test_id("proposed-needs")
    expect(proposed.get_by_label("Food insecurity")).to_be_checked()
    proposed.get_by_label("Transportation").uncheck()
    proposed.get_by_label("Inadequate housing").uncheck()
    proposed.get_by_role("button", name="Add these needs to the referral").click()
    expect(clinic.get_by_role("heading", level=1)).to_be_visible()
    clinic.goto(f"/referrals/{draft.code}/")
    clinic.get_by_role("button", name="Submit to the CBO").click()
    expect(clinic.get_by_text("The referral is sent to the CBO.")).to_be_visible()
    draft.refresh_from_db()
    assert draft.social_needs == ["food-insecurity"]

    states.in_progress_referral(
        supervisor=supervisor, navigator=navigator, referral=draft
    )
    nav = signed_in(navigator)
    nav.goto(f"/referrals/{draft.code}/")
    expect(nav.get_by_test_id("screenings")).to_contain_text("3 positive")
    nav.get_by_role("link", name="Close: needs addressed").click()
    nav.get_by_role("link", name="Rescreen with the same instrument").click()
    _answer(nav, CALM_AHC)
    expect(nav.get_by_test_id("screening-results")).to_contain_text(
        "Food insecurity: No need found"
    )
    nav.goto(f"/referrals/{draft.code}/")
    nav.get_by_role("link", name="Close: needs addressed").click()
    nav.get_by_role("group", name="Food insecurity").get_by_label(
        "Resolved", exact=True
    ).check()
    nav.get_by_label("Closing note for the clinic").fill("Pantry every Tuesday.")
    nav.get_by_role("button", name="Check what the clinic will read").click()
    nav.get_by_role("button", name="Close the referral").click()
    expect(nav.locator("h1 + .badge")).to_have_text("Completed")

    board = signed_in(manager)
    board.goto("/evaluation/")
    panel = board.get_by_test_id("screening-panel")
    row = panel.get_by_role("row", name="Food insecurity")
    # After the screened, positive and with-a-need columns: paired 1, resolved 1.
    expect(row).to_contain_text("Food insecurity")
    cells = row.locator("td")
    expect(cells.nth(5)).to_have_text("1")
    expect(cells.nth(6)).to_have_text("1")


def test_on_a_phone_the_navigator_ticks_the_housing_problems(
    signed_in, clinic_user, supervisor, navigator, tmp_path
):
    referral = states.in_progress_referral(
        supervisor=supervisor, navigator=navigator, clinic_user=clinic_user
    )
    nav = signed_in(navigator, viewport={"width": 390, "height": 844})
    nav.goto(f"/referrals/{referral.code}/screening/")
    question = nav.get_by_role(
        "group", name="Think about the place you live. Do you have problems"
    )
    question.get_by_label("Mold").check()
    question.get_by_label("None of the above").check()
    answers = {k: v for k, v in CALM_AHC.items() if k != "96778-6"}
    _answer(nav, answers)
    question = nav.get_by_role(
        "group", name="Think about the place you live. Do you have problems"
    )
    expect(question).to_contain_text(
        "“None of the above” cannot be chosen with another answer."
    )
    expect(question.get_by_label("Mold")).to_be_checked()
    question.scroll_into_view_if_needed()
    nav.screenshot(path=str(tmp_path / "housing-problems-phone.png"))
    question.get_by_label("None of the above").uncheck()
    question.get_by_label("Water leaks").check()
    nav.get_by_role("button", name="Save the screening").click()
    expect(nav.get_by_test_id("screening-results")).to_contain_text(
        "Inadequate housing: Positive"
    )
