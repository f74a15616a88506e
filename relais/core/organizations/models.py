from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Indiquez une couleur au format #RRVVBB, par exemple #000091.")
)


class Organization(TimeStampedModel):
    """A body using Relais (a dealership, a training centre, a public body) and its branding."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), unique=True)
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    primary_colour = models.CharField(
        _("couleur principale"), max_length=7, default="#000091", validators=[hex_colour]
    )
    accent_colour = models.CharField(
        _("couleur d'accent"), max_length=7, default="#e1000f", validators=[hex_colour]
    )
    header_text = models.CharField(_("texte d'en-tête"), max_length=200, blank=True)
    footer_text = models.TextField(_("texte de pied de page"), blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # White text sits on the primary colour: RGAA asks for a 4.5:1 contrast.
        colour = self.primary_colour
        if colour and hex_colour.regex.match(colour) and contrast_ratio(colour, "#ffffff") < 4.5:
            raise ValidationError(
                {
                    "primary_colour": _(
                        "Cette couleur est trop claire : le texte blanc posé dessus ne serait "
                        "pas lisible (contraste inférieur à 4,5:1)."
                    )
                }
            )


def _relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(colour_a: str, colour_b: str) -> float:
    """WCAG 2.1 contrast ratio between two #RRGGBB colours."""
    lighter, darker = sorted(
        (_relative_luminance(colour_a), _relative_luminance(colour_b)), reverse=True
    )
    return (lighter + 0.05) / (darker + 0.05)
