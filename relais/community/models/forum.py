"""Topics, posts and their revisions, and the official-answer record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel


class Topic(PublicIdModel):
    """A question (which may get one accepted answer) or a discussion.

    ``community`` repeats the category's, so that every read is scoped by one column.
    ``excerpt`` is the plain text of the first post (search, meta description).
    """

    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        DISCUSSION = "discussion", _("Discussion")

    class State(models.TextChoices):
        OPEN = "open", _("Ouvert")
        CLOSED = "closed", _("Fermé")

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="topics"
    )
    category = models.ForeignKey(
        "community.Category",
        verbose_name=_("catégorie"),
        on_delete=models.PROTECT,
        related_name="topics",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, allow_unicode=False)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.QUESTION)
    state = models.CharField(_("état"), max_length=8, choices=State.choices, default=State.OPEN)
    excerpt = models.TextField(_("texte de la question"), blank=True)
    accepted_answer = models.ForeignKey(
        "community.Post",
        verbose_name=_("réponse acceptée"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    replies_count = models.PositiveIntegerField(_("réponses"), default=0)
    official_count = models.PositiveIntegerField(_("réponses officielles"), default=0)
    views_count = models.PositiveIntegerField(_("vues"), default=0)
    last_activity_at = models.DateTimeField(_("dernière activité"), db_index=True)
    is_deleted = models.BooleanField(_("supprimé"), default=False)
    deleted_reason = models.CharField(_("motif de suppression"), max_length=300, blank=True)
    # Its opening post waits for a moderator's approval: shown to its author and moderators only.
    is_held = models.BooleanField(_("en attente d'approbation"), default=False)
    # Merged into another topic by a moderator: its replies moved there, its address redirects.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("fusionné dans"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sujet")
        verbose_name_plural = _("sujets")
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(
                fields=["category", "is_deleted", "-last_activity_at"], name="community_topic_list"
            ),
            models.Index(
                fields=["community", "replies_count", "kind"], name="community_topic_unanswered"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_question(self) -> bool:
        return self.kind == self.Kind.QUESTION

    @property
    def is_closed(self) -> bool:
        return self.state == self.State.CLOSED


class Post(PublicIdModel):
    """One message of a topic; ``position`` 0 is the topic's opening post (the question).

    ``body`` is the author's Markdown; ``html`` its sanitised rendering, written by the services
    only. A post is hidden (by flags reaching the threshold, or by a moderator) or soft-deleted
    with a reason; both are reversible.
    """

    class Hidden(models.TextChoices):
        NO = "", _("Visible")
        FLAGS = "flags", _("Masqué automatiquement (signalements)")
        MODERATOR = "moderator", _("Masqué par la modération")
        APPROVAL = "approval", _("En attente d'approbation par la modération")

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    position = models.PositiveIntegerField(_("rang"))
    body = models.TextField(_("message"))
    html = models.TextField(_("message mis en forme"), editable=False)
    edited_at = models.DateTimeField(_("modifié le"), null=True, blank=True)
    revisions_count = models.PositiveIntegerField(_("versions"), default=1)
    hidden = models.CharField(
        _("masquage"), max_length=10, choices=Hidden.choices, default=Hidden.NO, blank=True
    )
    is_deleted = models.BooleanField(_("supprimé"), default=False)
    deleted_reason = models.CharField(_("motif de suppression"), max_length=300, blank=True)
    deleted_at = models.DateTimeField(_("supprimé le"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    likes_count = models.PositiveIntegerField(_("mentions j'aime"), default=0)
    # A wiki post may be edited by any member of the community's wiki edit level, not only
    # its author; every edit keeps a revision with its editor.
    is_wiki = models.BooleanField(_("wiki"), default=False)
    # What the text screening (banned words, personal data) asked of the moderators: ``flag``
    # (published, to be looked at) or ``require_approval`` (hidden until approved); emptied
    # once a moderator decided. ``screen_reasons`` are the French reasons shown to both.
    screen_action = models.CharField(_("contrôle du texte"), max_length=20, blank=True)
    screen_reasons = models.JSONField(_("motifs du contrôle"), default=list, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["topic", "position"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="community_post_position")
        ]

    def __str__(self) -> str:
        return f"{self.topic} #{self.position}"

    @property
    def is_visible(self) -> bool:
        return not self.is_deleted and not self.hidden

    @property
    def is_question(self) -> bool:
        return self.position == 0


class PostLike(TimeStampedModel):
    """A member's « j'aime » on a post (counts for both members' trust levels)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="likes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("mention j'aime")
        verbose_name_plural = _("mentions j'aime")
        ordering = ["post", "created_at"]
        constraints = [models.UniqueConstraint(fields=["post", "user"], name="community_one_like")]

    def __str__(self) -> str:
        return f"{self.user} ♥ {self.post}"


class PostRevision(TimeStampedModel):
    """A previous text of a post (the edit history); ``number`` 1 is the original."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("texte"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("version d'un message")
        verbose_name_plural = _("versions des messages")
        ordering = ["post", "number"]
        constraints = [
            models.UniqueConstraint(fields=["post", "number"], name="community_revision_number")
        ]

    def __str__(self) -> str:
        return f"{self.post} v{self.number}"


class OfficialAnswer(TimeStampedModel):
    """The organisation's word on a post: written by it, or a member's answer it validated.

    A validation vouches for one text: ``text_hash`` is the SHA-256 of the post's body when it
    was validated; an edit of the body suspends the record until someone validates again.
    ``knowledge_entry`` is the kernel knowledge-base entry it was published to.
    """

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("Réponse de l'organisme")
        VALIDATED = "validated", _("Réponse validée par l'organisme")

    class State(models.TextChoices):
        ACTIVE = "active", _("En vigueur")
        SUSPENDED = "suspended", _("Suspendue (texte modifié)")
        REVIEW_DUE = "review_due", _("À revoir")

    post = models.OneToOneField(Post, on_delete=models.CASCADE, related_name="official")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices)
    validator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("validée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    service_name = models.CharField(_("service"), max_length=120)
    validated_at = models.DateTimeField(_("date de validation"))
    source_text = models.CharField(
        _("source ou référence réglementaire"), max_length=300, blank=True
    )
    source_url = models.URLField(_("lien vers la source"), max_length=500, blank=True)
    text_hash = models.CharField(_("empreinte SHA-256 du texte validé"), max_length=64)
    review_date = models.DateField(_("à revoir le"), null=True, blank=True)
    state = models.CharField(
        _("état"), max_length=12, choices=State.choices, default=State.ACTIVE, db_index=True
    )
    state_reason = models.CharField(_("motif"), max_length=300, blank=True)
    knowledge_entry = models.ForeignKey(
        "knowledge.Entry", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("réponse officielle")
        verbose_name_plural = _("réponses officielles")
        ordering = ["-validated_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.post}"

    @property
    def is_active(self) -> bool:
        return self.state == self.State.ACTIVE
