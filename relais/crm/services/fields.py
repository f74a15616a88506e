"""The transverse field view: every user-visible field of the CRM, and how to change one value.

``ENTITIES`` is a declarative catalogue: for each kind of record (individual customer,
company, vehicle, invoice, activity, note, lead) the fields a user sees, grouped as on the
record's own form, each with the ORM path that reads it and the service that writes it. A
field without a service is computed (an invoice total, a customer's status) and only shown.

``field_update`` parses one raw value with the same form field as the record's own form,
then hands it to that record's service (``customer_update``, ``vehicle_update``, …), so the
grid applies exactly the rules of the normal screens.
"""

import dataclasses
import datetime
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, public_id_or_not_found
from relais.core.forms import DateInput, DateTimeInput
from relais.core.workspaces.models import Workspace
from relais.core.workspaces.selectors import users_of_workspace
from relais.crm.models import Activity, Customer, CustomerKind, Invoice, Lead, Note, Vehicle
from relais.crm.permissions import Permission
from relais.crm.services.customers import customer_update
from relais.crm.services.leads import lead_update
from relais.crm.services.records import activity_update, invoice_update, note_update, vehicle_update

# (record, attribute name, parsed value) -> None, under the acting user.
Apply = Callable[..., object]


def _update_contact(*, actor, record: Customer, name: str, value) -> None:
    customer_update(actor=actor, customer=record, contact_data={name: value})


def _update_customer(*, actor, record: Customer, name: str, value) -> None:
    customer_update(actor=actor, customer=record, customer_data={name: value})


def _update_vehicle(*, actor, record: Vehicle, name: str, value) -> None:
    vehicle_update(actor=actor, vehicle=record, data={name: value})


def _update_invoice(*, actor, record: Invoice, name: str, value) -> None:
    invoice_update(actor=actor, invoice=record, data={name: value})


def _update_activity(*, actor, record: Activity, name: str, value) -> None:
    activity_update(actor=actor, activity=record, data={name: value})


def _update_note(*, actor, record: Note, name: str, value) -> None:
    note_update(actor=actor, note=record, data={name: value})


def _update_lead(*, actor, record: Lead, name: str, value) -> None:
    lead_update(actor=actor, lead=record, data={name: value})


def _model_field_at(model: type[models.Model], path: str) -> models.Field:
    """The model field that ``path`` ("person__city") names, starting from ``model``."""
    *relations, last = path.split("__")
    for name in relations:
        model = model._meta.get_field(name).related_model
    return model._meta.get_field(last)


@dataclass(frozen=True)
class FieldSpec:
    """One field of the catalogue."""

    entity_key: str
    group: str
    path: str  # from the entity's row model: "person__phone_mobile", "plate", "owner"
    model_field: models.Field
    apply: Apply | None  # None: computed by the application, shown but never edited here
    # Values the service normalises (plates typed with spaces…): no length cap before it.
    loose_length: bool = False

    @property
    def name(self) -> str:
        return self.path.rsplit("__", 1)[-1]

    @property
    def key(self) -> str:
        return f"{self.entity_key}.{self.name}"

    @property
    def label(self) -> str:
        return capfirst(self.model_field.verbose_name)

    @property
    def editable(self) -> bool:
        return self.apply is not None

    @property
    def is_user(self) -> bool:
        return isinstance(self.model_field, models.ForeignKey)

    @property
    def is_boolean(self) -> bool:
        return isinstance(self.model_field, models.BooleanField)

    @property
    def sort_path(self) -> str:
        return f"{self.path}__last_name" if self.is_user else self.path

    def value_of(self, record):
        """The stored value: follows ``path`` through the record's (already loaded) relations."""
        value = record
        for name in self.path.split("__"):
            value = getattr(value, name, None)
            if value is None:
                return None
        return value

    def display(self, record):
        """The value as a reader sees it: choice labels, Oui/Non, a user's name."""
        value = self.value_of(record)
        if value is None or value == "":
            return ""
        if self.is_user:
            return value.display_name
        if self.is_boolean:
            return _("Oui") if value else _("Non")
        if self.model_field.choices:
            return str(dict(self.model_field.flatchoices).get(value, value))
        return value

    def initial(self, record):
        value = self.value_of(record)
        if self.is_user:
            return str(value.pk) if value is not None else ""
        return value

    def form_field(self, workspace: Workspace) -> forms.Field:
        """The form field of the record's own form, laid out for a grid cell."""
        model_field = self.model_field
        if self.is_user:
            users = list(users_of_workspace(workspace=workspace))
            return forms.TypedChoiceField(
                label=self.label,
                required=False,
                choices=[("", "---------")] + [(str(u.pk), u.display_name) for u in users],
                coerce=lambda pk, users=users: next(u for u in users if str(u.pk) == pk),
                empty_value=None,
            )
        if self.is_boolean:
            return forms.TypedChoiceField(
                label=self.label,
                choices=[("True", _("Oui")), ("False", _("Non"))],
                coerce=lambda value: value == "True",
            )
        if isinstance(model_field, models.DateTimeField):
            return model_field.formfield(widget=DateTimeInput())
        if isinstance(model_field, models.DateField):
            return model_field.formfield(widget=DateInput())
        if isinstance(model_field, models.TextField):
            return model_field.formfield(widget=forms.Textarea(attrs={"rows": 2}))
        form_field = model_field.formfield()
        if self.loose_length:
            form_field.max_length = None
            form_field.validators = []
            form_field.widget.attrs.pop("maxlength", None)
        return form_field

    def filter_q(self, text: str) -> Q:
        """Records whose value "contains" ``text``, as a reader of the grid understands it."""
        text = text.strip()
        if self.is_user:
            return (
                Q(**{f"{self.path}__first_name__icontains": text})
                | Q(**{f"{self.path}__last_name__icontains": text})
                | Q(**{f"{self.path}__username__icontains": text})
            )
        if self.is_boolean:
            wanted = [
                flag
                for flag, word in ((True, _("Oui")), (False, _("Non")))
                if text.casefold() in word.casefold()
            ]
            return Q(**{f"{self.path}__in": wanted})
        if self.model_field.choices:
            folded = text.casefold()
            keys = [
                k
                for k, label in self.model_field.flatchoices
                if folded in str(label).casefold() or folded == str(k).casefold()
            ]
            return Q(**{f"{self.path}__in": keys})
        if isinstance(self.model_field, models.DateField):
            # People write dates the French way; a partial text ("2025") still matches.
            try:
                day = datetime.datetime.strptime(text, "%d/%m/%Y").date()
            except ValueError:
                pass
            else:
                lookup = "__date" if isinstance(self.model_field, models.DateTimeField) else ""
                return Q(**{f"{self.path}{lookup}": day})
        return Q(**{f"{self.path}__icontains": text})


@dataclass(frozen=True)
class Entity:
    """A kind of record in the grid: which rows, and the customer each row belongs to."""

    key: str
    label: str
    model: type[models.Model]
    select_related: tuple[str, ...]
    row_filter: dict = dataclasses.field(default_factory=dict)
    customer_path: str | None = "customer"  # "" when the row is the customer itself
    default_order: tuple[str, ...] = ("customer__sort_name", "pk")
    fields: dict[str, FieldSpec] = dataclasses.field(default_factory=dict)

    def groups(self) -> list[tuple[str, list[FieldSpec]]]:
        grouped: dict[str, list[FieldSpec]] = {}
        for spec in self.fields.values():
            grouped.setdefault(spec.group, []).append(spec)
        return list(grouped.items())

    def rows(self, workspace: Workspace) -> QuerySet:
        return (
            self.model.objects.in_workspace(workspace)
            .filter(**self.row_filter)
            .select_related(*self.select_related)
        )

    def customer_of(self, record) -> Customer | None:
        if self.customer_path == "":
            return record
        return getattr(record, self.customer_path) if self.customer_path else None


def _entity(
    key: str,
    label: str,
    model: type[models.Model],
    groups: Iterable[tuple[str, str, Iterable[str], Apply | None]],
    *,
    select_related: tuple[str, ...],
    row_filter: dict | None = None,
    customer_path: str | None = "customer",
    default_order: tuple[str, ...] = ("customer__sort_name", "pk"),
    loose: frozenset[str] = frozenset(),
) -> Entity:
    """Build an entity from ``(group label, path prefix, field names, service)`` tuples."""
    specs = {}
    for group, prefix, names, apply in groups:
        for name in names:
            path = f"{prefix}{name}"
            specs[name] = FieldSpec(
                entity_key=key,
                group=group,
                path=path,
                model_field=_model_field_at(model, path),
                apply=apply,
                loose_length=name in loose,
            )
    return Entity(
        key=key,
        label=label,
        model=model,
        select_related=select_related,
        row_filter=row_filter or {},
        customer_path=customer_path,
        default_order=default_order,
        fields=specs,
    )


_PERSON = ["civility", "first_name", "last_name", "birth_date", "profession"]
_COMPANY = [
    "legal_name", "trade_name", "siren", "siret", "naf_code", "company_type", "fleet_size",
]  # fmt: skip
_ADDRESS = ["street", "address_complement", "postal_code", "city"]
_REACH = ["phone_landline", "phone_mobile", "email"]
_CONSENTS = ["consent_sms", "consent_phone", "consent_email", "consent_mail"]
_FOLLOW_UP = ["source", "dealership", "owner"]
_VEHICLE = [
    "make", "model", "trim", "energy", "plate", "vin", "first_registration_date", "usage",
]  # fmt: skip
_FINANCING = ["financing_type", "financing_date", "financing_amount", "financing_months"]
_INVOICE = ["kind", "number", "issued_on", "mileage"]
_INVOICE_TOTALS = ["total_excl_tax", "total_incl_tax"]
_ACTIVITY = [
    "kind", "direction", "subject", "body", "occurred_at", "owner", "outcome", "next_follow_up_on",
]  # fmt: skip
_NOTE = [
    "wished_vehicles", "projects", "expectations", "household_size", "interests",
    "daily_mileage_km", "body",
]  # fmt: skip
_LEAD = [
    "first_name", "last_name", "email", "phone", "lead_type", "emitted_at",
    "vehicle_of_interest", "message", "status",
]  # fmt: skip
_CUSTOMER_ROWS = ("person", "company", "owner")
_OWNED_ROWS = ("customer__person", "customer__company")


def _customer_groups(prefix: str, identity_label, identity: list[str]):
    return [
        (identity_label, prefix, identity, _update_contact),
        (gettext_lazy("Adresse"), prefix, _ADDRESS, _update_contact),
        (gettext_lazy("Téléphones et e-mail"), prefix, _REACH, _update_contact),
        (gettext_lazy("Consentements à la prospection"), prefix, _CONSENTS, _update_contact),
        (gettext_lazy("Suivi commercial"), "", _FOLLOW_UP, _update_customer),
        (gettext_lazy("Calculé"), "", ["status"], None),
    ]


# The catalogue. Relations are offered only where the choices are the same for every row
# (the user responsible); a company's parent or an invoice's vehicle are edited on the record.
ENTITIES: dict[str, Entity] = {
    entity.key: entity
    for entity in [
        _entity(
            "particulier",
            gettext_lazy("Client particulier"),
            Customer,
            _customer_groups("person__", gettext_lazy("Identité"), _PERSON),
            select_related=_CUSTOMER_ROWS,
            row_filter={"kind": CustomerKind.INDIVIDUAL},
            customer_path="",
            default_order=("sort_name", "pk"),
        ),
        _entity(
            "societe",
            gettext_lazy("Société"),
            Customer,
            _customer_groups("company__", gettext_lazy("Société"), _COMPANY),
            select_related=_CUSTOMER_ROWS,
            row_filter={"kind": CustomerKind.COMPANY},
            customer_path="",
            default_order=("sort_name", "pk"),
        ),
        _entity(
            "vehicule",
            gettext_lazy("Véhicule"),
            Vehicle,
            [
                (gettext_lazy("Véhicule"), "", _VEHICLE, _update_vehicle),
                (gettext_lazy("Financement"), "", _FINANCING, _update_vehicle),
            ],
            select_related=_OWNED_ROWS,
            loose=frozenset({"plate", "vin"}),
        ),
        _entity(
            "facture",
            gettext_lazy("Facture"),
            Invoice,
            [
                (gettext_lazy("Facture"), "", _INVOICE, _update_invoice),
                (gettext_lazy("Calculé"), "", _INVOICE_TOTALS, None),
            ],
            select_related=_OWNED_ROWS,
        ),
        _entity(
            "activite",
            gettext_lazy("Activité"),
            Activity,
            [(gettext_lazy("Activité"), "", _ACTIVITY, _update_activity)],
            select_related=(*_OWNED_ROWS, "owner"),
        ),
        _entity(
            "note",
            gettext_lazy("Note"),
            Note,
            [(gettext_lazy("Note"), "", _NOTE, _update_note)],
            select_related=_OWNED_ROWS,
        ),
        _entity(
            "lead",
            gettext_lazy("Lead"),
            Lead,
            [(gettext_lazy("Lead"), "", _LEAD, _update_lead)],
            select_related=_OWNED_ROWS,
            default_order=("last_name", "first_name", "pk"),
        ),
    ]
}

GRID_SORTS = {"valeur": "", "-valeur": "-"}


def field_spec(key: str) -> FieldSpec:
    """The catalogue entry for ``"entity.field"``; an unknown key is not found."""
    entity_key, _sep, name = (key or "").partition(".")
    entity = ENTITIES.get(entity_key)
    if entity is None or name not in entity.fields:
        raise NotFound(_("Champ inconnu."))
    return entity.fields[name]


def entity_of(spec: FieldSpec) -> Entity:
    return ENTITIES[spec.entity_key]


def _uuid(value) -> uuid.UUID:
    return public_id_or_not_found(value, _("Fiche introuvable."))


def field_grid(
    *,
    user,
    workspace: Workspace,
    spec: FieldSpec,
    query: str = "",
    sort: str = "",
    record_ids: Iterable | None = None,
) -> QuerySet:
    """The workspace's records of ``spec``'s entity with what their rows show, optionally
    filtered on values containing ``query`` and sorted by the value (``sort`` in
    ``GRID_SORTS``; otherwise by customer)."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    entity = entity_of(spec)
    rows = entity.rows(workspace)
    if query.strip():
        rows = rows.filter(spec.filter_q(query))
    if record_ids is not None:
        rows = rows.filter(public_id__in=[_uuid(pk) for pk in record_ids])
    if sort in GRID_SORTS:
        return rows.order_by(f"{GRID_SORTS[sort]}{spec.sort_path}", "pk")
    return rows.order_by(*entity.default_order)


def _messages(error: ValidationError, spec: FieldSpec) -> list[str]:
    """A service's errors as one list: this field's first, others named by their label."""
    if not hasattr(error, "error_dict"):
        return list(error.messages)
    own, others = [], []
    model = spec.model_field.model
    for name, messages in error.message_dict.items():
        if name in (spec.name, NON_FIELD_ERRORS):
            own.extend(messages)
            continue
        try:
            label = capfirst(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a key that names no field keeps its name
            label = name
        others.extend(f"{label} : {message}" for message in messages)
    return own + others


@dataclass
class FieldUpdateOutcome:
    saved: list[str] = dataclasses.field(default_factory=list)  # public ids whose value changed
    errors: dict[str, list[str]] = dataclasses.field(
        default_factory=dict
    )  # public id -> French messages


def _same_value(spec: FieldSpec, value, current) -> bool:
    if spec.is_user:
        return (str(value.pk) if value else "") == current
    if value in ("", None) and current in ("", None):
        return True
    if isinstance(value, datetime.datetime) and isinstance(current, datetime.datetime):
        # The form shows minutes: an untouched value must not drop the stored seconds.
        return value == current.replace(second=0, microsecond=0)
    return value == current


def _apply_one(*, actor, spec: FieldSpec, form_field: forms.Field, record, raw_value) -> bool:
    """Parse and apply one value; ``False`` when it equals the stored one (nothing to do)."""
    value = form_field.clean(raw_value)
    if _same_value(spec, value, spec.initial(record)):
        return False
    try:
        spec.apply(actor=actor, record=record, name=spec.name, value=value)
    except ValidationError as exc:
        raise ValidationError(_messages(exc, spec)) from exc
    return True


def _check_editable(*, actor, workspace: Workspace, spec: FieldSpec) -> None:
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    if not spec.editable:
        raise ValidationError(_("Ce champ est calculé par l'application : il ne se modifie pas."))


def field_update(*, actor, workspace: Workspace, entity: str, field: str, record_id, raw_value):
    """Set ``field`` of one record of ``entity`` to ``raw_value`` (as typed in a form).

    The value is parsed by the record's form field, then written by the record's own
    service; a ``ValidationError`` carries the French messages. A record of another
    workspace is not found. Returns the record.
    """
    spec = field_spec(f"{entity}.{field}")
    _check_editable(actor=actor, workspace=workspace, spec=spec)
    record = entity_of(spec).rows(workspace).filter(public_id=_uuid(record_id)).first()
    if record is None:
        raise NotFound(_("Fiche introuvable."))
    _apply_one(
        actor=actor,
        spec=spec,
        form_field=spec.form_field(workspace),
        record=record,
        raw_value=raw_value,
    )
    return record


def field_update_many(
    *, actor, workspace: Workspace, entity: str, field: str, values: dict[str, str]
) -> FieldUpdateOutcome:
    """Apply ``{record public id: raw value}`` for one field, record by record.

    Every id must name a record of the workspace (else nothing is written and the whole
    request is not found). Each change is its own transaction: a refused value is
    reported against its record and leaves the others saved.
    """
    spec = field_spec(f"{entity}.{field}")
    _check_editable(actor=actor, workspace=workspace, spec=spec)
    wanted = {_uuid(pk) for pk in values}
    records = {
        str(record.public_id): record
        for record in entity_of(spec).rows(workspace).filter(public_id__in=wanted)
    }
    if len(records) != len(wanted):
        raise NotFound(_("Fiche introuvable."))
    outcome = FieldUpdateOutcome()
    form_field = spec.form_field(workspace)
    for record_id, raw_value in values.items():
        record = records[str(_uuid(record_id))]
        try:
            if _apply_one(
                actor=actor, spec=spec, form_field=form_field, record=record, raw_value=raw_value
            ):
                outcome.saved.append(str(record.public_id))
        except ValidationError as exc:
            outcome.errors[str(record.public_id)] = list(exc.messages)
    return outcome
