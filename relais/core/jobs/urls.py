from django.urls import path

from relais.core.jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.JobListView.as_view(), name="job-list"),
    path("<uuid:public_id>/", views.JobDetailView.as_view(), name="job-detail"),
    path("<uuid:public_id>/fichier/", views.JobDownloadView.as_view(), name="job-download"),
    path("<uuid:public_id>/annuler/", views.JobCancelView.as_view(), name="job-cancel"),
]
