"""The interaction-log export page: a workspace's touchpoints as an event log (CSV or XES)."""

import datetime

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views import View

from relais.core.accounts.permissions import ensure_permission
from relais.core.accounts.roles import Permission
from relais.core.interactions.export import export_interactions
from relais.core.interactions.forms import InteractionExportForm
from relais.core.interactions.selectors import interactions_of_workspace
from relais.core.web import WorkspaceRequiredMixin

CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "xes": "application/xml"}


def _start_of(day: datetime.date | None) -> datetime.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class InteractionExportView(WorkspaceRequiredMixin, View):
    """The form, and — once it is filled in — the file, streamed row by row (no size limit
    in memory: a national log of millions of rows goes out as it is read)."""

    def get(self, request):
        ensure_permission(request.user, Permission.INTERACTIONS_VIEW, self.workspace)
        if "format" not in request.GET:
            return render(request, "interactions/export.html", {"form": InteractionExportForm()})
        form = InteractionExportForm(request.GET)
        if not form.is_valid():
            return render(request, "interactions/export.html", {"form": form}, status=400)
        data = form.cleaned_data
        until = data["until"] + datetime.timedelta(days=1) if data["until"] else None
        rows = interactions_of_workspace(
            user=request.user,
            workspace=self.workspace,
            since=_start_of(data["since"]),
            until=_start_of(until),
            channels=data["channels"] or None,
        )
        lines = export_interactions(rows, format=data["format"], log_name=self.workspace.name)
        content_type = CONTENT_TYPES[data["format"]]
        filename = f"interactions-{timezone.localdate().isoformat()}.{data['format']}"
        response = StreamingHttpResponse(
            (line.encode() for line in lines), content_type=content_type
        )
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
