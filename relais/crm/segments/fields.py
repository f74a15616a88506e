"""The catalogue of what a segment may filter and sort on: fields, their types and operators.

Every field is ``<entity>.<name>``. Customer fields read the customer row or its Person /
Company (the contact fields both share are read from whichever exists); vehicle, invoice,
activity, note and lead fields describe one related record (a condition on them matches the
customers having at least one such record — or none, in a ``"quantifier": "none"`` block);
computed fields are values worked out per customer (age, visits, revenue…).

A field of type ``years_since`` / ``days_since`` is a whole number derived from a date
(``base``): the compiler turns its comparisons into date comparisons, so they use indexes and
behave the same on SQLite and PostgreSQL.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from relais.core.contacts.models import Civility, CompanyType, FleetSize
from relais.crm.models import (
    ActivityKind,
    ActivityOutcome,
    CustomerKind,
    CustomerSource,
    CustomerStatus,
    Energy,
    FinancingType,
    InvoiceKind,
    LeadStatus,
    LeadType,
    VehicleUsage,
)

# Field types. ``number`` holds integers and decimals alike.
TEXT, CHOICE, NUMBER, DATE, DATETIME, BOOLEAN, USER = (
    "text",
    "choice",
    "number",
    "date",
    "datetime",
    "boolean",
    "user",
)
YEARS_SINCE, DAYS_SINCE = "years_since", "days_since"

ENTITIES = {
    "customer": _("Client"),
    "vehicle": _("Véhicule"),
    "invoice": _("Facture"),
    "activity": _("Activité"),
    "note": _("Note"),
    "lead": _("Lead"),
    "computed": _("Valeurs calculées"),
}
# Entities reached through an EXISTS subquery (one customer, many records).
RELATED_ENTITIES = ("vehicle", "invoice", "activity", "note", "lead")

RELATIVE_OPS = ("today", "this_week", "this_month", "this_year", "older_than", "in_last", "in_next")
DATE_OPS = (
    "eq",
    "ne",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    *RELATIVE_OPS,
    "is_empty",
    "is_not_empty",
)
NUMBER_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "between", "is_empty", "is_not_empty")

OPERATORS_BY_TYPE: dict[str, tuple[str, ...]] = {
    TEXT: ("contains", "not_contains", "eq", "ne", "startswith", "in", "is_empty", "is_not_empty"),
    CHOICE: ("eq", "ne", "in", "not_in", "is_empty", "is_not_empty"),
    NUMBER: NUMBER_OPS,
    DATE: DATE_OPS,
    DATETIME: DATE_OPS,
    BOOLEAN: ("is_true", "is_false"),
    USER: ("eq", "ne", "is_empty", "is_not_empty"),
    YEARS_SINCE: NUMBER_OPS,
    DAYS_SINCE: NUMBER_OPS,
}

# What value each operator takes: none, one value, a list, two bounds, or an amount of time.
NO_VALUE, SINGLE, LIST, RANGE, RELATIVE = "none", "single", "list", "range", "relative"
OPERATOR_VALUE = {
    "eq": SINGLE,
    "ne": SINGLE,
    "contains": SINGLE,
    "not_contains": SINGLE,
    "startswith": SINGLE,
    "in": LIST,
    "not_in": LIST,
    "lt": SINGLE,
    "lte": SINGLE,
    "gt": SINGLE,
    "gte": SINGLE,
    "between": RANGE,
    "is_empty": NO_VALUE,
    "is_not_empty": NO_VALUE,
    "is_true": NO_VALUE,
    "is_false": NO_VALUE,
    "today": NO_VALUE,
    "this_week": NO_VALUE,
    "this_month": NO_VALUE,
    "this_year": NO_VALUE,
    "older_than": RELATIVE,
    "in_last": RELATIVE,
    "in_next": RELATIVE,
}

OPERATOR_LABELS = {
    "eq": _("est égal à"),
    "ne": _("est différent de"),
    "contains": _("contient"),
    "not_contains": _("ne contient pas"),
    "startswith": _("commence par"),
    "in": _("est l'un de"),
    "not_in": _("n'est aucun de"),
    "lt": _("est inférieur à"),
    "lte": _("est inférieur ou égal à"),
    "gt": _("est supérieur à"),
    "gte": _("est supérieur ou égal à"),
    "between": _("est compris entre"),
    "is_empty": _("est vide"),
    "is_not_empty": _("est renseigné"),
    "is_true": _("oui"),
    "is_false": _("non"),
    "today": _("aujourd'hui"),
    "this_week": _("cette semaine"),
    "this_month": _("ce mois-ci"),
    "this_year": _("cette année"),
    "older_than": _("plus ancien que"),
    "in_last": _("dans les derniers"),
    "in_next": _("dans les prochains"),
}
# Dates read better with their own words for the comparisons.
DATE_OPERATOR_LABELS = {
    "eq": _("le"),
    "ne": _("pas le"),
    "lt": _("avant le"),
    "lte": _("au plus tard le"),
    "gt": _("après le"),
    "gte": _("à partir du"),
    "between": _("entre le"),
}

UNITS = {"days": _("jours"), "weeks": _("semaines"), "months": _("mois"), "years": _("ans")}


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    type: str
    # ORM path from the entity's model; ``None`` for values the compiler builds (computed).
    path: str | None = None
    choices: tuple = ()
    # For years_since / days_since: the date they count from (a path, or a computed key).
    base: str | None = None
    sortable: bool = False
    help: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def entity(self) -> str:
        return self.key.split(".", 1)[0]

    def operators(self) -> tuple[str, ...]:
        return OPERATORS_BY_TYPE[self.type]


def _choices(enum) -> tuple:
    return tuple((value, label) for value, label in enum.choices)


# Contact details that a Person and a Company both carry: read from whichever exists.
CONTACT_SHARED = {
    "street",
    "postal_code",
    "city",
    "email",
    "phone_mobile",
    "phone_landline",
    "consent_sms",
    "consent_phone",
    "consent_email",
    "consent_mail",
}


def _build() -> dict[str, FieldSpec]:
    f = FieldSpec
    specs = [
        # --- customer -------------------------------------------------------------------------
        f(
            "customer.kind",
            _("Type de fiche"),
            CHOICE,
            "kind",
            _choices(CustomerKind),
            sortable=True,
        ),
        f(
            "customer.status",
            _("Statut"),
            CHOICE,
            "status",
            _choices(CustomerStatus),
            sortable=True,
        ),
        f(
            "customer.source",
            _("Source"),
            CHOICE,
            "source",
            _choices(CustomerSource),
            sortable=True,
        ),
        f("customer.dealership", _("Concession"), TEXT, "dealership", sortable=True),
        f("customer.owner", _("Responsable"), USER, "owner__username"),
        f("customer.civility", _("Civilité"), CHOICE, "person__civility", _choices(Civility)),
        f("customer.last_name", _("Nom"), TEXT, "person__last_name", sortable=True),
        f("customer.first_name", _("Prénom"), TEXT, "person__first_name", sortable=True),
        f("customer.birth_date", _("Date de naissance"), DATE, "person__birth_date", sortable=True),
        f("customer.profession", _("Profession"), TEXT, "person__profession"),
        f("customer.legal_name", _("Raison sociale"), TEXT, "company__legal_name", sortable=True),
        f(
            "customer.company_type",
            _("Type d'entreprise"),
            CHOICE,
            "company__company_type",
            _choices(CompanyType),
        ),
        f(
            "customer.fleet_size",
            _("Taille de flotte"),
            CHOICE,
            "company__fleet_size",
            _choices(FleetSize),
        ),
        f("customer.naf_code", _("Code NAF"), TEXT, "company__naf_code"),
        f("customer.street", _("Rue"), TEXT, "contact:street"),
        f("customer.postal_code", _("Code postal"), TEXT, "contact:postal_code", sortable=True),
        f("customer.city", _("Ville"), TEXT, "contact:city", sortable=True),
        f("customer.email", _("E-mail"), TEXT, "contact:email"),
        f("customer.phone_mobile", _("Téléphone portable"), TEXT, "contact:phone_mobile"),
        f("customer.phone_landline", _("Téléphone fixe"), TEXT, "contact:phone_landline"),
        f("customer.consent_sms", _("Accepte les SMS"), BOOLEAN, "contact:consent_sms"),
        f(
            "customer.consent_phone",
            _("Accepte le démarchage téléphonique"),
            BOOLEAN,
            "contact:consent_phone",
        ),
        f("customer.consent_email", _("Accepte les e-mails"), BOOLEAN, "contact:consent_email"),
        f("customer.consent_mail", _("Accepte les courriers"), BOOLEAN, "contact:consent_mail"),
        f(
            "customer.created_at",
            _("Date de création de la fiche"),
            DATETIME,
            "created_at",
            sortable=True,
        ),
        # --- vehicle --------------------------------------------------------------------------
        f("vehicle.make", _("Marque"), TEXT, "make"),
        f("vehicle.model", _("Modèle"), TEXT, "model"),
        f("vehicle.trim", _("Finition"), TEXT, "trim"),
        f("vehicle.energy", _("Énergie"), CHOICE, "energy", _choices(Energy)),
        f("vehicle.plate", _("Immatriculation"), TEXT, "plate"),
        f("vehicle.vin", _("Numéro de châssis (VIN)"), TEXT, "vin"),
        f(
            "vehicle.first_registration_date",
            _("Date de mise en circulation"),
            DATE,
            "first_registration_date",
        ),
        f(
            "vehicle.age",
            _("Âge du véhicule (ans)"),
            YEARS_SINCE,
            base="first_registration_date",
            help=_("Années révolues depuis la mise en circulation."),
        ),
        f("vehicle.usage", _("Usage"), CHOICE, "usage", _choices(VehicleUsage)),
        f(
            "vehicle.financing_type",
            _("Type de financement"),
            CHOICE,
            "financing_type",
            _choices(FinancingType),
        ),
        f("vehicle.financing_date", _("Date du financement"), DATE, "financing_date"),
        f("vehicle.financing_amount", _("Montant financé (€)"), NUMBER, "financing_amount"),
        f("vehicle.financing_months", _("Durée du financement (mois)"), NUMBER, "financing_months"),
        # --- invoice --------------------------------------------------------------------------
        f("invoice.kind", _("Type de facture"), CHOICE, "kind", _choices(InvoiceKind)),
        f("invoice.number", _("Numéro"), TEXT, "number"),
        f("invoice.issued_on", _("Date de facture"), DATE, "issued_on"),
        f("invoice.mileage", _("Kilométrage au passage"), NUMBER, "mileage"),
        f("invoice.total_excl_tax", _("Total HT (€)"), NUMBER, "total_excl_tax"),
        f("invoice.total_incl_tax", _("Total TTC (€)"), NUMBER, "total_incl_tax"),
        # --- activity -------------------------------------------------------------------------
        f("activity.kind", _("Type d'activité"), CHOICE, "kind", _choices(ActivityKind)),
        f(
            "activity.direction",
            _("Sens"),
            CHOICE,
            "direction",
            (("out", _("Sortant")), ("in", _("Entrant"))),
        ),
        f("activity.subject", _("Objet"), TEXT, "subject"),
        f("activity.body", _("Compte rendu"), TEXT, "body"),
        f("activity.occurred_at", _("Date de l'activité"), DATETIME, "occurred_at"),
        f("activity.outcome", _("Résultat"), CHOICE, "outcome", _choices(ActivityOutcome)),
        f("activity.next_follow_up_on", _("Date de prochaine relance"), DATE, "next_follow_up_on"),
        f("activity.owner", _("Responsable du contact"), USER, "owner__username"),
        # --- note -----------------------------------------------------------------------------
        f("note.wished_vehicles", _("Véhicules souhaités"), TEXT, "wished_vehicles"),
        f("note.projects", _("Projets"), TEXT, "projects"),
        f("note.expectations", _("Attentes"), TEXT, "expectations"),
        f("note.household_size", _("Nombre de personnes au foyer"), NUMBER, "household_size"),
        f("note.interests", _("Centres d'intérêt"), TEXT, "interests"),
        f("note.daily_mileage_km", _("Kilométrage journalier (km)"), NUMBER, "daily_mileage_km"),
        f("note.body", _("Note libre"), TEXT, "body"),
        f("note.created_at", _("Date de la note"), DATETIME, "created_at"),
        # --- lead -----------------------------------------------------------------------------
        f("lead.lead_type", _("Type de lead"), CHOICE, "lead_type", _choices(LeadType)),
        f("lead.status", _("Statut du lead"), CHOICE, "status", _choices(LeadStatus)),
        f("lead.emitted_at", _("Date d'émission"), DATETIME, "emitted_at"),
        f("lead.vehicle_of_interest", _("Véhicule recherché"), TEXT, "vehicle_of_interest"),
        f("lead.message", _("Message"), TEXT, "message"),
        # --- computed -------------------------------------------------------------------------
        f(
            "computed.age",
            _("Âge (ans)"),
            YEARS_SINCE,
            base="person__birth_date",
            sortable=True,
            help=_("Âge révolu du particulier (vide pour une société)."),
        ),
        f(
            "computed.visit_count",
            _("Nombre de passages après-vente"),
            NUMBER,
            sortable=True,
            help=_("Factures après-vente (APV) du client, toutes dates."),
        ),
        f(
            "computed.visit_frequency",
            _("Fréquence des passages après-vente (par an)"),
            NUMBER,
            sortable=True,
            help=_("Passages après-vente des 36 derniers mois divisés par trois."),
        ),
        f("computed.last_visit_on", _("Date du dernier passage après-vente"), DATE, sortable=True),
        f(
            "computed.days_since_last_visit",
            _("Jours depuis le dernier passage après-vente"),
            DAYS_SINCE,
            base="computed.last_visit_on",
            sortable=True,
            help=_("Vide si le client n'est jamais venu à l'atelier."),
        ),
        f(
            "computed.revenue",
            _("Chiffre d'affaires HT du client (€)"),
            NUMBER,
            sortable=True,
            help=_("Somme des factures hors taxes, tous types."),
        ),
        f("computed.invoice_count", _("Nombre de factures"), NUMBER, sortable=True),
        f("computed.vehicle_count", _("Nombre de véhicules"), NUMBER, sortable=True),
        f(
            "computed.newest_vehicle_age",
            _("Âge du véhicule le plus récent (ans)"),
            YEARS_SINCE,
            base="computed.newest_registration",
            sortable=True,
        ),
        f(
            "computed.oldest_vehicle_age",
            _("Âge du véhicule le plus ancien (ans)"),
            YEARS_SINCE,
            base="computed.oldest_registration",
            sortable=True,
        ),
    ]
    return {spec.key: spec for spec in specs}


FIELDS: dict[str, FieldSpec] = _build()


def catalogue() -> dict:
    """The catalogue as plain data for the builder's script (labels translated now)."""

    def op_label(spec_type: str, op: str) -> str:
        if spec_type in (DATE, DATETIME) and op in DATE_OPERATOR_LABELS:
            return str(DATE_OPERATOR_LABELS[op])
        return str(OPERATOR_LABELS[op])

    return {
        "entities": [{"key": k, "label": str(v)} for k, v in ENTITIES.items()],
        "related": list(RELATED_ENTITIES),
        "fields": [
            {
                "key": spec.key,
                "entity": spec.entity,
                "label": str(spec.label),
                "type": spec.type,
                "choices": [[value, str(label)] for value, label in spec.choices],
                "sortable": spec.sortable,
                "help": str(spec.help),
            }
            for spec in FIELDS.values()
        ],
        "operators": {
            spec_type: [
                {"op": op, "label": op_label(spec_type, op), "value": OPERATOR_VALUE[op]}
                for op in ops
            ]
            for spec_type, ops in OPERATORS_BY_TYPE.items()
        },
        "units": [{"key": k, "label": str(v)} for k, v in UNITS.items()],
    }
