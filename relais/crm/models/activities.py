from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.interactions.models import Channel
from relais.core.workspaces.models import WorkspaceScopedModel


class ActivityKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    LETTER = "letter", _("Courrier")
    CALL = "call", _("Appel")
    SMS = "sms", _("SMS")
    CAMPAIGN = "campaign", _("Campagne")
    APPOINTMENT = "appointment", _("Rendez-vous")

    @property
    def channel(self) -> str:
        return {
            "email": Channel.EMAIL,
            "letter": Channel.LETTER,
            "call": Channel.PHONE,
            "sms": Channel.SMS,
            "campaign": Channel.EMAIL,
            "appointment": Channel.APPOINTMENT,
        }[self.value]


class ActivityOutcome(models.TextChoices):
    DONE = "done", _("Effectué")
    REACHED = "reached", _("Client joint")
    NO_ANSWER = "no_answer", _("Pas de réponse")
    MESSAGE_LEFT = "message_left", _("Message laissé")
    INTERESTED = "interested", _("Intéressé")
    NOT_INTERESTED = "not_interested", _("Pas intéressé")
    APPOINTMENT_SET = "appointment_set", _("Rendez-vous pris")
    PLANNED = "planned", _("À faire")


class Activity(WorkspaceScopedModel):
    """Something done with a customer (call, mail, appointment…), and the next follow-up."""

    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        related_name="activities",
    )
    kind = models.CharField(_("type"), max_length=12, choices=ActivityKind.choices)
    direction = models.CharField(
        _("sens"),
        max_length=3,
        choices=[("out", _("Sortant")), ("in", _("Entrant"))],
        default="out",
    )
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("compte rendu"), blank=True)
    occurred_at = models.DateTimeField(_("date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable du contact"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("résultat"), max_length=20, choices=ActivityOutcome.choices, blank=True
    )
    next_follow_up_on = models.DateField(_("date de prochaine relance"), null=True, blank=True)

    class Meta:
        verbose_name = _("activité")
        verbose_name_plural = _("activités")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "customer", "-occurred_at"]),
            models.Index(fields=["workspace", "next_follow_up_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.subject}"


class Note(WorkspaceScopedModel):
    """What a salesperson learnt about the customer: wishes, projects, household, habits."""

    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("client"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    wished_vehicles = models.CharField(_("véhicules souhaités"), max_length=200, blank=True)
    projects = models.TextField(_("projets"), blank=True)
    expectations = models.TextField(_("attentes"), blank=True)
    household_size = models.PositiveSmallIntegerField(
        _("nombre de personnes au foyer"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    interests = models.CharField(_("centres d'intérêt"), max_length=200, blank=True)
    daily_mileage_km = models.PositiveIntegerField(
        _("kilométrage journalier (km)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2000)],
    )
    body = models.TextField(_("note libre"), blank=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.wished_vehicles or self.body[:50] or str(_("Note"))


class LeadType(models.TextChoices):
    WEB_AD = "web_ad", _("Retour publicité web")
    TEST_DRIVE = "test_drive", _("Demande d'essai")
    QUOTE = "quote", _("Demande de devis")
    PHONE = "phone", _("Appel entrant")
    SHOWROOM = "showroom", _("Visite en concession")
    CALLBACK = "callback", _("Demande de rappel")
    TRADE_IN = "trade_in", _("Demande de reprise")
    BROCHURE = "brochure", _("Demande de brochure")
    EVENT = "event", _("Salon / portes ouvertes")


class LeadStatus(models.TextChoices):
    NEW = "new", _("Nouveau")
    CONTACTED = "contacted", _("Contacté")
    CONVERTED = "converted", _("Converti en fiche")
    LOST = "lost", _("Perdu")


class Lead(WorkspaceScopedModel):
    first_name = models.CharField(_("prénom"), max_length=100, blank=True)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=20, blank=True)
    lead_type = models.CharField(_("type de lead"), max_length=12, choices=LeadType.choices)
    emitted_at = models.DateTimeField(_("date d'émission"))
    vehicle_of_interest = models.CharField(_("véhicule recherché"), max_length=200, blank=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(
        _("statut"), max_length=10, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("fiche client"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )

    class Meta:
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        ordering = ["-emitted_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-emitted_at"])]

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)
