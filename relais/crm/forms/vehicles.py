"""Vehicle and mileage-reading forms; the services normalise and validate plates and VINs."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.forms import DateInput
from relais.crm.forms.customers import ServiceModelForm
from relais.crm.models import MileageReading, Vehicle

VEHICLE_FIELDS = [
    "make",
    "model",
    "trim",
    "energy",
    "plate",
    "vin",
    "first_registration_date",
    "usage",
    "financing_type",
    "financing_date",
    "financing_amount",
    "financing_months",
]


class VehicleForm(ServiceModelForm):
    groups = [
        (
            _("Véhicule"),
            ["make", "model", "trim", "energy", "plate", "vin", "first_registration_date", "usage"],
        ),
        (
            _("Financement"),
            ["financing_type", "financing_date", "financing_amount", "financing_months"],
        ),
    ]

    class Meta:
        model = Vehicle
        fields = VEHICLE_FIELDS
        widgets = {"first_registration_date": DateInput(), "financing_date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # People type plates and VINs with spaces or dashes; the service strips them, so
        # the stored maximum length must not refuse them here.
        for name in ("plate", "vin"):
            field = self.fields[name]
            field.max_length = None
            field.validators = []
            field.widget.attrs.pop("maxlength", None)

    def vehicle_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in VEHICLE_FIELDS}


class MileageReadingForm(ServiceModelForm):
    groups = [(_("Relevé kilométrique"), ["read_on", "mileage"])]

    class Meta:
        model = MileageReading
        fields = ["read_on", "mileage"]
        widgets = {"read_on": DateInput()}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"read_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
