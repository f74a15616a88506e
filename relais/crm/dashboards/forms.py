"""Dashboard forms: picking a catalogue widget, and a widget's settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.crm.dashboards.catalogue import CATALOGUE, WidgetSpec
from relais.crm.models import WidgetChartType, WidgetPeriod


class WidgetAddForm(BootstrapForm):
    kind = forms.ChoiceField(
        label=_("Indicateur"),
        choices=[(key, spec.title) for key, spec in CATALOGUE.items()],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez un indicateur dans le catalogue.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"


class WidgetEditForm(BootstrapForm):
    title = forms.CharField(
        label=_("Titre"),
        max_length=120,
        required=False,
        help_text=_("Laissez vide pour garder le titre du catalogue."),
    )
    chart_type = forms.ChoiceField(label=_("Présentation"))
    period = forms.ChoiceField(label=_("Période"), choices=WidgetPeriod.choices)
    segment = forms.ChoiceField(
        label=_("Segment"),
        required=False,
        help_text=_("Limiter les chiffres aux clients d'un ciblage enregistré."),
    )

    def __init__(self, *args, spec: WidgetSpec, segments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chart_type"].choices = [
            (value, WidgetChartType(value).label) for value in spec.chart_types
        ]
        self.fields["segment"].choices = [("", _("Aucun : toute la base"))] + [
            (str(segment.public_id), segment.name) for segment in segments
        ]
        if not spec.uses_period:
            self.fields["period"].required = False
            self.fields["period"].disabled = True
            self.fields["period"].help_text = _(
                "Cet indicateur porte toujours sur la semaine en cours et les retards."
            )
            self.fields["period"].widget.attrs["aria-describedby"] = (
                f"{self['period'].auto_id}_helptext"
            )
