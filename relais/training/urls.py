from relais.training import urls_classes, urls_exercises, urls_school, urls_snapshots

app_name = "training"

urlpatterns = (
    urls_school.urlpatterns
    + urls_classes.urlpatterns
    + urls_snapshots.urlpatterns
    + urls_exercises.urlpatterns
)
