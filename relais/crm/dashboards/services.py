"""Dashboard writes: the default dashboard, adding, editing, moving and removing widgets.

A dashboard is its owner's own layout: only the owner changes it (any role that may read the
CRM), and nothing here touches the workspace's records.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.accounts.permissions import ensure_permission
from relais.core.exceptions import NotFound, parse_public_id
from relais.core.workspaces.models import Workspace
from relais.crm.dashboards.catalogue import CATALOGUE
from relais.crm.dashboards.layout import Box, first_overlap, move
from relais.crm.dashboards.selectors import dashboard_of, default_widgets
from relais.crm.models import Dashboard, DashboardWidget, Segment, WidgetPeriod
from relais.crm.models.dashboards import GRID_COLUMNS, MAX_HEIGHT, MAX_ROWS
from relais.crm.permissions import Permission

MAX_WIDGETS = 40


def _ensure_owner(actor, dashboard: Dashboard) -> None:
    if actor is None or not actor.is_authenticated or dashboard.owner_id != actor.pk:
        raise NotFound(_("Tableau de bord introuvable."))


@transaction.atomic
def dashboard_get_or_create(*, actor, workspace: Workspace) -> Dashboard:
    """The actor's dashboard; before their first change, a new one with the default widgets.

    Called by every change (never by a page view): the widgets get the ids the unsaved default
    dashboard showed, so a change made from that page finds its widget.
    """
    ensure_permission(actor, Permission.CRM_VIEW, workspace)
    dashboard = dashboard_of(user=actor)
    if dashboard is not None:
        return dashboard
    dashboard = Dashboard.objects.create(owner=actor, name=_("Mon tableau de bord"))
    DashboardWidget.objects.bulk_create(default_widgets(dashboard=dashboard))
    return dashboard


@transaction.atomic
def dashboard_reset(*, actor, dashboard: Dashboard) -> Dashboard:
    """Put the default widgets back, removing the others."""
    _ensure_owner(actor, dashboard)
    dashboard.widgets.all().delete()
    DashboardWidget.objects.bulk_create(default_widgets(dashboard=dashboard))
    return dashboard


def _segment_id(workspace: Workspace, value) -> uuid.UUID | None:
    if value in (None, ""):
        return None
    public_id = parse_public_id(value)
    if (
        public_id is None
        or not Segment.objects.in_workspace(workspace).filter(public_id=public_id).exists()
    ):
        raise ValidationError(
            {"segment": [_("Ce segment n'existe pas dans l'espace de travail courant.")]}
        )
    return public_id


def _check(widget: DashboardWidget) -> None:
    spec = CATALOGUE.get(widget.kind)
    if spec is None:
        raise ValidationError({"kind": [_("Cet indicateur n'existe pas dans le catalogue.")]})
    if widget.chart_type not in spec.chart_types:
        raise ValidationError(
            {"chart_type": [_("Ce type de graphique n'est pas proposé pour cet indicateur.")]}
        )
    widget.full_clean(exclude=["dashboard"])


@transaction.atomic
def widget_add(
    *,
    actor,
    dashboard: Dashboard,
    workspace: Workspace,
    kind: str,
    chart_type: str = "",
    title: str = "",
    period: str = "",
    segment=None,
) -> DashboardWidget:
    """Add a catalogue widget below the others, full width of its default size."""
    _ensure_owner(actor, dashboard)
    ensure_permission(actor, Permission.CRM_VIEW, workspace)
    # Lock the dashboard row: two quick additions must not land on the same spot.
    Dashboard.objects.select_for_update().filter(pk=dashboard.pk).first()
    spec = CATALOGUE.get(kind)
    if spec is None:
        raise ValidationError({"kind": [_("Cet indicateur n'existe pas dans le catalogue.")]})
    existing = list(dashboard.widgets.all())
    if len(existing) >= MAX_WIDGETS:
        raise ValidationError(
            _("Un tableau de bord compte au plus %(max)s éléments.") % {"max": MAX_WIDGETS}
        )
    bottom = max((w.y + w.h for w in existing), default=0)
    if bottom + spec.h > MAX_ROWS:
        raise ValidationError(_("Le tableau de bord est plein : retirez un élément d'abord."))
    widget = DashboardWidget(
        dashboard=dashboard,
        kind=kind,
        chart_type=chart_type or spec.default_chart,
        title=title.strip(),
        x=0,
        y=bottom,
        w=spec.w,
        h=spec.h,
        period=period or spec.period,
        segment_public_id=_segment_id(workspace, segment),
    )
    _check(widget)
    widget.save()
    return widget


@transaction.atomic
def widget_update(
    *,
    actor,
    widget: DashboardWidget,
    workspace: Workspace,
    title: str,
    chart_type: str,
    period: str,
    segment=None,
) -> DashboardWidget:
    """Change what a widget shows and how: its title, chart, period and segment filter."""
    _ensure_owner(actor, widget.dashboard)
    ensure_permission(actor, Permission.CRM_VIEW, workspace)
    widget.title = (title or "").strip()
    widget.chart_type = chart_type
    widget.period = period or WidgetPeriod.ALL
    widget.segment_public_id = _segment_id(workspace, segment)
    _check(widget)
    widget.save()
    return widget


@transaction.atomic
def widget_delete(*, actor, widget: DashboardWidget) -> None:
    _ensure_owner(actor, widget.dashboard)
    widget.delete()


def _boxes(widgets: list[DashboardWidget]) -> list[Box]:
    return [Box(w.pk, w.x, w.y, w.w, w.h) for w in widgets]


def _apply(widgets: list[DashboardWidget], boxes: list[Box]) -> None:
    by_key = {box.key: box for box in boxes}
    changed, now = [], timezone.now()
    for widget in widgets:
        box = by_key[widget.pk]
        if (widget.x, widget.y, widget.w, widget.h) != (box.x, box.y, box.w, box.h):
            widget.x, widget.y, widget.w, widget.h = box.x, box.y, box.w, box.h
            widget.updated_at = now
            changed.append(widget)
    DashboardWidget.objects.bulk_update(changed, ["x", "y", "w", "h", "updated_at"])


@transaction.atomic
def widget_move(*, actor, widget: DashboardWidget, direction: str) -> DashboardWidget:
    """The keyboard alternative to dragging: move or resize ``widget`` one step, pushing the
    widgets it lands on further down (see ``relais.crm.dashboards.layout.move``)."""
    _ensure_owner(actor, widget.dashboard)
    widgets = list(widget.dashboard.widgets.select_for_update().order_by("y", "x", "id"))
    boxes = _boxes(widgets)
    target = next(box for box in boxes if box.key == widget.pk)
    try:
        move(boxes, target, direction)
    except ValueError as exc:
        raise ValidationError(_("Déplacement inconnu.")) from exc
    if max(box.y for box in boxes) > MAX_ROWS:
        raise ValidationError(_("Impossible de descendre plus bas."))
    _apply(widgets, boxes)
    widget.refresh_from_db()
    return widget


def _integer(item: dict, name: str, low: int, high: int) -> int:
    value = item.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationError(
            _("Disposition refusée : « %(name)s » doit être un entier entre %(low)s et %(high)s.")
            % {"name": name, "low": low, "high": high}
        )
    return value


@transaction.atomic
def layout_save(*, actor, dashboard: Dashboard, items) -> list[DashboardWidget]:
    """Save positions and sizes sent by the browser after a drag or a resize.

    ``items`` is a list of ``{"id": <widget public id>, "x", "y", "w", "h"}``. Everything is
    checked before anything is written: unknown ids, values off the grid, overlaps.
    """
    _ensure_owner(actor, dashboard)
    if not isinstance(items, list) or not items or len(items) > MAX_WIDGETS:
        raise ValidationError(_("Disposition refusée : la liste des éléments est invalide."))
    widgets = list(dashboard.widgets.select_for_update().order_by("y", "x", "id"))
    by_public_id = {str(w.public_id): w for w in widgets}
    boxes: dict[int, Box] = {w.pk: Box(w.pk, w.x, w.y, w.w, w.h) for w in widgets}
    seen = set()
    for item in items:
        if not isinstance(item, dict):
            raise ValidationError(_("Disposition refusée : élément invalide."))
        widget = by_public_id.get(str(item.get("id", "")))
        if widget is None or widget.pk in seen:
            raise ValidationError(
                _("Disposition refusée : un élément n'appartient pas à ce tableau de bord.")
            )
        seen.add(widget.pk)
        w = _integer(item, "w", 1, GRID_COLUMNS)
        boxes[widget.pk] = Box(
            widget.pk,
            _integer(item, "x", 0, GRID_COLUMNS - w),
            _integer(item, "y", 0, MAX_ROWS),
            w,
            _integer(item, "h", 1, MAX_HEIGHT),
        )
    if first_overlap(list(boxes.values())):
        raise ValidationError(_("Disposition refusée : deux éléments se chevauchent."))
    _apply(widgets, list(boxes.values()))
    return widgets
