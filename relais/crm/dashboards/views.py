"""Dashboard screens: the user's dashboard, the catalogue, a widget's settings, its data and
CSV export, and the two ways of arranging widgets (GridStack drag and drop, keyboard buttons)."""

import json
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from relais.core.downloads import NumberText, csv_download, csv_safe
from relais.core.web import WorkspaceRequiredMixin, submit
from relais.crm.dashboards import selectors, services
from relais.crm.dashboards.catalogue import CATALOGUE, widget_title
from relais.crm.dashboards.forms import WidgetAddForm, WidgetEditForm
from relais.crm.dashboards.layout import DIRECTIONS

MOVE_MESSAGES = {
    "up": gettext_lazy("« %(title)s » déplacé vers le haut."),
    "down": gettext_lazy("« %(title)s » déplacé vers le bas."),
    "left": gettext_lazy("« %(title)s » déplacé vers la gauche."),
    "right": gettext_lazy("« %(title)s » déplacé vers la droite."),
    "wider": gettext_lazy("« %(title)s » agrandi."),
    "narrower": gettext_lazy("« %(title)s » réduit."),
    "taller": gettext_lazy("« %(title)s » plus haut."),
    "shorter": gettext_lazy("« %(title)s » moins haut."),
}


def _dashboard_url(widget=None, focus: str = "") -> str:
    url = reverse("crm:dashboard")
    if widget is not None and focus:
        return f"{url}?focus={widget.public_id}-{focus}#widget-{widget.public_id}"
    if widget is not None:
        return f"{url}#widget-{widget.public_id}"
    return url


def _widget_for_change(request, workspace, widget_id):
    """The widget a POST changes; the default dashboard shown so far is saved first."""
    services.dashboard_get_or_create(actor=request.user, workspace=workspace)
    return selectors.widget_get(user=request.user, widget_id=widget_id)


class DashboardView(WorkspaceRequiredMixin, View):
    def get(self, request):
        dashboard = selectors.dashboard_for_display(user=request.user)
        widgets = selectors.dashboard_data(
            user=request.user, workspace=self.workspace, dashboard=dashboard
        )
        return render(
            request,
            "crm/dashboards/dashboard.html",
            {
                "dashboard": dashboard,
                "widgets": widgets,
                "focus": request.GET.get("focus", "")[:60],
                "layout_url": reverse("crm:dashboard-layout"),
            },
        )


class DashboardResetView(WorkspaceRequiredMixin, View):
    def get(self, request):
        return render(request, "crm/dashboards/dashboard_reset.html")

    def post(self, request):
        dashboard = services.dashboard_get_or_create(actor=request.user, workspace=self.workspace)
        services.dashboard_reset(actor=request.user, dashboard=dashboard)
        messages.success(request, _("Le tableau de bord par défaut a été rétabli."))
        return redirect("crm:dashboard")


class WidgetAddView(WorkspaceRequiredMixin, View):
    def _render(self, request, form, status=200):
        return render(
            request,
            "crm/dashboards/widget_add.html",
            {"form": form, "catalogue": CATALOGUE},
            status=status,
        )

    def get(self, request):
        return self._render(request, WidgetAddForm())

    def post(self, request):
        dashboard = services.dashboard_get_or_create(actor=request.user, workspace=self.workspace)
        form = WidgetAddForm(request.POST)
        widget = submit(
            form,
            lambda: services.widget_add(
                actor=request.user,
                dashboard=dashboard,
                workspace=self.workspace,
                kind=form.cleaned_data["kind"],
            ),
        )
        if widget is None:
            return self._render(request, form, status=400)
        title = CATALOGUE[widget.kind].title
        messages.success(
            request, _("« %(title)s » ajouté en bas du tableau de bord.") % {"title": title}
        )
        return redirect(_dashboard_url(widget))


class WidgetEditView(WorkspaceRequiredMixin, View):
    def _form(self, request, widget, data=None):
        spec = CATALOGUE.get(widget.kind)
        segments = selectors.segments_for(user=request.user, workspace=self.workspace)
        initial = {
            "title": widget.title,
            "chart_type": widget.chart_type,
            "period": widget.period,
            "segment": str(widget.segment_public_id or ""),
        }
        return WidgetEditForm(data, initial=initial, spec=spec, segments=segments)

    def _render(self, request, widget, form, status=200):
        spec = CATALOGUE.get(widget.kind)
        missing_segment = bool(widget.segment_public_id) and str(widget.segment_public_id) not in {
            value for value, _label in form.fields["segment"].choices
        }
        return render(
            request,
            "crm/dashboards/widget_edit.html",
            {"widget": widget, "spec": spec, "form": form, "missing_segment": missing_segment},
            status=status,
        )

    def get(self, request, widget_id):
        widget = selectors.widget_get(user=request.user, widget_id=widget_id)
        if widget.kind not in CATALOGUE:
            return redirect(_dashboard_url(widget))
        return self._render(request, widget, self._form(request, widget))

    def post(self, request, widget_id):
        widget = _widget_for_change(request, self.workspace, widget_id)
        if widget.kind not in CATALOGUE:
            return redirect(_dashboard_url(widget))
        form = self._form(request, widget, request.POST)
        saved = submit(
            form,
            lambda: services.widget_update(
                actor=request.user,
                widget=widget,
                workspace=self.workspace,
                title=form.cleaned_data["title"],
                chart_type=form.cleaned_data["chart_type"],
                period=form.cleaned_data.get("period") or widget.period,
                segment=form.cleaned_data["segment"],
            ),
        )
        if saved is None:
            widget.refresh_from_db()
            return self._render(request, widget, form, status=400)
        messages.success(request, _("Élément enregistré."))
        return redirect(_dashboard_url(saved))


class WidgetDeleteView(WorkspaceRequiredMixin, View):
    def get(self, request, widget_id):
        widget = selectors.widget_get(user=request.user, widget_id=widget_id)
        return render(
            request,
            "crm/dashboards/widget_delete.html",
            {"widget": widget, "title": widget_title(widget)},
        )

    def post(self, request, widget_id):
        widget = _widget_for_change(request, self.workspace, widget_id)
        title = widget_title(widget)
        services.widget_delete(actor=request.user, widget=widget)
        messages.success(
            request,
            _(
                "« %(title)s » a été retiré du tableau de bord. Vous pouvez le rajouter depuis le catalogue."
            )
            % {"title": title},
        )
        return redirect("crm:dashboard")


class WidgetMoveView(WorkspaceRequiredMixin, View):
    """The keyboard alternative to drag and drop: one step per button press."""

    def post(self, request, widget_id):
        widget = _widget_for_change(request, self.workspace, widget_id)
        direction = request.POST.get("direction", "")
        if direction not in DIRECTIONS:
            messages.error(request, _("Déplacement inconnu."))
            return redirect(_dashboard_url(widget))
        try:
            services.widget_move(actor=request.user, widget=widget, direction=direction)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, MOVE_MESSAGES[direction] % {"title": widget_title(widget)})
        return redirect(_dashboard_url(widget, direction))


class LayoutView(WorkspaceRequiredMixin, View):
    """Positions and sizes after a drag or a resize in the browser (JSON)."""

    def post(self, request):
        dashboard = services.dashboard_get_or_create(actor=request.user, workspace=self.workspace)
        try:
            payload = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            payload = None
        items = payload.get("widgets") if isinstance(payload, dict) else None
        try:
            services.layout_save(actor=request.user, dashboard=dashboard, items=items)
        except ValidationError as error:
            return JsonResponse({"error": " ".join(error.messages)}, status=400)
        return JsonResponse({"message": _("Disposition enregistrée.")})


class WidgetDataView(WorkspaceRequiredMixin, View):
    def get(self, request, widget_id):
        widget = selectors.widget_get(user=request.user, widget_id=widget_id)
        view = selectors.widget_data(user=request.user, workspace=self.workspace, widget=widget)
        if view.data is None:
            return JsonResponse({"error": _("Cet indicateur n'existe plus.")}, status=404)
        return JsonResponse(
            {"title": view.title, "chart_type": widget.chart_type, **view.data.as_json()}
        )


def _csv_cell(value):
    if isinstance(value, Decimal):
        return NumberText(f"{value:.2f}".replace(".", ","))
    if isinstance(value, float):
        return NumberText(f"{value:.1f}".replace(".", ","))
    if value is None:
        return ""
    return csv_safe(value) if isinstance(value, str) else value


class WidgetExportView(WorkspaceRequiredMixin, View):
    """The widget's table as CSV: ``;`` between cells, decimal commas and a byte-order mark
    (what French Excel expects), text that a spreadsheet would run as a formula neutralised."""

    def get(self, request, widget_id):
        widget = selectors.widget_get(user=request.user, widget_id=widget_id)
        view = selectors.widget_data(user=request.user, workspace=self.workspace, widget=widget)
        if view.data is None:
            return redirect(_dashboard_url(widget))
        rows = [
            [_csv_cell(str(column)) for column in view.data.columns],
            *([_csv_cell(value) for value in row] for row in view.data.rows),
        ]
        name = slugify(view.title)[:50] or "indicateur"
        stamp = timezone.localdate().isoformat()
        return csv_download(rows, f"{name}-{stamp}.csv")
