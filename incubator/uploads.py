"""Uploads (DESIGN 5.4): every upload field has an allow-list of types and a size limit, checked
on the file's content, not only on its name. One checker for every app."""

import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list
from django.utils.translation import gettext as _

# Extension -> what people call it, for the messages.
PDF = {"pdf": "PDF"}
TEXT_DOCUMENTS = {"pdf": "PDF", "odt": "ODT", "docx": "DOCX"}
PRESENTATIONS = {"pdf": "PDF", "pptx": "PowerPoint (.pptx)", "odp": "OpenDocument (.odp)"}

HEAD_BYTES = 65536
# Office files are zip archives; their identifying entry may come after what filetype reads.
ZIP_SIGNATURES = {
    "docx": "word/document.xml",
    "pptx": "ppt/presentation.xml",
}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.presentation": "odp",
}


def detect_extension(upload):
    """The extension of the upload's real type, read from its content (None when unknown)."""
    upload.seek(0)
    kind = filetype.guess(upload.read(HEAD_BYTES))
    upload.seek(0)
    extension = kind.extension if kind else None
    return office_type(upload) if extension == "zip" else extension


def office_type(upload):
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            for extension, entry in ZIP_SIGNATURES.items():
                if entry in names:
                    return extension
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    return ODF_MIMETYPES.get(entry.read(100).strip())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        upload.seek(0)
    return None


def check_upload(upload, *, allowed, max_bytes):
    """Return the upload's real extension, or raise a ValidationError saying why it is refused."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("This file weighs %(size)s: the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="size",
        )
    extension = detect_extension(upload)
    if extension not in allowed:
        raise ValidationError(
            _("This file is not a %(types)s document (its content was checked, not only its name).")
            % {"types": get_text_list(list(allowed.values()))},
            code="type",
        )
    return extension
