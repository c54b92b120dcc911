"""Nothing is cut or wrapped where a person would notice, at a laptop's 1280 px and
a phone's 390 px, in English and in Spanish: the menu bar stays on one line (with
room for the entries still to come), the language box shows the whole language,
the dashboard's filters show their whole choice and its tables are not clipped.

Measured in the page (element boxes and text widths), not judged from pictures."""

import pytest
from django.utils.functional import lazy
from django.utils.translation import get_language
from playwright.sync_api import expect

from chwlink import navigation
from referrals.access import supervises
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser

WIDTHS = {"laptop": 1280, "phone": 390}


def _in_language(english, spanish):
    return lazy(lambda: spanish if get_language() == "es" else english, str)()


# The two entries another change adds for supervisors (and managers), with the
# length their Spanish will have: the bar must already have room for them.
COMING = [
    (
        "referrals:inbox",
        _in_language("All referrals", "Todos los referidos"),
        supervises,
        navigation.WORK,
    ),
    (
        "referrals:pathway-approvals",
        _in_language("Team board", "Tablero del equipo"),
        supervises,
        navigation.WORK,
    ),
]

# For a <select>: the text of its chosen option against the room its box gives
# it, in the select's own font (a cut option shows no scrollbar to measure).
SELECTS_CUT = """
(root) => [...root.querySelectorAll('select')].filter((select) => {
  const style = getComputedStyle(select);
  if (select.offsetParent === null) return false;
  const context = document.createElement('canvas').getContext('2d');
  context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const text = select.options[select.selectedIndex]?.text || '';
  const room = select.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight);
  return context.measureText(text).width > room + 0.5;
}).map((select) => select.name + ': ' + select.options[select.selectedIndex]?.text)
"""

# Distinct rows the bar's top-level entries sit on.
BAR_ROWS = """
() => {
  const bar = document.querySelector('#main-nav');
  const parts = [...bar.querySelectorAll(':scope > ul > li, :scope > form')];
  return new Set(parts.map((part) => Math.round(part.getBoundingClientRect().top
    + part.getBoundingClientRect().height / 2))).size;
}
"""

PAGE_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"

CLIPPED_TABLES = """
() => [...document.querySelectorAll('.table-responsive')]
  .filter((box) => box.scrollWidth > box.clientWidth + 1)
  .map((box) => box.querySelector('table').getAttribute('aria-labelledby'))
"""


def open_as(signed_in, user, width, language):
    page = signed_in(user, viewport={"width": width, "height": 900})
    if language == "es":
        # The menu (and its language box) is folded away on a phone.
        page.evaluate(
            "() => { const box = document.getElementById('language-select');"
            " box.value = 'es'; box.form.submit(); }"
        )
        expect(page.locator("html")).to_have_attribute("lang", "es")
    return page


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("person", ["supervisor", "manager", "clinic_user"])
def test_the_menu_bar_stays_on_one_line_at_1280(
    request, signed_in, monkeypatch, person, language
):
    monkeypatch.setattr(navigation, "MENU", navigation.MENU + COMING)
    page = open_as(signed_in, request.getfixturevalue(person), 1280, language)
    assert page.evaluate(BAR_ROWS) == 1
    assert page.evaluate(SELECTS_CUT, page.locator("nav").element_handle()) == []
    assert page.evaluate(PAGE_OVERFLOW) <= 0


@pytest.mark.parametrize("language", ["en", "es"])
def test_on_a_phone_the_menu_opens_whole_and_nothing_is_cut(
    signed_in, supervisor, monkeypatch, language
):
    monkeypatch.setattr(navigation, "MENU", navigation.MENU + COMING)
    page = open_as(signed_in, supervisor, 390, language)
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    page.locator(".navbar-toggler").click()
    menu = page.locator("#main-nav")
    expect(menu).to_be_visible()
    work = page.locator("[data-nav-area=work] > .dropdown-toggle")
    work.click()
    expect(page.locator("[data-nav-area=work] .dropdown-menu")).to_be_visible()
    assert page.evaluate(SELECTS_CUT, menu.element_handle()) == []
    assert page.evaluate(PAGE_OVERFLOW) <= 0


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("width", WIDTHS.values())
def test_dashboard_filters_and_tables_are_whole(
    signed_in, manager, partnership, clinic, other_clinic, width, language
):
    other_clinic.name = "Clínica Comunitaria del Valle de Willamette"
    other_clinic.save()
    ReferralFactory.create_batch(2, partnership=partnership, clinic=clinic)
    ReferralFactory.create_batch(2, partnership=partnership, clinic=other_clinic)
    page = open_as(signed_in, manager, width, language)
    page.goto("/evaluation/")
    form = page.locator("form.card[method=get]")
    assert page.evaluate(SELECTS_CUT, form.element_handle()) == []
    assert page.evaluate(PAGE_OVERFLOW) <= 0
    if width >= 1280:
        assert page.evaluate(CLIPPED_TABLES) == []
