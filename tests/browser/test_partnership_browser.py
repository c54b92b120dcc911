"""A program manager sets up a partnership in Chromium: partnership, contract, plan."""

import pytest
from playwright.sync_api import expect

from partners.models import Organization, User
from partners.tests.documents import pdf_bytes
from partners.tests.factories import UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"


@pytest.fixture
def new_cbo(db):
    return Organization.objects.create(
        name="Comunidad Sana", kind=Organization.Kind.CBO
    )


def test_manager_invites_a_cbo_which_accepts_then_adds_a_contract_and_sees_its_plan(
    signed_in, manager, clinic, new_cbo
):
    cbo_manager = UserFactory(
        role=User.Role.PROGRAM_MANAGER, organization=new_cbo, first_name="Rita"
    )
    page = signed_in(manager)
    page.goto("/partnerships/")
    page.get_by_role("link", name="New partnership").click()
    page.get_by_label("Name").fill("Home Health System + Comunidad Sana")
    page.get_by_label("Community-based organization to invite").select_option(
        label=new_cbo.name
    )
    page.get_by_label("Population served").fill("Latino adults with diabetes")
    page.get_by_label("North Clinic").check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_text("it starts when Comunidad Sana accepts")).to_be_visible()
    expect(page.get_by_role("link", name="Add a contract")).to_have_count(0)

    answering = signed_in(cbo_manager)
    answering.goto("/partnerships/")
    answering.get_by_role("link", name="Invitations").click()
    answering.get_by_role("button", name="Accept the partnership").click()
    expect(answering.get_by_text("The partnership is accepted")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Home Health System + Comunidad Sana"
    )
    page.get_by_role("link", name="Add a contract").click()
    page.get_by_label("Title").fill("Navigator services agreement")
    page.get_by_label("Kind").select_option(label="Business / service contract")
    page.get_by_label("Status").select_option(label="Signed")
    page.get_by_label("Effective from").fill("2026-01-01")
    page.get_by_label("First contact within (business days)").fill("2")
    page.get_by_label("Document").set_input_files(
        files=[
            {
                "name": "agreement.pdf",
                "mimeType": "application/pdf",
                "buffer": pdf_bytes(),
            }
        ]
    )
    page.get_by_role("button", name="Save the contract").click()

    expect(page.get_by_text("Navigator services agreement is saved.")).to_be_visible()
    levels = page.get_by_role("region", name="Service levels in force")
    expect(levels).to_contain_text("First contact within 2 business days")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the document").first.click()
    assert download.value.suggested_filename == "agreement.pdf"

    page.get_by_role("link", name="Plan", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Implementation plan")
    step = page.get_by_role("region", name="3. Formalize the partnership")
    expect(step).to_contain_text("Develop partnership and business contracts")
    step.get_by_role("button", name="Mark done").first.click()
    step = page.get_by_role("region", name="3. Formalize the partnership")
    expect(step).to_contain_text("1 of 3 done")
