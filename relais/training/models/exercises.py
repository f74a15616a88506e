from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel


class Exercise(PublicIdModel):
    """A practical task, graded by running ``checks`` against a learner's sandbox.

    ``organization`` is empty for the built-in catalogue; trainers' own exercises belong to
    their organization. ``checks`` is declarative (see ``relais.training.grading``) so that
    trainers write exercises without code.
    """

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="exercises",
    )
    code = models.SlugField(_("code"), max_length=80)
    title = models.CharField(_("titre"), max_length=200)
    instructions = models.TextField(_("consigne"))
    category = models.CharField(_("thème"), max_length=50, blank=True)
    checks = models.JSONField(_("vérifications"), default=list)
    # What the learner works on, picked from their own sandbox when they open the exercise
    # (see ``relais.training.grading.TARGET_KINDS``); empty = no target.
    target_kind = models.CharField(_("cible"), max_length=40, blank=True)
    position = models.PositiveIntegerField(_("ordre"), default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("exercice")
        verbose_name_plural = _("exercices")
        ordering = ["position", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="unique_exercise_code")
        ]

    def __str__(self) -> str:
        return self.title


class ExerciseResult(TimeStampedModel):
    """The latest grading of one exercise for one enrollment, and the best score reached."""

    enrollment = models.ForeignKey(
        "training.Enrollment", on_delete=models.CASCADE, related_name="results"
    )
    exercise = models.ForeignKey(Exercise, on_delete=models.CASCADE, related_name="results")
    score = models.PositiveIntegerField(_("score"), default=0)
    max_score = models.PositiveIntegerField(_("score maximal"), default=0)
    best_score = models.PositiveIntegerField(_("meilleur score"), default=0)
    passed = models.BooleanField(_("réussi"), default=False)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    feedback = models.JSONField(_("retour"), default=list)
    # The concrete record the learner was given ({"kind", "id", "label"}), kept so that the
    # instructions and the grading name the same customer across visits.
    target = models.JSONField(_("cible"), default=dict, blank=True)
    opened_at = models.DateTimeField(_("ouvert le"), null=True, blank=True)
    answer = models.CharField(_("réponse"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("vérifié le"), null=True, blank=True)

    class Meta:
        verbose_name = _("résultat d'exercice")
        verbose_name_plural = _("résultats d'exercices")
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "exercise"], name="unique_result")
        ]
