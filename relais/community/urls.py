from django.urls import path

from relais.community import views, views_backoffice, views_content, views_members

app_name = "community"

urlpatterns = [
    path("", views.CommunityHomeView.as_view(), name="home"),
    path("rejoindre/", views.JoinView.as_view(), name="join"),
    path("poser-une-question/", views.TopicCreateView.as_view(), name="topic-create"),
    path("sans-reponse/", views.UnansweredView.as_view(), name="unanswered"),
    path("recherche/", views.SearchView.as_view(), name="search"),
    path("questions-similaires/", views.SimilarQuestionsView.as_view(), name="similar"),
    path("moderation/", views.ReviewQueueView.as_view(), name="review-queue"),
    path("c/<slug:category_slug>/", views.CategoryDetailView.as_view(), name="category-detail"),
    path(
        "c/<slug:category_slug>/poser-une-question/",
        views.TopicCreateView.as_view(),
        name="category-topic-create",
    ),
    path("sujets/<uuid:topic_id>/", views.TopicRedirectView.as_view(), name="topic-redirect"),
    path("sujets/<uuid:topic_id>/repondre/", views.ReplyView.as_view(), name="topic-reply"),
    path("brouillon/", views_content.DraftView.as_view(), name="draft"),
    path("lecture/", views_content.ReadingView.as_view(), name="reading"),
    path(
        "sujets/<uuid:topic_id>/brouillon/", views_content.DraftView.as_view(), name="topic-draft"
    ),
    path(
        "sujets/<uuid:topic_id>/reponse-officielle/",
        views.OfficialAnswerView.as_view(),
        name="topic-official",
    ),
    path("sujets/<uuid:topic_id>/fermer/", views.TopicCloseView.as_view(), name="topic-close"),
    path("sujets/<uuid:topic_id>/deplacer/", views.TopicMoveView.as_view(), name="topic-move"),
    path("sujets/<uuid:topic_id>/suivre/", views_content.WatchView.as_view(), name="topic-watch"),
    path(
        "sujets/<uuid:topic_id>/fusionner/",
        views_content.TopicMergeView.as_view(),
        name="topic-merge",
    ),
    # After the actions: their last segment would read as a slug.
    path(
        "sujets/<uuid:topic_id>/<slug:topic_slug>/",
        views.TopicDetailView.as_view(),
        name="topic-detail",
    ),
    path("messages/<uuid:post_id>/accepter/", views.AnswerAcceptView.as_view(), name="post-accept"),
    path(
        "messages/<uuid:post_id>/valider/", views.AnswerValidateView.as_view(), name="post-validate"
    ),
    path("messages/<uuid:post_id>/aimer/", views.PostLikeView.as_view(), name="post-like"),
    path("messages/<uuid:post_id>/signaler/", views.PostFlagView.as_view(), name="post-flag"),
    path("messages/<uuid:post_id>/modifier/", views.PostEditView.as_view(), name="post-edit"),
    path("messages/<uuid:post_id>/wiki/", views.PostWikiView.as_view(), name="post-wiki"),
    path("messages/<uuid:post_id>/supprimer/", views.PostDeleteView.as_view(), name="post-delete"),
    path(
        "messages/<uuid:post_id>/restaurer/", views.PostRestoreView.as_view(), name="post-restore"
    ),
    path(
        "messages/<uuid:post_id>/controle/",
        views.ScreenDecideView.as_view(),
        name="post-screen-decide",
    ),
    path("messages/<uuid:post_id>/decider/", views.FlagDecideView.as_view(), name="flag-decide"),
    # Members: sign-up, verification, password, profile, data (views_members).
    path("inscription/", views_members.SignupView.as_view(), name="signup"),
    path("inscription/envoyee/", views_members.SignupSentView.as_view(), name="signup-sent"),
    path(
        "inscription/confirmer/<str:token>/",
        views_members.SignupVerifyView.as_view(),
        name="signup-verify",
    ),
    path(
        "inscription/renvoyer/",
        views_members.VerificationResendView.as_view(),
        name="signup-resend",
    ),
    path("mot-de-passe/", views_members.PasswordResetView.as_view(), name="password-reset"),
    path(
        "mot-de-passe/<str:reset_token>/",
        views_members.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("profil/", views_members.ProfileView.as_view(), name="profile"),
    path("profil/avatar/", views_members.AvatarView.as_view(), name="profile-avatar"),
    path("profil/donnees/", views_members.DataView.as_view(), name="profile-data"),
    path(
        "profil/donnees/telecharger/",
        views_members.DataExportView.as_view(),
        name="profile-data-export",
    ),
    path("profil/supprimer/", views_members.AccountDeleteView.as_view(), name="profile-delete"),
    path("membres/", views_members.MemberListView.as_view(), name="member-list"),
    path(
        "membres/<uuid:member_id>/", views_members.MemberDetailView.as_view(), name="member-detail"
    ),
    path(
        "membres/<uuid:member_id>/avatar/",
        views_members.MemberAvatarView.as_view(),
        name="member-avatar",
    ),
    path(
        "membres/<uuid:member_id>/avatar/grand/",
        views_members.MemberAvatarView.as_view(large=True),
        name="member-avatar-large",
    ),
    path(
        "membres/<uuid:member_id>/sanctionner/",
        views_members.MemberSanctionView.as_view(),
        name="member-sanction",
    ),
    path(
        "sanctions/<uuid:sanction_id>/lever/",
        views_members.SanctionLiftView.as_view(),
        name="sanction-lift",
    ),
    # Back office, accessibility statement and widget (views_backoffice).
    path("pilotage/", views_backoffice.DashboardView.as_view(), name="backoffice"),
    path("pilotage/modules/", views_backoffice.FeaturesView.as_view(), name="backoffice-features"),
    path(
        "pilotage/categories/",
        views_backoffice.CategoriesView.as_view(),
        name="backoffice-categories",
    ),
    path(
        "pilotage/categories/<slug:category_slug>/",
        views_backoffice.CategoryEditView.as_view(),
        name="backoffice-category",
    ),
    path(
        "pilotage/categories/<slug:category_slug>/moderateurs/",
        views_backoffice.CategoryModeratorsView.as_view(),
        name="backoffice-category-moderators",
    ),
    path("pilotage/niveaux/", views_backoffice.TrustView.as_view(), name="backoffice-trust"),
    path("pilotage/mots-interdits/", views_backoffice.WordsView.as_view(), name="backoffice-words"),
    path("pilotage/widget/", views_backoffice.EmbedView.as_view(), name="backoffice-embed"),
    path(
        "pilotage/contenus/",
        views_backoffice.ContentRulesView.as_view(),
        name="backoffice-content",
    ),
    path(
        "pilotage/accessibilite/",
        views_backoffice.AccessibilityEditView.as_view(),
        name="backoffice-accessibility",
    ),
    path(
        "accessibilite/",
        views_backoffice.AccessibilityStatementView.as_view(),
        name="accessibility",
    ),
    path(
        "widget/c/<slug:category_slug>/",
        views_backoffice.WidgetFrameView.as_view(),
        name="widget",
    ),
    path(
        "widget/c/<slug:category_slug>/questions.json",
        views_backoffice.WidgetDataView.as_view(),
        name="widget-data",
    ),
    path(
        "widget/c/<slug:category_slug>/widget.js",
        views_backoffice.WidgetScriptView.as_view(),
        name="widget-script",
    ),
]

# Around posts: attachments, tags, watching, digest, history, merge (views_content).
urlpatterns += [
    path(
        "pieces-jointes/<uuid:attachment_id>/",
        views_content.AttachmentView.as_view(),
        name="attachment",
    ),
    path(
        "pieces-jointes/<uuid:attachment_id>/vignette/",
        views_content.AttachmentView.as_view(thumbnail=True),
        name="attachment-thumbnail",
    ),
    path("etiquettes/<slug:tag_slug>/", views_content.TagDetailView.as_view(), name="tag-detail"),
    path("moderation/etiquettes/", views_content.TagsManageView.as_view(), name="tags-manage"),
    path(
        "c/<slug:category_slug>/suivre/",
        views_content.WatchView.as_view(),
        name="category-watch",
    ),
    path(
        "messages/<uuid:post_id>/historique/",
        views_content.PostHistoryView.as_view(),
        name="post-history",
    ),
    path("profil/abonnements/", views_content.SubscriptionsView.as_view(), name="subscriptions"),
    path(
        "resume/desinscription/<str:unsubscribe_token>/",
        views_content.DigestUnsubscribeView.as_view(),
        name="digest-unsubscribe",
    ),
]
