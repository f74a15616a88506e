from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

from relais.api import api
from relais.community import views as community_views
from relais.core.views import HomeView, api_not_found, favicon

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    # Search engines look for these at the site's root (the community's public pages).
    path("robots.txt", community_views.robots_txt, name="robots-txt"),
    path("sitemap.xml", community_views.sitemap_xml, name="sitemap"),
    path(
        "sitemap-<slug:community_slug>.xml",
        community_views.community_sitemap_xml,
        name="community-sitemap",
    ),
    path("comptes/", include("relais.core.accounts.urls")),
    path("espaces/", include("relais.core.workspaces.urls")),
    path("taches/", include("relais.core.jobs.urls")),
    path("notifications/", include("relais.core.notifications.urls")),
    path("journal/", include("relais.core.interactions.urls")),
    path("connaissances/", include("relais.core.knowledge.urls")),
    path("crm/", include("relais.crm.urls")),
    path("formation/", include("relais.training.urls")),
    path("communaute/", include("relais.community.urls")),
    path("guichet/", include("relais.frontdoor.urls")),
    path("parcours/", include("relais.journeys.urls")),
    path("api/", api.urls),
    # What the API's routes do not match (``/api/workspaces/not-a-uuid/…``): a JSON 404.
    re_path(r"^api/", api_not_found),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Logos are public; every other upload (exports, snapshots) goes through a view that checks access.
urlpatterns += [
    path(
        f"{settings.MEDIA_URL.strip('/')}/branding/<path:path>",
        serve,
        {"document_root": settings.MEDIA_ROOT / "branding"},
    )
]
