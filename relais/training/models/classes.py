from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel


class TrainingClass(PublicIdModel):
    """A class (session de formation): a trainer, a school database, learners."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="training_classes"
    )
    name = models.CharField(_("nom"), max_length=200)
    template = models.ForeignKey(
        "workspaces.Workspace",
        verbose_name=_("base école"),
        on_delete=models.PROTECT,
        related_name="training_classes",
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("formateur"),
        on_delete=models.PROTECT,
        related_name="classes_taught",
    )

    class Meta:
        verbose_name = _("session de formation")
        verbose_name_plural = _("sessions de formation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Enrollment(TimeStampedModel):
    """A learner in a class, with the sandbox cloned for them."""

    training_class = models.ForeignKey(
        TrainingClass, on_delete=models.CASCADE, related_name="enrollments"
    )
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrollments"
    )
    sandbox = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.PROTECT, related_name="enrollment"
    )
    materialised_for = models.DateField(_("dates calculées pour le"))
    reset_count = models.PositiveIntegerField(_("réinitialisations"), default=0)
    last_reset_at = models.DateTimeField(_("dernière réinitialisation"), null=True, blank=True)
    # The key map of the sandbox's records (``relais.core.workspaces.cloning.KeyMap``): which
    # source row each copied row is, so that a reset rewrites only what the learner changed.
    # Empty for a sandbox copied before it was kept: its next reset copies everything.
    clone_keys = models.JSONField(
        _("correspondance des clés"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["training_class", "learner__last_name", "learner__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["training_class", "learner"], name="unique_enrollment")
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.training_class}"
