from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views import View

from relais.core.jobs.selectors import job_get_for_user


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
    def get(self, request, public_id):
        job = job_get_for_user(user=request.user, public_id=public_id)
        if job is None or not job.result_file:
            raise Http404
        return FileResponse(
            job.result_file.open("rb"),
            as_attachment=True,
            filename=job.result_file.name.rsplit("/", 1)[-1],
        )
