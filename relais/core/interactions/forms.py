"""The form of the interaction-log export page."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapFormMixin
from relais.core.interactions.models import Channel

# A journey-analysis extract covers at most a few years; a typo such as 0025 is refused.
MAX_SPAN = datetime.timedelta(days=5 * 366)


class InteractionExportForm(BootstrapFormMixin, forms.Form):
    since = forms.DateField(
        label=_("Du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Inclus. Vide : depuis la première interaction."),
    )
    until = forms.DateField(
        label=_("Au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Inclus. Vide : jusqu'à aujourd'hui."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Canaux"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Aucun coché : tous les canaux."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("csv", _("CSV (tableur, PM4Py, Disco…)")),
            ("xes", _("XES — IEEE 1849 (outils de fouille de processus)")),
        ],
        initial="csv",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("channels", "format"):  # one check box or radio button per choice
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until:
            if until < since:
                raise ValidationError(_("La date de fin précède la date de début."))
            if until - since > MAX_SPAN:
                raise ValidationError(_("Exportez au plus cinq ans à la fois."))
        return data
