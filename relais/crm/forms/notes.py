"""The note form: what a salesperson learnt about the customer."""

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.crm.forms.customers import ServiceModelForm
from relais.crm.models import Note

NOTE_FIELDS = [
    "wished_vehicles", "projects", "expectations", "household_size", "interests",
    "daily_mileage_km", "body",
]  # fmt: skip


class NoteForm(ServiceModelForm):
    groups = [
        (_("Projet"), ["wished_vehicles", "projects", "expectations"]),
        (_("Foyer et habitudes"), ["household_size", "daily_mileage_km", "interests"]),
        (_("Note libre"), ["body"]),
    ]

    class Meta:
        model = Note
        fields = NOTE_FIELDS
        widgets = {
            "projects": forms.Textarea(attrs={"rows": 3}),
            "expectations": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("household_size", "daily_mileage_km"):
            self.fields[name].widget.attrs["inputmode"] = "numeric"

    def note_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in NOTE_FIELDS}
