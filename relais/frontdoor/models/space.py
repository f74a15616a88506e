"""The referents' shared space around requests: each body's library of service offers and
brochures, the satisfaction survey after closing, and the routing models retrained from the
referents' decisions."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel
from relais.frontdoor.models.network import Body, Network
from relais.frontdoor.models.requests import Request

BROCHURE_MAX_BYTES = 10 * 1024 * 1024


def validate_brochure(upload) -> None:
    """A brochure is a PDF of 10 MB at most: its first bytes say so, whatever its name."""
    if upload.size > BROCHURE_MAX_BYTES:
        raise ValidationError(_("La brochure dépasse 10 Mo."))
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(5)
    upload.seek(position)
    if head != b"%PDF-":
        raise ValidationError(_("La brochure doit être un fichier PDF."))


class ServiceOffer(PublicIdModel):
    """One offer of a body's service (an aid, a prevention programme, a procedure), with
    its brochure: managed by the body, read by every referent of the network and linked
    from the requests it answers."""

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="offers", verbose_name=_("organisme")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    summary = models.TextField(_("présentation"), max_length=4000)
    audience = models.CharField(_("public concerné"), max_length=200, blank=True)
    url = models.URLField(_("page de l'offre"), blank=True)
    brochure = models.FileField(
        _("brochure (PDF)"),
        upload_to="frontdoor/brochures/%Y/",
        blank=True,
        validators=[validate_brochure],
    )
    active = models.BooleanField(_("proposée"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )

    class Meta:
        verbose_name = _("offre de service")
        verbose_name_plural = _("offres de service")
        ordering = ["body", "title", "id"]

    def __str__(self) -> str:
        return f"{self.title} ({self.body.code})"


class RequestOffer(TimeStampedModel):
    """An offer pointed to from a request (by a referent of any body holding it)."""

    request = models.ForeignKey(
        Request, on_delete=models.CASCADE, related_name="offer_links", verbose_name=_("demande")
    )
    offer = models.ForeignKey(
        ServiceOffer,
        on_delete=models.CASCADE,
        related_name="request_links",
        verbose_name=_("offre"),
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("ajoutée par"),
    )

    class Meta:
        verbose_name = _("offre liée à une demande")
        verbose_name_plural = _("offres liées aux demandes")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "offer"], name="frontdoor_offer_once")
        ]


class SatisfactionSurvey(TimeStampedModel):
    """The survey sent when a request closes: a secret link, answered once (1 to 5 and a
    comment). The token is the only key a requester holds: unguessable, never listed."""

    request = models.OneToOneField(
        Request, on_delete=models.CASCADE, related_name="survey", verbose_name=_("demande")
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    score = models.PositiveSmallIntegerField(
        _("note"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("commentaire"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(_("répondue le"), null=True, blank=True)

    class Meta:
        verbose_name = _("enquête de satisfaction")
        verbose_name_plural = _("enquêtes de satisfaction")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__gte=1, score__lte=5),
                name="frontdoor_survey_score_1_5",
            )
        ]


class RoutingModel(PublicIdModel):
    """A routing model retrained for a network from its confirmed routings (a dispatcher's
    choice, the bodies that finally took a request, the "pas pour moi"). The active one
    routes the network's new requests; the file is written by Relais itself (joblib) and
    the model is deterministic: the same examples give the same version."""

    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        related_name="routing_models",
        verbose_name=_("réseau"),
    )
    version = models.CharField(_("version"), max_length=40)
    path = models.CharField(_("fichier"), max_length=500)
    examples = models.PositiveIntegerField(_("exemples confirmés"), default=0)
    accuracy = models.FloatField(_("exactitude (1er choix)"), null=True, blank=True)
    baseline_accuracy = models.FloatField(
        _("exactitude du modèle d'origine"), null=True, blank=True
    )
    evaluated_on = models.PositiveIntegerField(_("demandes de contrôle"), default=0)
    active = models.BooleanField(_("actif"), default=False)
    trained_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lancé par"),
    )

    class Meta:
        verbose_name = _("modèle d'orientation")
        verbose_name_plural = _("modèles d'orientation")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["network"],
                condition=models.Q(active=True),
                name="frontdoor_one_active_routing_model",
            )
        ]

    def __str__(self) -> str:
        return self.version
