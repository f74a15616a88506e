"""Members' profiles (display name, branch, trust level, activity counters) and flags."""

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
    posts_count = models.PositiveIntegerField(_("messages écrits"), default=0)
    topics_count = models.PositiveIntegerField(_("sujets ouverts"), default=0)
    likes_given = models.PositiveIntegerField(_("mentions j'aime données"), default=0)
    likes_received = models.PositiveIntegerField(_("mentions j'aime reçues"), default=0)
    flags_agreed = models.PositiveIntegerField(_("signalements confirmés"), default=0)
    flags_disagreed = models.PositiveIntegerField(_("signalements rejetés"), default=0)
    flags_received = models.PositiveIntegerField(
        _("signalements confirmés contre ses messages"), default=0
    )

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
