"""Excel snapshot pages: start an export (a background job), import a workbook."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views import View

from relais.core.web import add_service_errors
from relais.training.forms.snapshots import SnapshotImportForm
from relais.training.services.snapshots import (
    snapshot_export_start,
    snapshot_import,
    snapshot_workspace_get,
)


def _back_url() -> str:
    try:
        return reverse("training:home")
    except NoReverseMatch:
        return "/"


class SnapshotExportView(LoginRequiredMixin, View):
    """GET: what the workbook holds; POST: start the export job and follow it."""

    def get(self, request, workspace_id):
        workspace = snapshot_workspace_get(actor=request.user, public_id=workspace_id)
        return render(
            request,
            "training/snapshots/export.html",
            {"target": workspace, "back_url": _back_url()},
        )

    def post(self, request, workspace_id):
        workspace = snapshot_workspace_get(actor=request.user, public_id=workspace_id)
        job = snapshot_export_start(actor=request.user, workspace=workspace)
        messages.info(request, _("La sauvegarde Excel est en cours de préparation."))
        return redirect("jobs:job-detail", public_id=job.public_id)


class SnapshotImportView(LoginRequiredMixin, View):
    """Replace the workspace's content with a workbook, after a checked confirmation."""

    template_name = "training/snapshots/import.html"

    def render_form(self, request, workspace, form, status=200):
        return render(
            request,
            self.template_name,
            {"target": workspace, "form": form, "back_url": _back_url()},
            status=status,
        )

    def get(self, request, workspace_id):
        workspace = snapshot_workspace_get(actor=request.user, public_id=workspace_id)
        return self.render_form(request, workspace, SnapshotImportForm())

    def post(self, request, workspace_id):
        workspace = snapshot_workspace_get(actor=request.user, public_id=workspace_id)
        form = SnapshotImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(request, workspace, form)
        upload = form.cleaned_data["file"]
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "import.xlsx"
            with path.open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
            try:
                result = snapshot_import(
                    actor=request.user, path=path, workspace=workspace
                ).snapshot_result
            except ValidationError as error:
                add_service_errors(form, error)
                return self.render_form(request, workspace, form)
        messages.success(request, result.summary())
        return redirect(_back_url())
