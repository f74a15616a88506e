from relais.crm.urls_customers import urlpatterns as customer_urlpatterns
from relais.crm.urls_records import urlpatterns as record_urlpatterns

app_name = "crm"

urlpatterns = customer_urlpatterns + record_urlpatterns
