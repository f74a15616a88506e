from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel

hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Indiquez une couleur au format #RRVVBB, par exemple #000091.")
)

FAVICON_MAX_BYTES = 100 * 1024
# What the first bytes of an accepted favicon look like. SVG is refused: it is served from the
# public branding folder and could carry scripts.
_FAVICON_SIGNATURES = {"png": b"\x89PNG\r\n\x1a\n", "ico": b"\x00\x00\x01\x00"}


def validate_favicon(file) -> None:
    """A favicon is a PNG or ICO file of at most 100 KB whose content matches its extension."""
    FileExtensionValidator(
        allowed_extensions=list(_FAVICON_SIGNATURES),
        message=_("L'icône doit être un fichier PNG ou ICO (le SVG n'est pas accepté)."),
    )(file)
    if file.size > FAVICON_MAX_BYTES:
        raise ValidationError(_("L'icône ne doit pas dépasser 100 Ko."))
    extension = file.name.rsplit(".", 1)[-1].lower()
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    if not head.startswith(_FAVICON_SIGNATURES[extension]):
        raise ValidationError(
            _("Le contenu de ce fichier ne correspond pas à une image %(format)s.")
            % {"format": extension.upper()}
        )


def normalize_host(host: str) -> str:
    """A host as domains are stored: lower case, without port or trailing dot."""
    host = (host or "").strip().lower()
    if host.startswith("["):  # an IPv6 literal, possibly with a port
        return host.split("]", 1)[0] + "]"
    return host.rsplit(":", 1)[0].rstrip(".") if ":" in host else host.rstrip(".")


hostname = RegexValidator(
    r"^(localhost|(\d{1,3}\.){3}\d{1,3}|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63})$",
    _("Indiquez un nom de domaine, par exemple relais.exemple.fr (sans https:// ni chemin)."),
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
    favicon = models.FileField(
        _("icône du site (favicon)"),
        upload_to="branding/favicons/",
        blank=True,
        validators=[validate_favicon],
        help_text=_("PNG ou ICO, 100 Ko au plus."),
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


class OrganizationDomain(TimeStampedModel):
    """A host name whose public pages wear the organization's branding."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="domains",
        verbose_name=_("organisation"),
    )
    domain = models.CharField(_("domaine"), max_length=253, unique=True, validators=[hostname])
    is_primary = models.BooleanField(_("domaine principal"), default=False)

    class Meta:
        verbose_name = _("domaine")
        verbose_name_plural = _("domaines")
        ordering = ["organization", "-is_primary", "domain"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(is_primary=True),
                name="organizations_one_primary_domain",
            )
        ]

    def __str__(self) -> str:
        return self.domain

    def clean_fields(self, exclude=None) -> None:
        # Stored the way hosts are looked up: « Garage.Example:8000 » is « garage.example ».
        self.domain = normalize_host(self.domain)
        super().clean_fields(exclude=exclude)


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
