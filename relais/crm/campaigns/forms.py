"""Campaign forms, with French labels and errors."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relais.core.exceptions import NotFound
from relais.crm.campaigns import selectors
from relais.crm.campaigns.simulator import STEPS
from relais.crm.models import CampaignChannel
from relais.crm.selectors import customer_list

MAX_BODY = 20_000


class _Form(forms.Form):
    def mark_invalid_fields(self) -> None:
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                if not isinstance(widget, forms.RadioSelect):
                    widget.attrs["aria-describedby"] = f"id_{name}_error"


class CampaignCreateForm(_Form):
    TARGET_CHOICES = [
        ("segment", gettext_lazy("Un segment enregistré")),
        ("client", gettext_lazy("Un seul client")),
    ]

    name = forms.CharField(label=gettext_lazy("Nom de la campagne"), max_length=150)
    channel = forms.ChoiceField(
        label=gettext_lazy("Canal"), choices=CampaignChannel.choices, widget=forms.RadioSelect
    )
    target = forms.ChoiceField(
        label=gettext_lazy("Cible"),
        choices=TARGET_CHOICES,
        initial="segment",
        widget=forms.RadioSelect,
    )
    segment = forms.ChoiceField(label=gettext_lazy("Segment"), required=False)
    client = forms.CharField(
        label=gettext_lazy("Client (nom, e-mail ou téléphone)"),
        max_length=200,
        required=False,
    )
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, workspace, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.workspace = workspace
        self.fields["segment"].choices = [("", _("— Choisir un segment —"))] + [
            (str(s.public_id), s.name)
            for s in selectors.segment_choices(user=user, workspace=workspace)
        ]
        for field in self.fields.values():
            if not isinstance(field.widget, forms.RadioSelect | forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")
        self.fields["segment"].widget.attrs["class"] = "form-select"

    def clean(self):
        data = super().clean()
        data["segment_obj"] = data["customer_obj"] = None
        if data.get("target") == "segment":
            if not data.get("segment"):
                self.add_error("segment", _("Choisissez un segment."))
            else:
                try:
                    data["segment_obj"] = selectors.segment_get(
                        user=self.user, workspace=self.workspace, public_id=data["segment"]
                    )
                except NotFound:
                    self.add_error("segment", _("Ce segment n'existe pas dans cet espace."))
        elif data.get("target") == "client":
            data["customer_obj"] = self._resolve_customer(data)
        return data

    def _resolve_customer(self, data):
        if data.get("client_id"):
            try:
                return selectors.customer_for_campaign(
                    user=self.user, workspace=self.workspace, public_id=data["client_id"]
                )
            except NotFound:
                self.add_error("client", _("Ce client n'existe pas dans cet espace."))
                return None
        query = (data.get("client") or "").strip()
        if not query:
            self.add_error("client", _("Indiquez le client."))
            return None
        matches = list(customer_list(user=self.user, workspace=self.workspace, query=query)[:6])
        if not matches:
            self.add_error("client", _("Aucun client ne correspond à « %(q)s ».") % {"q": query})
            return None
        if len(matches) > 1:
            names = ", ".join(c.display_name for c in matches[:5])
            self.add_error(
                "client",
                _("Plusieurs clients correspondent (%(names)s…) : précisez.") % {"names": names},
            )
            return None
        return matches[0]


class CampaignEditForm(_Form):
    name = forms.CharField(label=gettext_lazy("Nom de la campagne"), max_length=150)
    subject = forms.CharField(
        label=gettext_lazy("Objet"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Objet de l'e-mail ou du courrier ; inutile pour un SMS."),
    )
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MAX_BODY,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    seed = forms.IntegerField(
        label=gettext_lazy("Graine du simulateur"),
        min_value=0,
        max_value=2_147_483_647,
        help_text=gettext_lazy("Même graine et même base : mêmes réactions pour toute la classe."),
    )
    follow_up_days = forms.IntegerField(
        label=gettext_lazy("Relance dans l'agenda après (jours)"), min_value=0, max_value=365
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ProbabilitiesForm(_Form):
    """The six base probabilities, typed as percentages."""

    LABELS = {
        "delivered": gettext_lazy("Distribution (%)"),
        "opened": gettext_lazy("Ouverture, si distribué (%)"),
        "clicked": gettext_lazy("Clic, si ouvert (%)"),
        "replied": gettext_lazy("Réponse, si ouvert (%)"),
        "booked": gettext_lazy("Rendez-vous, si ouvert (%)"),
        "unsubscribed": gettext_lazy("Désinscription, si distribué (%)"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for step in STEPS:
            self.fields[step] = forms.DecimalField(
                label=self.LABELS[step],
                min_value=0,
                max_value=100,
                decimal_places=1,
                widget=forms.NumberInput(attrs={"class": "form-control", "step": "0.1"}),
            )

    @staticmethod
    def initial_from(values: dict[str, float]) -> dict:
        return {step: round(Decimal(str(values[step])) * 100, 1) for step in STEPS}

    def values(self) -> dict[str, float]:
        return {step: float(self.cleaned_data[step]) / 100 for step in STEPS}


class AdvanceForm(forms.Form):
    days = forms.IntegerField()

    def clean_days(self):
        days = self.cleaned_data["days"]
        if days not in (1, 7, 30):
            raise ValidationError(_("Avancez l'horloge d'un jour, de 7 jours ou de 30 jours."))
        return days
