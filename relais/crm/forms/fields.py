"""Forms of the transverse field view: the field picker, the value filter, one grid cell."""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.crm.services.fields import ENTITIES, GRID_SORTS

ROW_PREFIX = "r-{}"
HELP_ID = "grid-help"
ROW_VALUE = re.compile(r"^r-(?P<id>[0-9a-fA-F-]{36})-value$")


def _field_choices() -> list:
    """One option group per entity, one option per field: ``entity.field`` -> label."""
    return [("", _("Choisissez un champ…"))] + [
        (entity.label, [(spec.key, spec.label) for spec in entity.fields.values()])
        for entity in ENTITIES.values()
    ]


class FieldPickerForm(BootstrapForm):
    """The GET form of the grid: which field, which values, in which order."""

    champ = forms.ChoiceField(label=_("Champ"), required=False, choices=_field_choices)
    q = forms.CharField(
        label=_("Valeur contenant"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
        help_text=_("Les dates s'écrivent JJ/MM/AAAA."),
    )
    tri = forms.ChoiceField(
        required=False, choices=[(key, key) for key in GRID_SORTS], widget=forms.HiddenInput
    )

    def params(self) -> dict:
        """The cleaned parameters; a malformed one is dropped, not reported."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "key": data.get("champ", ""),
            "query": data.get("q", ""),
            "sort": data.get("tri", ""),
        }


class FieldValueForm(BootstrapForm):
    """One record's value: a single ``value`` field, the form field of the record's own form.

    ``label_ids`` names the visible column and row headers that label the control; the
    field's help, shown once above the grid, has the id ``HELP_ID``.
    """

    def __init__(self, *args, value_field: forms.Field, label_ids: str, **kwargs):
        # The field is known only now: give this instance its own base fields.
        self.base_fields = {"value": value_field}
        super().__init__(*args, **kwargs)
        widget = self.fields["value"].widget
        widget.attrs["aria-labelledby"] = label_ids
        described = [HELP_ID] if value_field.help_text else []
        if self.is_bound and self.errors:
            described.append(f"{self['value'].auto_id}_error")
        if described:
            widget.attrs["aria-describedby"] = " ".join(described)
        else:
            widget.attrs.pop("aria-describedby", None)

    def add_value_errors(self, messages: list[str]) -> None:
        """Show a service's refusal on the cell, unless parsing already said the same."""
        self.is_valid()
        for message in messages:
            if message not in self.errors.get("value", []):
                self.add_error("value", message)
        self.mark_invalid_fields()


def posted_values(data) -> dict[str, str]:
    """``{record public id: raw value}`` from a posted grid (``r-<uuid>-value`` keys).

    Ids are given in their canonical form, the one the rows are matched by: a key that is
    not a UUID is ignored, and two spellings of one UUID make one entry.
    """
    values = {}
    for key in data:
        match = ROW_VALUE.match(key)
        if match is None:
            continue
        try:
            record_id = str(uuid.UUID(match.group("id")))
        except ValueError:
            continue
        values[record_id] = data.get(key, "")
    return values
