"""Lead forms: the list filters, and a lead's own form."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.forms import BootstrapForm, DateTimeInput
from relais.crm.forms.customers import ServiceModelForm
from relais.crm.models import Lead, LeadStatus, LeadType

LEAD_FIELDS = [
    "first_name", "last_name", "email", "phone", "lead_type", "emitted_at", "vehicle_of_interest",
    "message", "status",
]  # fmt: skip


class LeadFilterForm(BootstrapForm):
    """Filters of the lead list (GET); a malformed value is ignored, not an error."""

    type = forms.ChoiceField(
        label=_("Type de lead"), required=False, choices=[("", _("Tous"))] + LeadType.choices
    )
    statut = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous"))] + LeadStatus.choices
    )

    def filters(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {"lead_type": data.get("type", ""), "status": data.get("statut", "")}


class LeadForm(ServiceModelForm):
    groups = [
        (_("Personne"), ["first_name", "last_name", "email", "phone"]),
        (_("Demande"), ["lead_type", "emitted_at", "vehicle_of_interest", "message", "status"]),
    ]

    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        widgets = {"emitted_at": DateTimeInput(), "message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        if kwargs.get("instance") is None:
            kwargs.setdefault(
                "initial", {"emitted_at": timezone.localtime().replace(second=0, microsecond=0)}
            )
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"type": "tel", "autocomplete": "tel"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def lead_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in LEAD_FIELDS}
