"""Segment screens: the list, the builder with its live count, members, rename, duplicate,
delete and export. Thin: parse, call a selector or a service, render."""

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.downloads import file_download
from relais.core.jobs.models import Job
from relais.core.web import WorkspaceRequiredMixin, paginate, submit
from relais.core.workspaces.selectors import users_of_workspace
from relais.crm.permissions import Permission
from relais.crm.segments import selectors, services
from relais.crm.segments.definition import EMPTY
from relais.crm.segments.describe import describe_definition
from relais.crm.segments.fields import catalogue
from relais.crm.segments.forms import (
    SegmentCountForm,
    SegmentExportForm,
    SegmentForm,
    SegmentRenameForm,
)


def _can_edit(request) -> bool:
    return request.user.has_role_permission(Permission.CRM_EDIT, workspace=request.workspace)


class SegmentListView(WorkspaceRequiredMixin, View):
    def get(self, request):
        segments = selectors.segment_list(user=request.user, workspace=self.workspace)
        page = paginate(request, segments)
        # Counts arrive one by one (segment-size): on a large base each takes a moment.
        rows = [
            {"segment": segment, "summary": describe_definition(segment.definition)}
            for segment in page.object_list
        ]
        return render(
            request,
            "crm/segments/list.html",
            {"page_obj": page, "rows": rows, "can_edit": _can_edit(request)},
        )


class SegmentSizeView(WorkspaceRequiredMixin, View):
    """How many customers a saved segment has today, as plain text for the list's cells."""

    def get(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        size = selectors.segment_members(user=request.user, segment=segment).count()
        return HttpResponse(str(size), content_type="text/plain; charset=utf-8")


class _BuilderView(WorkspaceRequiredMixin, View):
    template_name = "crm/segments/form.html"

    def _context(self, form, segment=None, definition=None) -> dict:
        users = [
            [user.username, user.display_name]
            for user in users_of_workspace(workspace=self.workspace)
        ]
        return {
            "form": form,
            "segment": segment,
            "catalogue": {**catalogue(), "users": users},
            "initial_definition": definition if definition is not None else EMPTY,
        }

    def _posted_definition(self, form):
        raw = form.data.get("definition", "")
        try:
            value = json.loads(raw) if raw else EMPTY
        except (ValueError, RecursionError):
            return EMPTY
        return value if isinstance(value, dict) else EMPTY


class SegmentCreateView(_BuilderView):
    def get(self, request):
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        return render(request, self.template_name, self._context(SegmentForm()))

    def post(self, request):
        form = SegmentForm(request.POST)
        segment = submit(
            form,
            lambda: services.segment_create(
                actor=request.user,
                workspace=self.workspace,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                definition=form.cleaned_data["definition"],
            ),
        )
        if segment is None:
            context = self._context(form, definition=self._posted_definition(form))
            return render(request, self.template_name, context, status=200)
        messages.success(request, _("Segment « %(name)s » enregistré.") % {"name": segment.name})
        return redirect("crm:segment-detail", segment_id=segment.public_id)


class SegmentEditView(_BuilderView):
    def get(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        form = SegmentForm(initial={"name": segment.name, "description": segment.description})
        return render(
            request,
            self.template_name,
            self._context(form, segment, segment.definition or EMPTY),
        )

    def post(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        form = SegmentForm(request.POST)
        saved = submit(
            form,
            lambda: services.segment_update(
                actor=request.user,
                segment=segment,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                definition=form.cleaned_data["definition"],
            ),
        )
        if saved is None:
            segment.refresh_from_db()
            context = self._context(form, segment, self._posted_definition(form))
            return render(request, self.template_name, context)
        messages.success(request, _("Segment « %(name)s » enregistré.") % {"name": saved.name})
        return redirect("crm:segment-detail", segment_id=saved.public_id)


class SegmentCountView(WorkspaceRequiredMixin, View):
    """The live count of the definition being built: an htmx fragment (count in the live
    region, preview out of band), or JSON with ``?format=json``."""

    http_method_names = ["post"]

    def post(self, request):
        form = SegmentCountForm(request.POST)
        errors, count, rows = [], None, []
        if form.is_valid():
            try:
                count, rows = selectors.segment_preview(
                    user=request.user,
                    workspace=self.workspace,
                    definition=form.cleaned_data["definition"],
                )
            except ValidationError as exc:
                errors = exc.messages
        else:
            errors = [m for messages_ in form.errors.values() for m in messages_]
        if request.GET.get("format") == "json":
            return JsonResponse(
                {"count": count, "errors": errors}, status=200 if not errors else 400
            )
        return render(
            request,
            "crm/segments/_live.html",
            {"count": count, "rows": rows, "errors": errors, "oob": True},
        )


class SegmentDetailView(WorkspaceRequiredMixin, View):
    def get(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        members = selectors.segment_members(user=request.user, segment=segment)
        page = paginate(request, members)
        return render(
            request,
            "crm/segments/detail.html",
            {
                "segment": segment,
                "page_obj": page,
                "summary": describe_definition(segment.definition),
                "export_form": SegmentExportForm(),
                "can_edit": _can_edit(request),
            },
        )


class SegmentRenameView(WorkspaceRequiredMixin, View):
    template_name = "crm/segments/rename.html"

    def get(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        ensure_permission(request.user, Permission.CRM_EDIT, self.workspace)
        form = SegmentRenameForm(initial={"name": segment.name, "description": segment.description})
        return render(request, self.template_name, {"segment": segment, "form": form})

    def post(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        form = SegmentRenameForm(request.POST)
        saved = submit(
            form,
            lambda: services.segment_rename(
                actor=request.user,
                segment=segment,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            ),
        )
        if saved is None:
            segment.refresh_from_db()
            return render(request, self.template_name, {"segment": segment, "form": form})
        messages.success(request, _("Segment renommé en « %(name)s ».") % {"name": saved.name})
        return redirect("crm:segment-detail", segment_id=saved.public_id)


class SegmentDuplicateView(WorkspaceRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        copy = services.segment_duplicate(actor=request.user, segment=segment)
        messages.success(
            request,
            _("Copie créée : « %(name)s ». Modifiez-la à votre guise.") % {"name": copy.name},
        )
        return redirect("crm:segment-edit", segment_id=copy.public_id)


class SegmentDeleteView(WorkspaceRequiredMixin, View):
    template_name = "crm/segments/delete.html"

    def get(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        return render(
            request,
            self.template_name,
            {"segment": segment, "can_edit": _can_edit(request)},
        )

    def post(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        name = segment.name
        services.segment_delete(actor=request.user, segment=segment)
        messages.success(request, _("Segment « %(name)s » supprimé.") % {"name": name})
        return redirect("crm:segment-list")


class SegmentExportView(WorkspaceRequiredMixin, View):
    """A small segment is downloaded at once; a large one becomes a job with progress."""

    http_method_names = ["post"]

    def post(self, request, segment_id):
        segment = selectors.segment_get(
            user=request.user, workspace=self.workspace, public_id=segment_id
        )
        form = SegmentExportForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choisissez un format d'export : CSV ou Excel (xlsx)."))
            return redirect("crm:segment-detail", segment_id=segment.public_id)
        try:
            export = services.segment_export_request(
                actor=request.user, segment=segment, fmt=form.cleaned_data["format"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("crm:segment-detail", segment_id=segment.public_id)
        if isinstance(export, Job):
            messages.info(request, _("L'export est en cours de préparation."))
            return redirect(reverse("jobs:job-detail", kwargs={"public_id": export.public_id}))
        return file_download(
            export.content, filename=export.filename, content_type=export.content_type
        )
