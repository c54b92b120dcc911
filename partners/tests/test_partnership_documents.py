"""Contract documents: checked by content and size, stored privately, served safely."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from partners.models import Contract
from partners.tests.documents import image_bytes, pdf_bytes

PDF = pdf_bytes()


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_FILES_DIR


def contract_post(client, partnership, upload, **fields):
    data = {
        "kind": "service",
        "title": "Navigator services agreement",
        "status": "signed",
        "effective_on": "2026-01-01",
        "renewal_notice_days": "60",
        "accept_business_days": "1",
        "document": upload,
    } | fields
    return client.post(reverse("partners:contract-new", args=[partnership.code]), data)


def test_a_pdf_is_stored_outside_public_paths_and_downloaded_as_attachment(
    login, partnership, manager, clinic_user, private_dir
):
    upload = SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")
    response = contract_post(login(manager), partnership, upload)
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert (private_dir / contract.document.name).read_bytes() == PDF
    client = login(clinic_user)
    download = client.get(reverse("partners:contract-document", args=[contract.code]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF


def test_a_renamed_file_is_refused_by_its_content(login, partnership, manager):
    upload = SimpleUploadedFile("agreement.pdf", b"<html><script>alert(1)</script>")
    response = contract_post(login(manager), partnership, upload)
    assert response.status_code == 200
    assert "does not match its type" in response.content.decode()
    assert 'value="Navigator services agreement"' in response.content.decode()
    assert not Contract.objects.exists()


def test_other_types_are_refused(login, partnership, manager):
    upload = SimpleUploadedFile("agreement.exe", b"MZ\x90\x00")
    response = contract_post(login(manager), partnership, upload)
    assert "Upload a PDF, Word (.docx), PNG or JPEG file." in response.content.decode()


def test_files_over_10_mb_are_refused(login, partnership, manager):
    big = PDF + b"0" * (10 * 1024 * 1024)
    upload = SimpleUploadedFile("agreement.pdf", big, content_type="application/pdf")
    response = contract_post(login(manager), partnership, upload)
    assert "the limit is 10" in response.content.decode()
    assert not Contract.objects.exists()


def test_clinic_staff_cannot_download_a_payment_agreement(
    login, partnership, manager, clinic_user, supervisor
):
    upload = SimpleUploadedFile("pay.pdf", PDF, content_type="application/pdf")
    contract_post(
        login(manager), partnership, upload, kind="payment", title="Payment terms"
    )
    contract = Contract.objects.get()
    url = reverse("partners:contract-document", args=[contract.code])
    assert login(clinic_user).get(url).status_code == 403
    assert login(supervisor).get(url).status_code == 200


def test_outsiders_get_404_on_the_document(login, partnership, manager, outsiders):
    upload = SimpleUploadedFile("agreement.pdf", PDF, content_type="application/pdf")
    contract_post(login(manager), partnership, upload)
    contract = Contract.objects.get()
    url = reverse("partners:contract-document", args=[contract.code])
    for role, user in outsiders.items():
        # Navigators have no partnership pages at all (403 by role).
        expected = 403 if role == "navigator" else 404
        assert login(user).get(url).status_code == expected


def test_pathway_rates_are_saved_with_the_payment_agreement(
    login, partnership, manager
):
    client = login(manager)
    response = contract_post(
        client,
        partnership,
        "",
        kind="payment",
        title="Payment terms",
        rate_housing="600.00",
        cap_per_month="9000",
    )
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert [(r.kind, str(r.amount)) for r in contract.pathway_rates.all()] == [
        ("housing", "600.00")
    ]


def test_a_new_document_replaces_the_old_file(
    login, partnership, manager, private_dir, django_capture_on_commit_callbacks
):
    client = login(manager)
    first = SimpleUploadedFile("v1.pdf", PDF, content_type="application/pdf")
    contract_post(client, partnership, first)
    contract = Contract.objects.get()
    old_path = private_dir / contract.document.name
    png = SimpleUploadedFile("v2.png", image_bytes("PNG"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("partners:contract-edit", args=[contract.code]),
            {
                "kind": "service",
                "title": "Navigator services agreement",
                "status": "signed",
                "effective_on": "2026-01-01",
                "renewal_notice_days": "60",
                "document": png,
            },
        )
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.document_name == "v2.png"
    assert contract.document_type == "image/png"
    assert not old_path.exists()
