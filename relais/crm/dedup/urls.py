from django.urls import path

from relais.crm.dedup import views

urlpatterns = [
    path("", views.DedupListView.as_view(), name="dedup-list"),
    path("recherche/", views.DedupSearchView.as_view(), name="dedup-search"),
    path("paires/<uuid:pair_id>/", views.DedupPairView.as_view(), name="dedup-pair"),
    path("paires/<uuid:pair_id>/ecarter/", views.DedupDismissView.as_view(), name="dedup-dismiss"),
    path("paires/<uuid:pair_id>/reprendre/", views.DedupReopenView.as_view(), name="dedup-reopen"),
    path("paires/<uuid:pair_id>/fusion/", views.DedupMergeView.as_view(), name="dedup-merge"),
    path("fusions/", views.DedupMergeListView.as_view(), name="dedup-merge-list"),
    path(
        "fusions/<uuid:merge_id>/", views.DedupMergeDetailView.as_view(), name="dedup-merge-detail"
    ),
    path(
        "fusions/<uuid:merge_id>/annuler/",
        views.DedupMergeUndoView.as_view(),
        name="dedup-merge-undo",
    ),
    path("nettoyage/", views.CleaningView.as_view(), name="cleaning"),
    path(
        "nettoyage/<uuid:batch_id>/annuler/", views.CleaningUndoView.as_view(), name="cleaning-undo"
    ),
]
