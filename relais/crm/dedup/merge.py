"""Merging two duplicate customers into one, and undoing it.

The survivor keeps its identity (public id, history); every row that pointed at the absorbed
customer or at its person/company is moved onto the survivor's. The rows are found by
introspecting the reverse relations of ``Customer``, ``Person`` and ``Company``, so a table
added later (campaign recipients, front-door requests…) is carried without changing this
module. The ``CustomerMerge`` row keeps what an exact undo needs.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, router, transaction
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log
from relais.core.contacts.models import Company, Person
from relais.core.contacts.services import company_update, person_update
from relais.crm.models import (
    Customer,
    CustomerKind,
    CustomerMerge,
    DuplicateCandidate,
)
from relais.crm.permissions import Permission
from relais.crm.services.customers import customer_refresh_status, customer_reindex

SURVIVOR, ABSORBED = "survivor", "absorbed"

# Field groups a user chooses between, per kind of contact. Address parts go together: a
# street of one record with the postcode of the other would be an address nobody has.
ADDRESS = ("street", "address_complement", "postal_code", "city")
CONSENTS = ("consent_sms", "consent_phone", "consent_email", "consent_mail", "consent_updated_at")
PERSON_CHOICES = {
    "civility": (gettext_lazy("Civilité"), ("civility",)),
    "first_name": (gettext_lazy("Prénom"), ("first_name",)),
    "last_name": (gettext_lazy("Nom"), ("last_name",)),
    "birth_date": (gettext_lazy("Date de naissance"), ("birth_date",)),
    "profession": (gettext_lazy("Profession"), ("profession",)),
    "email": (gettext_lazy("E-mail"), ("email",)),
    "phone_mobile": (gettext_lazy("Téléphone portable"), ("phone_mobile",)),
    "phone_landline": (gettext_lazy("Téléphone fixe"), ("phone_landline",)),
    "address": (gettext_lazy("Adresse"), ADDRESS),
    "consents": (gettext_lazy("Consentements marketing"), CONSENTS),
}
COMPANY_CHOICES = {
    "legal_name": (gettext_lazy("Raison sociale"), ("legal_name",)),
    "trade_name": (gettext_lazy("Nom commercial"), ("trade_name",)),
    "siret": (gettext_lazy("SIREN / SIRET"), ("siren", "siret")),
    "naf_code": (gettext_lazy("Code NAF"), ("naf_code",)),
    "company_type": (gettext_lazy("Type d'entreprise"), ("company_type",)),
    "fleet_size": (gettext_lazy("Nombre de véhicules"), ("fleet_size",)),
    "email": (gettext_lazy("E-mail"), ("email",)),
    "phone_mobile": (gettext_lazy("Téléphone portable"), ("phone_mobile",)),
    "phone_landline": (gettext_lazy("Téléphone fixe"), ("phone_landline",)),
    "address": (gettext_lazy("Adresse"), ADDRESS),
    "consents": (gettext_lazy("Consentements marketing"), CONSENTS),
}
# CRM fields of the customer row itself.
CUSTOMER_CHOICES = {
    "source": (gettext_lazy("Source"), ("source",)),
    "dealership": (gettext_lazy("Concession"), ("dealership",)),
    "owner": (gettext_lazy("Responsable"), ("owner_id",)),
}
# Candidate pairs are about the two records themselves: they go with the absorbed one (and a
# new search proposes what is still relevant). Earlier merges into the absorbed customer do
# move: "B was absorbed into A" becomes "into what A is now part of", still undoable.
NOT_MOVED = (DuplicateCandidate,)
SNAPSHOT_VERSION = 1


def merge_choices_for(kind: str) -> dict:
    """The choice groups of a merge of two customers of ``kind``: contact, then CRM fields."""
    contact = COMPANY_CHOICES if kind == CustomerKind.COMPANY else PERSON_CHOICES
    return {**contact, **CUSTOMER_CHOICES}


def _is_blank(value) -> bool:
    return value in (None, "", False)


def default_choices(survivor: Customer, absorbed: Customer) -> dict[str, str]:
    """What the wizard proposes: the survivor's values, except where only the absorbed record
    has one; for consents, the set updated last (the customer's latest word)."""
    choices = {}
    for key, (_label, fields) in merge_choices_for(survivor.kind).items():
        a, b = (_source(c, key) for c in (survivor, absorbed))
        if key == "consents":
            mine, theirs = a.consent_updated_at, b.consent_updated_at
            choices[key] = ABSORBED if theirs and (not mine or theirs > mine) else SURVIVOR
        elif all(_is_blank(getattr(a, f)) for f in fields) and any(
            not _is_blank(getattr(b, f)) for f in fields
        ):
            choices[key] = ABSORBED
        else:
            choices[key] = SURVIVOR
    return choices


def _source(customer: Customer, key: str):
    return customer if key in CUSTOMER_CHOICES else customer.contact


# --- What moves -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relation:
    """A foreign key of some model pointing at a customer, person or company."""

    model: type[models.Model]
    field: str  # attname of the foreign key (``customer_id``)

    @property
    def label(self) -> str:
        return f"{self.model._meta.label}.{self.field}"

    @property
    def verbose_name(self) -> str:
        return str(self.model._meta.verbose_name_plural)


def _relations(target: type[models.Model]) -> list[Relation]:
    """Every foreign key (or one-to-one) to ``target``, hidden ones (``related_name="+"``)
    and many-to-many through tables included."""
    found = []
    for rel in target._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and (rel.one_to_many or rel.one_to_one)):
            continue
        model = rel.related_model
        if model in NOT_MOVED or (target is Person and model is Customer and rel.one_to_one):
            continue
        if target is Company and model is Customer:
            continue
        found.append(Relation(model=model, field=rel.field.attname))
    return sorted(found, key=lambda r: r.label)


def _generic_relations() -> list[tuple[type[models.Model], GenericForeignKey]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.private_fields
        if isinstance(field, GenericForeignKey)
    ]


def _pairs(survivor: Customer, absorbed: Customer):
    """(relation, id in absorbed, id in survivor) for the customer and its contact."""
    contact_model = Company if absorbed.is_company else Person
    for relation in _relations(Customer):
        yield relation, absorbed.pk, survivor.pk
    for relation in _relations(contact_model):
        yield relation, absorbed.contact.pk, survivor.contact.pk


def merge_preview(*, survivor: Customer, absorbed: Customer) -> list[dict]:
    """What a merge would move onto the survivor: one line per kind of row with its count,
    for the wizard's last step. Counts only; nothing changes."""
    lines = []
    for relation, old, _new in _pairs(survivor, absorbed):
        count = relation.model._base_manager.filter(**{relation.field: old}).count()
        if count:
            lines.append({"label": relation.verbose_name, "model": relation.label, "count": count})
    return lines


# --- Serialisation ----------------------------------------------------------------------------


def _serialize(objects) -> list[dict]:
    """Django's "python" serialisation, with full-precision datetimes (the JSON encoder of
    the snapshot would cut them to milliseconds and the restored row would differ)."""
    rows = serializers.serialize("python", objects)
    for row in rows:
        for name, value in row["fields"].items():
            if isinstance(value, (datetime.datetime, datetime.time)):
                row["fields"][name] = value.isoformat()
    return rows


def _delete_keeping_copy(*, gone_customer: Customer, contact) -> list[dict]:
    """Delete the absorbed customer, then its contact, returning the serialised copy of
    every row deleted with them: the contact first, then the customer, then the rest."""
    copies = []
    for obj in (gone_customer, contact):
        collector = Collector(using=router.db_for_write(type(obj)), origin=obj)
        collector.collect([obj])
        rows = [row for instances in collector.data.values() for row in instances]
        for queryset in collector.fast_deletes:
            rows += list(queryset)
        # Candidate pairs name other customers that may be gone by the time of an undo.
        rows = [r for r in rows if r != obj and not isinstance(r, DuplicateCandidate)]
        copies.append(_serialize([obj]) + _serialize(rows))
        obj.delete()
    customer_rows, contact_rows = copies
    return contact_rows[:1] + customer_rows[:1] + contact_rows[1:] + customer_rows[1:]


def _field_values(instance, fields) -> dict:
    return {f: instance._meta.get_field(f).value_to_string(instance) for f in fields}


def _field_value(instance, name: str, text):
    """The value of field ``name`` written as ``text`` by ``_field_values``."""
    field = instance._meta.get_field(name)
    return None if text is None else field.to_python(text)


def _set_field(instance, name: str, text) -> None:
    setattr(instance, instance._meta.get_field(name).attname, _field_value(instance, name, text))


def _contact_update(actor, contact, changes: dict) -> None:
    """Write the merge's values on the survivor's person or company. No full_clean: every
    value comes from one of the two stored records, and refusing a merge because a record
    already held dirty data would leave the duplicate in place."""
    if isinstance(contact, Company):
        company_update(actor=actor, company=contact, full_clean=False, **changes)
    else:
        person_update(actor=actor, person=contact, full_clean=False, **changes)


def _locked(customer: Customer) -> Customer:
    """The customer's row, locked until the end of the merge: two people merging the same
    pair at once must not both succeed."""
    locked = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("person", "company", "workspace")
        .filter(pk=customer.pk)
        .first()
    )
    if locked is None:
        raise ValidationError(
            _("Une des deux fiches n'existe plus : elle vient sans doute d'être fusionnée.")
        )
    return locked


# --- Merge ------------------------------------------------------------------------------------


def _check_merge(actor, survivor: Customer, absorbed: Customer) -> None:
    ensure_permission(actor, Permission.CRM_EDIT, survivor.workspace)
    if survivor.workspace_id != absorbed.workspace_id:
        raise ValidationError(
            _("Ces deux fiches n'appartiennent pas au même espace de travail : fusion impossible.")
        )
    if survivor.pk == absorbed.pk:
        raise ValidationError(_("Une fiche ne peut pas être fusionnée avec elle-même."))
    if survivor.kind != absorbed.kind:
        raise ValidationError(
            _(
                "Un particulier ne peut pas être fusionné avec une société : choisissez deux fiches du même type."
            )
        )


def _normalise_choices(choices: dict, survivor: Customer, absorbed: Customer) -> dict[str, str]:
    groups = merge_choices_for(survivor.kind)
    result = default_choices(survivor, absorbed)
    aliases = {
        SURVIVOR: SURVIVOR,
        ABSORBED: ABSORBED,
        str(survivor.public_id): SURVIVOR,
        str(absorbed.public_id): ABSORBED,
    }
    for key, value in (choices or {}).items():
        if key not in groups:
            raise ValidationError(
                _("« %(field)s » n'est pas un champ que la fusion sait choisir.") % {"field": key}
            )
        if str(value) not in aliases:
            raise ValidationError(
                _("Pour « %(field)s », choisissez la valeur de l'une des deux fiches.")
                % {"field": groups[key][0]}
            )
        result[key] = aliases[str(value)]
    return result


def _move(relation: Relation, old: int, new: int, *, skip_pk=None) -> tuple[list, list]:
    """Point the rows of ``relation`` from ``old`` to ``new``. Returns the moved keys and
    the rows that could not move (a unique constraint: the survivor already has the same
    link, e.g. both were recipients of one campaign) — they go with the absorbed record."""
    manager = relation.model._base_manager
    rows = manager.filter(**{relation.field: old})
    if skip_pk is not None:
        rows = rows.exclude(pk=skip_pk)
    keys = list(rows.order_by("pk").values_list("pk", flat=True))
    if not keys:
        return [], []
    try:
        with transaction.atomic():
            manager.filter(pk__in=keys).update(**{relation.field: new})
        return keys, []
    except IntegrityError:
        pass
    moved, stuck = [], []
    for key in keys:
        try:
            with transaction.atomic():
                manager.filter(pk=key).update(**{relation.field: new})
            moved.append(key)
        except IntegrityError:
            stuck.append(key)
    return moved, stuck


@transaction.atomic
def customers_merge(
    *, actor, survivor: Customer, absorbed: Customer, choices: dict[str, str]
) -> CustomerMerge:
    """Merge ``absorbed`` into ``survivor`` and return the undoable ``CustomerMerge``.

    ``choices`` maps a choice group (``first_name``, ``address``, ``consents``, ``owner``…,
    see ``merge_choices_for``) to ``"survivor"`` or ``"absorbed"`` (or either record's public
    id): whose value the survivor keeps. Groups left out keep the survivor's value, or the
    absorbed one's where the survivor has none. Every row pointing at the absorbed customer
    or its person/company moves to the survivor's; the absorbed customer and its contact are
    then deleted. Refuses a record with itself, two workspaces, a person with a company.
    """
    _check_merge(actor, survivor, absorbed)
    survivor, absorbed = _locked(survivor), _locked(absorbed)
    chosen = _normalise_choices(choices, survivor, absorbed)
    groups = merge_choices_for(survivor.kind)
    contact, gone = survivor.contact, absorbed.contact

    # What the survivor looked like, and the absorbed records as stored: the undo puts them back.
    overwritten = {"contact": {}, "customer": {}}
    contact_changes: dict = {}  # written through the core's contact service
    for key, side in chosen.items():
        if side != ABSORBED:
            continue
        fields = groups[key][1]
        target, source = _source(survivor, key), _source(absorbed, key)
        slot = "customer" if key in CUSTOMER_CHOICES else "contact"
        for name in fields:
            if getattr(target, name) != getattr(source, name):
                overwritten[slot][name] = _field_values(target, [name])[name]
                if slot == "contact":
                    contact_changes[name] = getattr(source, name)
                else:
                    setattr(target, name, getattr(source, name))
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "absorbed": [],
        "choices": chosen,
        "overwritten": overwritten,
        "moved": {},
        "stuck": 0,
        "cleared": [],
        "generic": [],
        "candidate": None,
    }
    candidate = (
        DuplicateCandidate.objects.filter(
            customer_a_id=min(survivor.pk, absorbed.pk), customer_b_id=max(survivor.pk, absorbed.pk)
        )
        .values("score", "sure", "swapped_names", "explanation")
        .first()
    )
    snapshot["candidate"] = candidate

    # The survivor's company may be a subsidiary of the absorbed one: that link just ends.
    if isinstance(contact, Company) and contact.parent_id == gone.pk:
        snapshot["cleared"].append(["contacts.Company.parent_id", contact.pk, gone.pk])
        contact_changes["parent_id"] = None

    stuck_count = 0
    for relation, old, new in _pairs(survivor, absorbed):
        skip = contact.pk if relation.model is type(contact) else None
        moved, stuck = _move(relation, old, new, skip_pk=skip)
        if moved:
            snapshot["moved"].setdefault(relation.label, []).extend(moved)
        stuck_count += len(stuck)
    for model, field in _generic_relations():
        for obj, new in ((absorbed, survivor), (gone, contact)):
            kind = ContentType.objects.get_for_model(type(obj))
            rows = model._base_manager.filter(**{field.ct_field: kind, field.fk_field: obj.pk})
            keys = list(rows.values_list("pk", flat=True))
            if keys:
                rows.update(**{field.fk_field: new.pk})
                snapshot["generic"].append(
                    [
                        model._meta.label,
                        field.ct_field,
                        field.fk_field,
                        kind.pk,
                        obj.pk,
                        new.pk,
                        keys,
                    ]
                )

    _contact_update(actor, contact, contact_changes)
    survivor.save()
    absorbed_name = absorbed.display_name
    absorbed_public_id, identity_key = absorbed.public_id, absorbed.identity_key
    # What goes: the absorbed customer, its contact, and the rows that could not move (the
    # survivor already had the same link) with whatever hangs from them.
    snapshot["absorbed"] = _delete_keeping_copy(gone_customer=absorbed, contact=gone)
    snapshot["stuck"] = stuck_count
    customer_reindex(customer=survivor)
    customer_refresh_status(customer=survivor)
    merge = CustomerMerge.objects.create(
        workspace=survivor.workspace,
        survivor=survivor,
        absorbed_public_id=absorbed_public_id,
        absorbed_identity_key=identity_key,
        absorbed_name=absorbed_name[:220],
        snapshot=snapshot,
        actor=actor,
    )
    audit_log(
        actor=actor,
        action="customer.merge",
        target=survivor,
        before={"absorbed": str(absorbed_public_id), "absorbed_name": absorbed_name},
        after={
            "merge": str(merge.public_id),
            "choices": chosen,
            "moved": {label: len(keys) for label, keys in snapshot["moved"].items()},
            "overwritten": overwritten,
        },
    )
    return merge


# --- Undo -------------------------------------------------------------------------------------


@transaction.atomic
def customer_merge_undo(*, actor, merge: CustomerMerge) -> Customer:
    """Undo ``merge``: the absorbed customer and its contact come back with their original
    keys and public id, every moved row goes back to them, and the survivor's overwritten
    values are restored (unless edited since). Returns the restored customer."""
    ensure_permission(actor, Permission.CRM_EDIT, merge.workspace)
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise ValidationError(_("Cette fusion a déjà été annulée."))
    snapshot = merge.snapshot or {}
    if snapshot.get("version") != SNAPSHOT_VERSION:
        raise ValidationError(_("Cette fusion ne peut pas être annulée : sa copie manque."))
    survivor = _locked(merge.survivor)
    objects = [item.object for item in serializers.deserialize("python", snapshot["absorbed"])]
    restored_contact, restored = objects[0], objects[1]
    if Customer.objects.filter(public_id=restored.public_id).exists():
        raise ValidationError(
            _("La fiche absorbée existe déjà : la fusion ne peut pas être annulée.")
        )
    if restored.owner_id and not _user_exists(restored.owner_id):
        restored.owner_id = None
    contact = survivor.contact
    parent = getattr(restored_contact, "parent_id", None)
    if parent and not Company.objects.filter(pk=parent).exists():
        restored_contact.parent_id = None
    try:
        with transaction.atomic():
            for obj in objects:
                models.Model.save_base(obj, raw=True, force_insert=True)
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "La fusion ne peut pas être annulée : la fiche absorbée entre en conflit avec les données actuelles."
            )
        ) from exc

    olds = {Customer: (survivor.pk, restored.pk), type(contact): (contact.pk, restored_contact.pk)}
    for label, keys in snapshot.get("moved", {}).items():
        model_label, attname = label.rsplit(".", 1)
        model = apps.get_model(model_label)
        field = next(f for f in model._meta.concrete_fields if f.attname == attname)
        current, back = olds[field.related_model]
        model._base_manager.filter(pk__in=keys, **{attname: current}).update(**{attname: back})
    for label, ct_field, fk_field, kind_pk, old_pk, new_pk, keys in snapshot.get("generic", []):
        apps.get_model(label)._base_manager.filter(
            pk__in=keys, **{f"{ct_field}_id": kind_pk, fk_field: new_pk}
        ).update(**{fk_field: old_pk})
    contact_changes: dict = {}  # written through the core's contact service
    for _label, pk, parent in snapshot.get("cleared", []):
        if pk == contact.pk and contact.parent_id is None:
            contact_changes["parent_id"] = parent

    # The survivor's own values, where nobody changed them since the merge.
    merged_values = {"contact": contact, "customer": survivor}
    absorbed_values = {"contact": restored_contact, "customer": restored}
    for slot, values in snapshot.get("overwritten", {}).items():
        target, source = merged_values[slot], absorbed_values[slot]
        for name, before in values.items():
            if getattr(target, name) == getattr(source, name):
                if slot == "contact":
                    contact_changes[name] = _field_value(target, name, before)
                else:
                    _set_field(target, name, before)
    _contact_update(actor, contact, contact_changes)
    survivor.save()
    for customer in (
        survivor,
        Customer.objects.select_related("person", "company").get(pk=restored.pk),
    ):
        customer_reindex(customer=customer)
        customer_refresh_status(customer=customer)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at", "updated_at"])
    restored = Customer.objects.select_related("person", "company").get(pk=restored.pk)
    _candidate_again(merge, survivor, restored)
    audit_log(
        actor=actor,
        action="customer.merge_undo",
        target=survivor,
        after={"merge": str(merge.public_id), "restored": str(restored.public_id)},
    )
    return restored


def merge_summary(merge: CustomerMerge) -> dict:
    """What the merge detail page shows: rows moved per kind (``moved``: verbose name ->
    count) and the labels of the groups whose value came from the absorbed record
    (``taken``)."""
    snapshot = merge.snapshot or {}
    moved: dict[str, int] = {}
    for label, keys in snapshot.get("moved", {}).items():
        model_label = label.rsplit(".", 1)[0]
        try:
            name = str(apps.get_model(model_label)._meta.verbose_name_plural)
        except LookupError:
            name = model_label
        moved[name] = moved.get(name, 0) + len(keys)
    groups = merge_choices_for(merge.survivor.kind)
    taken = [
        str(groups[key][0])
        for key, side in (snapshot.get("choices") or {}).items()
        if side == ABSORBED and key in groups
    ]
    return {"moved": {name: count for name, count in moved.items() if count}, "taken": taken}


def _candidate_again(merge: CustomerMerge, survivor: Customer, restored: Customer) -> None:
    """Put the pair back in the review queue, as it was proposed before the merge."""
    data = (merge.snapshot or {}).get("candidate")
    if not data:
        return
    low, high = sorted((survivor.pk, restored.pk))
    DuplicateCandidate.objects.get_or_create(
        workspace=merge.workspace, customer_a_id=low, customer_b_id=high, defaults=data
    )


def _user_exists(pk) -> bool:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=pk).exists()
