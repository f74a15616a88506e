from django.urls import include, path

from relais.crm.urls_customers import urlpatterns as customer_urlpatterns
from relais.crm.urls_records import urlpatterns as record_urlpatterns

app_name = "crm"

# Each sales tool keeps its URLs in its own package; they share the `crm` namespace.
urlpatterns = [
    *customer_urlpatterns,
    *record_urlpatterns,
    path("segments/", include("relais.crm.segments.urls")),
    path("tableaux-de-bord/", include("relais.crm.dashboards.urls")),
    path("agenda/", include("relais.crm.agenda.urls")),
    path("campagnes/", include("relais.crm.campaigns.urls")),
    path("doublons/", include("relais.crm.dedup.urls")),
]
