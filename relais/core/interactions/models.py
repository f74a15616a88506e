from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel


class Channel(models.TextChoices):
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Courrier")
    SMS = "sms", _("SMS")
    WEB = "web", _("Web")
    CHAT = "chat", _("Messagerie instantanée")
    FORUM = "forum", _("Forum")
    APPOINTMENT = "appointment", _("Rendez-vous")
    COUNTER = "counter", _("Accueil / comptoir")
    SOCIAL = "social", _("Réseaux sociaux")


class Direction(models.TextChoices):
    INBOUND = "in", _("Entrant")
    OUTBOUND = "out", _("Sortant")
    INTERNAL = "internal", _("Interne")


class Interaction(WorkspaceScopedModel):
    """One touchpoint with a person or a company. Written only through ``record``."""

    person = models.ForeignKey(
        "contacts.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
    )
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="interactions",
    )
    channel = models.CharField(_("canal"), max_length=12, choices=Channel.choices)
    direction = models.CharField(_("sens"), max_length=8, choices=Direction.choices)
    topic = models.CharField(_("objet"), max_length=200)
    summary = models.TextField(_("résumé"), blank=True)
    started_at = models.DateTimeField(_("début"))
    ended_at = models.DateTimeField(_("fin"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("résultat"), max_length=100, blank=True)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "person", "-started_at"]),
            models.Index(fields=["workspace", "company", "-started_at"]),
            models.Index(fields=["source_type", "source_id"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(company__isnull=False),
                name="interaction_has_contact",
            )
        ]

    def __str__(self) -> str:
        return self.topic
