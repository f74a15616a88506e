"""Designed journeys: a journey (one procedure of one public) in phases (the "acts"), each
made of ordered steps with a channel, an actor, an expected duration and the customer's feelings.

A journey belongs to an organization (not a workspace): the body designs its procedures once
and every team reads the same map. A deleted journey is kept (``deleted_at``) so the deletion
can be undone; everything else reads ``Journey.objects.alive()``.
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel


class Channel(models.TextChoices):
    WEB = "web", _("Site internet")
    APP = "app", _("Application mobile")
    PHONE = "phone", _("Téléphone")
    EMAIL = "email", _("Courriel")
    COUNTER = "counter", _("Accueil physique")
    APPOINTMENT = "appointment", _("Rendez-vous")
    LETTER = "letter", _("Courrier")
    CHAT = "chat", _("Messagerie instantanée")
    BACK_OFFICE = "back_office", _("Traitement interne")


class Actor(models.TextChoices):
    CUSTOMER = "customer", _("Usager")
    STAFF = "staff", _("Agent de l'organisme")
    PARTNER = "partner", _("Partenaire")
    SYSTEM = "system", _("Système")


class DurationUnit(models.TextChoices):
    MINUTES = "minutes", _("minutes")
    DAYS = "days", _("jours")


MINUTES_PER_DAY = 24 * 60


class JourneyQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def deleted(self):
        return self.filter(deleted_at__isnull=False)


class Journey(PublicIdModel):
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="designed_journeys",
        verbose_name=_("organisme"),
    )
    title = models.CharField(_("titre"), max_length=160)
    public = models.CharField(_("public concerné"), max_length=160, blank=True)
    procedure = models.CharField(_("démarche"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True)
    template_key = models.CharField(_("modèle d'origine"), max_length=60, blank=True)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)

    objects = JourneyQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours conçu")
        verbose_name_plural = _("parcours conçus")
        ordering = ["title", "id"]
        indexes = [models.Index(fields=["organization", "deleted_at"])]

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """An act of the journey (« S'informer », « Déposer la demande »…)."""

    journey = models.ForeignKey(
        Journey, on_delete=models.CASCADE, related_name="phases", verbose_name=_("parcours")
    )
    order = models.PositiveIntegerField(_("ordre"))
    name = models.CharField(_("nom"), max_length=120)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["journey", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "order"], name="journeys_phase_order"),
        ]

    def __str__(self) -> str:
        return self.name


class Step(models.Model):
    """One step of a phase: who does what, on which channel, for how long, and how it feels."""

    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, related_name="steps", verbose_name=_("phase")
    )
    order = models.PositiveIntegerField(_("ordre"))
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("nom"), max_length=160)
    activity = models.CharField(
        _("activité observée"),
        max_length=160,
        blank=True,
        help_text=_("Nom de l'activité dans le journal d'événements, pour la comparaison."),
    )
    channel = models.CharField(_("canal"), max_length=20, choices=Channel.choices)
    actor = models.CharField(
        _("acteur"), max_length=20, choices=Actor.choices, default=Actor.CUSTOMER
    )
    duration_value = models.PositiveIntegerField(_("durée prévue"), null=True, blank=True)
    duration_unit = models.CharField(
        _("unité"), max_length=10, choices=DurationUnit.choices, default=DurationUnit.MINUTES
    )
    documents = models.TextField(_("pièces et documents"), blank=True)
    pain_points = models.TextField(_("irritants"), blank=True)
    opportunities = models.TextField(_("pistes d'amélioration"), blank=True)
    emotion = models.SmallIntegerField(
        _("ressenti"),
        default=0,
        validators=[MinValueValidator(-2), MaxValueValidator(2)],
        help_text=_("De -2 (très négatif) à +2 (très positif)."),
    )

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["phase", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "order"], name="journeys_step_order"),
            models.CheckConstraint(
                condition=models.Q(emotion__gte=-2, emotion__lte=2),
                name="journeys_step_emotion_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def matched_activity(self) -> str:
        """The activity name matched against the observed log (the step's name by default)."""
        return self.activity or self.name

    @property
    def duration_minutes(self) -> int | None:
        if self.duration_value is None:
            return None
        if self.duration_unit == DurationUnit.DAYS:
            return self.duration_value * MINUTES_PER_DAY
        return self.duration_value

    @staticmethod
    def lines(text: str) -> list[str]:
        """The non-empty lines of ``text``, without a leading bullet (« - », « • », « * »)."""
        out = []
        for line in (text or "").splitlines():
            line = line.strip()
            if line[:2] in ("- ", "• ", "* "):
                line = line[2:].strip()
            if line:
                out.append(line)
        return out

    @property
    def pain_point_list(self) -> list[str]:
        return self.lines(self.pain_points)

    @property
    def document_list(self) -> list[str]:
        return self.lines(self.documents)

    @property
    def opportunity_list(self) -> list[str]:
        return self.lines(self.opportunities)


class EventLogSource(models.TextChoices):
    FILE = "file", _("Fichier importé")
    INTERACTIONS = "interactions", _("Journal des interactions de Relais")
    SAMPLE = "sample", _("Relevé d'échantillon")
    SIMULATED = "simulated", _("Année simulée (démonstration)")


class EventLogStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    IMPORTING = "importing", _("Import en cours")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class EventLogQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)

    def ready(self):
        return self.alive().filter(status=EventLogStatus.READY)


class EventLog(PublicIdModel):
    """An observed event log kept by Relais: one import of a file (CSV, XES, Parquet), an
    extraction of the kernel's interaction log, a recorded sample or the demo's simulated year.

    The events themselves are not rows of the database: the canonical frame (see
    :mod:`relais.journeys.eventlogs`) is stored once as a Parquet file under ``MEDIA_ROOT``
    (:mod:`relais.journeys.eventlog_store`), which the columnar engine reads in one pass. The
    row carries what lists and pages need without opening it (counts, period, the mapping
    used, the import's outcome).
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="event_logs",
        verbose_name=_("organisme"),
    )
    name = models.CharField(_("nom"), max_length=160)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    source = models.CharField(
        _("origine"), max_length=20, choices=EventLogSource.choices, default=EventLogSource.FILE
    )
    status = models.CharField(
        _("état"), max_length=12, choices=EventLogStatus.choices, default=EventLogStatus.PENDING
    )
    original_filename = models.CharField(_("fichier d'origine"), max_length=255, blank=True)
    # The column mapping used for the import (ColumnMapping fields), kept to re-import or show.
    mapping = models.JSONField(_("correspondance des colonnes"), default=dict, blank=True)
    # Relative to MEDIA_ROOT; empty until the import succeeded.
    data_path = models.CharField(max_length=255, blank=True)
    n_cases = models.PositiveIntegerField(_("dossiers"), default=0)
    n_events = models.PositiveBigIntegerField(_("événements"), default=0)
    n_activities = models.PositiveIntegerField(_("activités"), default=0)
    first_event_at = models.DateTimeField(_("premier événement"), null=True, blank=True)
    last_event_at = models.DateTimeField(_("dernier événement"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    # The uploaded file while it waits for its column mapping and import (relative to
    # MEDIA_ROOT); removed once the import ended, whether it succeeded or failed.
    upload_path = models.CharField(max_length=255, blank=True)
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("importé par"),
    )
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)

    objects = EventLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("journal d'événements")
        verbose_name_plural = _("journaux d'événements")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "deleted_at", "status"])]

    def __str__(self) -> str:
        return self.name


class RecommendationSet(PublicIdModel):
    """The recommendations of one observed log, ranked by gain (see
    :mod:`relais.journeys.recommendations`): the analyst's assumptions and the ranking computed
    with them, kept so the deliverable reads the same until someone recomputes it."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        related_name="recommendation_sets",
        verbose_name=_("organisme"),
    )
    event_log = models.ForeignKey(
        EventLog,
        on_delete=models.CASCADE,
        related_name="recommendation_sets",
        verbose_name=_("journal d'événements"),
    )
    journey = models.ForeignKey(
        Journey,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendation_sets",
        verbose_name=_("parcours conçu comparé"),
    )
    name = models.CharField(_("nom"), max_length=160)
    assumptions = models.JSONField(_("hypothèses"), default=dict)
    ranking = models.JSONField(_("classement calculé"), default=dict)
    computed_at = models.DateTimeField(_("calculé le"), null=True, blank=True)
    # The background job computing (or that last computed) the ranking.
    job = models.ForeignKey(
        "jobs.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    class Meta:
        verbose_name = _("jeu de recommandations")
        verbose_name_plural = _("jeux de recommandations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return self.name

    @property
    def recommendations(self) -> list[dict]:
        return (self.ranking or {}).get("recommendations", [])

    @property
    def state(self) -> str:
        """``computing`` while its job is queued or running, ``failed`` when the last job
        failed or was cancelled (the previous ranking, if any, is kept), else ``ready``."""
        job = self.job
        if job is not None and job.status in ("pending", "running"):
            return "computing"
        if job is not None and job.status in ("failed", "cancelled"):
            return "failed"
        return "ready" if self.computed_at else "computing"


# The observed side's other records (volumes, surveys, recorded samples), in their own module.
from relais.journeys.models_observed import (  # noqa: E402, F401
    ChannelVolume,
    SampleContact,
    StepSurvey,
)
