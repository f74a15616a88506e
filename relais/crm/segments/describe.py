"""A segment's conditions in words, for lists, detail pages and screen readers."""

from django.utils.translation import gettext as _

from relais.crm.segments import fields as cat
from relais.crm.segments.fields import FIELDS


def describe_definition(definition) -> str:
    """« Ville est égal à Lyon ET … »; an unreadable definition says so rather than failing."""
    if not isinstance(definition, dict) or not definition.get("conditions"):
        return _("Tous les clients")
    try:
        return _group(definition, top=True)
    except (KeyError, TypeError, AttributeError, ValueError):
        return _("Conditions illisibles : modifiez le segment.")


def _group(node: dict, top: bool = False) -> str:
    joiner = f" {_('OU')} " if node.get("match") == "any" else f" {_('ET')} "
    parts = [
        _group(child) if isinstance(child, dict) and "conditions" in child else _condition(child)
        for child in node.get("conditions", [])
    ]
    text = joiner.join(parts) if parts else ""
    entity = node.get("entity")
    if entity:
        label = str(cat.ENTITIES.get(entity, entity)).lower()
        if node.get("quantifier") == "none":
            head = _("aucun(e) %(entity)s") % {"entity": label}
        else:
            head = _("au moins un(e) %(entity)s") % {"entity": label}
        return f"{head} ({text})" if text else head
    return text if top else f"({text})"


def _condition(node: dict) -> str:
    spec = FIELDS[node["field"]]
    op = node["op"]
    if spec.type in (cat.DATE, cat.DATETIME) and op in cat.DATE_OPERATOR_LABELS:
        op_label = cat.DATE_OPERATOR_LABELS[op]
    else:
        op_label = cat.OPERATOR_LABELS[op]
    value = node.get("value")
    choices = dict(spec.choices)
    if value is None:
        shown = ""
    elif isinstance(value, dict):
        shown = f"{value.get('amount')} {cat.UNITS.get(value.get('unit'), '')}"
    elif isinstance(value, list):
        separator = f" {_('et')} " if op == "between" else ", "
        shown = separator.join(str(choices.get(v, v)) for v in value)
    else:
        shown = str(choices.get(value, value))
    entity = ""
    if spec.entity in cat.RELATED_ENTITIES:
        entity = f"{cat.ENTITIES[spec.entity]} : "
    return f"{entity}{spec.label} {op_label} {shown}".strip()
