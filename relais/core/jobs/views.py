from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View

from relais.core.jobs.access import job_user_may_cancel, job_user_supervises
from relais.core.jobs.registry import job_kind_label
from relais.core.jobs.selectors import (
    job_get_for_cancel,
    job_get_for_download,
    job_get_for_user,
    job_list,
)
from relais.core.jobs.services import job_cancel
from relais.core.web import WorkspaceRequiredMixin, paginate


class JobListView(WorkspaceRequiredMixin, View):
    """The background jobs of the current workspace: the user's own, or everyone's for a
    supervisor, with their progress, file and a cancel button."""

    def get(self, request):
        page = paginate(request, job_list(user=request.user, workspace=self.workspace))
        supervises = job_user_supervises(user=request.user, workspace=self.workspace)
        rows = [
            {
                "job": job,
                "kind_label": job_kind_label(job.kind),
                "may_cancel": not job.is_finished
                and job_user_may_cancel(user=request.user, job=job, supervises=supervises),
                "may_download": job.status == "succeeded"
                and bool(job.result_file)
                and job.owner_id == request.user.pk,
            }
            for job in page.object_list
        ]
        return render(
            request,
            "jobs/job_list.html",
            {"page_obj": page, "rows": rows, "supervises": supervises},
        )


class JobCancelView(LoginRequiredMixin, View):
    """POST from the job list or a job's progress page; back to ``next`` (same site only)."""

    def post(self, request, public_id):
        job = job_get_for_cancel(user=request.user, public_id=public_id)
        try:
            job = job_cancel(actor=request.user, job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if job.status == "cancelled":
                messages.success(request, _("La tâche « %(label)s » est annulée.") % {"label": job})
            else:
                messages.success(
                    request,
                    _(
                        "L'arrêt de la tâche « %(label)s » est demandé : elle s'arrêtera à sa prochaine étape."
                    )
                    % {"label": job},
                )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect("jobs:job-list")
        return redirect(target)


class JobDetailView(LoginRequiredMixin, View):
    """The job's progress; an htmx request gets only the progress fragment, polled until done."""

    def get(self, request, public_id):
        job = job_get_for_user(user=request.user, public_id=public_id)
        if job is None:
            raise Http404
        template = (
            "jobs/_job_progress.html"
            if request.headers.get("HX-Request")
            else "jobs/job_detail.html"
        )
        return render(request, template, {"job": job})


class JobDownloadView(LoginRequiredMixin, View):
    """The job's file, if its owner may still have it (membership and permission checked now)."""

    def get(self, request, public_id):
        job = job_get_for_download(user=request.user, public_id=public_id)
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.download_name,
            content_type=job.result_content_type or None,
        )
