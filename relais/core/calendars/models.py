from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel
from relais.core.organizations.models import Organization


class Closure(TimeStampedModel):
    """Days an organization is closed on top of weekends and public holidays (a bridge day,
    a summer week), from ``start`` to ``end`` included."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="closures",
        verbose_name=_("organisation"),
    )
    start = models.DateField(_("premier jour"))
    end = models.DateField(_("dernier jour"))
    label = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fermeture")
        verbose_name_plural = _("fermetures")
        ordering = ["organization", "start"]
        indexes = [models.Index(fields=["organization", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="closure_end_after_start"
            )
        ]

    def __str__(self) -> str:
        if self.start == self.end:
            return f"{self.label or _('Fermeture')} ({self.start:%d/%m/%Y})"
        return f"{self.label or _('Fermeture')} ({self.start:%d/%m/%Y} – {self.end:%d/%m/%Y})"

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("Le dernier jour ne peut précéder le premier.")})
