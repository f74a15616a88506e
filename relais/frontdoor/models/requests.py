"""Requests, the bodies they are assigned to, their thread, history and answers."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel
from relais.core.workspaces.models import WorkspaceScopedModel
from relais.frontdoor.models.network import Body, Network, Priority, RequestChannel


class RequestState(models.TextChoices):
    """A request's state, computed from its bodies' states (``Request.compute_state``)."""

    TO_DISPATCH = "to_dispatch", _("À répartir")
    PENDING = "pending", _("Transmise, en attente de prise en charge")
    IN_PROGRESS = "in_progress", _("Prise en charge")
    WAITING = "waiting", _("En attente du demandeur")
    ANSWERED = "answered", _("Répondue")
    CLOSED = "closed", _("Clôturée")


OPEN_STATES = (
    RequestState.TO_DISPATCH,
    RequestState.PENDING,
    RequestState.IN_PROGRESS,
    RequestState.WAITING,
)


class RequesterRole(models.TextChoices):
    EMPLOYER = "employer", _("Employeur")
    ACCOUNTANT = "accountant", _("Expert-comptable ou tiers de confiance")
    OTHER = "other", _("Autre")


class Request(WorkspaceScopedModel):
    """One employer's question, from any channel, to the whole network.

    ``workspace`` is the network's. Deadlines are stored (computed by ``clocks``) so that the
    moderator's board filters them in the database.
    """

    network = models.ForeignKey(
        Network, on_delete=models.PROTECT, related_name="requests", verbose_name=_("réseau")
    )
    tracking_code = models.CharField(_("code de suivi"), max_length=20, unique=True)
    company = models.ForeignKey(
        "contacts.Company",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="frontdoor_requests",
        verbose_name=_("entreprise"),
    )
    person = models.ForeignKey(
        "contacts.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="frontdoor_requests",
        verbose_name=_("demandeur"),
    )
    requester_role = models.CharField(
        _("qualité du demandeur"),
        max_length=12,
        choices=RequesterRole.choices,
        default=RequesterRole.EMPLOYER,
    )
    channel = models.CharField(_("canal"), max_length=10, choices=RequestChannel.choices)
    source_site = models.CharField(_("site d'origine"), max_length=200, blank=True)
    first_body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisme saisi en premier"),
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("saisie par"),
    )
    subject = models.CharField(_("objet"), max_length=200)
    text = models.TextField(_("demande"))
    priority = models.CharField(
        _("priorité"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    critical = models.BooleanField(_("événement critique"), default=False)
    state = models.CharField(
        _("état"),
        max_length=12,
        choices=RequestState.choices,
        default=RequestState.TO_DISPATCH,
        db_index=True,
    )
    waiting_for_requester = models.BooleanField(_("en attente du demandeur"), default=False)
    received_at = models.DateTimeField(_("reçue le"))
    acknowledged_at = models.DateTimeField(
        _("accusé de réception envoyé le"), null=True, blank=True
    )
    acknowledgement_due = models.DateField(_("accusé de réception dû le"), null=True, blank=True)
    # CRPA L114-3: the implicit rejection delay runs from receipt by the first body.
    rejection_deadline = models.DateField(_("décision implicite de rejet le"), null=True)
    first_answer_due = models.DateField(_("première réponse due le"), null=True, blank=True)
    resolution_due = models.DateField(_("résolution due le"), null=True, blank=True)
    first_answered_at = models.DateTimeField(_("première réponse le"), null=True, blank=True)
    closed_at = models.DateTimeField(_("clôturée le"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("clôturée par"),
    )
    routing = models.JSONField(_("décision d'orientation"), default=dict, blank=True)
    # A bounce came back: no more e-mail is sent to the requester until an agent clears it.
    email_undeliverable_at = models.DateTimeField(
        _("adresse e-mail du demandeur non distribuable depuis le"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("demande")
        verbose_name_plural = _("demandes")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["network", "state", "received_at"]),
            models.Index(fields=["network", "resolution_due"]),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} — {self.subject}"

    def compute_state(self, assignments=None) -> str:
        """The state the bodies' states give (``assignments``: this request's, or read)."""
        if self.closed_at:
            return RequestState.CLOSED
        if assignments is None:
            assignments = list(self.assignments.all())
        active = [a for a in assignments if a.state in ACTIVE_ASSIGNMENT_STATES]
        if not active:
            return RequestState.TO_DISPATCH
        if self.waiting_for_requester:
            return RequestState.WAITING
        if all(a.state == AssignmentState.ANSWERED for a in active):
            return RequestState.ANSWERED
        if any(a.state != AssignmentState.PENDING for a in active):
            return RequestState.IN_PROGRESS
        return RequestState.PENDING

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class AssignmentState(models.TextChoices):
    PENDING = "pending", _("En attente de prise en charge")
    ACCEPTED = "accepted", _("Prise en charge")
    REFUSED = "refused", _("Pas pour moi")
    TRANSFERRED = "transferred", _("Transmise")
    ANSWERED = "answered", _("Répondue")


ACTIVE_ASSIGNMENT_STATES = (
    AssignmentState.PENDING,
    AssignmentState.ACCEPTED,
    AssignmentState.ANSWERED,
)


class RequestAssignment(TimeStampedModel):
    """A request in the hands of one body: received at ``received_at``, taken in charge,
    refused ("pas pour moi"), transferred to another body, or answered.

    CRPA L114-3: the implicit acceptance delay runs from receipt by the competent body,
    ``acceptance_deadline`` is set when the body accepts (it is competent).
    """

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("demande")
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("organisme")
    )
    state = models.CharField(
        _("état"),
        max_length=12,
        choices=AssignmentState.choices,
        default=AssignmentState.PENDING,
        db_index=True,
    )
    reason = models.TextField(_("motif"), blank=True)
    received_at = models.DateTimeField(_("reçue par l'organisme le"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("orientée par"),
    )
    transferred_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("transmise par"),
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("réception accusée par"),
    )
    acknowledged_at = models.DateTimeField(_("réception accusée le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("référent en charge"),
    )
    decided_at = models.DateTimeField(_("décision le"), null=True, blank=True)
    decision_due = models.DateField(_("prise en charge due le"), null=True, blank=True)
    first_answer_due = models.DateField(_("première réponse due le"), null=True, blank=True)
    resolution_due = models.DateField(_("résolution due le"), null=True, blank=True)
    acceptance_deadline = models.DateField(
        _("décision implicite d'acceptation le"), null=True, blank=True
    )
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("orientation vers un organisme")
        verbose_name_plural = _("orientations vers les organismes")
        ordering = ["received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "body"],
                condition=models.Q(state__in=["pending", "accepted", "answered"]),
                name="frontdoor_one_active_assignment_per_body",
                violation_error_message=_("Cet organisme est déjà saisi de la demande."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.request.tracking_code} → {self.body.code}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_ASSIGNMENT_STATES


class Visibility(models.TextChoices):
    SHARED = "shared", _("Partagé avec le demandeur")
    INTERNAL = "internal", _("Interne au réseau")
    PRIVATE = "private", _("Privé à mon organisme")


class Message(TimeStampedModel):
    """A post in a request's thread. ``shared``: the requester reads it on the tracking
    page; ``internal``: every body involved reads it; ``private``: only ``body`` does."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="messages", verbose_name=_("demande")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisme de l'auteur"),
    )
    visibility = models.CharField(
        _("visibilité"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    text = models.TextField(_("message"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def clean(self) -> None:
        if self.visibility == Visibility.PRIVATE and not self.body_id:
            raise ValidationError(_("Une note privée appartient à un organisme."))


class RequestEvent(models.Model):
    """The automatic history of a request: one row per step, never edited.

    ``private_to`` hides an event from the other bodies (a private note was posted)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="events", verbose_name=_("demande")
    )
    at = models.DateTimeField(_("date"))
    code = models.CharField(_("événement"), max_length=60)
    label = models.CharField(_("libellé"), max_length=300)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    body = models.ForeignKey(
        Body,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisme"),
    )
    private_to = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visible du seul organisme"),
    )
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("événement de la demande")
        verbose_name_plural = _("historique des demandes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.label


class Answer(TimeStampedModel):
    """An answer sent to the requester, recorded: no request closes without one."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="answers", verbose_name=_("demande")
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisme")
    )
    joint_bodies = models.ManyToManyField(
        Body, blank=True, related_name="+", verbose_name=_("réponse commune avec")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    channel = models.CharField(_("canal"), max_length=10, choices=RequestChannel.choices)
    text = models.TextField(_("réponse"))
    sent_at = models.DateTimeField(_("envoyée le"))

    class Meta:
        verbose_name = _("réponse")
        verbose_name_plural = _("réponses")
        ordering = ["sent_at", "id"]


class ReminderKind(models.TextChoices):
    DECISION = "decision", _("Prise en charge ou transmission")
    FIRST_ANSWER = "first_answer", _("Première réponse")
    RESOLUTION = "resolution", _("Résolution")


ESCALATION = -1  # the step of a missed deadline, signalled to the moderators


class Reminder(models.Model):
    """A reminder sent before a deadline (``step`` working days before it), or the
    escalation of a missed one (``step == ESCALATION``). One per deadline, step and day
    due: a moved deadline is reminded again."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("demande")
    )
    assignment = models.ForeignKey(
        RequestAssignment,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("orientation"),
    )
    kind = models.CharField(_("échéance"), max_length=15, choices=ReminderKind.choices)
    step = models.SmallIntegerField(_("jours ouvrés avant l'échéance"))
    due = models.DateField(_("échéance"))
    sent_at = models.DateTimeField(_("envoyée le"))

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "assignment", "kind", "step", "due"],
                name="frontdoor_reminder_once",
            ),
            models.UniqueConstraint(
                fields=["request", "kind", "step", "due"],
                condition=models.Q(assignment__isnull=True),
                name="frontdoor_request_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request.tracking_code} {self.kind} {self.step}"
