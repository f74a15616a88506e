"""Per-user dashboards of widgets over the CRM's records (under /crm/tableaux-de-bord/)."""

from django.urls import path

from relais.crm.dashboards import views

WIDGET = "elements/<uuid:widget_id>/"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("reinitialiser/", views.DashboardResetView.as_view(), name="dashboard-reset"),
    path("disposition/", views.LayoutView.as_view(), name="dashboard-layout"),
    path("elements/ajouter/", views.WidgetAddView.as_view(), name="dashboard-widget-add"),
    path(f"{WIDGET}modifier/", views.WidgetEditView.as_view(), name="dashboard-widget-edit"),
    path(f"{WIDGET}retirer/", views.WidgetDeleteView.as_view(), name="dashboard-widget-delete"),
    path(f"{WIDGET}deplacer/", views.WidgetMoveView.as_view(), name="dashboard-widget-move"),
    path(f"{WIDGET}donnees/", views.WidgetDataView.as_view(), name="dashboard-widget-data"),
    path(f"{WIDGET}export.csv", views.WidgetExportView.as_view(), name="dashboard-widget-export"),
]
