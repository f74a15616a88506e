from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.interactions import events
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
    """One touchpoint with a person, a company or an anonymous visitor.

    Written only through ``record`` / ``record_many``. ``event_code`` says what happened in
    words that never change (see ``relais.core.interactions.events``), ``topic`` says it to a
    reader. ``case_key`` groups the touchpoints of one procedure or request; ``visitor_key``
    names a visitor not identified yet. Deleting the source unlinks the row (``forget_source``);
    deleting the contact deletes its history with it (the erasure of a person, see
    ``relais.crm.services.deletion`` for the 30-day undo).
    """

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
    visitor_key = models.CharField(_("visiteur anonyme"), max_length=64, blank=True)
    event_code = models.CharField(_("code d'événement"), max_length=100)
    case_key = models.CharField(_("dossier"), max_length=100, blank=True)
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
    # A code registered with the event code's app (``events.outcome_label``); free text in
    # rows of another origin is shown as it is.
    outcome = models.CharField(_("résultat"), max_length=100, blank=True)
    source_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
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
            # Time-window reads of a workspace (event codes filtered on the way), and the
            # touchpoints of one case. The case index is partial: most rows have no case, and
            # every index costs each row a sandbox copies (bench/training_sandbox.py).
            models.Index(fields=["workspace", "started_at"], name="interaction_window_idx"),
            models.Index(
                fields=["workspace", "case_key", "started_at"],
                name="interaction_case_idx",
                condition=~Q(case_key=""),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(company__isnull=False) | ~Q(visitor_key=""),
                name="interaction_has_contact_or_visitor",
            )
        ]

    def __str__(self) -> str:
        return self.topic

    @property
    def event_label(self) -> str:
        return events.event_label(self.event_code)

    @property
    def outcome_label(self) -> str:
        return events.outcome_label(self.outcome, event_code=self.event_code)
