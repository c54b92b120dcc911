"""Headless Chromium (Debian's package) driven by Playwright against the live server."""

import os
import shutil

import pytest

from conftest import service_missing

# Playwright's sync API runs an event loop in this thread; Django's live-server
# fixtures then refuse ORM calls unless told this is safe (it is: one thread each).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or ""


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not path:
        service_missing("Debian's chromium package is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def sign_in(page):
    from partners.tests.factories import PASSWORD

    def go(user, password=PASSWORD):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    return go


@pytest.fixture
def shipped_instruments(transactional_db):
    """The screening instruments a data migration loads: an earlier transactional
    test's flush empties every table, so they are put back as a new database has
    them."""
    import json

    from referrals.models import ScreeningInstrument
    from referrals.screening.definition import shipped_files
    from referrals.screening.services import instrument_load

    for path in shipped_files():
        data = json.loads(path.read_text())
        loaded = ScreeningInstrument.objects.filter(
            code=data["code"], version=data["version"]
        )
        if not loaded.exists():
            instrument_load(data=data)


@pytest.fixture
def signed_in(browser, live_server, transactional_db, shipped_instruments):
    """A fresh browser session per person, signed in: several people at once."""
    from playwright.sync_api import expect

    from partners.tests.factories import PASSWORD

    contexts = []

    def open_for(user, **context_options):
        options = {"base_url": live_server.url, "locale": "en-US"} | context_options
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        return page

    yield open_for
    for context in contexts:
        context.close()
