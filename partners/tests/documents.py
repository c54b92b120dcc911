"""Small, valid sample documents made with the libraries that check them, and the
polyglots that only start like one (a real first line, then HTML or SVG)."""

import io
import zipfile

import pypdf
from PIL import Image

WORD_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels"
 ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="%s"/>
</Types>"""
WORD_MAIN = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
)
WORD_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="word/document.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
WORD_DOCUMENT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:body><w:p><w:r><w:t>Navigator services agreement</w:t></w:r></w:p></w:body>
</w:document>"""

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'

PDF_THEN_HTML = b"%PDF-1.7\n" + HTML
PNG_THEN_SVG = b"\x89PNG\r\n\x1a\n" + SVG
PK_THEN_HTML = b"PK\x03\x04" + HTML


def pdf_bytes(*, action=None) -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if action is not None:
        writer.add_open_action(action)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_bytes(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 110, 80)).save(buffer, format=image_format)
    return buffer.getvalue()


def docx_bytes(*, main_type: str = WORD_MAIN, document: str = WORD_DOCUMENT) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", WORD_CONTENT_TYPES % main_type)
        package.writestr("_rels/.rels", WORD_RELS)
        package.writestr("word/document.xml", document)
    return buffer.getvalue()
