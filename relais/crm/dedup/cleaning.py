"""Bulk cleaning of a workspace's contact data, previewed first, applied as one undoable batch.

Operations: phones in one format (national "06 12 34 56 78" or E.164 "+33612345678"),
capitalisation of people's names ("jean-pierre DUPONT" → "Jean-Pierre Dupont"), postcodes on
five digits, and cities written as the official name of their commune ("st etienne", 42000 →
"Saint-Étienne"; "LYON 3E", 69003 → "Lyon"). Only safe changes are proposed: a phone that is not a valid number,
a postcode that does not exist or a city that does not belong to its postcode is reported,
never guessed.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log
from relais.core.contacts.models import Company, Person
from relais.core.contacts.normalize import compact
from relais.core.contacts.postcodes import (
    city_matches_postcode,
    communes_for_postcode,
    postcode_exists,
)
from relais.core.contacts.services import ValueChange, contact_values_replace_many
from relais.core.contacts.validators import normalize_phone
from relais.core.jobs.models import Job
from relais.core.jobs.services import job_start
from relais.core.workspaces.models import Workspace
from relais.crm.models import CleaningBatch, Customer
from relais.crm.permissions import Permission
from relais.crm.search import build_search_document

OPERATIONS = {
    "phones": gettext_lazy("Téléphones au même format"),
    "names": gettext_lazy("Majuscules des noms et prénoms"),
    "postcodes": gettext_lazy("Codes postaux sur 5 chiffres"),
    "cities": gettext_lazy("Villes à leur nom officiel, cohérentes avec le code postal"),
}
PHONE_FORMATS = {
    "national": gettext_lazy("National (06 12 34 56 78)"),
    "e164": gettext_lazy("International E.164 (+33612345678)"),
}
FIELD_LABELS = {
    "first_name": gettext_lazy("Prénom"),
    "last_name": gettext_lazy("Nom"),
    "phone_mobile": gettext_lazy("Téléphone portable"),
    "phone_landline": gettext_lazy("Téléphone fixe"),
    "postal_code": gettext_lazy("Code postal"),
    "city": gettext_lazy("Ville"),
}
MODELS = {"person": Person, "company": Company}
# Rows per query: a prefetch or IN list over thousands of ids exceeds SQLite's limits.
UPDATE_BATCH = 250
# Lower-case inside a name, as French spelling wants ("Charles de Gaulle").
PARTICLES = {"de", "du", "des", "d", "la", "le", "les", "l", "van", "von", "der", "den", "y"}
_SEPARATORS = re.compile(r"([\s\-'’]+)")
_SAINT = re.compile(r"\b(st|ste)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Change:
    """One value the cleaning would change."""

    customer_id: str  # public id, for links
    customer_name: str
    contact: str  # "person" or "company"
    contact_pk: int
    field: str
    before: str
    after: str

    @property
    def field_label(self) -> str:
        return str(FIELD_LABELS.get(self.field, self.field))


@dataclass
class Preview:
    changes: list[Change]
    warnings: list[dict]  # {customer_id, customer_name, field, value, reason}

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for change in self.changes:
            label = change.field_label
            counts[label] = counts.get(label, 0) + 1
        return counts

    @property
    def fingerprint(self) -> str:
        return changes_fingerprint(self.changes)


def changes_fingerprint(changes) -> str:
    """A short digest of a list of changes: the apply step checks it is what was previewed."""
    data = json.dumps([asdict(c) for c in changes], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:32]


# --- The rules --------------------------------------------------------------------------------


def capitalise_name(value: str) -> str:
    """ "jean-pierre DUPONT" → "Jean-Pierre Dupont"; "MARIE DE LA TOUR" → "Marie de la Tour".

    A word already in mixed case ("McDonald", "DiCaprio") is left as written: only words in
    one case throughout are rewritten."""
    parts = _SEPARATORS.split(value.strip())
    out = []
    first = True
    for part in parts:
        if not part or _SEPARATORS.fullmatch(part):
            out.append(part)
            continue
        letters = [c for c in part if c.isalpha()]
        if letters and (part.isupper() or part.islower()):
            lower = part.lower()
            word = lower if (not first and lower in PARTICLES) else lower[:1].upper() + lower[1:]
        else:
            word = part
        out.append(word)
        first = False
    return re.sub(r"\s+", " ", "".join(out))


def format_phone(value: str, style: str) -> str | None:
    """The number in ``style`` ("national" or "e164"), or None when it is not a valid number."""
    try:
        national = normalize_phone(value)  # the contact forms' own check and format
    except ValidationError:
        return None
    if style != "e164":
        return national
    number = phonenumbers.parse(value, "FR")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_postcode(value: str) -> str | None:
    """Five digits of an existing postcode ("75 011" → "75011", "1000" → "01000"), or None."""
    digits = "".join(c for c in value if c.isdigit())
    if len(digits) == 4:
        digits = "0" + digits
    if len(digits) == 5 and postcode_exists(digits):
        return digits
    return None


_ARRONDISSEMENT = re.compile(r"^(?P<city>.+?) \d+(?:er|e) Arrondissement$")


def _written_name(official_name: str) -> str:
    # Mail goes to "Lyon", not to "Lyon 3e Arrondissement": the postcode carries the district.
    match = _ARRONDISSEMENT.match(official_name)
    return match["city"] if match else official_name


def city_name(postal_code: str, city: str) -> str | None:
    """The official name of ``city`` at ``postal_code`` ("Saint-Étienne" for "st etienne" at
    42000, "Lyon" for "Lyon 3e" at 69003); with no city, the name when the postcode serves only
    one commune; None when the city does not belong to the postcode."""
    communes = communes_for_postcode(postal_code)
    if not communes:
        return None
    names = {_written_name(name) for name, _label in communes}
    if not city.strip():
        return names.pop() if len(names) == 1 else None
    wanted = compact(_SAINT.sub(lambda m: "saint" + m.group(1)[2:], city))
    for name, label in communes:
        if wanted in {compact(name), compact(label), compact(_written_name(name))}:
            return _written_name(name)
    if city_matches_postcode(postal_code, city):
        # Another accepted form of the commune ("Paris 11"): its name when there is only one.
        return names.pop() if len(names) == 1 else None
    return None


# --- Preview and apply ------------------------------------------------------------------------

_PERSON_VALUES = (
    "id",
    "public_id",
    "person_id",
    "company_id",
    "person__first_name",
    "person__last_name",
    "person__phone_mobile",
    "person__phone_landline",
    "person__postal_code",
    "person__city",
    "company__legal_name",
    "company__phone_mobile",
    "company__phone_landline",
    "company__postal_code",
    "company__city",
)


def _check_operations(operations, phone_format: str) -> list[str]:
    unknown = [op for op in operations if op not in OPERATIONS]
    if unknown or not operations:
        raise ValidationError(_("Choisissez au moins une opération de nettoyage dans la liste."))
    if phone_format not in PHONE_FORMATS:
        raise ValidationError(_("Format de téléphone inconnu."))
    return [op for op in OPERATIONS if op in operations]


def cleaning_preview(
    *, workspace: Workspace, user, operations, phone_format: str = "national"
) -> Preview:
    """The changes the chosen ``operations`` would make to the workspace's customers, and the
    values they cannot fix (reported, left alone). Reads only; one query."""
    ensure_permission(user, Permission.CRM_VIEW, workspace)
    operations = _check_operations(operations, phone_format)
    changes: list[Change] = []
    warnings: list[dict] = []
    rows = (
        Customer.objects.in_workspace(workspace).order_by("sort_name", "id").values(*_PERSON_VALUES)
    )
    for row in rows.iterator(chunk_size=2000):
        kind = "person" if row["person_id"] else "company"
        prefix = f"{kind}__"
        value = {key[len(prefix) :]: v for key, v in row.items() if key.startswith(prefix)}
        pk = row["person_id"] or row["company_id"]
        if kind == "person":
            name = " ".join(p for p in (value["first_name"], value["last_name"]) if p)
        else:
            name = value["legal_name"]

        def change(field: str, before: str, after: str) -> None:
            changes.append(
                Change(str(row["public_id"]), name, kind, pk, field, before, after)  # noqa: B023
            )

        def warn(field: str, before: str, reason) -> None:
            warnings.append(
                {
                    "customer_id": str(row["public_id"]),  # noqa: B023
                    "customer_name": name,  # noqa: B023
                    "field": str(FIELD_LABELS[field]),
                    "value": before,
                    "reason": str(reason),
                }
            )

        postal_code = value["postal_code"]
        if "phones" in operations:
            for field in ("phone_mobile", "phone_landline"):
                before = value[field]
                if not before:
                    continue
                after = format_phone(before, phone_format)
                if after is None:
                    warn(field, before, _("numéro non valide"))
                elif after != before:
                    change(field, before, after)
        if "names" in operations and kind == "person":
            for field in ("first_name", "last_name"):
                before = value[field]
                after = capitalise_name(before) if before else before
                if after != before:
                    change(field, before, after)
        if "postcodes" in operations and postal_code:
            after = clean_postcode(postal_code)
            if after is None:
                warn("postal_code", postal_code, _("code postal inexistant"))
            elif after != postal_code:
                change("postal_code", postal_code, after)
                postal_code = after
        if "cities" in operations and postal_code:
            before = value["city"]
            after = city_name(postal_code, before)
            if after is None:
                if before:
                    warn(
                        "city",
                        before,
                        _("ville sans rapport avec le code postal %(code)s")
                        % {"code": postal_code},
                    )
            elif after != before:
                change("city", before, after)
    return Preview(changes=changes, warnings=warnings)


@transaction.atomic
def cleaning_apply(
    *, actor, workspace: Workspace, changes, operations=(), fingerprint: str = ""
) -> CleaningBatch:
    """Apply previewed ``changes`` (``Change`` objects or their dicts) as one batch.

    A value that changed since the preview is left alone. ``fingerprint``, when given, must
    be that of the changes (the preview the user saw). Returns the ``CleaningBatch``, which
    ``cleaning_undo`` reverts as a whole."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    changes = [c if isinstance(c, Change) else Change(**c) for c in changes]
    if fingerprint and fingerprint != changes_fingerprint(changes):
        raise ValidationError(
            _("La base a changé depuis l'aperçu : vérifiez le nouvel aperçu avant d'appliquer.")
        )
    if not changes:
        raise ValidationError(_("Il n'y a rien à modifier."))
    applied = _write_changes(actor, workspace, changes)
    _reindex(workspace, applied)
    batch = CleaningBatch.objects.create(
        workspace=workspace,
        actor=actor,
        operations=list(operations),
        changes=[asdict(c) for c in applied],
        change_count=len(applied),
    )
    audit_log(
        actor=actor,
        action="crm.cleaning",
        target=batch,
        workspace=workspace,
        after={"operations": list(operations), "changes": len(applied)},
    )
    return batch


def _write_changes(actor, workspace: Workspace, changes: list[Change]) -> list[Change]:
    """Write, through the core's compare-and-set batch service, the changes whose contact
    (of ``workspace``) still holds the ``before`` value; returns them."""
    written = []
    for kind, model in MODELS.items():
        mine = [c for c in changes if c.contact == kind and c.field in FIELD_LABELS]
        if not mine:
            continue
        by_value = {
            ValueChange(pk=c.contact_pk, field=c.field, before=c.before, after=c.after): c
            for c in mine
        }
        done = contact_values_replace_many(
            actor=actor, workspace=workspace, model=model, changes=list(by_value)
        )
        done_set = set(done)
        written += [change for value, change in by_value.items() if value in done_set]
    return written


def _execute_updates(model, by_field: dict[str, list], now) -> None:
    quote = connection.ops.quote_name
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = quote(model._meta.db_table)
    updated = quote(model._meta.get_field("updated_at").column)
    key = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        for field, values in by_field.items():
            column = quote(model._meta.get_field(field).column)
            cursor.executemany(
                f"UPDATE {table} SET {column} = %s, {updated} = %s WHERE {key} = %s",  # noqa: S608
                [(value, stamp, pk) for value, pk in values],
            )


def _reindex(workspace: Workspace, changes) -> None:
    """Rebuild the search documents the changes affect (postcodes and cities: names and
    phones are folded to the same tokens whatever their case or format)."""
    ids = sorted({c.customer_id for c in changes})
    documents = []
    # In chunks: a prefetch over thousands of ids would exceed SQLite's expression depth.
    for start in range(0, len(ids), UPDATE_BATCH):
        customers = (
            Customer.objects.in_workspace(workspace)
            .filter(public_id__in=ids[start : start + UPDATE_BATCH])
            .select_related("person", "company")
            .prefetch_related("vehicles", "company__contacts__person")
        )
        for customer in customers:
            document = build_search_document(customer)
            if document != customer.search_document:
                documents.append((document, customer.pk))
    _execute_updates(Customer, {"search_document": documents}, timezone.now())


@transaction.atomic
def cleaning_undo(*, actor, batch: CleaningBatch) -> int:
    """Put back every value of ``batch`` that still holds what the cleaning wrote; returns
    how many were restored. Refuses a batch already undone."""
    ensure_permission(actor, Permission.CRM_EDIT, batch.workspace)
    batch = CleaningBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.undone_at is not None:
        raise ValidationError(_("Ce nettoyage a déjà été annulé."))
    reverted = [Change(**{**c, "before": c["after"], "after": c["before"]}) for c in batch.changes]
    restored = _write_changes(actor, batch.workspace, reverted)
    _reindex(batch.workspace, restored)
    batch.undone_at = timezone.now()
    batch.save(update_fields=["undone_at", "updated_at"])
    audit_log(
        actor=actor,
        action="crm.cleaning_undo",
        target=batch,
        workspace=batch.workspace,
        after={"restored": len(restored)},
    )
    return len(restored)


CLEANING_JOB_KIND = "crm.dedup.cleaning"


def cleaning_apply_start(
    *, actor, workspace: Workspace, operations, phone_format: str, fingerprint: str
) -> Job:
    """Apply a large cleaning in the background: the job recomputes the preview, checks its
    fingerprint and applies it (``cleaning_apply``), with the job page showing progress."""
    ensure_permission(actor, Permission.CRM_EDIT, workspace)
    operations = _check_operations(operations, phone_format)
    return job_start(
        actor=actor,
        workspace=workspace,
        kind=CLEANING_JOB_KIND,
        label=_("Nettoyage de la base"),
        params={"operations": operations, "phone_format": phone_format, "fingerprint": fingerprint},
    )
