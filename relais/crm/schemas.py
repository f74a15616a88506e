"""Request and response bodies of the CRM API.

Records are named by their ``public_id`` UUID (``id`` in responses, ``<record>_id`` in
requests); integer keys never leave the server. Users are named by their ``username``.
Each ``…In`` schema lists what a creation needs; its ``…Patch`` twin holds the same fields,
all optional, for partial updates (a field left out is left unchanged).
"""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args
from uuid import UUID

from django.db import models
from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator, ConfigDict, create_model, field_validator
from pydantic_core import PydanticCustomError

from relais.core.contacts.models import Civility, CompanyType, FleetSize
from relais.crm.models import (
    ActivityKind,
    ActivityOutcome,
    CustomerKind,
    CustomerSource,
    Energy,
    FinancingType,
    InvoiceKind,
    LeadStatus,
    LeadType,
    VehicleUsage,
)


def choice(choices: type[models.TextChoices], *, blank: bool = False) -> Any:
    """A ``Literal`` of the values of ``choices`` (and ``""`` when the field may be blank),
    so that the OpenAPI document lists the allowed values."""
    values = tuple(choices.values) + (("",) if blank else ())
    return Literal[values]


def _aware(value: datetime) -> datetime:
    return timezone.make_aware(value) if timezone.is_naive(value) else value


# A date and time sent without an offset is the workspace's local time (Europe/Paris),
# as on the web forms; it is never stored naive.
LocalDatetime = Annotated[datetime, AfterValidator(_aware)]


def _accepts(annotation, kinds: tuple) -> bool:
    """Whether ``annotation`` (``int``, ``int | None``, ``Annotated[…]``…) takes one of ``kinds``."""
    if annotation in kinds:
        return True
    return any(_accepts(arg, kinds) for arg in get_args(annotation))


class InputSchema(Schema):
    # An unknown field is an error rather than silently ignored: a typo in a PATCH
    # would otherwise look like a successful update.
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_for_a_number(cls, value, info):
        """JSON ``true``/``false`` is not a number (pydantic would read it as 1/0)."""
        if isinstance(value, bool):
            annotation = cls.model_fields[info.field_name].annotation
            if _accepts(annotation, (int, float, Decimal)) and not _accepts(annotation, (bool,)):
                raise PydanticCustomError("int_type", "Input should be a valid number")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _no_date_before_1900(cls, value, info):
        """A date of year 25 parses, and is a typo: no date Relais keeps is that old."""
        if isinstance(value, date) and value.year < 1900:
            raise PydanticCustomError("date_too_old", "Date before 1900")
        return value


def partial(
    schema: type[InputSchema], name: str, *, exclude: tuple[str, ...] = (), **overrides: Any
) -> type[InputSchema]:
    """The fields of ``schema`` but ``exclude``, all optional: the body of a partial update
    (PATCH). ``overrides`` replace some fields, as ``name=(annotation, default)``."""
    fields: dict[str, Any] = {
        field_name: (field.annotation, Field(None, description=field.description))
        for field_name, field in schema.model_fields.items()
        if field_name not in exclude
    }
    fields.update(overrides)
    return create_model(
        name,
        __base__=InputSchema,
        __doc__=f"{schema.__doc__ or ''} Partial update: only the given fields change.".strip(),
        **fields,
    )


# --- Shared ---------------------------------------------------------------------------------


class UserRefOut(Schema):
    username: str
    display_name: str


# --- Customers ------------------------------------------------------------------------------


class ContactDetailsIn(InputSchema):
    street: str = ""
    address_complement: str = ""
    postal_code: str = ""
    city: str = ""
    phone_landline: str = ""
    phone_mobile: str = ""
    email: str = ""
    consent_sms: bool = False
    consent_phone: bool = False
    consent_email: bool = False
    consent_mail: bool = False


class PersonIn(ContactDetailsIn):
    """An individual customer's identity and contact details."""

    civility: choice(Civility, blank=True) = ""
    first_name: str = ""
    last_name: str
    birth_date: date | None = None
    profession: str = ""


class CompanyIn(ContactDetailsIn):
    """A company customer's identity and contact details."""

    legal_name: str
    trade_name: str = ""
    siren: str = ""
    siret: str = ""
    naf_code: str = ""
    company_type: choice(CompanyType, blank=True) = ""
    fleet_size: choice(FleetSize, blank=True) = ""
    parent_id: UUID | None = Field(None, description="Client (société) qui est la société mère.")


PersonPatch = partial(PersonIn, "PersonPatch")
CompanyPatch = partial(CompanyIn, "CompanyPatch")


class CustomerIn(InputSchema):
    """A new customer: ``person`` for an individual, ``company`` for a company."""

    kind: choice(CustomerKind)
    person: PersonIn | None = None
    company: CompanyIn | None = None
    source: choice(CustomerSource, blank=True) = ""
    dealership: str = ""
    owner: str | None = Field(None, description="Identifiant (username) du responsable.")


CustomerPatch = partial(
    CustomerIn,
    "CustomerPatch",
    exclude=("kind",),
    person=(PersonPatch | None, None),
    company=(CompanyPatch | None, None),
)


class ContactDetailsOut(Schema):
    street: str
    address_complement: str
    postal_code: str
    city: str
    phone_landline: str
    phone_mobile: str
    email: str
    consent_sms: bool
    consent_phone: bool
    consent_email: bool
    consent_mail: bool
    consent_updated_at: datetime | None


class PersonOut(ContactDetailsOut):
    civility: str
    first_name: str
    last_name: str
    full_name: str
    birth_date: date | None
    age: int | None

    @staticmethod
    def resolve_age(obj) -> int | None:
        return obj.age()


class CompanyOut(ContactDetailsOut):
    legal_name: str
    trade_name: str
    siren: str
    siret: str
    naf_code: str
    company_type: str
    fleet_size: str
    parent_id: UUID | None

    @staticmethod
    def resolve_parent_id(obj) -> UUID | None:
        customer = getattr(obj.parent, "crm_customer", None) if obj.parent_id else None
        return customer.public_id if customer else None


class CustomerOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    status: str = Field(
        description="« prospect » tant qu'aucune facture n'existe, puis « customer »."
    )
    display_name: str
    source: str
    dealership: str
    owner: UserRefOut | None
    person: PersonOut | None
    company: CompanyOut | None
    created_at: datetime
    updated_at: datetime


class CompanyContactIn(InputSchema):
    """A contact person at a company customer."""

    civility: choice(Civility, blank=True) = ""
    first_name: str = ""
    last_name: str
    email: str = ""
    phone_mobile: str = ""
    phone_landline: str = ""
    role: str = Field("", description="Fonction dans la société.")


class CompanyContactOut(Schema):
    id: UUID = Field(description="Identifiant de la personne.")
    civility: str
    first_name: str
    last_name: str
    email: str
    phone_mobile: str
    phone_landline: str
    role: str

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.person.public_id

    @staticmethod
    def resolve_civility(obj) -> str:
        return obj.person.civility

    @staticmethod
    def resolve_first_name(obj) -> str:
        return obj.person.first_name

    @staticmethod
    def resolve_last_name(obj) -> str:
        return obj.person.last_name

    @staticmethod
    def resolve_email(obj) -> str:
        return obj.person.email

    @staticmethod
    def resolve_phone_mobile(obj) -> str:
        return obj.person.phone_mobile

    @staticmethod
    def resolve_phone_landline(obj) -> str:
        return obj.person.phone_landline


# --- Vehicles and mileage -------------------------------------------------------------------


class VehicleIn(InputSchema):
    """A customer's vehicle. The plate (AA-123-AA) and the VIN are checked and normalised."""

    make: str
    model: str
    trim: str = ""
    energy: choice(Energy)
    plate: str = ""
    vin: str = ""
    first_registration_date: date | None = None
    usage: choice(VehicleUsage, blank=True) = ""
    financing_type: choice(FinancingType, blank=True) = ""
    financing_date: date | None = None
    financing_amount: Decimal | None = None
    financing_months: int | None = None


VehiclePatch = partial(VehicleIn, "VehiclePatch")


class MileageOut(Schema):
    read_on: date
    mileage: int


class VehicleOut(Schema):
    id: UUID = Field(alias="public_id")
    customer_id: UUID
    make: str
    model: str
    trim: str
    energy: str
    plate: str
    vin: str
    first_registration_date: date | None
    usage: str
    financing_type: str
    financing_date: date | None
    financing_amount: Decimal | None
    financing_months: int | None
    latest_mileage: MileageOut | None = Field(description="Le relevé kilométrique le plus récent.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_id(obj) -> UUID:
        return obj.customer.public_id

    @staticmethod
    def resolve_latest_mileage(obj):
        # Readings are ordered by date: the last one is the latest (and prefetched in lists).
        readings = list(obj.mileage_readings.all())
        return readings[-1] if readings else None


class MileageReadingIn(InputSchema):
    read_on: date
    mileage: int


class MileageReadingOut(Schema):
    id: UUID = Field(alias="public_id")
    vehicle_id: UUID
    read_on: date
    mileage: int
    invoice_id: UUID | None = Field(
        description="La facture après-vente qui a relevé ce kilométrage."
    )
    created_at: datetime

    @staticmethod
    def resolve_vehicle_id(obj) -> UUID:
        return obj.vehicle.public_id

    @staticmethod
    def resolve_invoice_id(obj) -> UUID | None:
        return obj.invoice.public_id if obj.invoice_id else None


# --- Invoices -------------------------------------------------------------------------------


class InvoiceLineIn(InputSchema):
    label: str
    quantity: Decimal = Decimal("1")
    unit_price_excl_tax: Decimal
    vat_rate: Decimal = Decimal("20.00")


class InvoiceLineOut(Schema):
    label: str
    quantity: Decimal
    unit_price_excl_tax: Decimal
    vat_rate: Decimal
    total_excl_tax: Decimal
    total_incl_tax: Decimal


class InvoiceIn(InputSchema):
    """An invoice with its lines; totals are computed. A vehicle purchase (vn, vo) names the
    vehicle sold; an after-sales invoice (apv) names the vehicle and its mileage."""

    kind: choice(InvoiceKind)
    number: str
    issued_on: date
    mileage: int | None = None
    vehicle_id: UUID | None = Field(None, description="Un véhicule du même client.")
    lines: list[InvoiceLineIn]


InvoicePatch = partial(InvoiceIn, "InvoicePatch")


class InvoiceOut(Schema):
    id: UUID = Field(alias="public_id")
    customer_id: UUID
    vehicle_id: UUID | None
    kind: str
    number: str
    issued_on: date
    mileage: int | None
    total_excl_tax: Decimal
    total_incl_tax: Decimal
    vat_amount: Decimal
    lines: list[InvoiceLineOut]
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_id(obj) -> UUID:
        return obj.customer.public_id

    @staticmethod
    def resolve_vehicle_id(obj) -> UUID | None:
        return obj.vehicle.public_id if obj.vehicle_id else None

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


# --- Activities and notes -------------------------------------------------------------------


class ActivityIn(InputSchema):
    """A call, e-mail, letter, SMS, campaign or appointment with the customer."""

    kind: choice(ActivityKind)
    direction: Literal["out", "in"] = "out"
    subject: str
    body: str = ""
    occurred_at: LocalDatetime | None = Field(None, description="Maintenant si absent.")
    owner: str | None = Field(None, description="Identifiant (username) ; vous-même si absent.")
    outcome: choice(ActivityOutcome, blank=True) = ""
    next_follow_up_on: date | None = None


ActivityPatch = partial(ActivityIn, "ActivityPatch")


class ActivityOut(Schema):
    id: UUID = Field(alias="public_id")
    customer_id: UUID
    kind: str
    direction: str
    subject: str
    body: str
    occurred_at: datetime
    owner: UserRefOut | None
    outcome: str
    next_follow_up_on: date | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_id(obj) -> UUID:
        return obj.customer.public_id


class NoteIn(InputSchema):
    """What was learnt about the customer; at least one field must be filled in."""

    wished_vehicles: str = ""
    projects: str = ""
    expectations: str = ""
    household_size: int | None = None
    interests: str = ""
    daily_mileage_km: int | None = None
    body: str = ""


NotePatch = partial(NoteIn, "NotePatch")


class NoteOut(Schema):
    id: UUID = Field(alias="public_id")
    customer_id: UUID
    author: UserRefOut | None
    wished_vehicles: str
    projects: str
    expectations: str
    household_size: int | None
    interests: str
    daily_mileage_km: int | None
    body: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_id(obj) -> UUID:
        return obj.customer.public_id


# --- Leads ----------------------------------------------------------------------------------


class LeadIn(InputSchema):
    """A request from a would-be customer (web form, phone, showroom…)."""

    first_name: str = ""
    last_name: str
    email: str = ""
    phone: str = ""
    lead_type: choice(LeadType)
    emitted_at: LocalDatetime | None = Field(None, description="Maintenant si absent.")
    vehicle_of_interest: str = ""
    message: str = ""
    status: choice(LeadStatus) = LeadStatus.NEW.value


LeadPatch = partial(LeadIn, "LeadPatch")


class LeadOut(Schema):
    id: UUID = Field(alias="public_id")
    first_name: str
    last_name: str
    email: str
    phone: str
    lead_type: str
    emitted_at: datetime
    vehicle_of_interest: str
    message: str
    status: str
    customer_id: UUID | None = Field(description="La fiche client créée par la conversion.")
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_customer_id(obj) -> UUID | None:
        return obj.customer.public_id if obj.customer_id else None
