from django.urls import path

from relais.training.views import exercises, scorm

urlpatterns: list = [
    path("exercices/", exercises.ExerciseListView.as_view(), name="exercise-list"),
    path("exercices/nouveau/", exercises.ExerciseCreateView.as_view(), name="exercise-create"),
    path(
        "exercices/<str:exercise_id>/",
        exercises.ExerciseDetailView.as_view(),
        name="exercise-detail",
    ),
    path(
        "exercices/<str:exercise_id>/commencer/",
        exercises.ExerciseStartView.as_view(),
        name="exercise-start",
    ),
    path(
        "exercices/<str:exercise_id>/verifier/",
        exercises.ExerciseCheckView.as_view(),
        name="exercise-check",
    ),
    path(
        "exercices/<str:exercise_id>/modifier/",
        exercises.ExerciseEditView.as_view(),
        name="exercise-edit",
    ),
    path(
        "sessions/<str:class_id>/resultats/",
        exercises.ClassResultsView.as_view(),
        name="class-results",
    ),
    path(
        "sessions/<str:class_id>/resultats/export/",
        exercises.ClassResultsExportView.as_view(),
        name="class-results-export",
    ),
    path("sessions/<str:class_id>/scorm/", scorm.ScormPackageView.as_view(), name="scorm-package"),
]
