"""What the observed side of journeys keeps besides the event logs: the body's yearly volumes
per channel, its survey results per step, and the contacts staff record by hand in low-data
mode (a sample of a few weeks, extrapolated to the year with the volumes).

All three belong to an organization, like designed journeys and event logs.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel
from relais.journeys.models import Channel


class ChannelVolume(TimeStampedModel):
    """How many contacts the body received on a channel in a year (its activity report:
    51,436 calls, 76,892 e-mails…): what a recorded sample is extrapolated to."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    contacts = models.PositiveIntegerField(_("contacts dans l'année"))

    class Meta:
        verbose_name = _("volume annuel d'un canal")
        verbose_name_plural = _("volumes annuels des canaux")
        ordering = ["organization", "-year", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "channel"], name="journeys_volume_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.get_channel_display()} : {self.contacts}"


class StepSurvey(TimeStampedModel):
    """A satisfaction survey's result for one step of a procedure in a year."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("année"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    procedure = models.CharField(_("démarche"), max_length=160)
    step = models.CharField(_("étape"), max_length=160)
    respondents = models.PositiveIntegerField(_("répondants"))
    satisfaction = models.FloatField(
        _("satisfaction (note sur 10)"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("résultat d'enquête par étape")
        verbose_name_plural = _("résultats d'enquête par étape")
        ordering = ["organization", "-year", "procedure", "step"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year", "procedure", "step"],
                name="journeys_survey_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=0, satisfaction__lte=10),
                name="journeys_survey_satisfaction_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.procedure} — {self.step}"


class Demand(models.TextChoices):
    VALUE = "value", _("Demande de valeur")
    FAILURE = "failure", _("Demande d'échec (évitable)")


class FailureKind(models.TextChoices):
    CHASING = "chasing", _("Relance (le dossier attend)")
    REPEAT = "repeat", _("Nouveau contact pour la même chose")
    ERROR = "error", _("Erreur à corriger")
    UNCLEAR_LETTER = "unclear_letter", _("Courrier ou message incompris")
    MISSING_INFORMATION = "missing_information", _("Information introuvable ou incomplète")
    OTHER = "other", _("Autre échec")


class SampleContact(PublicIdModel):
    """One contact recorded by staff during a sampling period (low-data mode)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="+"
    )
    contacted_at = models.DateTimeField(_("date du contact"))
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    reason = models.TextField(_("motif, dans les mots de l'usager"), max_length=1000)
    demand = models.CharField(_("type de demande"), max_length=10, choices=Demand.choices)
    failure_kind = models.CharField(
        _("nature de l'échec"), max_length=24, choices=FailureKind.choices, blank=True
    )
    procedure = models.CharField(_("démarche"), max_length=160, blank=True)
    step = models.CharField(_("étape"), max_length=160, blank=True)
    case_reference = models.CharField(_("référence du dossier"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("contact relevé")
        verbose_name_plural = _("contacts relevés")
        ordering = ["-contacted_at", "-id"]
        indexes = [models.Index(fields=["organization", "contacted_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(demand="value", failure_kind="") | models.Q(demand="failure"),
                name="journeys_sample_kind_only_for_failure",
            )
        ]

    def __str__(self) -> str:
        return self.reason[:60]
