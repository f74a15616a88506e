"""Resetting every sandbox of a class at once: one background job with progress.

A trainer who restarts a session (« réinitialiser toute la classe ») gets each learner's
sandbox back to the school template's state, dated for the day, as ``sandbox_reset`` does one
by one. The job resets the sandboxes in turn, each in its own transaction (a learner working
meanwhile waits for their own sandbox only), and reports its progress after each.
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.audit.services import audit_log
from relais.core.jobs.models import Job
from relais.core.jobs.services import JobProgress, job_start
from relais.training.models import Enrollment, TrainingClass
from relais.training.permissions import Permission
from relais.training.services.sandboxes import ensure_class_manager, sandbox_reset

JOB_KIND = "training.class_reset"


@transaction.atomic
def class_reset_start(*, actor, training_class: TrainingClass) -> Job:
    """Queue the reset of every sandbox of ``training_class``; returns the job to follow.

    Only its trainer (or an administrator of its organization) may: a learner gets
    ``AccessDenied``, another trainer ``NotFound``.
    """
    ensure_permission(actor, Permission.TRAINING_MANAGE)
    ensure_class_manager(actor, training_class)
    count = Enrollment.objects.filter(training_class=training_class).count()
    job = job_start(
        actor=actor,
        workspace=None,
        kind=JOB_KIND,
        label=_("Réinitialisation des bacs à sable de la session « %(name)s »")
        % {"name": training_class.name},
        params={"class_id": training_class.pk},
    )
    audit_log(
        actor=actor,
        action="training.class_reset",
        target=training_class,
        workspace=training_class.template,
        after={"sandboxes": count, "job": str(job.public_id)},
    )
    return job


def class_reset_run(
    *, job: Job, class_id: int, progress: JobProgress, today: datetime.date | None = None
) -> str:
    """The job's body: reset each sandbox of the class, in turn, as the job's owner."""
    training_class = TrainingClass.objects.get(pk=class_id)
    ensure_class_manager(job.owner, training_class)  # still their class when the job runs
    enrollments = list(
        Enrollment.objects.filter(training_class=training_class).order_by("pk").only("pk")
    )
    progress.start(len(enrollments))
    today = today or timezone.localdate()
    for enrollment in enrollments:
        sandbox_reset(actor=job.owner, enrollment=enrollment, today=today)
        progress.advance(1)
    return _("%(count)s bacs à sable réinitialisés pour la session « %(name)s ».") % {
        "count": len(enrollments),
        "name": training_class.name,
    }
