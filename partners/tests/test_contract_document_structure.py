"""Contract documents are read by a parser for their type: a file that only starts
like a PDF, PNG or Word document is refused beside the field, with the rest of the
form kept; a stored file that has gone missing answers 404."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf.actions import JavaScript

from partners.models import Contract
from partners.tests import documents

MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_FILES_DIR


def contract_post(client, partnership, name, content):
    return client.post(
        reverse("partners:contract-new", args=[partnership.code]),
        {
            "kind": "service",
            "title": "Navigator services agreement",
            "status": "signed",
            "effective_on": "2026-01-01",
            "renewal_notice_days": "60",
            "accept_business_days": "1",
            "document": SimpleUploadedFile(name, content),
        },
    )


@pytest.mark.parametrize(
    "name, content",
    [
        ("agreement.pdf", documents.PDF_THEN_HTML),
        ("scan.png", documents.PNG_THEN_SVG),
        ("agreement.docx", documents.PK_THEN_HTML),
        ("agreement.pdf", documents.pdf_bytes() + documents.HTML),
        ("scan.png", documents.image_bytes("PNG") + documents.SVG),
        ("scan.jpg", b"\xff\xd8\xff" + documents.HTML),
        ("agreement.docx", documents.docx_bytes(main_type=MACRO_MAIN)),
        ("agreement.docx", documents.docx_bytes(document="<html>not Word</html>")),
    ],
)
def test_a_file_that_only_starts_like_its_type_is_refused_beside_the_field(
    login, partnership, manager, name, content
):
    response = contract_post(login(manager), partnership, name, content)
    assert response.status_code == 200
    (error,) = response.context["form"].errors["document"]
    assert error.startswith("This is not a readable ")
    page = response.content.decode()
    assert "it may be damaged or disguised" in page
    assert 'value="Navigator services agreement"' in page
    assert not Contract.objects.exists()


def test_a_pdf_that_runs_a_script_is_refused(login, partnership, manager):
    content = documents.pdf_bytes(action=JavaScript("app.alert('hello');"))
    response = contract_post(login(manager), partnership, "agreement.pdf", content)
    assert response.context["form"].errors["document"] == [
        "PDF files with scripts, actions or attached files are not accepted."
    ]
    assert not Contract.objects.exists()


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("agreement.pdf", documents.pdf_bytes(), "application/pdf"),
        ("scan.png", documents.image_bytes("PNG"), "image/png"),
        ("scan.jpg", documents.image_bytes("JPEG"), "image/jpeg"),
        ("scan.jpeg", documents.image_bytes("JPEG"), "image/jpeg"),
        (
            "agreement.docx",
            documents.docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_real_documents_of_each_type_are_accepted(
    login, partnership, manager, private_dir, name, content, content_type
):
    response = contract_post(login(manager), partnership, name, content)
    assert response.status_code == 302
    contract = Contract.objects.get()
    assert contract.document_type == content_type
    assert (private_dir / contract.document.name).read_bytes() == content


def test_a_stored_file_that_went_missing_answers_404(
    login, partnership, manager, supervisor, private_dir
):
    contract_post(login(manager), partnership, "a.pdf", documents.pdf_bytes())
    contract = Contract.objects.get()
    (private_dir / contract.document.name).unlink()
    url = reverse("partners:contract-document", args=[contract.code])
    assert login(supervisor).get(url).status_code == 404
