"""Merge fields of campaign templates: a whitelist substitution, never template execution.

A learner's text is data: ``{{ prenom }}`` is replaced by the recipient's first name by a
regular expression over a fixed list of names; anything else between braces is reported as a
French validation error, and Django template tags (``{% … %}``) are refused outright.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.crm.models import Customer, CustomerKind, Invoice, InvoiceKind, Vehicle
from relais.crm.selectors import visit_frequency

FIELD_PATTERN = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
TAG_PATTERN = re.compile(r"\{%|%\}|\{#|#\}")

# name → help text shown beside the editor, in display order.
MERGE_FIELDS: dict[str, object] = {
    "civilite": gettext_lazy("Madame, Monsieur, ou « Madame, Monsieur » pour une société"),
    "prenom": gettext_lazy("Prénom du client"),
    "nom": gettext_lazy("Nom du client, ou raison sociale d'une société"),
    "nom_complet": gettext_lazy("Prénom et nom, ou raison sociale"),
    "societe": gettext_lazy("Raison sociale (vide pour un particulier)"),
    "vehicule": gettext_lazy("Marque et modèle du véhicule le plus récent"),
    "immatriculation": gettext_lazy("Immatriculation de ce véhicule"),
    "prochaine_revision": gettext_lazy(
        "Date estimée du prochain passage atelier, d'après l'historique après-vente"
    ),
    "derniere_visite": gettext_lazy("Date du dernier passage atelier"),
    "concession": gettext_lazy("Concession du client, ou nom de l'espace de travail"),
    "ville": gettext_lazy("Ville du client"),
    "date_du_jour": gettext_lazy("Date d'envoi"),
}

# GSM 03.38 basic alphabet (plus the extension table, counted twice): anything else makes the
# SMS Unicode, 70 characters a segment instead of 160.
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


def template_fields(text: str) -> list[str]:
    return [match.group(1) for match in FIELD_PATTERN.finditer(text or "")]


def validate_template(text: str, *, field: str = "body") -> None:
    """Raise a French ``ValidationError`` for template tags or unknown merge fields."""
    errors = []
    if TAG_PATTERN.search(text or ""):
        errors.append(
            _("Les balises {% … %} et {# … #} ne sont pas permises : utilisez {{ champ }}.")
        )
    unknown = [name for name in dict.fromkeys(template_fields(text)) if name not in MERGE_FIELDS]
    for name in unknown:
        errors.append(
            _("Champ de fusion inconnu : {{ %(name)s }}. Champs disponibles : %(known)s.")
            % {"name": name[:40], "known": ", ".join(MERGE_FIELDS)}
        )
    if errors:
        raise ValidationError({field: errors})


def render(text: str, values: dict[str, str]) -> str:
    """``text`` with every known ``{{ field }}`` replaced; unknown ones are left as typed."""
    return FIELD_PATTERN.sub(lambda m: values.get(m.group(1), m.group(0)), text or "")


@dataclass(frozen=True)
class SmsLength:
    characters: int
    segments: int
    unicode: bool
    per_segment: int


def sms_length(text: str) -> SmsLength:
    """Characters and segments of an SMS: 160/153 in GSM 7-bit, 70/67 when Unicode is needed."""
    unicode = any(ch not in GSM_BASIC and ch not in GSM_EXTENDED for ch in text)
    if unicode:
        count = len(text)
        single, multi = 70, 67
    else:
        count = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    segments = 0 if count == 0 else (1 if count <= single else -(-count // multi))
    return SmsLength(count, segments, unicode, single if segments <= 1 else multi)


def _date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


class MergeContext:
    """Loads, in a few queries, what the merge fields need for a batch of customers."""

    def __init__(self, customers: list[Customer], *, workspace, today: date | None = None):
        self.today = today or timezone.localdate()
        self.workspace = workspace
        ids = [c.pk for c in customers]
        self.vehicles: dict[int, Vehicle] = {}
        for vehicle in (
            Vehicle.objects.filter(customer_id__in=ids)
            .only("customer_id", "make", "model", "plate", "first_registration_date")
            .order_by("customer_id", "-first_registration_date", "-id")
        ):
            self.vehicles.setdefault(vehicle.customer_id, vehicle)
        self.visits: dict[int, list[date]] = {}
        for customer_id, issued_on in Invoice.objects.filter(
            customer_id__in=ids, kind=InvoiceKind.AFTER_SALES
        ).values_list("customer_id", "issued_on"):
            self.visits.setdefault(customer_id, []).append(issued_on)
        # Translated once for the batch (a ``gettext`` call costs more than the rest).
        self._either = str(_("Madame, Monsieur"))
        self._civilities = {"M": str(_("Monsieur")), "MME": str(_("Madame"))}
        self._soon = str(_("prochainement"))
        self._frequencies: dict[int, object] = {}

    def frequency(self, customer: Customer):
        found = self._frequencies.get(customer.pk)
        if found is None:
            found = visit_frequency(self.visits.get(customer.pk, []), today=self.today)
            self._frequencies[customer.pk] = found
        return found

    def values(self, customer: Customer) -> dict[str, str]:
        contact = customer.contact
        if customer.kind == CustomerKind.COMPANY:
            civility, first, last = self._either, "", contact.legal_name
            company = contact.legal_name
        else:
            civility = self._civilities.get(contact.civility, self._either)
            first, last, company = contact.first_name, contact.last_name, ""
        vehicle = self.vehicles.get(customer.pk)
        frequency = self.frequency(customer)
        next_visit = frequency.next_expected_visit
        if next_visit is None and vehicle is not None and frequency.last_visit:
            # One visit only: a yearly service is the usual rhythm.
            next_visit = frequency.last_visit + timedelta(days=365)
        return {
            "civilite": str(civility),
            "prenom": first,
            "nom": last,
            "nom_complet": " ".join(p for p in (first, last) if p),
            "societe": company,
            "vehicule": f"{vehicle.make} {vehicle.model}" if vehicle else "",
            "immatriculation": (vehicle.plate or "") if vehicle else "",
            "prochaine_revision": _date(next_visit) or self._soon,
            "derniere_visite": _date(frequency.last_visit),
            "concession": customer.dealership or self.workspace.name,
            "ville": contact.city,
            "date_du_jour": _date(self.today),
        }
