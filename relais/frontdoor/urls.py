from django.urls import path

from relais.frontdoor import space_views, views

app_name = "frontdoor"

urlpatterns = [
    path("", views.AskView.as_view(), name="ask"),
    path("accuse-de-reception/", views.AcknowledgementView.as_view(), name="acknowledgement"),
    path("suivi/", views.TrackingView.as_view(), name="tracking"),
    path(
        "suivi/pieces-jointes/<uuid:attachment_id>/",
        views.TrackingAttachmentView.as_view(),
        name="tracking-attachment",
    ),
    path("demandes/", views.RequestListView.as_view(), name="request-list"),
    path("demandes/nouvelle/", views.RequestCreateView.as_view(), name="request-create"),
    path("demandes/<uuid:request_id>/", views.RequestDetailView.as_view(), name="request-detail"),
    path(
        "demandes/<uuid:request_id>/coordonnees/",
        views.RequestPersonalDataView.as_view(),
        name="request-personal-data",
    ),
    path(
        "demandes/<uuid:request_id>/prendre-en-charge/",
        views.RequestAcceptView.as_view(),
        name="request-accept",
    ),
    path(
        "demandes/<uuid:request_id>/pas-pour-moi/",
        views.RequestRefuseView.as_view(),
        name="request-refuse",
    ),
    path(
        "demandes/<uuid:request_id>/transmettre/",
        views.RequestTransferView.as_view(),
        name="request-transfer",
    ),
    path(
        "demandes/<uuid:request_id>/orienter/",
        views.RequestAssignView.as_view(),
        name="request-assign",
    ),
    path(
        "demandes/<uuid:request_id>/message/",
        views.RequestMessageView.as_view(),
        name="request-message",
    ),
    path(
        "demandes/<uuid:request_id>/repondre/",
        views.RequestAnswerView.as_view(),
        name="request-answer",
    ),
    path(
        "demandes/<uuid:request_id>/reponses-communes/<uuid:joint_id>/cosigner/",
        views.JointAnswerDecideView.as_view(),
        name="joint-answer-decide",
    ),
    path(
        "demandes/<uuid:request_id>/reponses-communes/<uuid:joint_id>/modifier/",
        views.JointAnswerEditView.as_view(),
        name="joint-answer-edit",
    ),
    path(
        "demandes/<uuid:request_id>/reponses-communes/<uuid:joint_id>/retirer/",
        views.JointAnswerWithdrawView.as_view(),
        name="joint-answer-withdraw",
    ),
    path(
        "demandes/<uuid:request_id>/cloturer/",
        views.RequestCloseView.as_view(),
        name="request-close",
    ),
    path(
        "demandes/<uuid:request_id>/attente/",
        views.RequestWaitingView.as_view(),
        name="request-waiting",
    ),
    path(
        "demandes/<uuid:request_id>/accuse-de-reception/",
        views.RequestAcknowledgeView.as_view(),
        name="request-acknowledge",
    ),
    path("bouton/", views.EmbedView.as_view(), name="embed"),
    path(
        "pieces-jointes/<uuid:attachment_id>/",
        views.AttachmentDownloadView.as_view(),
        name="attachment-download",
    ),
    path("demandes/courrier/", views.LetterUploadView.as_view(), name="letter-upload"),
    path(
        "demandes/courrier/<uuid:letter_id>/",
        views.LetterIntakeView.as_view(),
        name="letter-intake",
    ),
    path("modeles/", views.AnswerTemplateListView.as_view(), name="answer-templates"),
    path(
        "modeles/<uuid:template_id>/",
        views.AnswerTemplateEditView.as_view(),
        name="answer-template-edit",
    ),
    path("a-repartir/", views.DispatchQueueView.as_view(), name="dispatch-queue"),
    path("suivi-du-reseau/", views.BoardView.as_view(), name="board"),
    path("offres/", space_views.OfferListView.as_view(), name="offer-list"),
    path("offres/nouvelle/", space_views.OfferEditView.as_view(), name="offer-create"),
    path(
        "offres/<uuid:offer_id>/modifier/",
        space_views.OfferEditView.as_view(),
        name="offer-update",
    ),
    path(
        "offres/<uuid:offer_id>/brochure/",
        space_views.OfferBrochureView.as_view(),
        name="offer-brochure",
    ),
    path(
        "demandes/<uuid:request_id>/offre/",
        space_views.RequestOfferLinkView.as_view(),
        name="request-offer-link",
    ),
    path("avis/<str:token>/", space_views.SurveyView.as_view(), name="survey"),
    path(
        "modele-d-orientation/",
        space_views.RoutingModelView.as_view(),
        name="routing-model",
    ),
]
