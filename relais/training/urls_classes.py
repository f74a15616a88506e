from django.urls import path

from relais.training.views import classes, home

urlpatterns: list = [
    path("", home.HomeView.as_view(), name="home"),
    path("sessions/", classes.ClassListView.as_view(), name="class-list"),
    path("sessions/nouvelle/", classes.ClassCreateView.as_view(), name="class-create"),
    path("sessions/<uuid:class_id>/", classes.ClassDetailView.as_view(), name="class-detail"),
    path(
        "sessions/<uuid:class_id>/apprenants/ajouter/",
        classes.ClassLearnerAddView.as_view(),
        name="class-learner-add",
    ),
    path(
        "sessions/<uuid:class_id>/reinitialiser/",
        classes.ClassResetView.as_view(),
        name="class-reset",
    ),
    path(
        "bacs-a-sable/<uuid:sandbox_id>/reinitialiser/",
        classes.SandboxResetView.as_view(),
        name="sandbox-reset",
    ),
]
