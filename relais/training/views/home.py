"""``/formation/``: the trainer's classes, or the learner's "Ma formation" page."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from relais.core.exceptions import AccessDenied
from relais.training.permissions import Permission
from relais.training.selectors.classes import classes_for_trainer, enrollments_for_learner


def optional_url(name: str, **kwargs) -> str | None:
    """``reverse(name, kwargs=kwargs)``, or ``None`` when that page is not installed."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return None


class HomeView(LoginRequiredMixin, View):
    def get(self, request):
        user = request.user
        if user.has_role_permission(Permission.TRAINING_MANAGE):
            return render(
                request,
                "training/home_trainer.html",
                {
                    "classes": classes_for_trainer(user=user)[:20],
                    "school_list_url": optional_url("training:school-list"),
                    "exercise_list_url": optional_url("training:exercise-list"),
                },
            )
        if user.has_role_permission(Permission.TRAINING_PRACTISE):
            cards = [
                {
                    "enrollment": enrollment,
                    "export_url": optional_url(
                        "training:snapshot-export", workspace_id=enrollment.sandbox.public_id
                    ),
                    "import_url": optional_url(
                        "training:snapshot-import", workspace_id=enrollment.sandbox.public_id
                    ),
                }
                for enrollment in enrollments_for_learner(user=user)
            ]
            return render(
                request,
                "training/home_learner.html",
                {"cards": cards, "exercise_list_url": optional_url("training:exercise-list")},
            )
        raise AccessDenied(_("Votre rôle ne donne pas accès à la formation."))
