from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.contacts import validators as v
from relais.core.workspaces.models import WorkspaceScopedModel


class Energy(models.TextChoices):
    PETROL = "petrol", _("Essence")
    DIESEL = "diesel", _("Diesel")
    HYBRID = "hybrid", _("Hybride")
    PLUGIN_HYBRID = "phev", _("Hybride rechargeable")
    MILD_HYBRID = "mhev", _("Hybride léger")
    ELECTRIC = "electric", _("Électrique")
    LPG = "lpg", _("GPL")
    CNG = "cng", _("GNV")
    E85 = "e85", _("Superéthanol E85")
    HYDROGEN = "hydrogen", _("Hydrogène")


class VehicleUsage(models.TextChoices):
    PRIVATE = "private", _("Personnel")
    COMMUTE = "commute", _("Domicile-travail")
    BUSINESS = "business", _("Professionnel")
    FLEET = "fleet", _("Véhicule de société")
    TAXI = "taxi", _("Taxi / VTC")
    RENTAL = "rental", _("Location")


class FinancingType(models.TextChoices):
    CASH = "cash", _("Comptant")
    LOAN = "loan", _("Crédit classique")
    LOA = "loa", _("Location avec option d'achat (LOA)")
    LLD = "lld", _("Location longue durée (LLD)")
    LEASE = "lease", _("Crédit-bail")


class Vehicle(WorkspaceScopedModel):
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("client"), on_delete=models.CASCADE, related_name="vehicles"
    )
    make = models.CharField(_("marque"), max_length=50)
    model = models.CharField(_("modèle"), max_length=80)
    trim = models.CharField(_("finition"), max_length=80, blank=True)
    energy = models.CharField(_("énergie"), max_length=10, choices=Energy.choices)
    plate = models.CharField(
        _("immatriculation"),
        max_length=9,
        blank=True,
        validators=[v.validate_plate],
        help_text=_("Format AA-123-AA"),
    )
    vin = models.CharField(
        _("numéro de châssis (VIN)"),
        max_length=17,
        blank=True,
        validators=[v.validate_vin],
        help_text=_("17 caractères, sans I, O ni Q"),
    )
    first_registration_date = models.DateField(
        _("date de mise en circulation"), null=True, blank=True
    )
    usage = models.CharField(_("usage"), max_length=10, choices=VehicleUsage.choices, blank=True)
    financing_type = models.CharField(
        _("type de financement"), max_length=5, choices=FinancingType.choices, blank=True
    )
    financing_date = models.DateField(_("date du financement"), null=True, blank=True)
    financing_amount = models.DecimalField(
        _("montant financé (€)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    financing_months = models.PositiveSmallIntegerField(
        _("durée du financement (mois)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )

    class Meta:
        verbose_name = _("véhicule")
        verbose_name_plural = _("véhicules")
        ordering = ["customer", "-first_registration_date", "id"]
        indexes = [
            models.Index(fields=["workspace", "plate"]),
            models.Index(fields=["workspace", "vin"]),
        ]

    def __str__(self) -> str:
        label = f"{self.make} {self.model}"
        return f"{label} ({self.plate})" if self.plate else label


class MileageReading(WorkspaceScopedModel):
    """The odometer on a date. After-sales invoices add one; people may add others."""

    vehicle = models.ForeignKey(Vehicle, on_delete=models.CASCADE, related_name="mileage_readings")
    read_on = models.DateField(_("date du relevé"))
    mileage = models.PositiveIntegerField(
        _("kilométrage"), validators=[MaxValueValidator(2_000_000)]
    )
    invoice = models.OneToOneField(
        "crm.Invoice",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mileage_reading",
    )

    class Meta:
        verbose_name = _("relevé kilométrique")
        verbose_name_plural = _("relevés kilométriques")
        ordering = ["vehicle", "read_on", "id"]

    def __str__(self) -> str:
        return f"{self.mileage} km ({self.read_on:%d/%m/%Y})"
