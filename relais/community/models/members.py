"""Members' profiles (display name, branch, trust level, activity counters) and flags."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel


class ArtisticBranch(models.TextChoices):
    """The five branches that open the artists-authors' social-security scheme."""

    GRAPHIC_ARTS = "arts-graphiques", _("Arts graphiques et plastiques")
    BOOK = "livre", _("Écrivains et illustrateurs du livre")
    MUSIC = "musique", _("Auteurs-compositeurs de musique")
    AUDIOVISUAL = "audiovisuel", _("Auteurs d'œuvres cinématographiques et audiovisuelles")
    PHOTOGRAPHY = "photographie", _("Photographes")


class MemberProfile(TimeStampedModel):
    """A user's membership of a community, as others see it, and their activity.

    ``display_name`` is public and distinct from the legal name (kept on the user and on the
    kernel ``Person``, never shown). ``trust_level`` is computed from the counters
    (``services.trust_level_compute``) unless ``trust_level_locked`` (a level set by hand).
    """

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_profiles"
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("personne"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    display_name = models.CharField(_("nom affiché"), max_length=60)
    branch = models.CharField(
        _("branche artistique"), max_length=20, choices=ArtisticBranch.choices, blank=True
    )
    charter_accepted_at = models.DateTimeField(_("charte acceptée le"), null=True, blank=True)
    trust_level = models.PositiveSmallIntegerField(_("niveau de confiance"), default=0)
    trust_level_locked = models.BooleanField(_("niveau fixé à la main"), default=False)
    days_visited = models.PositiveIntegerField(_("jours de visite"), default=0)
    last_visit_on = models.DateField(_("dernière visite"), null=True, blank=True)
    posts_read = models.PositiveIntegerField(_("messages lus"), default=0)
    # Seconds a topic page was visible to the member (the page's reading beacon, capped by
    # wall-clock time): a total only, never what was read nor when.
    reading_seconds = models.PositiveIntegerField(_("temps de lecture (secondes)"), default=0)
    posts_count = models.PositiveIntegerField(_("messages écrits"), default=0)
    topics_count = models.PositiveIntegerField(_("sujets ouverts"), default=0)
    likes_given = models.PositiveIntegerField(_("mentions j'aime données"), default=0)
    likes_received = models.PositiveIntegerField(_("mentions j'aime reçues"), default=0)
    flags_agreed = models.PositiveIntegerField(_("signalements confirmés"), default=0)
    flags_disagreed = models.PositiveIntegerField(_("signalements rejetés"), default=0)
    flags_received = models.PositiveIntegerField(
        _("signalements confirmés contre ses messages"), default=0
    )
    # Sign-up, profile and account (``services.signup``, ``.profile``, ``.gdpr``).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    charter_version = models.CharField(
        _("version de la charte acceptée (SHA-256)"), max_length=64, blank=True
    )
    email_pending = models.BooleanField(
        _("adresse e-mail à vérifier"),
        default=False,
        help_text=_("Lecture seule tant que l'adresse n'est pas vérifiée."),
    )
    email_verified_at = models.DateTimeField(_("adresse vérifiée le"), null=True, blank=True)
    person_created = models.BooleanField(
        _("personne créée par l'inscription"), default=False, editable=False
    )
    avatar = models.FileField(_("avatar"), upload_to="community/avatars/", blank=True)
    avatar_thumbnail = models.FileField(
        _("vignette de l'avatar"), upload_to="community/avatars/", blank=True
    )
    notify_in_app = models.BooleanField(_("notifications dans l'application"), default=True)
    # The e-mail digest of the topics and categories the member watches: chosen by the member
    # (never by default: choosing it is the consent), sent by ``tasks.community_digest_task``.
    digest_frequency = models.CharField(
        _("résumé par e-mail des sujets suivis"),
        max_length=8,
        choices=[
            ("never", _("Jamais")),
            ("daily", _("Chaque jour")),
            ("weekly", _("Chaque semaine")),
        ],
        default="never",
    )
    digest_sent_at = models.DateTimeField(_("dernier résumé envoyé le"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("compte supprimé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("profil de membre")
        verbose_name_plural = _("profils de membres")
        ordering = ["community", "display_name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="community_one_profile"),
            models.UniqueConstraint(
                fields=["community", "display_name"], name="community_unique_display_name"
            ),
            models.CheckConstraint(
                condition=models.Q(trust_level__lte=4), name="community_trust_level_max"
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def read_minutes(self) -> int:
        """Whole minutes of reading, the unit of the ``read_minutes`` trust threshold."""
        return self.reading_seconds // 60

    @property
    def flag_accuracy(self) -> float:
        """Past accuracy of the member's flags, smoothed so that a newcomer starts at 0.5."""
        return (self.flags_agreed + 1) / (self.flags_agreed + self.flags_disagreed + 2)


class Flag(PublicIdModel):
    """A member's report of a post, waiting for (or given) a moderator's decision."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam ou publicité")
        INAPPROPRIATE = "inappropriate", _("Contenu inapproprié")
        OFF_TOPIC = "off_topic", _("Hors sujet")
        PERSONAL_DATA = "personal_data", _("Données personnelles")
        OTHER = "other", _("Autre motif")

    class State(models.TextChoices):
        PENDING = "pending", _("En attente")
        AGREED = "agreed", _("Confirmé")
        DISAGREED = "disagreed", _("Rejeté")
        DEFERRED = "deferred", _("Classé sans suite")

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="flags"
    )
    post = models.ForeignKey("community.Post", on_delete=models.CASCADE, related_name="flags")
    flagger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=16, choices=Reason.choices)
    text = models.CharField(_("précisions"), max_length=500, blank=True)
    weight = models.DecimalField(_("poids"), max_digits=5, decimal_places=2, default=Decimal(1))
    state = models.CharField(
        _("état"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("traité par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "flagger"],
                condition=models.Q(state="pending"),
                name="community_one_pending_flag",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} — {self.post}"


# --- Sign-up, profile, sanctions ---------------------------------------------------------

# Disposable-address providers refused at sign-up unless the community lists its own.
DEFAULT_DISPOSABLE_DOMAINS = (
    "yopmail.com",
    "yopmail.fr",
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "trashmail.com",
    "tempmail.com",
    "temp-mail.org",
    "jetable.org",
    "maildrop.cc",
    "getnada.com",
    "sharklasers.com",
)

# Escalation of sanctions: the n-th sanction of a member lasts the n-th number of days;
# ``None`` is permanent. Past the end of the list, the last step applies.
DEFAULT_SANCTION_STEPS = [1, 7, 30, None]


class MemberSettings(TimeStampedModel):
    """A community's member rules: the disposable domains refused at sign-up and the steps of
    escalating sanctions (kept apart from ``Community``, edited by its administrators)."""

    community = models.OneToOneField(
        "community.Community", on_delete=models.CASCADE, related_name="member_settings"
    )
    disposable_domains = models.TextField(
        _("domaines d'adresses jetables refusés"),
        blank=True,
        help_text=_("Un domaine par ligne ; vide : la liste par défaut."),
    )
    sanction_steps = models.JSONField(
        _("durées des sanctions successives (jours, null = définitive)"),
        default=list,
        blank=True,
    )

    class Meta:
        verbose_name = _("règles des membres")
        verbose_name_plural = _("règles des membres")

    def __str__(self) -> str:
        return str(self.community)

    def domains(self) -> set[str]:
        lines = [line.strip().lower().lstrip("@") for line in self.disposable_domains.splitlines()]
        return {line for line in lines if line} or set(DEFAULT_DISPOSABLE_DOMAINS)

    def steps(self) -> list[int | None]:
        return list(self.sanction_steps or DEFAULT_SANCTION_STEPS)


class Sanction(PublicIdModel):
    """A moderation measure on a member: silenced (read-only), suspended (no login) or banned
    (no login, e-mail refused at sign-up), from ``starts_at`` until ``ends_at`` (``None``:
    permanent) unless lifted. ``step`` is its rank in the escalation (1 = first offence)."""

    class Kind(models.TextChoices):
        SILENCE = "silence", _("Mise en sourdine (lecture seule)")
        SUSPEND = "suspend", _("Suspension (connexion impossible)")
        BAN = "ban", _("Bannissement (compte et adresse e-mail)")

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="sanctions"
    )
    profile = models.ForeignKey(
        MemberProfile,
        verbose_name=_("membre"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="sanctions",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Kept for a ban: the address refused at sign-up, even once the account is deleted.
    email = models.EmailField(_("adresse e-mail"), blank=True, db_index=True)
    kind = models.CharField(_("mesure"), max_length=8, choices=Kind.choices)
    reason = models.CharField(_("motif"), max_length=500)
    step = models.PositiveSmallIntegerField(_("rang dans l'escalade"), default=1)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    lifted_at = models.DateTimeField(_("levée le"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lift_reason = models.CharField(_("motif de la levée"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.profile or self.email}"

    def is_active_at(self, moment) -> bool:
        return (
            self.lifted_at is None
            and self.starts_at <= moment
            and (self.ends_at is None or self.ends_at > moment)
        )
