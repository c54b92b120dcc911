"""Headless Chromium visits the main pages of each role; CSP blocks nothing."""

import pytest

from evaluation.tests.factories import caseload_referral
from partners.models import User
from partners.tests.factories import PASSWORD

pytestmark = pytest.mark.browser
Role = User.Role

# Runs before any page script; the browser reports every blocked resource or inline
# code as a `securitypolicyviolation` event.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI} ` +
      `(${event.sourceFile}:${event.lineNumber})`
  );
});
"""


@pytest.fixture
def referral(partnership, clinic, clinic_user, supervisor, navigator):
    return caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        referred_by=clinic_user,
    )


def visit_as(browser, live_server, user, urls):
    """Signs in in a fresh browser context and returns the violations seen."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    violations = []
    try:
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("networkidle")
        violations += [f"sign-in: {v}" for v in page.evaluate("window.__cspViolations")]
        for url in urls:
            response = page.goto(url)
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
            found = page.evaluate("window.__cspViolations")
            violations += [f"{url}: {violation}" for violation in found]
    finally:
        context.close()
    return violations + console


def test_main_pages_of_every_role_report_no_csp_violation(
    browser, live_server, referral, clinic_user, supervisor, navigator, manager
):
    detail = f"/referrals/{referral.code}/"
    patient = f"/referrals/patients/{referral.patient.code}/"
    tours = [
        (clinic_user, ["/referrals/", "/referrals/new/", detail, patient]),
        (supervisor, ["/referrals/inbox/", detail, "/referrals/pathways/approvals/"]),
        (
            navigator,
            ["/referrals/caseload/", detail, patient, "/referrals/notifications/"],
        ),
        (manager, ["/evaluation/", "/partnerships/", "/evaluation/reports/"]),
    ]
    for user, urls in tours:
        assert visit_as(browser, live_server, user, urls) == [], user.role


def test_the_recorder_sees_a_blocked_inline_script(browser, live_server, navigator):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.add_init_script(RECORD_VIOLATIONS)
    try:
        page.goto("/accounts/login/")
        page.evaluate(
            """() => {
              const script = document.createElement("script");
              script.textContent = "window.inlineRan = true";
              document.body.append(script);
            }"""
        )
        page.wait_for_function("window.__cspViolations.length > 0")
        assert page.evaluate("window.inlineRan") is None
    finally:
        context.close()
