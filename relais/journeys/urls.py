from django.urls import include, path

from relais.journeys import views

app_name = "journeys"

J = "<uuid:journey_id>/"
P = J + "phases/<uuid:phase_id>/"
S = J + "etapes/<uuid:step_id>/"

urlpatterns = [
    path("", views.JourneyListView.as_view(), name="journey-list"),
    path("nouveau/", views.JourneyCreateView.as_view(), name="journey-create"),
    path("nouveau/modele/", views.JourneyFromTemplateView.as_view(), name="journey-from-template"),
    path(J, views.JourneyEditorView.as_view(), name="journey-detail"),
    path(J + "modifier/", views.JourneyEditView.as_view(), name="journey-edit"),
    path(J + "carte/", views.JourneyMapView.as_view(), name="journey-map"),
    path(J + "comparer/", views.JourneyCompareView.as_view(), name="journey-compare"),
    path(J + "dupliquer/", views.JourneyDuplicateView.as_view(), name="journey-duplicate"),
    path(J + "supprimer/", views.JourneyDeleteView.as_view(), name="journey-delete"),
    path(J + "restaurer/", views.JourneyRestoreView.as_view(), name="journey-restore"),
    path(J + "export.bpmn", views.JourneyExportView.as_view(format="bpmn"), name="journey-bpmn"),
    path(
        J + "export-canaux.bpmn",
        views.JourneyExportView.as_view(format="bpmn-channels"),
        name="journey-bpmn-channels",
    ),
    path(J + "export.json", views.JourneyExportView.as_view(format="json"), name="journey-json"),
    path(J + "export.csv", views.JourneyExportView.as_view(format="csv"), name="journey-csv"),
    path(J + "phases/ajouter/", views.PhaseAddView.as_view(), name="phase-add"),
    path(P + "modifier/", views.PhaseEditView.as_view(), name="phase-edit"),
    path(P + "deplacer/", views.PhaseMoveView.as_view(), name="phase-move"),
    path(P + "supprimer/", views.PhaseDeleteView.as_view(), name="phase-delete"),
    path(P + "etapes/ajouter/", views.StepAddView.as_view(), name="step-add"),
    path(S + "modifier/", views.StepEditView.as_view(), name="step-edit"),
    path(S + "deplacer/", views.StepMoveView.as_view(), name="step-move"),
    path(S + "supprimer/", views.StepDeleteView.as_view(), name="step-delete"),
    # Recommendations ranked by gain and the three deliverables (jrn-reco).
    path("", include("relais.journeys.urls_recommendations")),
]

# Observed journeys: kept event logs, their observed pages, volumes and the recorded sample.
from relais.journeys import views_logs  # noqa: E402

L = "journaux/<uuid:log_id>/"
urlpatterns += [
    path("journaux/", views_logs.LogListView.as_view(), name="log-list"),
    path("journaux/importer/", views_logs.LogUploadView.as_view(), name="log-upload"),
    path("journaux/interactions/", views_logs.LogExtractView.as_view(), name="log-extract"),
    path(L, views_logs.LogDetailView.as_view(), name="log-detail"),
    path(L + "calculer/", views_logs.LogComputeView.as_view(), name="log-compute"),
    path(L + "correspondance/", views_logs.LogMappingView.as_view(), name="log-mapping"),
    path(L + "renommer/", views_logs.LogRenameView.as_view(), name="log-rename"),
    path(L + "supprimer/", views_logs.LogDeleteView.as_view(), name="log-delete"),
    path(L + "restaurer/", views_logs.LogRestoreView.as_view(), name="log-restore"),
    path("volumes/", views_logs.VolumesView.as_view(), name="volumes"),
    path("echantillon/", views_logs.SampleView.as_view(), name="sample"),
    path(
        "echantillon/<uuid:sample_id>/supprimer/",
        views_logs.SampleDeleteView.as_view(),
        name="sample-delete",
    ),
    path(
        "echantillon/extrapolation/",
        views_logs.SampleExtrapolationView.as_view(),
        name="sample-extrapolation",
    ),
    path("echantillon/journal/", views_logs.SampleToLogView.as_view(), name="sample-log"),
]
