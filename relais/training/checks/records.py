"""The **count** check: records of the learner's sandbox that match up to ten conditions.

``{"type": "count", "entity": "activity", "scope": "target", "since": true,
"filters": [{"field": "kind", "op": "exact", "value": "appointment"}], "min": 1, "max": null,
"points": 2, "label": "…", "missing": "…"}``: the number of ``entity`` rows of the learner's
sandbox matching every filter must lie in ``[min, max]``.

Only whitelisted entities, fields and operators are accepted, every query goes through the
ORM scoped to the sandbox workspace, and values are bound parameters: nothing a trainer or
learner types reaches SQL as text.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.contacts.validators import normalize_plate
from relais.core.text import fold, phone_key
from relais.crm.calendar import is_working_day
from relais.crm.models import Activity, Customer, Invoice, Lead, MileageReading, Note, Vehicle
from relais.training.checks.base import CheckError, CheckType, GradingContext, Verdict, as_int
from relais.training.checks.dates import today_or_date

# -- whitelist -----------------------------------------------------------------------------

TEXT, DATE, DATETIME, NUMBER, BOOL = "text", "date", "datetime", "number", "bool"

_CONTACT = {
    "phone_mobile": ("téléphone mobile", TEXT),
    "phone_landline": ("téléphone fixe", TEXT),
    "email": ("e-mail", TEXT),
    "street": ("rue", TEXT),
    "postal_code": ("code postal", TEXT),
    "city": ("ville", TEXT),
    "consent_email": ("accepte les e-mails", BOOL),
    "consent_sms": ("accepte les SMS", BOOL),
}


@dataclass(frozen=True)
class Entity:
    model: type
    label: str
    customer_path: str  # how a row reaches its customer ("" for the customer itself)
    fields: dict  # name -> (French label, type)
    stamp_paths: tuple = ("",)  # rows whose created_at/updated_at tell "changed since"


ENTITIES: dict[str, Entity] = {
    "customer": Entity(
        Customer,
        "fiche client",
        "",
        {
            "kind": ("type (individual / company)", TEXT),
            "status": ("statut (prospect / customer)", TEXT),
            "source": ("source", TEXT),
            "dealership": ("concession", TEXT),
            "person__civility": ("civilité", TEXT),
            "person__first_name": ("prénom", TEXT),
            "person__last_name": ("nom", TEXT),
            "person__birth_date": ("date de naissance", DATE),
            "person__profession": ("profession", TEXT),
            **{f"person__{k}": (f"{v[0]} (particulier)", v[1]) for k, v in _CONTACT.items()},
            "company__legal_name": ("raison sociale", TEXT),
            "company__siret": ("SIRET", TEXT),
            "company__naf_code": ("code NAF", TEXT),
            **{f"company__{k}": (f"{v[0]} (société)", v[1]) for k, v in _CONTACT.items()},
        },
        ("", "person__", "company__"),
    ),
    "vehicle": Entity(
        Vehicle,
        "véhicule",
        "customer",
        {
            "make": ("marque", TEXT),
            "model": ("modèle", TEXT),
            "energy": ("énergie", TEXT),
            "plate": ("immatriculation", TEXT),
            "vin": ("VIN", TEXT),
            "first_registration_date": ("1re immatriculation", DATE),
        },
    ),
    "mileage": Entity(
        MileageReading,
        "relevé kilométrique",
        "vehicle__customer",
        {"read_on": ("date du relevé", DATE), "mileage": ("kilométrage", NUMBER)},
    ),
    "invoice": Entity(
        Invoice,
        "facture",
        "customer",
        {
            "kind": ("type (vn / vo / apv / parts)", TEXT),
            "number": ("numéro", TEXT),
            "issued_on": ("date de facture", DATE),
            "mileage": ("kilométrage", NUMBER),
        },
    ),
    "activity": Entity(
        Activity,
        "activité",
        "customer",
        {
            "kind": ("type (call / email / appointment …)", TEXT),
            "subject": ("objet", TEXT),
            "body": ("compte rendu", TEXT),
            "outcome": ("résultat", TEXT),
            "occurred_at": ("date", DATETIME),
            "next_follow_up_on": ("date de prochaine relance", DATE),
        },
    ),
    "note": Entity(
        Note,
        "note",
        "customer",
        {
            "wished_vehicles": ("véhicules souhaités", TEXT),
            "projects": ("projets", TEXT),
            "body": ("note libre", TEXT),
            "household_size": ("personnes au foyer", NUMBER),
            "daily_mileage_km": ("kilométrage journalier", NUMBER),
        },
    ),
    "lead": Entity(
        Lead,
        "lead",
        "customer",
        {
            "status": ("statut (new / contacted / converted / lost)", TEXT),
            "lead_type": ("type de lead", TEXT),
            "first_name": ("prénom", TEXT),
            "last_name": ("nom", TEXT),
        },
    ),
}

OPERATORS = {
    "exact": gettext_lazy("est égal à"),
    "iexact": gettext_lazy("est égal à (sans casse)"),
    "icontains": gettext_lazy("contient"),
    "gte": gettext_lazy("est supérieur ou égal à"),
    "lte": gettext_lazy("est inférieur ou égal à"),
    "isnull": gettext_lazy("est vide (oui/non)"),
    "in": gettext_lazy("fait partie de (liste séparée par des virgules)"),
    "working_day": gettext_lazy("tombe un jour ouvré (oui/non)"),
}

MAX_FILTERS = 10
_PHONE_FIELDS = ("phone_mobile", "phone_landline")

_YES = ("oui", "yes", "true", "1", "vrai")
_NO = ("non", "no", "false", "0", "faux", "")


def convert(value: str, kind: str, op: str):
    """Turn a trainer's text value into the Python value the lookup needs."""
    if op in ("isnull", "working_day") or kind == BOOL:
        folded = fold(value).strip()
        if folded in _YES:
            return True
        if folded in _NO:
            return False
        raise CheckError(_("Valeur attendue : oui ou non (reçu « %(v)s »).") % {"v": value})
    if op == "in":
        return [part.strip() for part in value.split(",") if part.strip()]
    if kind in (DATE, DATETIME):
        day = today_or_date(value)
        if day is None:
            raise CheckError(_("Date non reconnue : « %(v)s » (format JJ/MM/AAAA).") % {"v": value})
        return day
    if kind == NUMBER:
        try:
            return int(value)
        except ValueError:
            raise CheckError(_("Nombre attendu : « %(v)s ».") % {"v": value}) from None
    return value


def _plate(value: str) -> str:
    try:
        return normalize_plate(value)
    except ValidationError:
        return value


def _python_match(actual, op: str, wanted) -> bool:
    if op == "working_day":
        if isinstance(actual, datetime.datetime):
            actual = timezone.localtime(actual).date()
        return actual is not None and is_working_day(actual) == wanted
    have, want = phone_key(actual), phone_key(wanted)
    if op == "icontains":
        return bool(want) and want in have
    return have == want


def _scoped(queryset, entity: Entity, record):
    """``queryset`` restricted to the target ``record`` (a customer or a lead)."""
    path = entity.customer_path or "pk"
    if not isinstance(record, Lead):
        return queryset.filter(**{path: record.pk})
    if entity.model is Lead:
        return queryset.filter(pk=record.pk)
    if record.customer_id:
        return queryset.filter(**{path: record.customer_id})
    return queryset.none()


def _changed_since(entity: Entity, since) -> Q:
    changed = Q()
    for prefix in entity.stamp_paths:
        changed |= Q(**{f"{prefix}created_at__gt": since})
        changed |= Q(**{f"{prefix}updated_at__gt": since})
    return changed


def count_matches(check: dict, context: GradingContext) -> int:
    """How many rows of the sandbox satisfy the validated count ``check``."""
    entity = ENTITIES[check["entity"]]
    queryset = entity.model.objects.in_workspace(context.workspace)
    if check["scope"] == "target":
        if context.record is None:
            return 0
        queryset = _scoped(queryset, entity, context.record)
    if check["since"] and context.since is not None:
        queryset = queryset.filter(_changed_since(entity, context.since))
    python_filters = []
    for item in check["filters"]:
        field, op = item["field"], item["op"]
        kind = entity.fields[field][1]
        value = convert(item["value"], kind, op)
        if op == "working_day" or (
            field.endswith(_PHONE_FIELDS) and op in ("exact", "iexact", "icontains")
        ):
            # Phones are compared on their digits (06 12… = +33 6 12…); working days need the
            # holiday calendar: both are decided in Python on the rows the query kept.
            python_filters.append((field, op, value))
            continue
        if field.endswith("plate") and op in ("exact", "iexact"):
            value = _plate(value)
        lookup = field if op == "exact" else f"{field}__{op}"
        if kind == DATETIME and op in ("exact", "gte", "lte"):
            lookup = f"{field}__date" + ("" if op == "exact" else f"__{op}")
        queryset = queryset.filter(**{lookup: value})
    if not python_filters:
        return queryset.count()
    fields = list(dict.fromkeys(f for f, _o, _v in python_filters))
    return sum(
        all(_python_match(row[f], op, wanted) for f, op, wanted in python_filters)
        for row in queryset.values(*fields)[:5000]
    )


class CountCheck(CheckType):
    name = "count"
    label = gettext_lazy("Des fiches existent")
    form_required = ("entity", gettext_lazy("Choisissez l'élément à compter."))
    form_fields = (
        "entity", "field", "op", "value", "field2", "op2", "value2",
        "scope_target", "since", "min_count", "max_count",
    )  # fmt: skip

    def validate(self, check: dict, out: dict) -> dict:
        entity = ENTITIES.get(check.get("entity"))
        if entity is None:
            raise CheckError(_("Élément inconnu : %(e)s.") % {"e": check.get("entity")})
        out["entity"] = check["entity"]
        out["scope"] = "target" if check.get("scope") == "target" else "all"
        out["since"] = bool(check.get("since"))
        filters = check.get("filters") or []
        if not isinstance(filters, list) or len(filters) > MAX_FILTERS:
            raise CheckError(_("Les conditions doivent être une liste (10 au plus)."))
        out["filters"] = [self._validate_filter(item, entity) for item in filters]
        out["min"] = as_int(check.get("min", 1), "minimum")
        out["max"] = as_int(check.get("max"), "maximum")
        if out["min"] is not None and out["max"] is not None and out["min"] > out["max"]:
            raise CheckError(_("Le minimum dépasse le maximum."))
        return out

    @staticmethod
    def _validate_filter(item, entity: Entity) -> dict:
        if not isinstance(item, dict):
            raise CheckError(_("Chaque condition doit être un objet."))
        field, op = item.get("field"), item.get("op", "exact")
        if field not in entity.fields:
            raise CheckError(
                _("Le champ « %(f)s » n'existe pas pour « %(e)s ».")
                % {"f": field, "e": entity.label}
            )
        if op not in OPERATORS:
            raise CheckError(_("Opérateur inconnu : %(o)s.") % {"o": op})
        value = item.get("value", "")
        value = "" if value is None else str(value)[:200]
        convert(value, entity.fields[field][1], op)  # raises on a bad value
        return {"field": field, "op": op, "value": value}

    def grade(self, check: dict, context: GradingContext) -> Verdict:
        found = count_matches(check, context)
        low, high = check["min"], check["max"]
        if (low is None or found >= low) and (high is None or found <= high):
            return Verdict(True, _("Fait (%(n)d trouvé(s)).") % {"n": found})
        if check.get("missing"):
            return Verdict(False, context.fill(check["missing"]))
        if low is not None and found < low:
            return Verdict(
                False,
                _("Manquant : %(n)d trouvé(s), au moins %(m)d attendu(s).")
                % {"n": found, "m": low},
            )
        return Verdict(
            False,
            _("Trop d'éléments : %(n)d trouvé(s), au plus %(m)d attendu(s).")
            % {"n": found, "m": high},
        )

    def describe(self, check: dict) -> str:
        entity = ENTITIES[check["entity"]]
        parts = [str(entity.label)]
        if check.get("scope") == "target":
            parts[0] += " " + _("(fiche cible)")
        for item in check.get("filters", []):
            field_label = entity.fields[item["field"]][0]
            parts.append(f"{field_label} {OPERATORS[item['op']]} « {item['value']} »")
        if check.get("since"):
            parts.append(_("créé ou modifié depuis le début de l'exercice"))
        low, high = check.get("min"), check.get("max")
        bounds = _("nombre ≥ %(n)d") % {"n": low or 0}
        if high is not None:
            bounds += " " + _("et ≤ %(n)d") % {"n": high}
        parts.append(bounds)
        return " · ".join(parts)

    def from_form(self, data: dict) -> dict:
        filters = []
        for field_key, op_key, value_key in (("field", "op", "value"), ("field2", "op2", "value2")):
            if data.get(field_key):
                filters.append(
                    {
                        "field": data[field_key].split(":", 1)[1],
                        "op": data.get(op_key) or "exact",
                        "value": data.get(value_key) or "",
                    }
                )
        return {
            "entity": data.get("entity"),
            "scope": "target" if data.get("scope_target") else "all",
            "since": bool(data.get("since")),
            "filters": filters,
            "min": data.get("min_count"),
            "max": data.get("max_count"),
        }

    def form_initial(self, check: dict) -> dict:
        initial = {
            "entity": check.get("entity", ""),
            "scope_target": check.get("scope") == "target",
            "since": bool(check.get("since")),
            "min_count": check.get("min"),
            "max_count": check.get("max"),
        }
        for suffix, item in zip(("", "2"), check.get("filters", [])[:2], strict=False):
            initial[f"field{suffix}"] = f"{check['entity']}:{item['field']}"
            initial[f"op{suffix}"] = item["op"]
            initial[f"value{suffix}"] = item["value"]
        return initial
