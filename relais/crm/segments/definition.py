"""The JSON document a segment is saved as (``Segment.definition``), and its validation.

    {
      "match": "all",                    # "all" (AND) or "any" (OR)
      "conditions": [                    # conditions and nested groups, any depth (≤ 5)
        {"field": "customer.city", "op": "eq", "value": "Lyon"},
        {"field": "vehicle.first_registration_date", "op": "older_than",
         "value": {"amount": 4, "unit": "years"}},
        {"match": "any", "conditions": [...]},
        {"entity": "invoice", "quantifier": "none", "match": "all", "conditions": [
          {"field": "invoice.kind", "op": "eq", "value": "apv"},
          {"field": "invoice.issued_on", "op": "in_last", "value": {"amount": 12, "unit": "months"}}
        ]}
      ],
      "sort": [{"field": "computed.revenue", "dir": "desc"}, {"field": "customer.last_name"}]
    }

A field is ``<entity>.<name>``: entity one of customer, vehicle, invoice, activity, note, lead,
computed; the catalogue (types, labels, operators) is ``relais.crm.segments.fields``.

* A condition on a related entity (vehicle, invoice, activity, note, lead) outside a block
  matches the customers having at least one such record meeting it.
* A **record block** — a group with ``"entity"`` — puts all its conditions on *the same*
  record: ``"quantifier": "any"`` (default) keeps the customers having at least one record
  meeting them all (or any, per ``match``), ``"quantifier": "none"`` the customers having no
  such record (“no after-sales visit for 12 months”). Its conditions may only use that
  entity's fields; an empty block means “has at least one / has no such record”.
* ``op`` per field type (see ``fields.OPERATORS_BY_TYPE``): ``eq ne contains not_contains
  startswith in not_in lt lte gt gte between is_empty is_not_empty is_true is_false`` and, on
  dates, the relative ``today this_week this_month this_year`` (no value) and ``older_than
  in_last in_next`` (value ``{"amount": N, "unit": "days|weeks|months|years"}``).
  ``older_than`` N means strictly before today minus N; ``in_last`` N from today minus N to
  today; ``in_next`` N from today to today plus N, bounds included. Weeks run Monday–Sunday.
* Values: text ≤ 200 characters; ``in``/``not_in`` a list (≤ 200 items); ``between`` a list
  of two bounds, lower first; dates ``"YYYY-MM-DD"``; numbers as JSON numbers; ``years_since``
  and ``days_since`` fields (ages, days since last visit) whole numbers.
* ``sort``: up to 5 keys, each ``{"field": …, "dir": "asc"|"desc"}`` on a sortable customer
  or computed field; ties are always broken by name then id.

``validate_definition`` checks a document from anywhere (the builder, the API, a hand-edited
row) and returns its normalised form, or raises ``ValidationError`` with French messages.
"""

import datetime
import math
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from relais.crm.segments import fields as catalogue
from relais.crm.segments.fields import FIELDS, RELATED_ENTITIES, UNITS

EMPTY = {"match": "all", "conditions": [], "sort": []}

MAX_DEPTH = 5
MAX_CONDITIONS = 60
MAX_SORT = 5
MAX_TEXT = 200
MAX_LIST = 200
MAX_NUMBER = Decimal("1e12")
# Relative amounts large enough for any real target, small enough for date arithmetic.
MAX_AMOUNT = {"days": 36_500, "weeks": 5_200, "months": 1_200, "years": 100}
MAX_YEARS, MAX_DAYS = 150, 100_000
MIN_DATE, MAX_DATE = datetime.date(1900, 1, 1), datetime.date(2200, 12, 31)


class _Errors:
    def __init__(self):
        self.messages: list[str] = []
        self.conditions = 0

    def add(self, where: str, message: str) -> None:
        self.messages.append(f"{where} : {message}" if where else message)


def validate_definition(definition) -> dict:
    """The normalised copy of ``definition``; ``ValidationError`` (French) if it is invalid."""
    errors = _Errors()
    if definition in (None, "", {}):
        return {"match": "all", "conditions": [], "sort": []}
    if not isinstance(definition, dict):
        raise ValidationError(_("La définition du segment doit être un objet JSON."))
    root = _group(definition, errors, where="", depth=1, entity=None)
    root.pop("entity", None)
    root.pop("quantifier", None)
    root["sort"] = _sort(definition.get("sort", []), errors)
    if errors.messages:
        raise ValidationError(errors.messages[:20])
    return root


def _group(node: dict, errors: _Errors, *, where: str, depth: int, entity: str | None) -> dict:
    """``where``: the group's position (``"2.1"``), "" for the segment itself."""
    label = (_("Condition %(n)s") % {"n": where}) if where else _("Segment")
    if depth > MAX_DEPTH:
        errors.add(
            label, _("trop de groupes imbriqués (%(max)s niveaux au plus).") % {"max": MAX_DEPTH}
        )
        return {"match": "all", "conditions": []}
    match = node.get("match", "all")
    if match not in ("all", "any"):
        errors.add(label, _("« match » doit valoir « all » (ET) ou « any » (OU)."))
        match = "all"
    group: dict = {"match": match}
    block = node.get("entity")
    if block is not None:
        if entity is not None:
            errors.add(label, _("un bloc d'enregistrements ne peut pas en contenir un autre."))
        elif block not in RELATED_ENTITIES:
            errors.add(
                label, _("entité de bloc inconnue « %(entity)s ».") % {"entity": _short(block)}
            )
        else:
            quantifier = node.get("quantifier", "any")
            if quantifier not in ("any", "none"):
                errors.add(label, _("« quantifier » doit valoir « any » ou « none »."))
            group["entity"], group["quantifier"] = block, quantifier
            entity = block
    conditions = node.get("conditions", [])
    if not isinstance(conditions, list):
        errors.add(label, _("« conditions » doit être une liste."))
        conditions = []
    group["conditions"] = []
    for index, child in enumerate(conditions, start=1):
        child_where = f"{where}.{index}" if where else str(index)
        child_label = _("Condition %(n)s") % {"n": child_where}
        if not isinstance(child, dict):
            errors.add(child_label, _("chaque condition doit être un objet JSON."))
            continue
        if "conditions" in child:
            group["conditions"].append(
                _group(child, errors, where=child_where, depth=depth + 1, entity=entity)
            )
            continue
        errors.conditions += 1
        if errors.conditions > MAX_CONDITIONS:
            errors.add("", _("Trop de conditions (%(max)s au plus).") % {"max": MAX_CONDITIONS})
            break
        normalised = _condition(child, errors, child_label, entity)
        if normalised is not None:
            group["conditions"].append(normalised)
    return group


def _condition(node: dict, errors: _Errors, where: str, entity: str | None) -> dict | None:
    key = node.get("field")
    spec = FIELDS.get(key) if isinstance(key, str) else None
    if key in (None, ""):
        errors.add(where, _("choisissez un champ."))
        return None
    if spec is None:
        errors.add(where, _("champ inconnu « %(field)s ».") % {"field": _short(key)})
        return None
    if entity is not None and spec.entity != entity:
        errors.add(
            where,
            _("le champ « %(field)s » n'appartient pas à l'entité du bloc (%(entity)s).")
            % {"field": spec.label, "entity": catalogue.ENTITIES[entity]},
        )
        return None
    op = node.get("op")
    if not isinstance(op, str) or op not in spec.operators():
        errors.add(
            where,
            _("l'opérateur « %(op)s » n'est pas permis pour le champ « %(field)s ».")
            % {"op": _short(op), "field": spec.label},
        )
        return None
    try:
        value = _value(spec, op, node.get("value"))
    except ValidationError as exc:
        errors.add(where, f"{spec.label} — {exc.messages[0]}")
        return None
    condition = {"field": key, "op": op}
    if value is not None:
        condition["value"] = value
    return condition


def _value(spec, op: str, raw):
    shape = catalogue.OPERATOR_VALUE[op]
    if shape == catalogue.NO_VALUE:
        return None
    if shape == catalogue.RELATIVE:
        return _relative(raw)
    if shape == catalogue.LIST:
        if isinstance(raw, str):
            raw = [part.strip() for part in raw.split(",") if part.strip()]
        if not isinstance(raw, list) or not raw:
            raise ValidationError(_("indiquez au moins une valeur."))
        if len(raw) > MAX_LIST:
            raise ValidationError(_("%(max)s valeurs au plus.") % {"max": MAX_LIST})
        return [_scalar(spec, item) for item in raw]
    if shape == catalogue.RANGE:
        if not isinstance(raw, list) or len(raw) != 2:
            raise ValidationError(_("indiquez deux bornes."))
        low, high = _scalar(spec, raw[0]), _scalar(spec, raw[1])
        if _comparable(spec, low) > _comparable(spec, high):
            raise ValidationError(_("la première borne doit être inférieure à la seconde."))
        return [low, high]
    return _scalar(spec, raw)


def _comparable(spec, value):
    return (
        datetime.date.fromisoformat(value)
        if spec.type in (catalogue.DATE, catalogue.DATETIME)
        else value
    )


def _scalar(spec, raw):
    kind = spec.type
    if kind in (catalogue.TEXT, catalogue.USER):
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise ValidationError(_("saisissez un texte."))
        text = str(raw).strip()
        if not text:
            raise ValidationError(_("saisissez une valeur."))
        if len(text) > MAX_TEXT:
            raise ValidationError(_("%(max)s caractères au plus.") % {"max": MAX_TEXT})
        return text
    if kind == catalogue.CHOICE:
        allowed = {value for value, _label in spec.choices}
        if not isinstance(raw, str) or raw not in allowed:
            raise ValidationError(
                _("valeur « %(value)s » hors de la liste proposée.") % {"value": _short(raw)}
            )
        return raw
    if kind in (catalogue.DATE, catalogue.DATETIME):
        return _date(raw).isoformat()
    if kind in (catalogue.YEARS_SINCE, catalogue.DAYS_SINCE):
        number = _number(raw)
        ceiling = MAX_YEARS if kind == catalogue.YEARS_SINCE else MAX_DAYS
        if number != int(number) or not 0 <= number <= ceiling:
            raise ValidationError(
                _("saisissez un nombre entier entre 0 et %(max)s.") % {"max": ceiling}
            )
        return int(number)
    if kind == catalogue.NUMBER:
        number = _number(raw)
        return int(number) if number == int(number) else float(number)
    raise ValidationError(_("valeur inattendue."))


def _number(raw) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError(_("saisissez un nombre."))
    if isinstance(raw, float) and not math.isfinite(raw):
        raise ValidationError(_("saisissez un nombre."))
    try:
        number = Decimal(str(raw).strip().replace(",", ".").replace(" ", ""))
    except InvalidOperation as exc:
        raise ValidationError(_("saisissez un nombre.")) from exc
    if not number.is_finite() or abs(number) > MAX_NUMBER:
        raise ValidationError(_("nombre hors des limites."))
    return number


def _date(raw) -> datetime.date:
    if isinstance(raw, str):
        text = raw.strip()
        for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                value = datetime.datetime.strptime(text, pattern).date()
            except ValueError:
                continue
            if MIN_DATE <= value <= MAX_DATE:
                return value
            raise ValidationError(_("date hors des limites (1900 à 2200)."))
    raise ValidationError(_("saisissez une date au format JJ/MM/AAAA."))


def _relative(raw) -> dict:
    if not isinstance(raw, dict):
        raise ValidationError(_("indiquez une durée (nombre et unité)."))
    unit = raw.get("unit")
    if unit not in UNITS:
        raise ValidationError(_("unité de durée inconnue (jours, semaines, mois ou ans)."))
    amount = raw.get("amount")
    try:
        number = _number(amount)
    except ValidationError as exc:
        raise ValidationError(_("la durée doit être un nombre entier.")) from exc
    if number != int(number) or not 0 <= number <= MAX_AMOUNT[unit]:
        raise ValidationError(
            _("la durée doit être un nombre entier entre 0 et %(max)s %(unit)s.")
            % {"max": MAX_AMOUNT[unit], "unit": UNITS[unit]}
        )
    return {"amount": int(number), "unit": unit}


def _sort(raw, errors: _Errors) -> list[dict]:
    if raw in (None, ""):
        return []
    if not isinstance(raw, list):
        errors.add(_("Tri"), _("« sort » doit être une liste."))
        return []
    if len(raw) > MAX_SORT:
        errors.add(_("Tri"), _("%(max)s clés de tri au plus.") % {"max": MAX_SORT})
        return []
    keys = []
    for index, item in enumerate(raw, start=1):
        where = _("Tri %(n)s") % {"n": index}
        if not isinstance(item, dict):
            errors.add(where, _("chaque clé de tri doit être un objet JSON."))
            continue
        spec = FIELDS.get(item.get("field")) if isinstance(item.get("field"), str) else None
        if spec is None or not spec.sortable:
            errors.add(
                where,
                _("impossible de trier sur « %(field)s ».") % {"field": _short(item.get("field"))},
            )
            continue
        direction = item.get("dir", "asc")
        if direction not in ("asc", "desc"):
            errors.add(where, _("le sens doit valoir « asc » ou « desc »."))
            continue
        keys.append({"field": spec.key, "dir": direction})
    return keys


def _short(value) -> str:
    """A value quoted in a message, cut short: hostile input must not flood the page."""
    text = str(value)
    return text if len(text) <= 40 else f"{text[:40]}…"
