"""Letter, e-mail and SMS campaigns, their frozen recipients and simulated reactions.

Sending is fictitious: nothing leaves the machine. At send time the simulator draws, for every
included recipient, the reactions of the following days (``CampaignEvent``) from a seeded
generator; the campaign's simulated clock then materialises them as it moves forward.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel


class CampaignChannel(models.TextChoices):
    LETTER = "letter", _("Courrier")
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    SENDING = "sending", _("Envoi en cours")
    SENT = "sent", _("Envoyée")


class ExclusionReason(models.TextChoices):
    NO_CONSENT = "no_consent", _("Pas de consentement pour ce canal")
    UNSUBSCRIBED = "unsubscribed", _("Désinscrit lors d'une campagne précédente")
    NO_EMAIL = "no_email", _("Pas d'adresse e-mail")
    NO_MOBILE = "no_mobile", _("Pas de téléphone portable")
    NO_ADDRESS = "no_address", _("Adresse postale incomplète")
    DUPLICATE = "duplicate", _("Même coordonnée qu'un autre destinataire")


class ReactionKind(models.TextChoices):
    DELIVERED = "delivered", _("Distribué")
    BOUNCED = "bounced", _("Non distribué")
    OPENED = "opened", _("Ouvert / lu")
    CLICKED = "clicked", _("Lien cliqué")
    REPLIED = "replied", _("Réponse")
    UNSUBSCRIBED = "unsubscribed", _("Désinscription")
    BOOKED = "booked", _("Rendez-vous pris")


class ReplyIntent(models.TextChoices):
    QUOTE = "quote", _("Demande de devis")
    CALLBACK = "callback", _("Demande de rappel")
    BOOKING = "booking", _("Prise de rendez-vous")
    INFO = "info", _("Demande d'information")
    NOT_INTERESTED = "not_interested", _("Pas intéressé")


def _probability(verbose_name):
    return models.FloatField(
        verbose_name,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
    )


class Campaign(WorkspaceScopedModel):
    """A mailing to a saved segment or to one customer, on one channel."""

    name = models.CharField(_("nom"), max_length=150)
    channel = models.CharField(_("canal"), max_length=10, choices=CampaignChannel.choices)
    subject = models.CharField(_("objet"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)
    segment = models.ForeignKey(
        "crm.Segment",
        verbose_name=_("segment ciblé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("client ciblé"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("état"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    seed = models.PositiveIntegerField(
        _("graine du simulateur"),
        default=2025,
        help_text=_("Même graine et même base : mêmes réactions pour toute la classe."),
    )
    follow_up_days = models.PositiveSmallIntegerField(
        _("relance après (jours)"), default=7, validators=[MaxValueValidator(365)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("envoyée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The simulated "now" of the campaign: reactions up to it have happened.
    clock = models.DateTimeField(_("horloge simulée"), null=True, blank=True)
    # The background job that renders and logs the sending (core jobs survive sandbox resets,
    # so a loose reference rather than a foreign key).
    job_public_id = models.UUIDField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("campagne")
        verbose_name_plural = _("campagnes")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_draft(self) -> bool:
        return self.status == CampaignStatus.DRAFT


class CampaignRecipient(WorkspaceScopedModel):
    """One targeted customer, frozen at send time: included (blank reason) or excluded."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(
        "crm.Customer", on_delete=models.CASCADE, related_name="campaign_recipients"
    )
    excluded_reason = models.CharField(
        _("motif d'exclusion"), max_length=15, choices=ExclusionReason.choices, blank=True
    )
    address = models.CharField(_("coordonnée utilisée"), max_length=300, blank=True)
    subject = models.CharField(_("objet"), max_length=300, blank=True)
    body = models.TextField(_("message"), blank=True)
    activity = models.ForeignKey(
        "crm.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delivered = models.BooleanField(_("distribué"), default=False)
    bounced = models.BooleanField(_("non distribué"), default=False)
    opened = models.BooleanField(_("ouvert"), default=False)
    clicked = models.BooleanField(_("cliqué"), default=False)
    replied = models.BooleanField(_("a répondu"), default=False)
    unsubscribed = models.BooleanField(_("désinscrit"), default=False)
    booked = models.BooleanField(_("rendez-vous pris"), default=False)

    class Meta:
        verbose_name = _("destinataire")
        verbose_name_plural = _("destinataires")
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="campaign_recipient_unique"
            )
        ]
        indexes = [models.Index(fields=["campaign", "excluded_reason"])]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.customer_id}"

    @property
    def included(self) -> bool:
        return not self.excluded_reason


class CampaignEvent(WorkspaceScopedModel):
    """A reaction drawn at send time, dated on the simulated clock; applied once reached."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="events")
    recipient = models.ForeignKey(
        CampaignRecipient, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("réaction"), max_length=12, choices=ReactionKind.choices)
    occurs_at = models.DateTimeField(_("date simulée"))
    # For a reply: which realistic template, and which appointment slot for a booking.
    intent = models.CharField(max_length=15, choices=ReplyIntent.choices, blank=True)
    variant = models.PositiveSmallIntegerField(default=0)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("réaction simulée")
        verbose_name_plural = _("réactions simulées")
        ordering = ["occurs_at", "id"]
        indexes = [models.Index(fields=["campaign", "applied_at", "occurs_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurs_at:%Y-%m-%d}"


class CampaignMessage(WorkspaceScopedModel):
    """A reply that arrived in the campaigns inbox."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(
        CampaignRecipient, on_delete=models.CASCADE, related_name="messages"
    )
    customer = models.ForeignKey(
        "crm.Customer", on_delete=models.CASCADE, related_name="campaign_messages"
    )
    received_at = models.DateTimeField(_("reçu le"))
    intent = models.CharField(_("intention"), max_length=15, choices=ReplyIntent.choices)
    body = models.TextField(_("message"))
    is_read = models.BooleanField(_("lu"), default=False)
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traité par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.ForeignKey(
        "crm.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task = models.ForeignKey(
        "crm.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointment = models.ForeignKey(
        "crm.Appointment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("réponse reçue")
        verbose_name_plural = _("réponses reçues")
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["workspace", "handled_at", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.get_intent_display()} — {self.received_at:%d/%m/%Y}"


class ReactionSettings(WorkspaceScopedModel):
    """Base probabilities of one channel, for the workspace (no campaign) or one campaign.

    Each probability is conditional on the previous step of the funnel (opened given
    delivered, clicked given opened…); the recipient's profile then multiplies it
    (see ``relais.crm.campaigns.simulator``).
    """

    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="settings"
    )
    channel = models.CharField(_("canal"), max_length=10, choices=CampaignChannel.choices)
    delivered = _probability(_("distribution"))
    opened = _probability(_("ouverture (si distribué)"))
    clicked = _probability(_("clic (si ouvert)"))
    replied = _probability(_("réponse (si ouvert)"))
    booked = _probability(_("rendez-vous (si ouvert)"))
    unsubscribed = _probability(_("désinscription (si distribué)"))

    class Meta:
        verbose_name = _("probabilités de réaction")
        verbose_name_plural = _("probabilités de réaction")
        ordering = ["channel", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "channel"],
                condition=Q(campaign__isnull=True),
                name="reaction_settings_unique_workspace_channel",
            ),
            models.UniqueConstraint(
                fields=["campaign", "channel"],
                condition=Q(campaign__isnull=False),
                name="reaction_settings_unique_campaign_channel",
            ),
        ]

    def __str__(self) -> str:
        return self.get_channel_display()
