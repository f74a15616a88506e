"""Category moderators: members an administrator trusts with the moderation of some
categories only (Discourse's category moderation groups, one member at a time).

The ``moderator`` role of the organization moderates the whole community; a row here gives
one member the same powers on the content of one category, and nothing else (no sanctions,
no tags, no settings). ``access.can_moderate`` is the one place that reads it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel


class CategoryModerator(TimeStampedModel):
    category = models.ForeignKey(
        "community.Category",
        on_delete=models.CASCADE,
        related_name="moderators",
        verbose_name=_("catégorie"),
    )
    profile = models.ForeignKey(
        "community.MemberProfile",
        on_delete=models.CASCADE,
        related_name="moderated_categories",
        verbose_name=_("membre"),
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nommé par"),
    )

    class Meta:
        verbose_name = _("modérateur de catégorie")
        verbose_name_plural = _("modérateurs de catégorie")
        ordering = ["category", "profile__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "profile"], name="community_one_category_moderator"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} — {self.category}"
