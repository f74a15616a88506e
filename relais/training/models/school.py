from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import TimeStampedModel


class SchoolBase(TimeStampedModel):
    """A generated school database: a template workspace and how it was drawn.

    Its dates are those of ``reference_date``; sandboxes cloned from it are moved forward to
    the day they are created or reset on (see ``relais.training.sandboxes``).
    """

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="school_base"
    )
    seed = models.PositiveIntegerField(_("graine"))
    reference_date = models.DateField(_("jour de référence"))
    customer_count = models.PositiveIntegerField(_("nombre de clients"))

    class Meta:
        verbose_name = _("base école")
        verbose_name_plural = _("bases école")

    def __str__(self) -> str:
        return str(self.workspace)


class AnomalyKind(models.TextChoices):
    HOMONYM = "homonym", _("Homonymes (personnes différentes)")
    HOUSEHOLD = "household", _("Même foyer (personnes différentes)")
    DUPLICATE = "duplicate", _("Doublon")
    TYPO = "typo", _("Faute de frappe dans le nom")
    SWAPPED_NAMES = "swapped_names", _("Nom et prénom inversés")
    PHONE_FORMAT = "phone_format", _("Téléphone dans un autre format")
    EMAIL_CASE = "email_case", _("E-mail en majuscules")
    SHARED_VIN = "shared_vin", _("Même VIN sur deux clients")
    POSTCODE_CITY = "postcode_city", _("Code postal ou ville manquant ou incohérent")
    PHONE_WRONG_FIELD = "phone_wrong_field", _("Téléphone dans le mauvais champ")
    INVALID_EMAIL = "invalid_email", _("E-mail invalide")


class Anomaly(models.Model):
    """One deliberate defect of a school database, for cleaning and de-duplication exercises.

    ``records`` lists the customers involved by their hidden ``identity_key`` and their name
    as generated (``[{"identity_key": ..., "label": ...}]``): the keys survive cloning, so the
    list holds for every sandbox of the template.
    """

    school_base = models.ForeignKey(SchoolBase, on_delete=models.CASCADE, related_name="anomalies")
    kind = models.CharField(_("type"), max_length=20, choices=AnomalyKind.choices)
    records = models.JSONField(_("fiches concernées"), default=list)
    description = models.CharField(_("description"), max_length=300)
    expected_correction = models.CharField(_("correction attendue"), max_length=300)

    class Meta:
        verbose_name = _("anomalie")
        verbose_name_plural = _("anomalies")
        ordering = ["school_base", "kind", "id"]

    def __str__(self) -> str:
        return self.description
