from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel


class Segment(WorkspaceScopedModel):
    """A saved target: conditions on customers and their records, and a sort order.

    ``definition`` is the JSON document described in ``relais.crm.segments.definition``;
    ``relais.crm.segments.query.segment_customers`` turns it into a customer queryset.
    """

    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    definition = models.JSONField(_("conditions"), default=dict, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("créé par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "name"], name="segment_name_unique_in_workspace"
            )
        ]

    def __str__(self) -> str:
        return self.name
