from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel


class EmailFrequency(models.TextChoices):
    IMMEDIATE = "immediate", _("À chaque notification")
    DAILY = "daily", _("Un résumé par jour")
    NEVER = "never", _("Jamais")


class Notification(PublicIdModel):
    """One message to one user: shown in the in-app list, pushed over the websocket, and
    e-mailed at once or in the day's digest as the user prefers."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("espace"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.CharField(
        _("catégorie"),
        max_length=80,
        help_text=_("Code stable de l'événement, par exemple « jobs.finished »."),
    )
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"), blank=True)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par e-mail le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(TimeStampedModel):
    """A user's choices; a user without a row gets the defaults (daily digest, all in-app)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    email_frequency = models.CharField(
        _("e-mails"),
        max_length=10,
        choices=EmailFrequency.choices,
        default=EmailFrequency.DAILY,
    )
    muted_categories = models.JSONField(
        _("catégories désactivées"),
        default=list,
        blank=True,
        help_text=_("Les notifications de ces catégories ne sont ni affichées ni envoyées."),
    )

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")
        ordering = ["user_id"]

    def __str__(self) -> str:
        return str(self.user)
