"""A community (one per organization and slug), its categories and its banned-words list."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel

# Modules a community turns on and off without a deployment (back office). Part 1 reads
# ``forum``, ``official_answers``, ``flags`` and ``search``; part 2 adds its own keys.
DEFAULT_FEATURES = {
    "forum": True,
    "official_answers": True,
    "flags": True,
    "search": True,
    "chat": False,
    "polls": False,
    "events": False,
    "badges": False,
}

# What each trust level asks for (every minimum met, and no more upheld flags against the
# member's posts than ``max_flags_received``). Level 4 is granted by hand only. A member whose
# counters no longer meet their level (upheld flags against them) is demoted at the next
# computation. Administrators edit these numbers in the community's settings.
DEFAULT_TRUST_THRESHOLDS = {
    "1": {"days_visited": 1, "posts_read": 10, "read_minutes": 10, "max_flags_received": 3},
    "2": {
        "days_visited": 15,
        "posts_read": 100,
        "read_minutes": 60,
        "posts_count": 3,
        "likes_given": 1,
        "likes_received": 1,
        "max_flags_received": 1,
    },
    "3": {
        "days_visited": 50,
        "posts_read": 500,
        "read_minutes": 300,
        "posts_count": 10,
        "likes_given": 30,
        "likes_received": 20,
        "flags_agreed": 1,
        "max_flags_received": 0,
    },
}

# The weight of a flag, before the flagger's accuracy is applied, by trust level.
DEFAULT_FLAG_WEIGHTS = {"0": 1.0, "1": 1.0, "2": 1.5, "3": 2.0, "4": 2.5}


class Community(TimeStampedModel):
    """A community of an organization: its forum, charter, switches and moderation settings.

    ``workspace`` is the organization's workspace where the members' ``Person`` records and the
    community's interactions are written (the same people as in the body's other modules).
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="communities",
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("espace de travail"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Où les membres (personnes) et leurs interactions sont enregistrés."),
    )
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=200)
    tagline = models.CharField(_("accroche"), max_length=300, blank=True)
    charter = models.TextField(_("charte"), blank=True, help_text=_("Markdown."))
    features = models.JSONField(_("modules activés"), default=dict, blank=True)
    auto_hide_threshold = models.DecimalField(
        _("seuil de masquage automatique"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(Decimal("0.5"))],
        help_text=_(
            "Un message est masqué dès que la somme des poids de ses signalements en attente "
            "atteint ce seuil."
        ),
    )
    trust_thresholds = models.JSONField(_("seuils des niveaux de confiance"), default=dict)
    flag_weights = models.JSONField(_("poids des signalements par niveau"), default=dict)
    # The widget (``views_backoffice``): the sites allowed to frame it (CSP ``frame-ancestors``)
    # and to read its questions (CORS), as origins ``https://www.exemple.fr``.
    embed_origins = models.JSONField(
        _("sites autorisés à intégrer le widget"), default=list, blank=True
    )
    # The RGAA accessibility statement (« Déclaration d'accessibilité »): its fields by name,
    # see ``relais.community.statement.FIELDS``.
    accessibility = models.JSONField(_("déclaration d'accessibilité"), default=dict, blank=True)

    class Meta:
        verbose_name = _("communauté")
        verbose_name_plural = _("communautés")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.workspace_id and self.workspace.organization_id != self.organization_id:
            raise ValidationError(
                {"workspace": _("Cet espace de travail appartient à une autre organisation.")}
            )

    def feature_enabled(self, name: str) -> bool:
        return bool({**DEFAULT_FEATURES, **(self.features or {})}.get(name, False))

    def thresholds(self) -> dict[int, dict[str, int]]:
        """Trust thresholds by level (the community's own, else the defaults)."""
        table = self.trust_thresholds or DEFAULT_TRUST_THRESHOLDS
        return {int(level): dict(rule) for level, rule in table.items()}

    def flag_weight_of_level(self, level: int) -> float:
        table = {**DEFAULT_FLAG_WEIGHTS, **(self.flag_weights or {})}
        return float(table.get(str(level), 1.0))


class CategoryKind(models.TextChoices):
    THEME = "theme", _("Thème")
    BRANCH = "branch", _("Branche artistique")


class Access(models.TextChoices):
    """Who may read, or post in, a category."""

    PUBLIC = "public", _("Tout le monde")
    MEMBERS = "members", _("Membres de la communauté")
    STAFF = "staff", _("Équipe de l'organisme")


class Category(TimeStampedModel):
    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="categories", verbose_name=_("communauté")
    )
    slug = models.SlugField(_("identifiant"))
    name = models.CharField(_("nom"), max_length=120)
    description = models.CharField(_("description"), max_length=400, blank=True)
    kind = models.CharField(
        _("type"), max_length=10, choices=CategoryKind.choices, default=CategoryKind.THEME
    )
    read_access = models.CharField(
        _("lecture"), max_length=10, choices=Access.choices, default=Access.PUBLIC
    )
    post_access = models.CharField(
        _("publication"), max_length=10, choices=Access.choices, default=Access.MEMBERS
    )
    position = models.PositiveIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("catégorie")
        verbose_name_plural = _("catégories")
        ordering = ["community", "kind", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="community_category_slug"),
            models.CheckConstraint(
                condition=~models.Q(post_access="public"), name="community_category_no_anon_post"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_public(self) -> bool:
        return self.read_access == Access.PUBLIC


class WordAction(models.TextChoices):
    """What a banned word does to a post (the moderation engine applies the strongest)."""

    BLOCK = "block", _("Bloquer")
    REQUIRE_APPROVAL = "require_approval", _("Soumettre à approbation")
    FLAG = "flag", _("Signaler aux modérateurs")
    CENSOR = "censor", _("Censurer")
    REPLACE = "replace", _("Remplacer")
    LINK = "link", _("Transformer en lien")


class BannedWord(TimeStampedModel):
    """One entry of a community's banned-words list, edited in the back office.

    ``replacement`` is the text put in place of the word (``replace``) or the URL it links to
    (``link``).
    """

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="banned_words",
        verbose_name=_("communauté"),
    )
    word = models.CharField(_("mot ou expression"), max_length=100)
    action = models.CharField(
        _("action"), max_length=20, choices=WordAction.choices, default=WordAction.BLOCK
    )
    replacement = models.CharField(_("remplacement ou lien"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("mot interdit")
        verbose_name_plural = _("mots interdits")
        ordering = ["community", "word"]
        constraints = [
            models.UniqueConstraint(fields=["community", "word"], name="community_banned_word")
        ]

    def __str__(self) -> str:
        return self.word

    def clean(self) -> None:
        self.word = (self.word or "").strip()
        if not self.word:
            raise ValidationError({"word": _("Indiquez le mot ou l'expression.")})
        if self.action in (WordAction.REPLACE, WordAction.LINK) and not self.replacement.strip():
            raise ValidationError(
                {"replacement": _("Cette action demande un texte de remplacement ou un lien.")}
            )
