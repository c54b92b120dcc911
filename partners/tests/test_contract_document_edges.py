"""A contract's document at its edges: an edit without a new file keeps the old one,
and a long file name keeps its last 200 characters."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from partners import services
from partners.models import Contract
from partners.tests.documents import pdf_bytes

PDF = pdf_bytes()
FIELDS = {
    "kind": "service",
    "title": "Navigator services agreement",
    "status": "signed",
    "effective_on": datetime.date(2026, 1, 1),
    "renewal_notice_days": 60,
}


@pytest.fixture(autouse=True)
def private_dir(settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "private"
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.PRIVATE_FILES_DIR


def pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_editing_a_contract_without_a_new_file_keeps_its_document(
    partnership, manager, private_dir, django_capture_on_commit_callbacks
):
    contract = services.contract_save(
        actor=manager, partnership=partnership, data=dict(FIELDS),
        document=pdf("agreement.pdf"),
    )  # fmt: skip
    path = private_dir / contract.document.name
    with django_capture_on_commit_callbacks(execute=True):
        services.contract_save(
            actor=manager, partnership=partnership, contract=contract,
            data={"title": "Renamed agreement"},
        )  # fmt: skip
    stored = Contract.objects.get()
    assert (stored.title, stored.document_name) == (
        "Renamed agreement",
        "agreement.pdf",
    )
    assert path.read_bytes() == PDF


def test_a_short_file_name_is_kept_whole_and_a_long_one_keeps_its_end(
    partnership, manager
):
    short = services.contract_save(
        actor=manager, partnership=partnership, data=dict(FIELDS),
        document=pdf("agreement.pdf"),
    )  # fmt: skip
    assert Contract.objects.get(pk=short.pk).document_name == "agreement.pdf"
    name = "a" * 196 + "-v12.pdf"
    long = services.contract_save(
        actor=manager, partnership=partnership, data=dict(FIELDS), document=pdf(name)
    )
    assert Contract.objects.get(pk=long.pk).document_name == name[-200:]
    assert len(name[-200:]) == 200
