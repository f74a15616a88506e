"""Tab "Véhicules" of the customer card: vehicles, their financing and mileage readings."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views import View

from relais.core.web import paginate, submit
from relais.crm import selectors
from relais.crm.forms.vehicles import MileageReadingForm, VehicleForm
from relais.crm.services import records
from relais.crm.views.customers import CustomerCardMixin

# A vehicle's latest readings listed on the card (the after-sales tab draws them all).
READINGS_SHOWN = 25


@dataclass
class VehicleRow:
    vehicle: object
    readings: list = field(default_factory=list)
    reading_form: MileageReadingForm | None = None
    older_readings: int = 0

    @property
    def latest_reading(self):
        return self.readings[-1] if self.readings else None


def _vehicles_tab_url(customer, vehicle=None) -> str:
    url = reverse("crm:customer-vehicles", args=[customer.public_id])
    return f"{url}#vehicule-{vehicle.public_id}" if vehicle is not None else url


class CustomerVehiclesView(CustomerCardMixin, View):
    """The vehicles of the customer, a page at a time, each with its latest readings."""

    active_tab = "vehicles"

    def get(self, request, customer_id):
        page = paginate(
            request,
            selectors.vehicles_of(customer=self.customer).prefetch_related(None),
            per_page=settings.RELAIS_PAGE_SIZE,
        )
        readings = selectors.vehicles_latest_readings(vehicles=list(page), shown=READINGS_SHOWN)
        rows = [
            VehicleRow(
                vehicle=vehicle,
                readings=readings[vehicle.pk][0],
                older_readings=readings[vehicle.pk][1],
                # Each vehicle's form needs its own ids on the one page.
                reading_form=MileageReadingForm(auto_id=f"id_releve_{vehicle.public_id}_%s"),
            )
            for vehicle in page
        ]
        return self.render_card("crm/customer_vehicles.html", rows=rows, page_obj=page)


class VehicleCreateView(CustomerCardMixin, View):
    active_tab = "vehicles"
    template_name = "crm/vehicle_form.html"

    def get(self, request, customer_id):
        return self.render_card(self.template_name, form=VehicleForm())

    def post(self, request, customer_id):
        form = VehicleForm(request.POST)
        vehicle = submit(
            form,
            lambda: records.vehicle_create(
                actor=request.user, customer=self.customer, data=form.vehicle_data()
            ),
        )
        if vehicle:
            messages.success(
                request, _("Le véhicule %(vehicle)s a été ajouté.") % {"vehicle": vehicle}
            )
            return redirect(_vehicles_tab_url(self.customer, vehicle))
        return self.render_card(self.template_name, form=form)


class VehicleMixin(CustomerCardMixin):
    """A page about one vehicle, shown inside its customer's card."""

    active_tab = "vehicles"

    @cached_property
    def vehicle(self):
        return selectors.vehicle_get(
            user=self.request.user, workspace=self.workspace, public_id=self.kwargs["vehicle_id"]
        )

    @cached_property
    def customer(self):
        return self.vehicle.customer

    def card_context(self, **extra) -> dict:
        return super().card_context(vehicle=self.vehicle, **extra)


class VehicleEditView(VehicleMixin, View):
    template_name = "crm/vehicle_form.html"

    def get(self, request, vehicle_id):
        return self.render_card(self.template_name, form=VehicleForm(instance=self.vehicle))

    def post(self, request, vehicle_id):
        form = VehicleForm(request.POST, instance=self.vehicle)
        if submit(
            form,
            lambda: records.vehicle_update(
                actor=request.user, vehicle=self.vehicle, data=form.vehicle_data()
            ),
        ):
            messages.success(request, _("Le véhicule a été modifié."))
            return redirect(_vehicles_tab_url(self.vehicle.customer, self.vehicle))
        return self.render_card(self.template_name, form=form)


class VehicleDeleteView(VehicleMixin, View):
    def get(self, request, vehicle_id):
        return self.render_card(
            "crm/vehicle_delete.html",
            readings=self.vehicle.mileage_readings.count(),
            invoices=self.vehicle.invoices.count(),
        )

    def post(self, request, vehicle_id):
        customer = self.vehicle.customer
        label = str(self.vehicle)
        records.vehicle_delete(actor=request.user, vehicle=self.vehicle)
        messages.success(request, _("Le véhicule %(vehicle)s a été supprimé.") % {"vehicle": label})
        return redirect(_vehicles_tab_url(customer))


class MileageReadingAddView(VehicleMixin, View):
    """The vehicles tab posts its small forms here; errors show on a page of their own."""

    template_name = "crm/vehicle_reading_form.html"

    def get(self, request, vehicle_id):
        return self.render_card(self.template_name, form=MileageReadingForm())

    def post(self, request, vehicle_id):
        form = MileageReadingForm(request.POST)
        if submit(
            form,
            lambda: records.mileage_reading_add(
                actor=request.user, vehicle=self.vehicle, **form.cleaned_data
            ),
        ):
            messages.success(request, _("Le relevé kilométrique a été enregistré."))
            return redirect(_vehicles_tab_url(self.vehicle.customer, self.vehicle))
        return self.render_card(self.template_name, form=form)


class MileageReadingDeleteView(VehicleMixin, View):
    @cached_property
    def reading(self):
        return selectors.mileage_reading_get(
            user=self.request.user, workspace=self.workspace, public_id=self.kwargs["reading_id"]
        )

    @cached_property
    def vehicle(self):
        return self.reading.vehicle

    def get(self, request, reading_id):
        return self.render_card("crm/vehicle_reading_delete.html", reading=self.reading)

    def post(self, request, reading_id):
        try:
            records.mileage_reading_delete(actor=request.user, reading=self.reading)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Le relevé kilométrique a été supprimé."))
        return redirect(_vehicles_tab_url(self.customer, self.vehicle))
