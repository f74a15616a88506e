"""Files kept with a request: the same limits for e-mail attachments, uploads in the shared
space and scanned letters (types, size, count), checked before anything is written."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from relais.core.audit.services import audit_log
from relais.core.text import without_control_characters
from relais.frontdoor.models import (
    Attachment,
    AttachmentKind,
    Body,
    MailMessage,
    Message,
    Request,
    Visibility,
)
from relais.frontdoor.services._common import log_event

# Accepted files, by extension: the type they are served with, and the first bytes a file of
# that type starts with (a "PDF" that is an executable is refused).
_ZIP = (b"PK\x03\x04",)
ACCEPTED_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "txt": ("text/plain", ()),
    "csv": ("text/csv", ()),
    "odt": ("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}


def accepted_extensions() -> str:
    return ", ".join(sorted({ext for ext in ACCEPTED_TYPES if ext != "jpeg"}))


def too_many_files(count: int) -> ValidationError | None:
    limit = settings.FRONTDOOR_ATTACHMENT_MAX_COUNT
    if count <= limit:
        return None
    return ValidationError(
        _("%(count)s fichiers : %(max)s au plus à la fois.") % {"count": count, "max": limit}
    )


def too_large(name: str, size: int) -> ValidationError | None:
    """The error for a file of ``size`` bytes over the limit (checked before reading an
    upload, and on every e-mail attachment)."""
    limit = settings.FRONTDOOR_ATTACHMENT_MAX_BYTES
    if size <= limit:
        return None
    return ValidationError(
        _("« %(name)s » pèse %(size)s : %(max)s au plus par fichier.")
        % {"name": name, "size": filesizeformat(size), "max": filesizeformat(limit)}
    )


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    data: bytes


def clean_filename(name: str) -> str:
    """The name shown to readers: no path, no control character, at most 150 characters
    (keeping the extension)."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = without_control_characters(name, "").strip().strip(".") or "piece-jointe"
    if len(name) > 150:
        stem, _dot, ext = name.rpartition(".")
        name = f"{stem[: 149 - len(ext)]}.{ext}" if stem and len(ext) <= 10 else name[:150]
    return name


def attachment_check(filename: str, data: bytes) -> CheckedFile:
    """``data`` as a file Relais keeps, or a French ``ValidationError`` naming the file:
    a type not accepted, contents that do not match the type, empty, or too large."""
    name = clean_filename(filename)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ACCEPTED_TYPES:
        raise ValidationError(
            _("« %(name)s » : ce type de fichier n'est pas accepté (acceptés : %(types)s).")
            % {"name": name, "types": accepted_extensions()}
        )
    if not data:
        raise ValidationError(_("« %(name)s » est vide.") % {"name": name})
    error = too_large(name, len(data))
    if error is not None:
        raise error
    content_type, signatures = ACCEPTED_TYPES[extension]
    if signatures and not data.startswith(signatures):
        raise ValidationError(
            _("« %(name)s » n'est pas un fichier %(ext)s valide.")
            % {"name": name, "ext": extension.upper()}
        )
    if content_type.startswith("text/") and b"\x00" in data[:4096]:
        raise ValidationError(_("« %(name)s » n'est pas un fichier texte.") % {"name": name})
    return CheckedFile(filename=name, content_type=content_type, data=data)


def attachments_check(files: Iterable[tuple[str, bytes]]) -> list[CheckedFile]:
    """Every file checked, and their number: all accepted, or a ``ValidationError`` listing
    each refused one (nothing is kept)."""
    files = list(files)
    error = too_many_files(len(files))
    if error is not None:
        raise error
    checked, errors = [], []
    for name, data in files:
        try:
            checked.append(attachment_check(name, data))
        except ValidationError as error:
            errors.extend(error.messages)
    if errors:
        raise ValidationError(errors)
    return checked


def attachment_store(
    *,
    checked: CheckedFile,
    kind: str,
    request: Request | None,
    message: Message | None = None,
    answer=None,
    mail: MailMessage | None = None,
    uploaded_by=None,
) -> Attachment:
    """Write a checked file under MEDIA_ROOT (an opaque name) and its row. Part of the
    caller's transaction: the callers are services that checked access."""
    attachment = Attachment(
        request=request,
        message=message,
        answer=answer,
        mail=mail,
        kind=kind,
        filename=checked.filename,
        content_type=checked.content_type,
        size=len(checked.data),
        uploaded_by=uploaded_by if getattr(uploaded_by, "is_authenticated", False) else None,
    )
    # Written now, before the row: a transaction rolled back later leaves an unreferenced
    # file (harmless, opaque name), never a row without its file.
    attachment.file.save(checked.filename, ContentFile(checked.data), save=False)
    attachment.full_clean()
    attachment.save()
    return attachment


@transaction.atomic
def message_post_with_files(
    *,
    actor,
    request: Request,
    text: str,
    visibility: str,
    files: Iterable[tuple[str, bytes]] = (),
    body: Body | None = None,
) -> Message:
    """Write in the request's thread with files attached (the shared space): the files are
    checked first (types, size, count), then the message is posted (``message_post``
    checks access) and the files are kept with it, readable by whoever reads the message."""
    from relais.frontdoor.services.handling import message_post

    checked = attachments_check(files)
    text = (text or "").strip()
    if not text and checked:
        text = _("Pièce jointe : %(names)s") % {"names": ", ".join(f.filename for f in checked)}
    message = message_post(
        actor=actor, request=request, text=text, visibility=visibility, body=body
    )
    if not checked:
        return message
    for item in checked:
        attachment_store(
            checked=item,
            kind=AttachmentKind.UPLOAD,
            request=message.request,
            message=message,
            uploaded_by=actor,
        )
    private = message.body if visibility == Visibility.PRIVATE else None
    log_event(
        message.request,
        "attachment.added",
        _("Pièces jointes ajoutées : %(names)s")
        % {"names": ", ".join(f.filename for f in checked)},
        actor=actor,
        body=message.body,
        private_to=private,
    )
    return message


def attachment_download_log(*, actor, attachment: Attachment) -> None:
    """A download of a request's file, in the audit log (the file may hold personal data);
    the caller got ``attachment`` from ``selectors.attachment_get``."""
    audit_log(
        actor=actor,
        action="frontdoor.attachment.download",
        target=attachment.request or attachment,
        after={"attachment": str(attachment.public_id), "filename": attachment.filename},
    )
