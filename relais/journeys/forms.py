"""Forms of the journey editor. Syntax is checked here, meaning by the services (French)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.journeys.models import Actor, Channel, DurationUnit
from relais.journeys.templates_catalogue import template_choices

EMOTIONS = [
    (2, _("+2 — très positif")),
    (1, _("+1 — positif")),
    (0, _("0 — neutre")),
    (-1, _("-1 — négatif")),
    (-2, _("-2 — très négatif")),
]


class JourneyForm(BootstrapForm):
    title = forms.CharField(label=_("Titre du parcours"), max_length=160)
    public = forms.CharField(
        label=_("Public concerné"),
        required=False,
        max_length=160,
        help_text=_("Par exemple : artistes-auteurs débutant leur activité."),
    )
    procedure = forms.CharField(label=_("Démarche"), required=False, max_length=160)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class TemplateForm(BootstrapForm):
    template = forms.ChoiceField(label=_("Modèle"), choices=template_choices)


class PhaseForm(BootstrapForm):
    name = forms.CharField(label=_("Nom de la phase"), max_length=120)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", _("monter")), ("down", _("descendre"))])


class StepForm(BootstrapForm):
    name = forms.CharField(label=_("Nom de l'étape"), max_length=160)
    activity = forms.CharField(
        label=_("Activité dans le journal observé"),
        required=False,
        max_length=160,
        help_text=_("Laissez vide si l'activité porte le même nom que l'étape."),
    )
    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices)
    actor = forms.ChoiceField(label=_("Acteur"), choices=Actor.choices)
    duration_value = forms.IntegerField(
        label=_("Durée prévue"), required=False, min_value=0, max_value=100_000
    )
    duration_unit = forms.ChoiceField(label=_("Unité de durée"), choices=DurationUnit.choices)
    documents = forms.CharField(
        label=_("Pièces et documents"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Un par ligne."),
    )
    pain_points = forms.CharField(
        label=_("Irritants"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Un par ligne."),
    )
    opportunities = forms.CharField(
        label=_("Pistes d'amélioration"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Une par ligne."),
    )
    emotion = forms.TypedChoiceField(
        label=_("Ressenti de l'usager"), choices=EMOTIONS, coerce=int, initial=0
    )

    @classmethod
    def initial_for(cls, step) -> dict:
        return {name: getattr(step, name) for name in cls.base_fields}
