"""Whether an uploaded document really is what its type says, read by a parser made
for that type (pypdf, Pillow, zipfile with defusedxml), not by its first bytes only.

A file that starts like a PDF, PNG or Word document but carries HTML or SVG (a
polyglot) does not parse, or parses with something left over, and is refused.
"""

import zipfile

import pypdf
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

# Larger pictures are refused before they are decoded (a small file can expand to
# gigabytes); 40 million pixels is an A4 page scanned at 600 dpi with room to spare.
MAX_IMAGE_PIXELS = 40_000_000
# A Word document's parts, unpacked, may not exceed this (a zip bomb is refused
# before anything is unpacked).
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_ZIP_ENTRIES = 5_000
# Keys and actions that make a PDF run something or carry other files.
PDF_ACTIVE_KEYS = ("/JS", "/JavaScript", "/EmbeddedFiles", "/XFA", "/Launch")
PDF_ACTIVE_ACTIONS = ("/JavaScript", "/Launch", "/ImportData", "/SubmitForm")
PNG_END = b"IEND\xaeB`\x82"
WORD_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
WORD_DOCUMENT_TAG = (
    "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}document"
)
CONTENT_TYPES_TAG = (
    "{http://schemas.openxmlformats.org/package/2006/content-types}Override"
)


def _refuse(kind: str) -> ValidationError:
    return ValidationError(
        _("This is not a readable %(kind)s file: it may be damaged or disguised.")
        % {"kind": kind}
    )


def pdf_check(upload) -> None:
    """A PDF that pypdf reads to its last page, with nothing after its end marker,
    and no scripts, launch actions, embedded files or XFA forms."""
    upload.seek(0, 2)
    size = upload.tell()
    upload.seek(max(size - 1024, 0))
    tail = upload.read().rstrip(b" \t\r\n\x00")
    upload.seek(0)
    if not tail.endswith(b"%%EOF"):
        raise _refuse("PDF")
    try:
        reader = pypdf.PdfReader(upload)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(_("Upload the PDF without its password."))
        if len(reader.pages) == 0:
            raise _refuse("PDF")
        active = _pdf_is_active(reader)
    except (PyPdfError, ValueError, KeyError, TypeError, RecursionError) as error:
        raise _refuse("PDF") from error
    finally:
        upload.seek(0)
    if active:
        raise ValidationError(
            _("PDF files with scripts, actions or attached files are not accepted.")
        )


def _pdf_is_active(reader) -> bool:
    """Walk every object reachable from the trailer, once each."""
    seen = set()
    stack = [reader.trailer]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in seen:
                continue
            seen.add((item.idnum, item.generation))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            if any(key in item for key in PDF_ACTIVE_KEYS):
                return True
            if item.get("/S") in PDF_ACTIVE_ACTIONS:
                return True
            stack.extend(item.values())
        elif isinstance(item, ArrayObject):
            stack.extend(item)
    return False


def image_check(upload, *, image_format: str) -> None:
    """A PNG or JPEG that Pillow identifies as that format and decodes in full; a
    PNG also ends at its IEND chunk (nothing hidden after the picture)."""
    kind = "PNG" if image_format == "PNG" else "JPEG"
    try:
        with Image.open(upload, formats=[image_format]) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("The picture is too large to accept."))
            image.verify()
        upload.seek(0)
        with Image.open(upload, formats=[image_format]) as image:
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise _refuse(kind) from error
    except Image.DecompressionBombError as error:
        raise ValidationError(_("The picture is too large to accept.")) from error
    finally:
        upload.seek(0)
    if image_format == "PNG":
        upload.seek(-len(PNG_END), 2)
        end = upload.read()
        upload.seek(0)
        if end != PNG_END:
            raise _refuse(kind)


def docx_check(upload) -> None:
    """A Word document: a sound zip whose content types name a word-processing
    main part (not a macro-enabled one) that parses as a Word document."""
    try:
        with zipfile.ZipFile(upload) as package:
            entries = package.infolist()
            if len(entries) > MAX_ZIP_ENTRIES or (
                sum(entry.file_size for entry in entries) > MAX_UNPACKED_BYTES
            ):
                raise _refuse(_("Word (.docx)"))
            if package.testzip() is not None:
                raise _refuse(_("Word (.docx)"))
            types = ElementTree.fromstring(package.read("[Content_Types].xml"))
            main_parts = [
                override.get("PartName", "").lstrip("/")
                for override in types.iter(CONTENT_TYPES_TAG)
                if override.get("ContentType") == WORD_MAIN
            ]
            if len(main_parts) != 1:
                raise _refuse(_("Word (.docx)"))
            document = ElementTree.fromstring(package.read(main_parts[0]))
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        KeyError,
        ElementTree.ParseError,
        DefusedXmlException,
        NotImplementedError,
        OSError,
        EOFError,
        ValueError,
    ) as error:
        raise _refuse(_("Word (.docx)")) from error
    finally:
        upload.seek(0)
    if document.tag != WORD_DOCUMENT_TAG:
        raise _refuse(_("Word (.docx)"))


STRUCTURE_CHECKS = {
    "pdf": pdf_check,
    "docx": docx_check,
    "png": lambda upload: image_check(upload, image_format="PNG"),
    "jpg": lambda upload: image_check(upload, image_format="JPEG"),
    "jpeg": lambda upload: image_check(upload, image_format="JPEG"),
}
