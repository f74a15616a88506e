from django.urls import path

from relais.crm.segments import views

urlpatterns = [
    path("", views.SegmentListView.as_view(), name="segment-list"),
    path("nouveau/", views.SegmentCreateView.as_view(), name="segment-create"),
    path("compter/", views.SegmentCountView.as_view(), name="segment-count"),
    path("<uuid:segment_id>/", views.SegmentDetailView.as_view(), name="segment-detail"),
    path("<uuid:segment_id>/effectif/", views.SegmentSizeView.as_view(), name="segment-size"),
    path("<uuid:segment_id>/modifier/", views.SegmentEditView.as_view(), name="segment-edit"),
    path("<uuid:segment_id>/renommer/", views.SegmentRenameView.as_view(), name="segment-rename"),
    path(
        "<uuid:segment_id>/dupliquer/",
        views.SegmentDuplicateView.as_view(),
        name="segment-duplicate",
    ),
    path("<uuid:segment_id>/supprimer/", views.SegmentDeleteView.as_view(), name="segment-delete"),
    path("<uuid:segment_id>/exporter/", views.SegmentExportView.as_view(), name="segment-export"),
]
