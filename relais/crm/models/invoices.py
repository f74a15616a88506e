from decimal import ROUND_HALF_UP, Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel

CENT = Decimal("0.01")


class InvoiceKind(models.TextChoices):
    NEW_VEHICLE = "vn", _("Achat véhicule neuf (VN)")
    USED_VEHICLE = "vo", _("Achat véhicule d'occasion (VO)")
    AFTER_SALES = "apv", _("Après-vente (APV)")
    PARTS = "parts", _("Magasin (pièces de rechange)")

    @classmethod
    def purchases(cls) -> set[str]:
        return {cls.NEW_VEHICLE, cls.USED_VEHICLE}


class Invoice(WorkspaceScopedModel):
    customer = models.ForeignKey(
        "crm.Customer", verbose_name=_("client"), on_delete=models.CASCADE, related_name="invoices"
    )
    vehicle = models.ForeignKey(
        "crm.Vehicle",
        verbose_name=_("véhicule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
    )
    kind = models.CharField(_("type de facture"), max_length=5, choices=InvoiceKind.choices)
    number = models.CharField(_("numéro"), max_length=30)
    issued_on = models.DateField(_("date de facture"))
    mileage = models.PositiveIntegerField(
        _("kilométrage au passage"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(2_000_000)],
    )
    total_excl_tax = models.DecimalField(
        _("total HT (€)"), max_digits=12, decimal_places=2, default=0
    )
    total_incl_tax = models.DecimalField(
        _("total TTC (€)"), max_digits=12, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["workspace", "customer", "-issued_on"])]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_invoice_number")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} n° {self.number}"

    @property
    def vat_amount(self) -> Decimal:
        return self.total_incl_tax - self.total_excl_tax


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    label = models.CharField(_("désignation"), max_length=200)
    quantity = models.DecimalField(
        _("quantité"),
        max_digits=8,
        decimal_places=2,
        default=1,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    unit_price_excl_tax = models.DecimalField(
        _("prix unitaire HT (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    vat_rate = models.DecimalField(
        _("taux de TVA (%)"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("20.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("ligne de facture")
        verbose_name_plural = _("lignes de facture")
        ordering = ["invoice", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def total_excl_tax(self) -> Decimal:
        return (self.quantity * self.unit_price_excl_tax).quantize(CENT, ROUND_HALF_UP)

    @property
    def total_incl_tax(self) -> Decimal:
        return (self.total_excl_tax * (1 + self.vat_rate / 100)).quantize(CENT, ROUND_HALF_UP)
