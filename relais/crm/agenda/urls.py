"""Agenda URLs, under /crm/agenda/ in the ``crm`` namespace."""

from django.urls import path

from relais.crm.agenda import views

APPOINTMENT = "rendez-vous/<uuid:appointment_id>/"

urlpatterns = [
    path("", views.AgendaView.as_view(), name="agenda"),
    path("evenements/", views.AgendaEventsView.as_view(), name="agenda-events"),
    path("clients/", views.AgendaCustomersView.as_view(), name="agenda-customers"),
    path("export.ics", views.AgendaIcsView.as_view(), name="agenda-ics"),
    path("rendez-vous/nouveau/", views.AppointmentCreateView.as_view(), name="appointment-create"),
    path("rendez-vous/deposer/", views.AppointmentDropView.as_view(), name="appointment-drop"),
    path(APPOINTMENT, views.AppointmentDetailView.as_view(), name="appointment-detail"),
    path(f"{APPOINTMENT}modifier/", views.AppointmentUpdateView.as_view(), name="appointment-edit"),
    path(f"{APPOINTMENT}deplacer/", views.AppointmentMoveView.as_view(), name="appointment-move"),
    path(
        f"{APPOINTMENT}annuler-occurrence/",
        views.AppointmentCancelOccurrenceView.as_view(),
        name="appointment-cancel-occurrence",
    ),
    path(
        f"{APPOINTMENT}supprimer/", views.AppointmentDeleteView.as_view(), name="appointment-delete"
    ),
]
