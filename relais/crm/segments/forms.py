"""Segment forms: the builder (name, description, the definition as JSON), rename, export."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm

# A definition far larger than any real one is refused before it is even parsed.
DEFINITION_MAX_BYTES = 100_000


class DefinitionField(forms.CharField):
    """The builder's JSON document; its meaning is checked by the service, its syntax here."""

    widget = forms.HiddenInput

    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return {}
        if len(text) > DEFINITION_MAX_BYTES:
            raise forms.ValidationError(_("La définition du segment est trop volumineuse."))
        try:
            return json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise forms.ValidationError(
                _("La définition du segment n'est pas un JSON valide.")
            ) from exc


class SegmentForm(BootstrapForm):
    name = forms.CharField(label=_("Nom du segment"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    definition = DefinitionField(required=False)


class SegmentCountForm(forms.Form):
    """What the live count posts: only the definition."""

    definition = DefinitionField(required=False)


class SegmentRenameForm(BootstrapForm):
    name = forms.CharField(label=_("Nouveau nom"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SegmentExportForm(BootstrapForm):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (Excel, séparateur point-virgule)")), ("xlsx", _("Excel (.xlsx)"))],
        initial="csv",
    )
