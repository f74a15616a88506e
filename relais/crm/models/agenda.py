from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel


class Recurrence(models.TextChoices):
    NONE = "", _("Aucune")
    DAILY = "daily", _("Tous les jours")
    WEEKLY = "weekly", _("Toutes les semaines")
    MONTHLY = "monthly", _("Tous les mois")


class AppointmentSource(models.TextChoices):
    MANUAL = "manual", _("Saisi dans l'agenda")
    CUSTOMER = "customer", _("Depuis la fiche client")
    CAMPAIGN = "campaign", _("Réponse à une campagne")


class Appointment(WorkspaceScopedModel):
    """An appointment in the agenda, possibly recurring, possibly with a customer.

    A recurring appointment is one row; its occurrences are computed when the agenda asks for
    a period (``relais.crm.agenda``), minus the dates listed in ``recurrence_exceptions``.
    """

    title = models.CharField(_("objet"), max_length=200)
    customer = models.ForeignKey(
        "crm.Customer",
        verbose_name=_("client"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="appointments",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    all_day = models.BooleanField(_("toute la journée"), default=False)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recurrence = models.CharField(
        _("répétition"), max_length=10, choices=Recurrence.choices, blank=True, default=""
    )
    recurrence_interval = models.PositiveSmallIntegerField(_("intervalle"), default=1)
    recurrence_until = models.DateField(_("jusqu'au"), null=True, blank=True)
    recurrence_count = models.PositiveSmallIntegerField(
        _("nombre d'occurrences"), null=True, blank=True
    )
    # ISO dates (YYYY-MM-DD) of the occurrences that were cancelled.
    recurrence_exceptions = models.JSONField(_("exceptions"), default=list, blank=True)
    source = models.CharField(
        _("origine"),
        max_length=10,
        choices=AppointmentSource.choices,
        default=AppointmentSource.MANUAL,
    )

    class Meta:
        verbose_name = _("rendez-vous")
        verbose_name_plural = _("rendez-vous")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["workspace", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=F("starts_at")), name="appointment_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title
