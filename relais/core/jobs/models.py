from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicIdModel, TimeStampedModel


class JobStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    SUCCEEDED = "succeeded", _("Terminé")
    FAILED = "failed", _("Échec")
    CANCELLED = "cancelled", _("Annulé")


FINISHED_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


class Job(PublicIdModel):
    """A background job as its owner sees it: progress, outcome and any file it produced."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("type"), max_length=50)
    label = models.CharField(_("libellé"), max_length=200)
    status = models.CharField(
        _("état"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.CharField(_("message"), max_length=500, blank=True)
    result_file = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    # The file's name as offered to the user (the stored name may differ) and its type.
    result_filename = models.CharField(_("nom du fichier"), max_length=255, blank=True)
    result_content_type = models.CharField(_("type du fichier"), max_length=100, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("tâche de fond")
        verbose_name_plural = _("tâches de fond")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="job_workspace_recent")]

    def __str__(self) -> str:
        return self.label

    @property
    def percent(self) -> int:
        if self.status == JobStatus.SUCCEEDED:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def download_name(self) -> str:
        return self.result_filename or self.result_file.name.rsplit("/", 1)[-1]


class JobCancelRequest(TimeStampedModel):
    """Someone asked a running job to stop; the job stops at its next progress checkpoint.

    A row of its own rather than a column of ``Job``: a job whose work runs in one transaction
    holds its row locked until it ends, and the request must not wait for that.
    """

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="cancel_request")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'annulation")
        verbose_name_plural = _("demandes d'annulation")
        ordering = ["-created_at"]
