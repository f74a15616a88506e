from django.urls import path

from relais.core.knowledge import views

app_name = "knowledge"

urlpatterns = [
    path("", views.EntryListView.as_view(), name="entry-list"),
    path("nouvelle/", views.EntryCreateView.as_view(), name="entry-create"),
    path("<uuid:knowledge_entry_id>/", views.EntryDetailView.as_view(), name="entry-detail"),
    path(
        "<uuid:knowledge_entry_id>/modifier/", views.EntryUpdateView.as_view(), name="entry-update"
    ),
    path(
        "<uuid:knowledge_entry_id>/publier/", views.EntryPublishView.as_view(), name="entry-publish"
    ),
    path(
        "<uuid:knowledge_entry_id>/retirer/", views.EntryRetractView.as_view(), name="entry-retract"
    ),
]
