"""Forms of the observed side: upload, column mapping, rename, filters, small CSV imports and
the sample's quick form. Syntax here; meaning in the services (French)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm
from relais.journeys.eventlogs import ColumnMapping
from relais.journeys.models import Channel
from relais.journeys.models_observed import Demand, FailureKind

NONE = ""


class LogUploadForm(BootstrapForm):
    name = forms.CharField(label=_("Nom du journal"), max_length=160)
    file = forms.FileField(
        label=_("Fichier du journal"),
        help_text=_(
            "CSV (séparateur virgule, point-virgule ou tabulation, UTF-8), CSV compressé "
            "(.csv.gz), XES (.xes, .xes.gz) ou Parquet."
        ),
    )


# Column names guessed for each role, compared without case.
GUESSES = {
    "case": ("case_id", "case:concept:name", "case", "dossier", "id_dossier", "cas"),
    "activity": ("activity", "concept:name", "activite", "activité", "etape", "étape"),
    "timestamp": ("timestamp", "time:timestamp", "date", "horodatage", "fin", "end"),
    "start_timestamp": ("start_timestamp", "start", "debut", "début", "start_time"),
    "channel": ("channel", "canal", "relais:channel"),
    "resource": ("resource", "org:resource", "ressource", "agent"),
}


def guess(columns: list[str], role: str) -> str:
    lowered = {c.lower(): c for c in columns}
    for candidate in GUESSES[role]:
        if candidate in lowered:
            return lowered[candidate]
    return NONE


class MappingForm(BootstrapForm):
    """Which column holds what, among the columns of the uploaded file."""

    case = forms.ChoiceField(label=_("Identifiant de dossier"))
    activity = forms.ChoiceField(label=_("Activité"))
    timestamp = forms.ChoiceField(
        label=_("Horodatage"),
        help_text=_("ISO 8601 ; une heure sans décalage est lue en UTC."),
    )
    start_timestamp = forms.ChoiceField(label=_("Horodatage de début (facultatif)"), required=False)
    channel = forms.ChoiceField(label=_("Canal (facultatif)"), required=False)
    resource = forms.ChoiceField(label=_("Ressource (facultatif)"), required=False)
    attributes = forms.MultipleChoiceField(
        label=_("Attributs conservés"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Attributs des dossiers ou des événements (segment, région, motif…) : ils servent "
            "de filtres dans les vues observées."
        ),
    )

    def __init__(self, *args, columns: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        required = [(c, c) for c in columns]
        optional = [(NONE, _("— aucune —")), *required]
        for name in ("case", "activity", "timestamp"):
            self.fields[name].choices = [(NONE, _("— choisir —")), *required]
        for name in ("start_timestamp", "channel", "resource"):
            self.fields[name].choices = optional
        self.fields["attributes"].choices = required
        self.fields["attributes"].widget.attrs["class"] = "form-check-input"
        if not self.is_bound:
            mapped = set()
            for name in GUESSES:
                value = guess(columns, name)
                if value and value not in mapped:
                    self.initial[name] = value
                    mapped.add(value)
            self.initial["attributes"] = [c for c in columns if c not in mapped]

    def mapping(self) -> ColumnMapping:
        data = self.cleaned_data
        return ColumnMapping(
            case=data["case"],
            activity=data["activity"],
            timestamp=data["timestamp"],
            start_timestamp=data["start_timestamp"] or None,
            channel=data["channel"] or None,
            resource=data["resource"] or None,
            attributes=tuple(a for a in data["attributes"]),
        )


class LogRenameForm(BootstrapForm):
    name = forms.CharField(label=_("Nom du journal"), max_length=160)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ExtractForm(BootstrapForm):
    name = forms.CharField(
        label=_("Nom du journal"),
        max_length=160,
        initial=_("Interactions enregistrées dans Relais"),
    )


class FiltersForm(forms.Form):
    """The observed pages' filters (GET); an invalid value is ignored, not an error page."""

    since = forms.DateField(
        label=_("Dossiers commencés à partir du"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    until = forms.DateField(
        label=_("jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    channel = forms.ChoiceField(label=_("Canal"), required=False)
    segment = forms.ChoiceField(label=_("Segment"), required=False)

    def __init__(self, *args, channels: list[str], segments: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Channel.choices)
        self.fields["channel"].choices = [(NONE, _("Tous"))] + [
            (c, labels.get(c, c)) for c in channels
        ]
        self.fields["segment"].choices = [(NONE, _("Tous"))] + [
            (f"{name}={value}", f"{name} : {value}")
            for name, values in segments.items()
            for value in values
        ]
        self.fields["channel"].widget.attrs["class"] = "form-select"
        self.fields["segment"].widget.attrs["class"] = "form-select"


class SmallCsvForm(BootstrapForm):
    file = forms.FileField(label=_("Fichier CSV"))


class SampleContactForm(BootstrapForm):
    reason = forms.CharField(
        label=_("Motif, dans les mots de l'usager"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2, "autofocus": True}),
    )
    channel = forms.ChoiceField(label=_("Canal"), choices=Channel.choices)
    demand = forms.ChoiceField(
        label=_("Type de demande"), choices=Demand.choices, widget=forms.RadioSelect
    )
    failure_kind = forms.ChoiceField(
        label=_("Nature de l'échec"),
        required=False,
        choices=[(NONE, _("— sans objet (demande de valeur) —")), *FailureKind.choices],
    )
    procedure = forms.CharField(label=_("Démarche (facultatif)"), required=False, max_length=160)
    step = forms.CharField(label=_("Étape (facultatif)"), required=False, max_length=160)
    case_reference = forms.CharField(
        label=_("Référence du dossier (facultatif)"), required=False, max_length=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["demand"].widget.attrs["class"] = "form-check-input"


class ExtrapolationForm(forms.Form):
    weeks = forms.FloatField(
        label=_("Semaines de relevé"),
        min_value=0.1,
        max_value=52,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.5"}),
    )


class SampleLogForm(BootstrapForm):
    name = forms.CharField(
        label=_("Nom du journal"), max_length=160, initial=_("Échantillon relevé")
    )


class LogChoiceForm(BootstrapForm):
    """One of the organization's ready logs, to compare a designed journey with."""

    log = forms.ChoiceField(label=_("Journal observé de l'organisme"))

    def __init__(self, *args, logs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["log"].choices = [(NONE, _("— choisir —"))] + [
            (str(log.public_id), f"{log.name} ({log.n_cases} dossiers)") for log in logs
        ]
