"""Uploads: every upload field has an allow-list of types and a size limit, checked on the file's
content, not only on its name. One checker for every app (docs/decisions/0011-uploads.md)."""

import uuid
import zipfile

import filetype
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_text_list, get_valid_filename
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


# Extension (as ``check_upload`` returns it) -> the content type a download is served with.
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
UNKNOWN_EXTENSION = "bin"


def random_name(extension):
    """The name an accepted upload is stored under: random, with the extension of its detected
    type (never the client's name nor its extension)."""
    return f"{uuid.uuid4().hex}.{extension}"


def download(handle, *, filename):
    """Serve a stored upload as an attachment (never inline), behind the caller's permission check.

    The type is read again from the content (files stored before random names kept the client's
    name and extension): a known type is served as such, anything else as
    ``application/octet-stream`` with a ``.bin`` name. ``filename`` is the name without its
    extension, built by the caller from safe parts (it is sanitised again here).
    """
    extension = detect_extension(handle)
    if extension not in CONTENT_TYPES:
        extension = UNKNOWN_EXTENSION
    stem = get_valid_filename(filename) if filename else "fichier"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem[:100]}.{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store, private"
    return response
