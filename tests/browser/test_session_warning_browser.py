"""Before the idle timeout the page warns; "Stay signed in" keeps the session,
doing nothing ends it and the page goes to sign-in."""

import datetime

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def short_session(settings):
    # The live server runs in this process: it sees these values. The warning
    # comes three seconds after each activity, the sign-out after eight.
    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(seconds=8)
    settings.SESSION_WARNING_SECONDS = 5


def test_stay_signed_in_keeps_the_session(page, sign_in, navigator, short_session):
    sign_in(navigator)
    assert page.url.endswith("/referrals/caseload/")
    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=6_000)
    expect(warning).to_contain_text("you will be signed out in")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    # Past the first deadline: still signed in, and the warning comes again later.
    page.wait_for_timeout(6_000)
    assert "/accounts/login/" not in page.url
    expect(warning).to_be_visible(timeout=6_000)
    warning.get_by_role("button", name="Stay signed in").click()
    response = page.goto("/referrals/caseload/")
    assert response.url.endswith("/referrals/caseload/")


def test_without_an_answer_the_page_goes_to_sign_in(
    page, sign_in, navigator, short_session
):
    sign_in(navigator)
    warning = page.get_by_role("dialog", name="Are you still there?")
    expect(warning).to_be_visible(timeout=6_000)
    page.wait_for_url("**/accounts/login/**", timeout=10_000)
    expect(page.get_by_role("heading", name="Sign in to chwlink")).to_be_visible()
    page.goto("/referrals/caseload/")
    assert "/accounts/login/" in page.url
