from django.urls import path

from relais.training.views import school

urlpatterns: list = [
    path("bases-ecole/", school.SchoolListView.as_view(), name="school-list"),
    path("bases-ecole/nouvelle/", school.SchoolCreateView.as_view(), name="school-create"),
    path("bases-ecole/<int:school_id>/", school.SchoolDetailView.as_view(), name="school-detail"),
    path(
        "bases-ecole/<int:school_id>/anomalies/",
        school.SchoolAnomaliesView.as_view(),
        name="school-anomalies",
    ),
]
