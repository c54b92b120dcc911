"""The navigator's caseload on a phone, and the interface in Spanish."""

import re

import pytest
from playwright.sync_api import expect

from evaluation.tests.factories import caseload_referral
from referrals.services import workflow
from referrals.tests.factories import ReferralFactory

pytestmark = pytest.mark.browser

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}


@pytest.fixture
def caseload(partnership, clinic, supervisor, navigator):
    def on_caseload(first_name, last_name, **fields):
        return caseload_referral(
            partnership=partnership,
            supervisor=supervisor,
            navigator=navigator,
            clinic=clinic,
            patient__first_name=first_name,
            patient__last_name=last_name,
            **fields,
        )

    urgent = on_caseload("Marta", "Huanca", urgency="urgent")
    waiting = on_caseload("Julia", "Torres")
    paused = on_caseload("Ana", "Ccori", social_needs=["housing-instability"])
    workflow.referral_transition(
        referral=paused, actor=navigator, name="hold", reason_code="patient_request"
    )
    return urgent, waiting, paused


def test_phone_caseload_shows_one_card_per_referral_and_no_table(
    signed_in, navigator, caseload, tmp_path
):
    urgent, _waiting, paused = caseload
    page = signed_in(navigator, **PHONE)
    expect(page.get_by_role("heading", level=1)).to_have_text("My caseload")
    expect(page.get_by_role("table")).to_be_hidden()
    cards = page.locator(".list-group > a")
    expect(cards).to_have_count(3)
    expect(cards.first).to_be_visible()
    # Urgent first; every card has the patient, the status and the next step.
    expect(cards.first).to_contain_text("Marta Huanca")
    expect(cards.first).to_contain_text("Urgent")
    on_hold = cards.filter(has_text="Ana Ccori")
    expect(on_hold).to_contain_text("On hold")
    expect(on_hold).to_contain_text("Next step: On hold: check back with the patient")
    expect(on_hold).to_contain_text("Housing instability")
    expect(cards.filter(has_text="Julia Torres")).to_contain_text(
        "Next step: Make first contact"
    )
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "phone-caseload.png", full_page=True)

    cards.first.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("Marta Huanca")
    assert page.url.endswith(f"/referrals/{urgent.code}/")


def test_clinic_switches_to_spanish_from_the_menu_and_it_stays(
    signed_in, partnership, clinic, clinic_user, tmp_path
):
    ReferralFactory(
        partnership=partnership,
        clinic=clinic,
        referred_by=clinic_user,
        patient__first_name="Elena",
        patient__last_name="Quispe",
    )
    page = signed_in(clinic_user)
    expect(page.get_by_role("heading", level=1)).to_have_text("Referrals")
    page.get_by_label("Language").select_option(label="Español")
    expect(page.get_by_role("heading", level=1)).to_have_text("Referidos")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    menu = page.get_by_role("navigation").first
    expect(menu.get_by_role("link", name="Nuevo referido")).to_be_visible()
    expect(menu.get_by_role("link", name="Notificaciones")).to_be_visible()
    headers = page.get_by_role("columnheader")
    expect(headers).to_have_text(
        [
            "Paciente",
            "Estado",
            "Necesidades",
            "Navegador(a)",
            "Clínica",
            "Enviado",
            "Última actualización",
        ]
    )
    expect(page.get_by_role("row", name=re.compile("Elena Quispe"))).to_contain_text(
        "Enviado"
    )
    page.screenshot(path=tmp_path / "spanish-referrals.png", full_page=True)

    menu.get_by_role("link", name="Nuevo referido").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nuevo referido")
    expect(page.get_by_role("heading", name="Buscar al paciente")).to_be_visible()
    expect(page.get_by_role("button", name="Buscar")).to_be_visible()
    expect(page.get_by_label("Idioma")).to_have_value("es")

    # A new session elsewhere opens in the language the person chose.
    again = signed_in(clinic_user)
    expect(again.get_by_role("heading", level=1)).to_have_text("Referidos")
