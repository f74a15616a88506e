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


OBSERVED_MAX_BYTES = 50 * 1024 * 1024


class ObservedForm(BootstrapForm):
    """The mining engine's JSON result (``mine_journeys -o OUT.json``), read and not stored."""

    result = forms.FileField(
        label=_("Résultat d'analyse du journal (JSON)"),
        help_text=_(
            "Le fichier écrit par « manage.py mine_journeys … -o resultat.json » (50 Mo au plus)."
        ),
    )

    def clean_result(self):
        import json

        from relais.journeys.comparison import observed_from_mining

        upload = self.cleaned_data["result"]
        if upload.size > OBSERVED_MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 50 Mo."))
        try:
            document = json.loads(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("Le fichier n'est pas du texte UTF-8.")) from exc
        except (ValueError, RecursionError) as exc:
            raise forms.ValidationError(_("Le fichier n'est pas un JSON valide.")) from exc
        try:
            return observed_from_mining(document)
        except (ValueError, TypeError) as exc:
            raise forms.ValidationError(str(exc)) from exc
