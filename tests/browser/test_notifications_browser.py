import pytest
from playwright.sync_api import expect

from referrals.services import assignment
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser


def test_navigator_sees_the_unread_count_and_opens_the_notification(
    page, sign_in, partnership, supervisor, navigator
):
    referral = ReferralFactory(partnership=partnership, patient__first_name="Lucia")
    assignment.referral_assign(referral=referral, actor=supervisor, navigator=navigator)
    sign_in(navigator)
    link = page.get_by_test_id("notifications-link")
    expect(link).to_contain_text("1")
    link.click()
    page.get_by_role("link", name="Referral assigned to you").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lucia")
    page.reload()
    expect(page.locator("[data-unread-badge]")).to_be_hidden()
