"""Knowledge base entries: a question, its validated answer, where it comes from."""

import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel

_SPACES = re.compile(r"\s+")


def text_hash(question: str, answer: str) -> str:
    """SHA-256 of the normalised question and answer: what a validation vouches for.

    Unicode NFC and collapsed white space, so that re-saving the same text (or a different
    line ending) does not count as an edit.
    """

    def normalise(text: str) -> str:
        return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()

    payload = normalise(question) + "\n\n" + normalise(answer)
    return hashlib.sha256(payload.encode()).hexdigest()


class Entry(PublicIdModel):
    """One question and its answer, owned by an organization (optionally one workspace)."""

    class Origin(models.TextChoices):
        ARTICLE = "article", _("Article rédigé")
        COMMUNITY_ANSWER = "community_answer", _("Réponse validée de la communauté")
        RESOLVED_REQUEST = "resolved_request", _("Demande résolue")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        VALIDATED = "validated", _("Validée")
        SUSPENDED = "suspended", _("Suspendue")
        ARCHIVED = "archived", _("Archivée")

    class Format(models.TextChoices):
        MARKDOWN = "markdown", _("Markdown")
        PLAIN = "plain", _("Texte brut")

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="knowledge_entries",
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("espace de travail"),
        on_delete=models.CASCADE,
        related_name="knowledge_entries",
        null=True,
        blank=True,
        help_text=_("Vide : l'entrée vaut pour toute l'organisation."),
    )
    question = models.CharField(_("question"), max_length=500)
    answer = models.TextField(_("réponse"))
    answer_format = models.CharField(
        _("format de la réponse"), max_length=10, choices=Format.choices, default=Format.MARKDOWN
    )
    tags = models.CharField(
        _("mots-clés"), max_length=300, blank=True, help_text=_("Séparés par des virgules.")
    )
    origin = models.CharField(
        _("origine"), max_length=20, choices=Origin.choices, default=Origin.ARTICLE
    )
    # The source in another module, named without a foreign key: core knows no app.
    origin_app = models.CharField(_("module d'origine"), max_length=50, blank=True)
    origin_ref = models.CharField(_("référence d'origine"), max_length=64, blank=True)
    source_text = models.CharField(_("source ou texte de référence"), max_length=300, blank=True)
    source_url = models.URLField(_("lien vers la source"), max_length=500, blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_reason = models.CharField(_("motif"), max_length=300, blank=True)
    text_hash = models.CharField(_("empreinte du texte validé"), max_length=64, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    validated_at = models.DateTimeField(_("validée le"), null=True, blank=True)
    review_date = models.DateField(_("à revoir le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("entrée de la base de connaissances")
        verbose_name_plural = _("entrées de la base de connaissances")
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "status"], name="knowledge_org_status"),
            models.Index(fields=["review_date"], name="knowledge_review_date"),
        ]

    def __str__(self) -> str:
        return self.question[:100]

    def clean(self) -> None:
        if self.workspace_id and self.workspace.organization_id != self.organization_id:
            raise ValidationError(
                {"workspace": _("Cet espace de travail appartient à une autre organisation.")}
            )

    @property
    def current_hash(self) -> str:
        return text_hash(self.question, self.answer)

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]
