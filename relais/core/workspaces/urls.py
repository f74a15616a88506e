from django.urls import path

from relais.core.workspaces import views

app_name = "workspaces"

urlpatterns = [path("changer/", views.WorkspaceSwitchView.as_view(), name="switch")]
