"""The network of bodies, their commitments and their referents."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel

body_code = RegexValidator(
    r"^[A-Z][A-Z0-9_]{1,29}$",
    _("Le code d'un organisme s'écrit en majuscules, chiffres et _ (par exemple CAF)."),
)


class BodyCode(models.TextChoices):
    """The codes of the founding bodies; any other code may be added (``body_code``)."""

    URSSAF = "URSSAF", "Urssaf"
    CAF = "CAF", "CAF"
    CPAM = "CPAM", "CPAM"
    CARSAT = "CARSAT", "Carsat"
    FRANCE_TRAVAIL = "FRANCE_TRAVAIL", "France Travail"
    CIBTP = "CIBTP", _("Caisse congés intempéries BTP")


class Priority(models.TextChoices):
    NORMAL = "normal", _("Normale")
    HIGH = "high", _("Haute")
    CRITICAL = "critical", _("Critique")


class RequestChannel(models.TextChoices):
    """How a request came in; the values are those of the interaction log's channels."""

    WEB = "web", _("Formulaire web")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Téléphone")
    COUNTER = "counter", _("Accueil physique")
    LETTER = "letter", _("Courrier")


ELECTRONIC_CHANNELS = frozenset({RequestChannel.WEB, RequestChannel.EMAIL})


class Network(PublicIdModel):
    """Bodies working as one front door (the Haute-Garonne building-trade network).

    ``organization`` hosts the network: its supervisors and moderators moderate it.
    ``workspace`` holds the requesters (core contacts) and the interaction log of every
    request. The bodies are the network's organizations (``organizations``, through ``Body``).
    """

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation animatrice"),
        on_delete=models.PROTECT,
        related_name="frontdoor_networks",
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("espace de travail"),
        on_delete=models.PROTECT,
        related_name="frontdoor_networks",
    )
    organizations = models.ManyToManyField(
        "organizations.Organization",
        through="Body",
        related_name="frontdoor_member_networks",
        verbose_name=_("organismes"),
    )
    implicit_decision_months = models.PositiveSmallIntegerField(
        _("délai de décision implicite (mois)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Code des relations entre le public et l'administration, L231-1 : deux mois."),
    )
    transfer_delay_days = models.PositiveSmallIntegerField(
        _("délai de prise en charge ou de transmission (jours ouvrés)"),
        default=2,
        validators=[MaxValueValidator(60)],
        help_text=_(
            "Jours ouvrés laissés à un organisme saisi pour prendre en charge la demande, "
            "la refuser ou la transmettre à l'organisme compétent (CRPA L114-2)."
        ),
    )
    auto_route = models.BooleanField(
        _("orientation automatique"),
        default=False,
        help_text=_(
            "Oriente chaque nouvelle demande vers les organismes proposés par le moteur "
            "d'orientation quand il est assez sûr ; sinon, et toujours quand la case n'est pas "
            "cochée, la demande attend le répartiteur, avec la proposition du moteur."
        ),
    )
    due_soon_days = models.PositiveSmallIntegerField(
        _("alerte « bientôt dû » (jours ouvrés)"), default=2, validators=[MaxValueValidator(30)]
    )
    contact_email = models.EmailField(_("adresse d'envoi"), blank=True)
    inbox_address = models.EmailField(
        _("adresse de réception des e-mails"),
        blank=True,
        help_text=_(
            "Les e-mails adressés ici deviennent des demandes (ou rejoignent la demande à "
            "laquelle ils répondent). Pointez l'enregistrement MX ou le relais de messagerie "
            "de ce domaine vers le serveur SMTP de Relais."
        ),
    )
    reminder_ladder = models.JSONField(
        _("relances (jours ouvrés avant l'échéance)"),
        default=list,
        blank=True,
        help_text=_(
            "Par exemple [5, 2, 0] : une relance cinq et deux jours ouvrés avant chaque "
            "échéance, et le jour même. Vide : [2, 0]. Une échéance dépassée est signalée "
            "aux modérateurs du réseau."
        ),
    )

    DEFAULT_LADDER = (2, 0)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        ladder = self.reminder_ladder or []
        if not isinstance(ladder, list) or not all(
            isinstance(step, int) and 0 <= step <= 60 for step in ladder
        ):
            raise ValidationError(
                {"reminder_ladder": _("Indiquez des nombres de jours ouvrés entre 0 et 60.")}
            )

    @property
    def ladder(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.reminder_ladder or self.DEFAULT_LADDER), reverse=True))

    class Meta:
        verbose_name = _("réseau")
        verbose_name_plural = _("réseaux")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inbox_address"],
                condition=~models.Q(inbox_address=""),
                name="frontdoor_network_inbox_unique",
                violation_error_message=_("Cette adresse reçoit déjà les e-mails d'un réseau."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class Body(TimeStampedModel):
    """One organization of a network (Urssaf, CAF…), with its code and its calendar."""

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="bodies", verbose_name=_("réseau")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="frontdoor_bodies",
        verbose_name=_("organisation"),
    )
    code = models.CharField(_("code"), max_length=30, validators=[body_code])
    name = models.CharField(_("nom affiché"), max_length=200)
    description = models.TextField(_("champ de compétence"), blank=True)
    address = models.TextField(_("adresse postale"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # The calendar: Monday to Friday, French public holidays (with the Alsace-Moselle days
    # when set) and the organization's closures (``relais.core.calendars.Closure``).
    alsace_moselle = models.BooleanField(_("jours fériés d'Alsace-Moselle"), default=False)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("organisme")
        verbose_name_plural = _("organismes")
        ordering = ["network", "code"]
        constraints = [
            models.UniqueConstraint(fields=["network", "code"], name="frontdoor_body_code"),
            models.UniqueConstraint(
                fields=["network", "organization"], name="frontdoor_body_organization"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Commitment(TimeStampedModel):
    """A body's committed delays (working days) for a channel and a priority.

    An empty channel applies to every channel without its own row. Without any row the
    defaults of ``relais.frontdoor.clocks.DEFAULT_COMMITMENTS`` apply (Services Publics+:
    acknowledgement within a week electronically, two weeks by post).
    """

    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("organisme")
    )
    channel = models.CharField(
        _("canal"), max_length=10, choices=RequestChannel.choices, blank=True
    )
    priority = models.CharField(_("priorité"), max_length=10, choices=Priority.choices)
    acknowledgement_days = models.PositiveSmallIntegerField(_("accusé de réception (jours ouvrés)"))
    first_answer_days = models.PositiveSmallIntegerField(_("première réponse (jours ouvrés)"))
    resolution_days = models.PositiveSmallIntegerField(_("résolution (jours ouvrés)"))

    class Meta:
        verbose_name = _("engagement de délai")
        verbose_name_plural = _("engagements de délai")
        ordering = ["body", "priority", "channel"]
        constraints = [
            models.UniqueConstraint(
                fields=["body", "channel", "priority"], name="frontdoor_commitment_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(first_answer_days__lte=models.F("resolution_days")),
                name="frontdoor_commitment_first_before_resolution",
                violation_error_message=_(
                    "La première réponse ne peut être promise après la résolution."
                ),
            ),
        ]


class Referent(TimeStampedModel):
    """A body's referent ("délégué relation entreprise").

    ``is_dispatcher``: the referent on dispatching duty ("DRE de permanence répartiteur"),
    who sees the network's queue and assigns bodies; the network's moderators may dispatch
    as well. The referent also holds the ``referent`` role in the body's organization
    (``OrganizationMembership``): the role grants the permissions, this row says in which
    body, for which subjects and where.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="frontdoor_referents",
        verbose_name=_("utilisateur"),
    )
    body = models.ForeignKey(
        Body, on_delete=models.CASCADE, related_name="referents", verbose_name=_("organisme")
    )
    competences = models.JSONField(_("compétences"), default=list, blank=True)
    sectors = models.JSONField(_("secteurs"), default=list, blank=True)
    territory = models.CharField(_("territoire"), max_length=200, blank=True)
    is_dispatcher = models.BooleanField(_("répartiteur"), default=False)
    active = models.BooleanField(_("actif"), default=True)

    class Meta:
        verbose_name = _("référent")
        verbose_name_plural = _("référents")
        ordering = ["body", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "body"], name="frontdoor_referent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.body.code})"
