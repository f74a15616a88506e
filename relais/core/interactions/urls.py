from django.urls import path

from relais.core.interactions import views

app_name = "interactions"

urlpatterns = [
    path("export/", views.InteractionExportView.as_view(), name="export"),
]
