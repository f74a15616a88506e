"""The after-sales tab: workshop invoices, mileage per vehicle, and how often the customer comes."""

from dataclasses import dataclass

from django.shortcuts import render
from django.views import View

from relais.core.web import WorkspaceRequiredMixin
from relais.crm.selectors import VisitFrequency, after_sales_of, customer_get

TAB = "aftersales"
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Frequency:
    """A ``VisitFrequency`` with the mean interval also in months, as people say it."""

    figures: VisitFrequency

    @property
    def mean_interval_months(self) -> float | None:
        days = self.figures.mean_interval_days
        return round(days / DAYS_PER_MONTH, 1) if days is not None else None

    @property
    def enough_visits(self) -> bool:
        return self.figures.mean_interval_days is not None


@dataclass(frozen=True)
class VehicleAfterSales:
    vehicle: object
    readings: list
    frequency: Frequency

    @property
    def chart_id(self) -> str:
        return f"mileage-data-{self.vehicle.public_id}"

    @property
    def chart_points(self) -> list[dict]:
        """The readings for the chart script (passed with ``json_script``)."""
        return [{"date": r.read_on.isoformat(), "km": r.mileage} for r in self.readings]


class AfterSalesView(WorkspaceRequiredMixin, View):
    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        after_sales = after_sales_of(customer=customer)
        vehicles = [
            VehicleAfterSales(vehicle, readings, Frequency(frequency))
            for vehicle, readings, frequency in after_sales.vehicles
        ]
        return render(
            request,
            "crm/aftersales.html",
            {
                "customer": customer,
                "active_tab": TAB,
                "after_sales": after_sales,
                "frequency": Frequency(after_sales.frequency),
                "vehicles": vehicles,
            },
        )
