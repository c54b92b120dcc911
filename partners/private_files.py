"""Uploaded documents: checked by content, kept outside static and media.

The content is checked twice: the first bytes must match the type, then a parser
for that type must read the whole file (``partners.document_structure``).

Files live under ``settings.PRIVATE_FILES_DIR`` (default ``VAR_DIR / "private"``)
and are only ever served by a view that checks who is asking.
"""

import os
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from partners.document_structure import STRUCTURE_CHECKS

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024

# Accepted types, recognised by their first bytes (a renamed file is refused).
DOCUMENT_TYPES = {
    "pdf": (b"%PDF-", "application/pdf"),
    "docx": (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
}


def private_files_dir():
    return settings.PRIVATE_FILES_DIR


class PrivateStorage(FileSystemStorage):
    """Storage outside every public path, with no URL: files leave only through
    a view that checks access. The directory is read from the settings each time."""

    @property
    def base_location(self):
        return private_files_dir()

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL.")


def private_storage():
    return PrivateStorage()


def contract_document_path(instance, filename) -> str:
    """A random name: the original one is kept on the row, never on disk."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"contracts/{uuid.uuid4().hex}.{extension}"


def document_check(upload) -> str:
    """Refuse files over the size limit or whose content is not an accepted type.

    Returns the content type to serve the file with.
    """
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(MAX_DOCUMENT_BYTES),
            }
        )
    extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
    if extension not in DOCUMENT_TYPES:
        raise ValidationError(_("Upload a PDF, Word (.docx), PNG or JPEG file."))
    magic, content_type = DOCUMENT_TYPES[extension]
    upload.seek(0)
    head = upload.read(len(magic))
    upload.seek(0)
    if head != magic:
        raise ValidationError(
            _("The file's content does not match its type (.%(extension)s).")
            % {"extension": extension}
        )
    STRUCTURE_CHECKS[extension](upload)
    return content_type
