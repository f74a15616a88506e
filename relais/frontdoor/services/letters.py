"""Scanned letters: an agent uploads the PDF, its text (the text layer, or OCR for the pages
scanned as images) becomes the request's text, which the agent checks and edits, and the PDF
stays with the request."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from relais.core.exceptions import AccessDenied
from relais.frontdoor import access
from relais.frontdoor import letters as pdf_letters
from relais.frontdoor import permissions as perms
from relais.frontdoor.models import Attachment, AttachmentKind, Request, RequestChannel
from relais.frontdoor.services._common import log_event
from relais.frontdoor.services.attachments import attachment_check, attachment_store


@dataclass
class UploadedLetter:
    attachment: Attachment
    text: str
    pages: int
    has_text_layer: bool
    notice: str
    recognised: bool = False


def letter_upload(*, actor, filename: str, data: bytes) -> UploadedLetter:
    """Keep a scanned letter (PDF, same limits as every file) for ``actor`` to enter as a
    request, and read its text: the text layer, and OCR (tesseract) for the pages without one.
    OCR runs here, in the upload's request, outside the transaction (seconds a page, within a
    page limit and a time limit); its result is cached for the letter's page. A PDF whose text
    cannot be read (no OCR on the server) is kept all the same, with a French notice saying
    the letter must be typed or summarised."""
    if not access.bodies_of(actor, perms.CREATE).exists():
        raise AccessDenied(_("Vous ne saisissez de demande pour aucun organisme."))
    checked = attachment_check(filename, data)
    if checked.content_type != "application/pdf":
        raise ValidationError(_("Déposez le courrier numérisé au format PDF."))
    extracted = pdf_letters.letter_text(checked.data)
    with transaction.atomic():
        attachment = attachment_store(
            checked=checked, kind=AttachmentKind.LETTER, request=None, uploaded_by=actor
        )
    return UploadedLetter(
        attachment=attachment,
        text=extracted.text,
        pages=extracted.pages,
        has_text_layer=extracted.has_text_layer,
        notice="" if extracted.has_text_layer else pdf_letters.no_text_layer_message(),
        recognised=extracted.recognised,
    )


@transaction.atomic
def letter_request_submit(*, actor, letter: Attachment, **fields) -> Request:
    """Enter the request a scanned letter holds (``fields``: those of ``request_submit``,
    the text as the agent checked it) and keep the PDF with it."""
    from relais.frontdoor.services.intake import request_submit

    letter = Attachment.objects.select_for_update().get(pk=letter.pk)
    if letter.request_id is not None or letter.uploaded_by_id != actor.pk:
        raise AccessDenied(_("Ce courrier a déjà été saisi."))
    request = request_submit(actor=actor, channel=RequestChannel.LETTER, **fields)
    letter.request = request
    letter.save(update_fields=["request", "updated_at"])
    log_event(
        request,
        "attachment.added",
        _("Courrier numérisé joint : %(name)s") % {"name": letter.filename},
        actor=actor,
    )
    return request
