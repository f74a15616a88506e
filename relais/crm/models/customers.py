from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.core.workspaces.models import WorkspaceScopedModel


class CustomerKind(models.TextChoices):
    INDIVIDUAL = "individual", _("Particulier")
    COMPANY = "company", _("Société")


class CustomerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Client")


class CustomerSource(models.TextChoices):
    SHOWROOM = "showroom", _("Visite en concession")
    WEBSITE = "website", _("Site internet")
    PHONE = "phone", _("Appel entrant")
    REFERRAL = "referral", _("Recommandation")
    EVENT = "event", _("Salon / événement")
    LEAD = "lead", _("Lead converti")
    AFTER_SALES = "after_sales", _("Atelier après-vente")
    FLEET = "fleet", _("Service flottes")
    OTHER = "other", _("Autre")


class Customer(WorkspaceScopedModel):
    """A dealer's customer or prospect: the CRM's view of a core Person or Company.

    ``status`` turns to *customer* as soon as one invoice exists and back to *prospect*
    when none is left; invoice services keep it in step (see ``customer_refresh_status``).
    ``search_document`` holds the folded, compact tokens that customer search matches.
    """

    kind = models.CharField(_("type"), max_length=10, choices=CustomerKind.choices)
    person = models.OneToOneField(
        "contacts.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crm_customer",
    )
    company = models.OneToOneField(
        "contacts.Company",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="crm_customer",
    )
    status = models.CharField(
        _("statut"), max_length=10, choices=CustomerStatus.choices, default=CustomerStatus.PROSPECT
    )
    source = models.CharField(
        _("source"), max_length=12, choices=CustomerSource.choices, blank=True
    )
    dealership = models.CharField(_("concession"), max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsable"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sort_name = models.CharField(max_length=220, editable=False, db_index=True)
    search_document = models.TextField(editable=False, blank=True)
    # The true person or company behind the record, set by the school-database generator and
    # never shown: duplicates share it, so a learner's merges can be scored.
    identity_key = models.CharField(max_length=32, editable=False, blank=True, db_index=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["sort_name", "id"]
        indexes = [
            models.Index(fields=["workspace", "sort_name"]),
            models.Index(fields=["workspace", "status"]),
            models.Index(fields=["workspace", "-created_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=CustomerKind.INDIVIDUAL, person__isnull=False, company__isnull=True)
                    | Q(kind=CustomerKind.COMPANY, company__isnull=False, person__isnull=True)
                ),
                name="customer_kind_matches_contact",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def contact(self):
        return self.person if self.kind == CustomerKind.INDIVIDUAL else self.company

    @property
    def display_name(self) -> str:
        if self.kind == CustomerKind.COMPANY:
            return str(self.company)
        person = self.person
        return " ".join(p for p in (person.first_name, person.last_name.upper()) if p)

    @property
    def is_company(self) -> bool:
        return self.kind == CustomerKind.COMPANY
