from django.urls import path

from relais.core.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("tout-lu/", views.NotificationsMarkAllReadView.as_view(), name="mark-all-read"),
    path("preferences/", views.NotificationPreferencesView.as_view(), name="preferences"),
    path("<uuid:public_id>/lue/", views.NotificationReadView.as_view(), name="mark-read"),
]
