import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_each_role_signs_in_and_sees_its_home_page(
    page, sign_in, clinic_user, supervisor, navigator, manager
):
    homes = [
        (clinic_user, "Referrals"),
        (supervisor, "Inbox"),
        (navigator, "My caseload"),
        (manager, "Program dashboard"),
    ]
    for user, heading in homes:
        sign_in(user)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        page.get_by_test_id("user-menu").click()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Sign")


def test_wrong_password_shows_an_error(page, sign_in, navigator):
    sign_in(navigator, password="not-the-right-one")
    expect(page.get_by_text("not correct")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value(navigator.email)


def test_language_switch_is_remembered_for_the_user(page, sign_in, navigator):
    sign_in(navigator)
    page.get_by_label("Language").select_option("es")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mis casos")
    navigator.refresh_from_db()
    assert navigator.language == "es"
