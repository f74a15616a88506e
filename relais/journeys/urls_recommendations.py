"""Recommendations and deliverables, included by ``relais.journeys.urls`` (same namespace)."""

from django.urls import path

from relais.journeys import views_recommendations as views
from relais.journeys import views_reports

R = "<uuid:set_id>/"
L = "livrables/<uuid:log_id>/"

urlpatterns = [
    path("recommandations/", views.RecommendationSetListView.as_view(), name="recommendation-list"),
    path(
        "recommandations/" + R,
        views.RecommendationSetDetailView.as_view(),
        name="recommendation-set",
    ),
    path(
        "recommandations/" + R + "recalculer/",
        views.RecommendationSetRecomputeView.as_view(),
        name="recommendation-set-recompute",
    ),
    path(
        "recommandations/" + R + "supprimer/",
        views.RecommendationSetDeleteView.as_view(),
        name="recommendation-set-delete",
    ),
    path(
        "recommandations/" + R + "rapport.pdf",
        views.RecommendationSetPdfView.as_view(),
        name="recommendation-set-pdf",
    ),
    path(
        "recommandations/" + R + "<slug:key>/",
        views.RecommendationDetailView.as_view(),
        name="recommendation-detail",
    ),
    path("livrables/", views_reports.DeliverablesView.as_view(), name="deliverables"),
    path(
        L + "segmentation/", views_reports.SegmentationReportView.as_view(), name="report-segments"
    ),
    path(
        L + "segmentation.pdf",
        views_reports.SegmentationReportView.as_view(pdf=True),
        name="report-segments-pdf",
    ),
    path(L + "cartes/", views_reports.JourneysReportView.as_view(), name="report-journeys"),
    path(
        L + "cartes.pdf",
        views_reports.JourneysReportView.as_view(pdf=True),
        name="report-journeys-pdf",
    ),
]
