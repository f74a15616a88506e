"""Joint answers co-signed by the bodies they speak for.

A body holding a request drafts an answer in the name of several bodies
(``JointAnswer``); each co-signing body's referent approves it or asks for a change with a
comment (``CoSignature``); it is sent through the requester's channel once every co-signing
body has approved the current version. Editing it makes a new version and resets the
approvals; the drafting body may withdraw it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel
from relais.frontdoor.models.network import Body, RequestChannel
from relais.frontdoor.models.requests import Answer, Request


class JointAnswerState(models.TextChoices):
    DRAFT = "draft", _("En attente des co-signatures")
    SENT = "sent", _("Envoyée")
    WITHDRAWN = "withdrawn", _("Retirée")


class CoSignatureDecision(models.TextChoices):
    PENDING = "pending", _("En attente")
    APPROVED = "approved", _("Approuvée")
    CHANGES = "changes", _("Modification demandée")


class JointAnswer(PublicIdModel):
    """A draft answer in the name of ``body`` and its co-signing bodies."""

    request = models.ForeignKey(
        Request,
        on_delete=models.CASCADE,
        related_name="joint_answers",
        verbose_name=_("demande"),
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisme rédacteur")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("rédigée par"),
    )
    text = models.TextField(_("réponse"))
    channel = models.CharField(_("canal"), max_length=10, choices=RequestChannel.choices)
    state = models.CharField(
        _("état"),
        max_length=10,
        choices=JointAnswerState.choices,
        default=JointAnswerState.DRAFT,
        db_index=True,
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    answer = models.OneToOneField(
        Answer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="joint_draft",
        verbose_name=_("réponse envoyée"),
    )

    class Meta:
        verbose_name = _("réponse commune")
        verbose_name_plural = _("réponses communes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.request.tracking_code} — {self.body.code} v{self.version}"

    @property
    def is_draft(self) -> bool:
        return self.state == JointAnswerState.DRAFT


class CoSignature(TimeStampedModel):
    """One co-signing body's decision on the current version of a joint answer."""

    joint_answer = models.ForeignKey(
        JointAnswer,
        on_delete=models.CASCADE,
        related_name="cosignatures",
        verbose_name=_("réponse commune"),
    )
    body = models.ForeignKey(
        Body, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisme")
    )
    decision = models.CharField(
        _("décision"),
        max_length=10,
        choices=CoSignatureDecision.choices,
        default=CoSignatureDecision.PENDING,
    )
    comment = models.TextField(_("commentaire"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    version = models.PositiveIntegerField(_("version décidée"), default=0)

    class Meta:
        verbose_name = _("co-signature")
        verbose_name_plural = _("co-signatures")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["joint_answer", "body"], name="frontdoor_cosignature_one_per_body"
            )
        ]

    def __str__(self) -> str:
        return f"{self.body.code} : {self.get_decision_display()}"
