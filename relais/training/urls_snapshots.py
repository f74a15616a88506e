from django.urls import path

from relais.training.views.snapshots import SnapshotExportView, SnapshotImportView

urlpatterns = [
    path(
        "sauvegardes/<str:workspace_id>/exporter/",
        SnapshotExportView.as_view(),
        name="snapshot-export",
    ),
    path(
        "sauvegardes/<str:workspace_id>/importer/",
        SnapshotImportView.as_view(),
        name="snapshot-import",
    ),
]
