"""What members add around posts: tags, attachments, subscriptions, drafts, and the
community's rules for them (``ContentSettings``)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel

# Types a community accepts by default: raster images (thumbnails) and office documents.
# Never SVG or HTML: they carry scripts (and are refused even if an administrator lists them).
DEFAULT_ATTACHMENT_EXTENSIONS = ["jpg", "jpeg", "png", "gif", "webp", "pdf", "txt", "odt", "docx"]
FORBIDDEN_EXTENSIONS = {"svg", "svgz", "html", "htm", "xhtml", "xml", "js", "mjs", "exe"}
IMAGE_EXTENSIONS = {"jpg", "jpeg", "png", "gif", "webp"}


class ContentSettings(TimeStampedModel):
    """A community's rules for attachments and tags, edited by its administrators.

    The ``*_min_level`` numbers are the trust level a member needs for an ability (the
    organisation's staff and moderators always have it).
    """

    class TagMode(models.TextChoices):
        STAFF = "staff", _("Liste gérée par l'équipe")
        FREE = "free", _("Libre à partir d'un niveau de confiance")

    community = models.OneToOneField(
        "community.Community", on_delete=models.CASCADE, related_name="content_settings"
    )
    attachment_extensions = models.JSONField(
        _("types de fichiers acceptés (extensions)"),
        default=list,
        blank=True,
        help_text=_("Vide : la liste par défaut (images, PDF, textes)."),
    )
    attachment_max_mb = models.PositiveSmallIntegerField(
        _("taille maximale d'un fichier (Mo)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    attachments_per_post = models.PositiveSmallIntegerField(
        _("fichiers par message au plus"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
    )
    attachment_min_level = models.PositiveSmallIntegerField(
        _("niveau requis pour joindre un fichier"),
        default=1,
        validators=[MaxValueValidator(4)],
    )
    image_min_level = models.PositiveSmallIntegerField(
        _("niveau requis pour joindre une image"),
        default=1,
        validators=[MaxValueValidator(4)],
    )
    # Links to other sites are what spam is made of: a community may keep them for members
    # who have shown they are people (0, the default, lets everyone post them).
    link_min_level = models.PositiveSmallIntegerField(
        _("niveau requis pour publier un lien vers un autre site"),
        default=0,
        validators=[MaxValueValidator(4)],
    )
    # Wiki posts, as Discourse has them: an author may open their own post to editing by
    # others from ``wiki_min_level`` (Discourse's default: level 3), and any member from
    # ``wiki_edit_min_level`` may then edit it (Discourse's default: level 1). Moderators and
    # staff may always do both.
    wiki_min_level = models.PositiveSmallIntegerField(
        _("niveau requis pour faire de son message un wiki"),
        default=3,
        validators=[MaxValueValidator(4)],
    )
    wiki_edit_min_level = models.PositiveSmallIntegerField(
        _("niveau requis pour modifier un message wiki"),
        default=1,
        validators=[MaxValueValidator(4)],
    )
    tag_mode = models.CharField(
        _("étiquettes"), max_length=8, choices=TagMode.choices, default=TagMode.STAFF
    )
    free_tag_min_level = models.PositiveSmallIntegerField(
        _("niveau requis pour créer une étiquette"),
        default=2,
        validators=[MaxValueValidator(4)],
    )
    tags_per_topic = models.PositiveSmallIntegerField(
        _("étiquettes par sujet au plus"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )

    class Meta:
        verbose_name = _("règles des contenus")
        verbose_name_plural = _("règles des contenus")

    def __str__(self) -> str:
        return str(self.community)

    def clean(self) -> None:
        wanted = [str(e).strip().lower().lstrip(".") for e in self.attachment_extensions or []]
        forbidden = sorted(set(wanted) & FORBIDDEN_EXTENSIONS)
        if forbidden:
            raise ValidationError(
                {
                    "attachment_extensions": _(
                        "Ces types ne peuvent pas être acceptés (ils peuvent contenir des "
                        "scripts) : %(types)s."
                    )
                    % {"types": ", ".join(forbidden)}
                }
            )
        self.attachment_extensions = sorted({e for e in wanted if e})

    def extensions(self) -> set[str]:
        return set(self.attachment_extensions or DEFAULT_ATTACHMENT_EXTENSIONS)


class Tag(TimeStampedModel):
    """A label of topics in one community (« auto-entrepreneur », « précompte »…)."""

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="tags"
    )
    slug = models.SlugField(_("identifiant"), max_length=40)
    name = models.CharField(_("nom"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topics = models.ManyToManyField("community.Topic", related_name="tags", blank=True)

    class Meta:
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = ["community", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="community_tag_slug")
        ]

    def __str__(self) -> str:
        return self.name


def _attachment_path(instance, filename: str) -> str:
    # Never the member's file name on disk: a random name, the checked extension.
    return f"community/attachments/{instance.public_id}.{instance.extension}"


def _thumbnail_path(instance, filename: str) -> str:
    return f"community/attachments/{instance.public_id}-vignette.png"


class Attachment(TimeStampedModel):
    """A file joined to a post; an image carries a PNG thumbnail made on upload."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="attachments"
    )
    post = models.ForeignKey("community.Post", on_delete=models.CASCADE, related_name="attachments")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(_("fichier"), upload_to=_attachment_path)
    thumbnail = models.FileField(_("vignette"), upload_to=_thumbnail_path, blank=True)
    original_name = models.CharField(_("nom du fichier"), max_length=200)
    extension = models.CharField(_("extension"), max_length=10)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    is_image = models.BooleanField(_("image"), default=False)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["post", "created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Subscription(TimeStampedModel):
    """A member watches a topic or a whole category: new replies (topic) or new topics
    (category) are notified to them in the app and gathered in their e-mail digest."""

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="subscriptions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_subscriptions"
    )
    topic = models.ForeignKey(
        "community.Topic",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    category = models.ForeignKey(
        "community.Category",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
    )
    automatic = models.BooleanField(_("abonnement automatique"), default=False)

    class Meta:
        verbose_name = _("abonnement")
        verbose_name_plural = _("abonnements")
        ordering = ["community", "user", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(topic__isnull=True, category__isnull=False)
                | models.Q(topic__isnull=False, category__isnull=True),
                name="community_subscription_one_target",
            ),
            models.UniqueConstraint(
                fields=["user", "topic"],
                condition=models.Q(topic__isnull=False),
                name="community_one_topic_subscription",
            ),
            models.UniqueConstraint(
                fields=["user", "category"],
                condition=models.Q(category__isnull=False),
                name="community_one_category_subscription",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.topic or self.category}"


class Draft(TimeStampedModel):
    """A member's unsent text, kept on the server: a new topic (``topic`` empty) or a reply
    to ``topic``. One draft per member and place; publishing deletes it."""

    community = models.ForeignKey(
        "community.Community", on_delete=models.CASCADE, related_name="drafts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_drafts"
    )
    topic = models.ForeignKey(
        "community.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="drafts"
    )
    category_slug = models.SlugField(_("catégorie"), blank=True)
    title = models.CharField(_("titre"), max_length=200, blank=True)
    body = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("brouillon")
        verbose_name_plural = _("brouillons")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user", "topic"],
                condition=models.Q(topic__isnull=False),
                name="community_one_reply_draft",
            ),
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=models.Q(topic__isnull=True),
                name="community_one_topic_draft",
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.user} — {self.topic}"
