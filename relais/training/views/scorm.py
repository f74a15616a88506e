"""Download the SCORM 1.2 package of a class (its trainer or an administrator)."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import reverse
from django.utils.text import slugify
from django.views import View

from relais.core.downloads import file_download
from relais.training.scorm import scorm_package
from relais.training.selectors.exercises import class_get_for_results, exercises_of_organization


class ScormPackageView(LoginRequiredMixin, View):
    def get(self, request, class_id):
        training_class = class_get_for_results(user=request.user, class_id=class_id)
        exercises = exercises_of_organization(training_class.organization_id)
        content = scorm_package(
            title=f"Relais — {training_class.name}",
            exercises=[
                (
                    e.code,
                    e.title,
                    request.build_absolute_uri(
                        reverse("training:exercise-detail", kwargs={"exercise_id": e.public_id})
                    ),
                )
                for e in exercises
            ],
        )
        name = slugify(training_class.name) or "session"
        return file_download(content, filename=f"scorm-{name}.zip", content_type="application/zip")
