"""Forms of the recommendation pages: choosing a log to analyse, and the editable assumptions.

Syntax (a number, its bounds) is checked here with Django's French messages; the meaning
(every assumption together) by ``validate_assumptions`` through the service.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.journeys.recommendations import (
    CHANNEL_LABELS,
    CHANNELS,
    LEVERS,
    PROBLEM_KINDS,
)


class RecommendationSetForm(BootstrapForm):
    event_log = forms.ModelChoiceField(
        label=_("Journal d'événements observé"),
        queryset=None,
        empty_label=_("— choisissez un journal —"),
        error_messages={"invalid_choice": _("Choisissez un journal de votre organisme.")},
    )
    journey = forms.ModelChoiceField(
        label=_("Parcours conçu à comparer (facultatif)"),
        queryset=None,
        required=False,
        empty_label=_("— aucun —"),
        help_text=_("Les étapes conçues que les dossiers sautent deviennent des pistes."),
        error_messages={"invalid_choice": _("Choisissez un parcours de votre organisme.")},
    )
    name = forms.CharField(label=_("Nom de l'analyse"), required=False, max_length=160)

    def __init__(self, *args, logs, journeys, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_log"].queryset = logs
        self.fields["event_log"].to_field_name = "public_id"
        self.fields["journey"].queryset = journeys
        self.fields["journey"].to_field_name = "public_id"


def _percent(label):
    return forms.FloatField(
        label=label, min_value=0, max_value=100, localize=True, widget=forms.TextInput()
    )


def _number(label, *, high, low=0, help_text=""):
    return forms.FloatField(
        label=label,
        min_value=low,
        max_value=high,
        localize=True,
        help_text=help_text,
        widget=forms.TextInput(),
    )


def _lines(label, help_text):
    return forms.CharField(
        label=label,
        required=False,
        max_length=8000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AssumptionsForm(BootstrapForm):
    """Every assumption of the gain as a field: shares in percent, lists one name a line."""

    GROUPS = (
        ("handling_minutes", _("Minutes de traitement d'un contact, par canal")),
        ("avoided_share", _("Part des contacts évités par chaque levier (%)")),
        ("satisfaction_weight", _("Poids de satisfaction de chaque problème")),
        ("yearly_contacts", _("Volumes annuels de contacts par canal (facultatif)")),
    )

    annualisation = forms.ChoiceField(
        label=_("Passage à l'année"),
        choices=[
            ("period", _("D'après la période couverte par le journal")),
            ("volumes", _("D'après les volumes annuels par canal")),
        ],
    )
    waiting_day_minutes = _number(
        _("Valeur d'un jour d'attente (minutes-équivalent)"),
        high=1440,
        help_text=_("Combien pèse, pour l'usager, un jour d'attente évité, en minutes."),
    )
    wait_reduction = _percent(_("Part de l'attente réduite par un changement de procédure (%)"))
    long_wait_days = _number(_("Attente longue à partir de (jours)"), high=3650)
    repeat_days = _number(
        _("Contact répété s'il suit le précédent de moins de (jours)"), high=365, low=0.01
    )
    skipped_share = _percent(_("Étape conçue signalée si sautée par au moins (%)"))
    waiting_steps = _lines(
        _("Étapes où le dossier attend l'organisme"),
        _("Une par ligne : un contact pendant ces étapes compte comme une relance."),
    )
    expected_ends = _lines(
        _("Étapes de fin attendues"),
        _("Une par ligne : un dossier qui finit ailleurs est un abandon."),
    )
    reason_column = forms.CharField(
        label=_("Colonne du motif du contact"),
        required=False,
        max_length=200,
        help_text=_("Vide : « motif », « raison », « objet »… si le journal en a une."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for channel in (*CHANNELS, "back_office", "other"):
            name = CHANNEL_LABELS.get(channel, _("autre canal"))
            self.fields[f"handling_minutes__{channel}"] = _number(
                _("Minutes — %(channel)s") % {"channel": name}, high=600
            )
        for key, lever in LEVERS.items():
            self.fields[f"avoided_share__{key}"] = _percent(lever.label)
        for key, kind in PROBLEM_KINDS.items():
            self.fields[f"satisfaction_weight__{key}"] = _number(kind.label, high=10)
        for channel in CHANNELS:
            field = _number(
                _("Contacts par an — %(channel)s") % {"channel": CHANNEL_LABELS[channel]},
                high=1e9,
            )
            field.required = False
            self.fields[f"yearly_contacts__{channel}"] = field
        for name, field in self.fields.items():
            if "__" in name:  # added after the mixin styled the declared fields
                field.widget.attrs.setdefault("class", "form-control")
        self.order_fields(
            ["annualisation", *[f for f in self.fields if f.startswith("yearly_contacts__")]]
        )

    def group(self, prefix: str) -> list:
        return [self[name] for name in self.fields if name.startswith(prefix + "__")]

    def groups(self) -> list[tuple[str, list]]:
        return [(title, self.group(prefix)) for prefix, title in self.GROUPS]

    def general(self) -> list:
        return [self[name] for name in self.fields if "__" not in name]

    @staticmethod
    def initial_from(assumptions: dict) -> dict:
        initial = {
            "annualisation": assumptions["annualisation"],
            "waiting_day_minutes": assumptions["waiting_day_minutes"],
            "wait_reduction": assumptions["wait_reduction"]["process_change"] * 100,
            "long_wait_days": assumptions["long_wait_days"],
            "repeat_days": assumptions["repeat_days"],
            "skipped_share": assumptions["skipped_share"] * 100,
            "waiting_steps": "\n".join(assumptions["waiting_steps"]),
            "expected_ends": "\n".join(assumptions["expected_ends"]),
            "reason_column": assumptions["reason_column"],
        }
        for key, value in assumptions["handling_minutes"].items():
            initial[f"handling_minutes__{key}"] = value
        for key, value in assumptions["avoided_share"].items():
            initial[f"avoided_share__{key}"] = round(value * 100, 4)
        for key, value in assumptions["satisfaction_weight"].items():
            initial[f"satisfaction_weight__{key}"] = value
        for key, value in assumptions["yearly_contacts"].items():
            initial[f"yearly_contacts__{key}"] = value
        return initial

    def assumptions(self, current: dict) -> dict:
        """The assumptions the form says, over ``current`` (what the form does not show)."""
        data = self.cleaned_data
        result = {
            **current,
            "annualisation": data["annualisation"],
            "waiting_day_minutes": data["waiting_day_minutes"],
            "wait_reduction": {
                **current["wait_reduction"],
                "process_change": data["wait_reduction"] / 100,
            },
            "long_wait_days": data["long_wait_days"],
            "repeat_days": data["repeat_days"],
            "skipped_share": data["skipped_share"] / 100,
            "waiting_steps": data["waiting_steps"].splitlines(),
            "expected_ends": data["expected_ends"].splitlines(),
            "reason_column": data["reason_column"],
            "handling_minutes": {},
            "avoided_share": {},
            "satisfaction_weight": {},
            "yearly_contacts": {},
        }
        for name, value in data.items():
            if "__" not in name:
                continue
            group, key = name.split("__", 1)
            if group == "yearly_contacts" and value is None:
                continue
            result[group][key] = value / 100 if group == "avoided_share" else value
        return result
