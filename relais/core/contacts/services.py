"""Writes on people and companies: the one way any module creates or changes a contact.

Every service checks ``contacts.edit`` in the contact's workspace, validates (``full_clean``:
French phone numbers put in national form, postcode and city, SIREN/SIRET, NAF…), saves and
writes the audit entry, in one transaction, and returns the contact.

``actor=None`` means a system process (the demo and school-base generators, a campaign
simulator recording an unsubscription): no permission is checked and the audit entry, when
one is written, has no actor. Views and API endpoints always pass the signed-in user.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.accounts.roles import Permission
from relais.core.audit.services import audit_log, snapshot
from relais.core.contacts.models import Company, ConsentChannel, ContactDetails, Person
from relais.core.contacts.reachability import consent_field
from relais.core.exceptions import NotFound
from relais.core.workspaces.models import Workspace

CONSENT_FIELDS = frozenset(ContactDetails.CONSENT_FIELDS.values())
_NOT_EDITABLE = {"id", "workspace", "public_id", "created_at", "updated_at", "consent_updated_at"}


def _editable(model) -> frozenset[str]:
    return frozenset(f.name for f in model._meta.concrete_fields) - _NOT_EDITABLE


# The fields a caller may set, by name (``parent`` for a company's parent company).
PERSON_FIELDS = _editable(Person)
COMPANY_FIELDS = _editable(Company)
# What an update may also name: the key of a relation (``parent_id``), and the date of the
# consents when it is not now (values carried over from another stored record).
_UPDATE_EXTRA = {Person: {"consent_updated_at"}, Company: {"consent_updated_at", "parent_id"}}


def _check(actor, workspace: Workspace) -> None:
    if actor is not None:
        ensure_permission(actor, Permission.CONTACTS_EDIT, workspace)


def _assign(contact: ContactDetails, fields: dict, allowed: frozenset[str]) -> list[str]:
    """Set ``fields`` on ``contact``; returns the names whose value changed."""
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown {type(contact).__name__} fields: {', '.join(sorted(unknown))}")
    changed = []
    for name, value in fields.items():
        if getattr(contact, name) != value:
            setattr(contact, name, value)
            changed.append(name)
    return changed


def _check_parent(company: Company) -> None:
    if (
        company.parent_id
        and not Company.objects.filter(
            pk=company.parent_id, workspace_id=company.workspace_id
        ).exists()
    ):
        raise NotFound(_("Société mère introuvable."))


def _save(contact: ContactDetails, *, full_clean: bool = True) -> None:
    if full_clean:
        contact.full_clean(exclude=["workspace"])
    contact.save()


def _audit_consents(
    actor, contact: ContactDetails, before: dict, source: str, action: str = "contact.consent"
) -> None:
    """One ``contact.consent`` audit entry per channel whose consent changed since ``before``
    (the contact's stored values; ``{}`` for a new contact): together they are the contact's
    consent history (``selectors.consent_history``)."""
    for channel, field in ContactDetails.CONSENT_FIELDS.items():
        previous, now = before.get(field, False), getattr(contact, field)
        if previous == now:
            continue
        audit_log(
            actor=actor,
            action=action,
            target=contact,
            workspace=contact.workspace,
            before={field: previous, "consent_updated_at": before.get("consent_updated_at")},
            after={
                field: now,
                "consent_updated_at": contact.consent_updated_at,
                "channel": str(channel),
                "source": source,
            },
        )


def _create(actor, workspace: Workspace, model, fields: dict, consent_source: str):
    _check(actor, workspace)
    contact = model(workspace=workspace)
    _assign(contact, fields, PERSON_FIELDS if model is Person else COMPANY_FIELDS)
    if any(fields.get(name) for name in CONSENT_FIELDS):
        contact.consent_updated_at = timezone.now()
    if model is Company:
        _check_parent(contact)
    _save(contact)
    action = f"{model._meta.model_name}.create"
    audit_log(actor=actor, action=action, target=contact, after=snapshot(contact))
    _audit_consents(actor, contact, {}, consent_source or action)
    return contact


def _update(
    actor, contact: ContactDetails, changes: dict, full_clean: bool, consent_source: str
) -> bool:
    """Apply ``changes`` to ``contact`` and save it, audited; False when nothing changed."""
    model = type(contact)
    _check(actor, contact.workspace)
    before = snapshot(contact)
    allowed = (PERSON_FIELDS if model is Person else COMPANY_FIELDS) | _UPDATE_EXTRA[model]
    changed = _assign(contact, changes, allowed)
    if not changed:
        return False
    if CONSENT_FIELDS.intersection(changed) and "consent_updated_at" not in changes:
        contact.consent_updated_at = timezone.now()
    if model is Company:
        _check_parent(contact)
    _save(contact, full_clean=full_clean)
    action = f"{model._meta.model_name}.update"
    audit_log(actor=actor, action=action, target=contact, before=before, after=snapshot(contact))
    _audit_consents(actor, contact, before, consent_source or action)
    return True


@transaction.atomic
def person_create(*, actor, workspace: Workspace, consent_source: str = "", **fields) -> Person:
    """Create a person of ``workspace`` from ``fields`` (names of ``PERSON_FIELDS``).

    Consents given here are dated now and each enters the consent history with
    ``consent_source`` (by default ``person.create``). Raises ``ValidationError`` with French
    messages per field, ``TypeError`` for a field that is not a person's.
    """
    return _create(actor, workspace, Person, fields, consent_source)


@transaction.atomic
def person_update(
    *, actor, person: Person, full_clean: bool = True, consent_source: str = "", **changes
) -> Person:
    """Change the given fields of ``person``; the others keep their value.

    Nothing is written (no audit entry either) when no value changes. Changed consents are
    dated now unless ``consent_updated_at`` is given, and enter the consent history with
    ``consent_source`` (by default ``person.update``). ``full_clean=False`` is for values
    carried over as they are from another stored record (a merge of duplicates): refusing
    them because a record already held dirty data would leave the duplicate in place.
    """
    _update(actor, person, changes, full_clean, consent_source)
    return person


@transaction.atomic
def company_create(*, actor, workspace: Workspace, consent_source: str = "", **fields) -> Company:
    """Create a company of ``workspace`` from ``fields`` (names of ``COMPANY_FIELDS``).

    A parent company must belong to the same workspace (else ``NotFound``). SIREN and SIRET
    may be typed in groups; the SIREN is deduced from the SIRET when missing. Consents as in
    ``person_create``.
    """
    return _create(actor, workspace, Company, fields, consent_source)


@transaction.atomic
def company_update(
    *, actor, company: Company, full_clean: bool = True, consent_source: str = "", **changes
) -> Company:
    """Change the given fields of ``company`` (a parent by ``parent`` or ``parent_id``);
    see ``person_update``."""
    _update(actor, company, changes, full_clean, consent_source)
    return company


@transaction.atomic
def consent_set(
    *,
    actor,
    contact: ContactDetails,
    channel: str,
    granted: bool,
    source: str,
    at: datetime | None = None,
    action: str = "contact.consent",
) -> ContactDetails:
    """Record that ``contact`` (a person or a company) gives or withdraws its consent to be
    reached on ``channel`` (``ConsentChannel``: sms, phone, email, mail).

    ``source`` says where the word came from ("formulaire", "campaign:<id>"…) and ``at`` when
    it was given (now by default). The audit entry (``action``, by default
    ``contact.consent``; a more specific verb such as ``contact.unsubscribe`` may be named)
    keeps the value before and after with the channel, source and date: with the entries of
    consents given or changed through ``person_create``/``…_update``, it is the consent
    history (``relais.core.contacts.selectors.consent_history``). A consent that already has
    this value is left as it is and nothing is recorded.
    """
    if channel not in ConsentChannel.values:
        raise ValidationError(
            _("Canal de consentement inconnu : %(channel)s."), params={"channel": channel}
        )
    if not source.strip():
        raise ValidationError(_("Indiquez l'origine du consentement."))
    _check(actor, contact.workspace)
    field = consent_field(channel)
    previous = getattr(contact, field)
    if previous == bool(granted):
        return contact
    at = at or timezone.now()
    before = snapshot(contact)
    setattr(contact, field, bool(granted))
    contact.consent_updated_at = at
    contact.save(update_fields=[field, "consent_updated_at", "updated_at"])
    _audit_consents(actor, contact, before, source.strip(), action)
    return contact


# --- Batches -------------------------------------------------------------------------------


def person_build(**fields) -> Person:
    """An unsaved person (``workspace`` or ``workspace_id`` among ``fields``) for
    ``persons_create_many``: generators build their rows first, link them to other records,
    then write them in one go. Nothing is checked or written here."""
    return Person(**fields)


def company_build(**fields) -> Company:
    """An unsaved company for ``companies_create_many``; see ``person_build``."""
    return Company(**fields)


def _create_many(
    *, actor, workspace, model, contacts, name_field, inserter, full_clean, action
) -> list:
    _check(actor, workspace)
    contacts = list(contacts)
    errors = []
    for number, contact in enumerate(contacts, start=1):
        if contact.workspace_id != workspace.pk:
            raise NotFound(_("Espace de travail introuvable."))
        if not contact._state.adding or contact.pk is not None:
            raise ValueError(f"{model.__name__} {contact.pk} is already saved")
        try:
            if full_clean:
                contact.full_clean(exclude=["workspace"])
            elif not getattr(contact, name_field).strip():
                raise ValidationError(
                    {name_field: [str(model._meta.get_field(name_field).error_messages["blank"])]}
                )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.extend(
                    _("Ligne %(number)s, %(field)s : %(message)s")
                    % {"number": number, "field": field, "message": message}
                    for message in messages
                )
    if errors:
        raise ValidationError(errors)
    if inserter is not None:
        inserter.insert(model, contacts)
    else:
        model.objects.bulk_create(contacts, batch_size=1000)
    if actor is not None and contacts:
        audit_log(
            actor=actor,
            action=action,
            target=workspace,
            workspace=workspace,
            after={"count": len(contacts)},
        )
    return contacts


@transaction.atomic
def persons_create_many(
    *,
    actor,
    workspace: Workspace,
    persons: Sequence[Person],
    inserter=None,
    full_clean: bool = True,
) -> list[Person]:
    """Write unsaved ``persons`` (from ``person_build``) of ``workspace`` in bulk.

    The whole batch is checked before anything is written: every person belongs to
    ``workspace``; with ``full_clean`` (the default) each passes the same validation as
    ``person_create``, and the errors of all rows come back at once ("Ligne 3, email : …").
    Generators of training data, whose rows carry deliberate anomalies (a city that does
    not match its postcode, a malformed e-mail) for learners to find, pass
    ``full_clean=False``: then only the mandatory name is checked.

    ``inserter``: an object with ``insert(model, objects)`` giving each object its primary
    key (the demo's fast ``BulkInserter``); ``bulk_create`` by default. A batch with an actor
    is audited as one entry on the workspace; a system batch (``actor=None``) is not.
    """
    return _create_many(
        actor=actor,
        workspace=workspace,
        model=Person,
        contacts=persons,
        name_field="last_name",
        inserter=inserter,
        full_clean=full_clean,
        action="person.create_many",
    )


@transaction.atomic
def companies_create_many(
    *,
    actor,
    workspace: Workspace,
    companies: Sequence[Company],
    inserter=None,
    full_clean: bool = True,
) -> list[Company]:
    """Write unsaved ``companies`` (from ``company_build``) in bulk; see
    ``persons_create_many``. A parent must be written before its subsidiaries."""
    return _create_many(
        actor=actor,
        workspace=workspace,
        model=Company,
        contacts=companies,
        name_field="legal_name",
        inserter=inserter,
        full_clean=full_clean,
        action="company.create_many",
    )


@dataclass(frozen=True)
class ValueChange:
    """Set ``field`` of the contact with key ``pk`` to ``after`` if it still holds ``before``."""

    pk: int
    field: str
    before: object
    after: object


_BATCH = 250


@transaction.atomic
def contact_values_replace_many(
    *, actor, workspace: Workspace, model: type[ContactDetails], changes: Sequence[ValueChange]
) -> list[ValueChange]:
    """Apply many single-value changes to people (``model=Person``) or companies of
    ``workspace``, each only where the value is still ``before`` (compare and set: a value
    edited meanwhile, or a row of another workspace, is left alone). Returns the changes
    written. Consent fields are refused: they go through ``consent_set``.

    Built for bulk cleaning (thousands of rows): one UPDATE statement per field, run for
    every row, instead of the ORM's ``bulk_update`` and its CASE expressions. The caller
    keeps the detailed list (to undo it); the audit gets one entry per call that wrote.
    """
    if model not in (Person, Company):
        raise TypeError("model must be Person or Company")
    _check(actor, workspace)
    allowed = (PERSON_FIELDS if model is Person else COMPANY_FIELDS) - CONSENT_FIELDS
    refused = {change.field for change in changes} - allowed
    if refused:
        raise TypeError(f"Fields not replaceable in bulk: {', '.join(sorted(refused))}")
    if not changes:
        return []
    rows = model.objects.in_workspace(workspace).select_for_update()
    fields = sorted({change.field for change in changes})
    keys = sorted({change.pk for change in changes})
    current = {}
    for start in range(0, len(keys), _BATCH):
        for row in rows.filter(pk__in=keys[start : start + _BATCH]).values("pk", *fields):
            current[row["pk"]] = row
    written, by_field = [], {}
    for change in changes:
        row = current.get(change.pk)
        if row is None or row[change.field] != change.before:
            continue
        row[change.field] = change.after
        by_field.setdefault(change.field, []).append((change.after, change.pk))
        written.append(change)
    quote = connection.ops.quote_name
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    updated = quote(model._meta.get_field("updated_at").column)
    with connection.cursor() as cursor:
        for field, values in by_field.items():
            column = quote(model._meta.get_field(field).column)
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s, {updated} = %s WHERE {key} = %s",  # noqa: S608
                [(value, stamp, pk) for value, pk in values],
            )
    if written and actor is not None:
        audit_log(
            actor=actor,
            action=f"{model._meta.model_name}.update_many",
            target=workspace,
            workspace=workspace,
            after={field: len(values) for field, values in by_field.items()},
        )
    return written
