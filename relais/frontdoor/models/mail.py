"""E-mail and paper around a request: files kept with it, the e-mails that came and went
(their Message-IDs thread the replies), and each body's answer templates."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel
from relais.frontdoor.models.network import Body, Network
from relais.frontdoor.models.requests import Answer, Message, Request


class AttachmentKind(models.TextChoices):
    EMAIL = "email", _("Pièce jointe d'un e-mail")
    UPLOAD = "upload", _("Déposée dans l'espace partagé")
    LETTER = "letter", _("Courrier numérisé")
    ACKNOWLEDGEMENT = "acknowledgement", _("Accusé de réception (courrier)")
    ANSWER_LETTER = "answer_letter", _("Réponse par courrier")


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under an opaque name: the name the sender gave is kept in ``filename`` only,
    so no uploaded name ever reaches the file system."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"frontdoor/pieces-jointes/{instance.public_id.hex[:2]}/{uuid.uuid4().hex}.{suffix}"


class Attachment(PublicIdModel):
    """A file kept with a request: received by e-mail, uploaded by a referent or an agent
    (a scanned letter), or produced by Relais (a letter to print). Readers: those who may
    read the request, and only the author's body when it belongs to a private note.

    ``request`` is empty while a scanned letter waits for its request to be entered."""

    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("demande"),
    )
    message = models.ForeignKey(
        Message,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("message"),
    )
    answer = models.ForeignKey(
        Answer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("réponse"),
    )
    mail = models.ForeignKey(
        "MailMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("e-mail"),
    )
    kind = models.CharField(_("origine"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(_("fichier"), upload_to=attachment_path, max_length=200)
    filename = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("déposée par"),
    )

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename


class MailDirection(models.TextChoices):
    INBOUND = "in", _("Reçu")
    OUTBOUND = "out", _("Envoyé")


class MailKind(models.TextChoices):
    REQUEST = "request", _("Nouvelle demande")
    REPLY = "reply", _("Réponse du demandeur")
    BOUNCE = "bounce", _("Avis de non-distribution")
    AUTO_REPLY = "auto_reply", _("Réponse automatique")
    IGNORED = "ignored", _("Ignoré")
    NOTICE = "notice", _("Message au demandeur")


class MailMessage(models.Model):
    """One e-mail received by the network's inbox or sent to a requester.

    The Message-IDs of the e-mails sent thread the requester's replies (their ``In-Reply-To``
    and ``References``) into the same request; a bounce names the Message-ID it returns."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="mails", verbose_name=_("réseau")
    )
    request = models.ForeignKey(
        Request,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("demande"),
    )
    direction = models.CharField(_("sens"), max_length=3, choices=MailDirection.choices)
    kind = models.CharField(_("nature"), max_length=12, choices=MailKind.choices)
    message_id = models.CharField(_("Message-ID"), max_length=255, db_index=True, blank=True)
    in_reply_to = models.CharField(_("en réponse à"), max_length=255, blank=True)
    sender = models.CharField(_("expéditeur"), max_length=254, blank=True)
    recipients = models.CharField(_("destinataires"), max_length=1000, blank=True)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    note = models.CharField(_("remarque"), max_length=300, blank=True)
    at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.subject}"


class AnswerTemplate(PublicIdModel):
    """A body's answer template with merge fields (``{{ entreprise }}``…, see
    ``relais.frontdoor.services.answer_templates.MERGE_FIELDS``), kept by the body's
    supervisors and moderators."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="answer_templates", verbose_name=_("organisme")
    )
    name = models.CharField(_("nom du modèle"), max_length=120)
    text = models.TextField(_("texte"))
    active = models.BooleanField(_("proposé aux référents"), default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("modifié par"),
    )

    class Meta:
        verbose_name = _("modèle de réponse")
        verbose_name_plural = _("modèles de réponse")
        ordering = ["body", "name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "name"], name="frontdoor_answer_template_name")
        ]

    def __str__(self) -> str:
        return self.name
