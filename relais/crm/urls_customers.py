from django.urls import path

from relais.crm.views import customers, vehicles

CARD = "clients/<uuid:customer_id>/"
VEHICLE = "vehicules/<uuid:vehicle_id>/"

# Flat patterns (no include()): every pattern carries all of its own URL parameters.
urlpatterns = [
    path("clients/", customers.CustomerListView.as_view(), name="customer-list"),
    path("clients/nouveau/", customers.CustomerCreateView.as_view(), name="customer-create"),
    path("clients/export/", customers.CustomerExportView.as_view(), name="customer-export"),
    # Deleted customers: the trash page and the undo of one deletion (an audit entry's id).
    path("clients/corbeille/", customers.CustomerTrashView.as_view(), name="customer-trash"),
    path(
        "clients/restaurer/<int:entry_id>/",
        customers.CustomerRestoreView.as_view(),
        name="customer-restore",
    ),
    # The customer card and its tabs.
    path(CARD, customers.CustomerDetailView.as_view(), name="customer-detail"),
    path(
        f"{CARD}coordonnees/",
        customers.CustomerCoordinatesView.as_view(),
        name="customer-coordinates",
    ),
    path(f"{CARD}vehicules/", vehicles.CustomerVehiclesView.as_view(), name="customer-vehicles"),
    path(f"{CARD}historique/", customers.CustomerTimelineView.as_view(), name="customer-timeline"),
    path(f"{CARD}modifier/", customers.CustomerEditView.as_view(), name="customer-edit"),
    path(f"{CARD}supprimer/", customers.CustomerDeleteView.as_view(), name="customer-delete"),
    # Contact persons of a company.
    path(
        f"{CARD}contacts/ajouter/",
        customers.CompanyContactAddView.as_view(),
        name="company-contact-add",
    ),
    path(
        f"{CARD}contacts/<int:contact_id>/modifier/",
        customers.CompanyContactEditView.as_view(),
        name="company-contact-edit",
    ),
    path(
        f"{CARD}contacts/<int:contact_id>/supprimer/",
        customers.CompanyContactDeleteView.as_view(),
        name="company-contact-delete",
    ),
    # Vehicles and their mileage readings.
    path(f"{CARD}vehicules/nouveau/", vehicles.VehicleCreateView.as_view(), name="vehicle-create"),
    path(f"{VEHICLE}modifier/", vehicles.VehicleEditView.as_view(), name="vehicle-edit"),
    path(f"{VEHICLE}supprimer/", vehicles.VehicleDeleteView.as_view(), name="vehicle-delete"),
    path(
        f"{VEHICLE}releves/ajouter/",
        vehicles.MileageReadingAddView.as_view(),
        name="mileage-reading-add",
    ),
    path(
        "vehicules/releves/<uuid:reading_id>/supprimer/",
        vehicles.MileageReadingDeleteView.as_view(),
        name="mileage-reading-delete",
    ),
]
