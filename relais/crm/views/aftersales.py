"""The after-sales tab: workshop invoices, mileage per vehicle, and how often the customer comes."""

from dataclasses import dataclass

from django.conf import settings
from django.shortcuts import render
from django.views import View

from relais.core.web import WorkspaceRequiredMixin, paginate
from relais.crm.selectors import (
    CardReadings,
    VisitFrequency,
    after_sales_invoices,
    after_sales_summary,
    customer_get,
    vehicles_card_readings,
    vehicles_of,
    visit_frequency,
)

TAB = "aftersales"
DAYS_PER_MONTH = 365.25 / 12
# A vehicle's readings listed under its chart, and the chart's points at most.
READINGS_SHOWN = 25
CHART_POINTS = 200


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
    card_readings: CardReadings
    frequency: Frequency

    @property
    def readings(self) -> list:
        return self.card_readings.latest

    @property
    def chart_id(self) -> str:
        return f"mileage-data-{self.vehicle.public_id}"

    @property
    def chart_points(self) -> list[dict]:
        """The readings for the chart script (passed with ``json_script``), thinned."""
        return self.card_readings.chart_points


class AfterSalesView(WorkspaceRequiredMixin, View):
    """The tab pages the invoices (``?page=``) and the vehicles (``?vehicules=``), so that a
    customer with a thousand visits gets a page of bounded size and time."""

    def get(self, request, customer_id):
        customer = customer_get(user=request.user, workspace=self.workspace, public_id=customer_id)
        summary = after_sales_summary(customer=customer)
        invoices = paginate(
            request, after_sales_invoices(customer=customer), per_page=settings.RELAIS_PAGE_SIZE
        )
        vehicle_page = _paginate_as(
            request, vehicles_of(customer=customer).prefetch_related(None), "vehicules"
        )
        readings = vehicles_card_readings(
            vehicles=list(vehicle_page), shown=READINGS_SHOWN, chart_points=CHART_POINTS
        )
        vehicles = [
            VehicleAfterSales(
                vehicle,
                readings[vehicle.pk],
                Frequency(summary.vehicle_frequencies.get(vehicle.pk) or visit_frequency([])),
            )
            for vehicle in vehicle_page
        ]
        return render(
            request,
            "crm/aftersales.html",
            {
                "customer": customer,
                "active_tab": TAB,
                "after_sales": summary,
                "page_obj": invoices,
                "vehicle_page": vehicle_page,
                "frequency": Frequency(summary.frequency),
                "vehicles": vehicles,
            },
        )


def _paginate_as(request, queryset, parameter: str):
    """A page of ``queryset`` read from another query parameter than ``page``."""
    from django.core.paginator import Paginator

    return Paginator(queryset, settings.RELAIS_PAGE_SIZE).get_page(request.GET.get(parameter))
