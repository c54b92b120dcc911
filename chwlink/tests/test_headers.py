"""Security headers and cookies: HSTS, a strict CSP with no inline code in the main
pages, no caching of pages with PHI, frame denial and `__Host-` cookies."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import override_settings

from evaluation.tests.factories import caseload_referral
from partners.models import User

ROOT = Path(__file__).resolve().parents[2]
Role = User.Role


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes and
    inline event handlers. JSON data blocks (``json_script``) are data, not code."""

    def __init__(self):
        super().__init__()
        self.problems = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        inline = tag == "script" and not attributes.get("src")
        if inline and attributes.get("type") != "application/json":
            self.problems.append(f"inline <script> at line {self.getpos()[0]}")
        if tag == "style":
            self.problems.append(f"<style> block at line {self.getpos()[0]}")
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.problems.append(f'{name}="…" on <{tag}> at {self.getpos()[0]}')


def inline_code(html: str) -> list[str]:
    finder = InlineCodeFinder()
    finder.feed(html)
    return finder.problems


@pytest.fixture
def referral(partnership, clinic, clinic_user, supervisor, navigator):
    return caseload_referral(
        partnership=partnership,
        supervisor=supervisor,
        navigator=navigator,
        clinic=clinic,
        referred_by=clinic_user,
    )


def main_pages(referral) -> dict:
    """The pages each role works in every day, with the records they show."""
    detail = f"/referrals/{referral.code}/"
    patient = f"/referrals/patients/{referral.patient.code}/"
    return {
        Role.CLINIC_STAFF: ["/referrals/", "/referrals/new/", detail, patient],
        Role.SUPERVISOR: [
            "/referrals/inbox/",
            detail,
            "/referrals/pathways/approvals/",
        ],
        Role.NAVIGATOR: [
            "/referrals/caseload/",
            detail,
            patient,
            "/referrals/resources/",
            "/referrals/notifications/",
            "/evaluation/stories/",
            "/accounts/sessions/",
            "/accounts/2fa/",
        ],
        Role.PROGRAM_MANAGER: [
            "/evaluation/",
            "/partnerships/",
            "/evaluation/reports/",
            "/evaluation/utilization/",
        ],
        Role.ADMINISTRATOR: ["/partnerships/", "/admin/", "/admin/partners/user/"],
    }


@pytest.fixture
def cast(clinic_user, supervisor, navigator, manager, administrator):
    return {
        Role.CLINIC_STAFF: clinic_user,
        Role.SUPERVISOR: supervisor,
        Role.NAVIGATOR: navigator,
        Role.PROGRAM_MANAGER: manager,
        Role.ADMINISTRATOR: administrator,
    }


def test_main_pages_of_every_role_have_no_inline_code(login, cast, referral):
    for role, urls in main_pages(referral).items():
        client = login(cast[role])
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (role, url)
            assert inline_code(response.content.decode()) == [], (role, url)


def test_the_sign_in_page_has_no_inline_code(client, db):
    assert inline_code(client.get("/accounts/login/").content.decode()) == []


def test_the_finder_sees_inline_code():
    page = '<p style="x"><script>alert(1)</script><a onclick="x()">a</a></p>'
    assert len(inline_code(page)) == 3
    assert inline_code('<script type="application/json">{}</script>') == []


def test_csp_allows_no_inline_code_and_no_framing(client, db):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]
    directives = dict(
        part.strip().split(" ", 1) for part in policy.split(";") if part.strip()
    )
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_pages_with_phi_are_never_stored(login, navigator, referral):
    client = login(navigator)
    for url in [
        "/referrals/caseload/",
        f"/referrals/{referral.code}/",
        f"/referrals/patients/{referral.patient.code}/",
    ]:
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_pages_refuse_to_be_framed(client, login, navigator):
    assert client.get("/accounts/login/")["X-Frame-Options"] == "DENY"
    assert login(navigator).get("/referrals/caseload/")["X-Frame-Options"] == "DENY"


def test_other_protective_headers(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


@override_settings(
    SECURE_HSTS_SECONDS=31536000,
    SECURE_HSTS_INCLUDE_SUBDOMAINS=True,
    SECURE_HSTS_PRELOAD=True,
)
def test_hsts_is_sent_over_https_with_the_production_values(client, db):
    response = client.get("/accounts/login/", secure=True)
    assert (
        response["Strict-Transport-Security"]
        == "max-age=31536000; includeSubDomains; preload"
    )


@override_settings(SECURE_SSL_REDIRECT=True)
def test_plain_http_is_redirected_to_https(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


PRINT_SETTINGS = """
import json
from django.conf import settings as s
print(json.dumps({name: getattr(s, name, None) for name in [
    "SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "LANGUAGE_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE", "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN",
    "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS",
    "DEBUG",
]}))
"""


@pytest.fixture(scope="module")
def production_settings():
    env = {
        **os.environ,
        "CHWLINK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "chwlink.example.org",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/postgres",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    for name in ("SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_DEBUG"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_host_only_and_secure(production_settings):
    # The __Host- prefix makes browsers refuse the cookie unless it is Secure, has
    # no Domain and has Path=/: no subdomain can set or read it.
    assert production_settings["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert production_settings["CSRF_COOKIE_NAME"].startswith("__Host-")
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["LANGUAGE_COOKIE_SECURE"] is True
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["SESSION_COOKIE_DOMAIN"] is None
    assert production_settings["CSRF_COOKIE_DOMAIN"] is None
    assert production_settings["SESSION_COOKIE_PATH"] == "/"
    assert production_settings["CSRF_COOKIE_PATH"] == "/"


def test_production_sends_hsts_for_a_year_and_redirects_to_https(
    production_settings,
):
    assert production_settings["SECURE_HSTS_SECONDS"] >= 31536000
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["X_FRAME_OPTIONS"] == "DENY"
    assert production_settings["DEBUG"] is False


def test_production_cookies_reach_the_browser_with_their_flags(db, settings, client):
    settings.SESSION_COOKIE_NAME = "__Host-sessionid"
    settings.CSRF_COOKIE_NAME = "__Host-csrftoken"
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    from partners.tests.factories import PASSWORD, UserFactory

    user = UserFactory(role=Role.NAVIGATOR)
    client.get("/accounts/login/", secure=True)
    client.post(
        "/accounts/login/",
        {"login": user.email, "password": PASSWORD},
        secure=True,
    )
    session = client.cookies["__Host-sessionid"]
    csrf = client.cookies["__Host-csrftoken"]
    for cookie in (session, csrf):
        assert cookie["secure"] is True
        assert cookie["httponly"] is True
        assert cookie["samesite"] == "Lax"
        assert cookie["path"] == "/"
        assert not cookie["domain"]
