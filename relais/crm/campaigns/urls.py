"""Letter, e-mail and SMS campaigns, sent fictitiously, with simulated reactions."""

from django.urls import path

from relais.crm.campaigns import views

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign-list"),
    path("nouvelle/", views.CampaignCreateView.as_view(), name="campaign-create"),
    path("boite-de-reception/", views.CampaignInboxView.as_view(), name="campaign-inbox"),
    path(
        "boite-de-reception/<uuid:message_id>/",
        views.CampaignMessageView.as_view(),
        name="campaign-message",
    ),
    path(
        "boite-de-reception/<uuid:message_id>/lue/",
        views.CampaignMessageReadView.as_view(),
        name="campaign-message-read",
    ),
    path(
        "boite-de-reception/<uuid:message_id>/traiter/",
        views.CampaignMessageHandleView.as_view(),
        name="campaign-message-handle",
    ),
    path("<uuid:campaign_id>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path(
        "<uuid:campaign_id>/probabilites/",
        views.CampaignProbabilitiesView.as_view(),
        name="campaign-probabilities",
    ),
    path("<uuid:campaign_id>/envoyer/", views.CampaignSendView.as_view(), name="campaign-send"),
    path(
        "<uuid:campaign_id>/reprendre/", views.CampaignResumeView.as_view(), name="campaign-resume"
    ),
    path(
        "<uuid:campaign_id>/horloge/", views.CampaignAdvanceView.as_view(), name="campaign-advance"
    ),
    path(
        "<uuid:campaign_id>/supprimer/", views.CampaignDeleteView.as_view(), name="campaign-delete"
    ),
    path("<uuid:campaign_id>/rapport/", views.CampaignReportView.as_view(), name="campaign-report"),
    path(
        "<uuid:campaign_id>/rapport/export.csv",
        views.CampaignExportView.as_view(),
        name="campaign-export",
    ),
]
