"""Dashboard layout: the default dashboard, keyboard moves, and saving dragged positions."""

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from relais.crm.dashboards import services
from relais.crm.dashboards.catalogue import DEFAULT_LAYOUT
from relais.crm.dashboards.layout import Box, first_overlap, move
from relais.crm.models import Dashboard, DashboardWidget


def boxes(*specs):
    return [Box(key, *spec) for key, spec in enumerate(specs)]


def positions(items):
    return [(b.x, b.y, b.w, b.h) for b in items]


def test_up_swaps_with_the_widget_above():
    items = boxes((0, 0, 6, 3), (0, 3, 6, 4))
    move(items, items[1], "up")
    assert positions(items) == [(0, 4, 6, 3), (0, 0, 6, 4)]
    assert first_overlap(items) is None


def test_down_swaps_with_the_widget_below():
    items = boxes((0, 0, 6, 3), (0, 3, 6, 4))
    move(items, items[0], "down")
    assert positions(items) == [(0, 4, 6, 3), (0, 0, 6, 4)]


def test_down_with_nothing_below_moves_one_row_and_up_stops_at_the_top():
    items = boxes((0, 0, 6, 3))
    move(items, items[0], "down")
    assert items[0].y == 1
    move(items, items[0], "up")
    move(items, items[0], "up")
    assert items[0].y == 0


def test_right_and_left_swap_side_by_side_widgets():
    items = boxes((0, 0, 6, 4), (6, 0, 6, 4))
    move(items, items[0], "right")
    assert positions(items) == [(6, 0, 6, 4), (0, 0, 6, 4)]
    move(items, items[0], "left")
    assert positions(items) == [(0, 0, 6, 4), (6, 0, 6, 4)]


def test_right_stops_at_the_edge():
    items = boxes((9, 0, 3, 3))
    move(items, items[0], "right")
    assert items[0].x == 9


def test_resizes_go_by_quarters_and_push_others_down():
    items = boxes((0, 0, 6, 3), (6, 0, 6, 3))
    move(items, items[0], "wider")
    assert positions(items) == [(0, 0, 9, 3), (6, 3, 6, 3)]
    move(items, items[0], "narrower")
    move(items, items[0], "narrower")
    move(items, items[0], "narrower")
    assert items[0].w == 3  # never narrower than a quarter
    move(items, items[0], "taller")
    assert items[0].h == 4
    for _ in range(5):
        move(items, items[0], "shorter")
    assert items[0].h == 2
    assert first_overlap(items) is None


def test_wider_at_the_right_edge_grows_leftwards():
    items = boxes((6, 0, 6, 3))
    move(items, items[0], "wider")
    assert positions(items) == [(3, 0, 9, 3)]


def test_unknown_direction_is_refused():
    items = boxes((0, 0, 6, 3))
    with pytest.raises(ValueError):
        move(items, items[0], "sideways")


@pytest.fixture
def dashboard(agent, workspace):
    return services.dashboard_get_or_create(actor=agent, workspace=workspace)


@pytest.mark.django_db
def test_the_default_dashboard_is_created_once(agent, workspace, dashboard):
    widgets = list(dashboard.widgets.all())
    assert len(widgets) == len(DEFAULT_LAYOUT) == 8
    assert first_overlap([Box(w.pk, w.x, w.y, w.w, w.h) for w in widgets]) is None
    again = services.dashboard_get_or_create(actor=agent, workspace=workspace)
    assert again == dashboard
    assert Dashboard.objects.filter(owner=agent).count() == 1


@pytest.mark.django_db
def test_the_dashboard_is_the_users_not_the_workspaces(
    agent, workspace, other_workspace, dashboard
):
    """Dashboards carry no workspace: the sandbox copy and reset never touch them."""
    from relais.core.workspaces.sandbox import sandbox_models

    assert Dashboard not in sandbox_models()
    assert DashboardWidget not in sandbox_models()
    assert not any(f.name == "workspace" for f in DashboardWidget._meta.fields)


@pytest.mark.django_db
def test_reset_brings_the_default_widgets_back(agent, dashboard):
    dashboard.widgets.first().delete()
    services.dashboard_reset(actor=agent, dashboard=dashboard)
    assert dashboard.widgets.count() == 8


@pytest.mark.django_db
def test_add_puts_the_widget_below_the_others(agent, workspace, dashboard):
    widget = services.widget_add(
        actor=agent, dashboard=dashboard, workspace=workspace, kind="campaign_results"
    )
    bottom = max(w.y + w.h for w in dashboard.widgets.exclude(pk=widget.pk))
    assert (widget.x, widget.y) == (0, bottom)
    assert widget.chart_type == "bar"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"kind": "nope"}, "kind"),
        ({"kind": "conversion", "chart_type": "pie"}, "chart_type"),
        ({"kind": "conversion", "segment": "not-a-uuid"}, "segment"),
        ({"kind": "conversion", "period": "forever"}, "period"),
    ],
)
def test_add_refuses_bad_values(agent, workspace, dashboard, changes, field):
    with pytest.raises(ValidationError) as error:
        services.widget_add(actor=agent, dashboard=dashboard, workspace=workspace, **changes)
    assert field in error.value.message_dict
    assert dashboard.widgets.count() == 8


@pytest.mark.django_db
def test_another_user_cannot_change_the_dashboard(agent, supervisor, workspace, dashboard):
    widget = dashboard.widgets.first()
    with pytest.raises(Http404):
        services.widget_add(
            actor=supervisor, dashboard=dashboard, workspace=workspace, kind="conversion"
        )
    with pytest.raises(Http404):
        services.widget_move(actor=supervisor, widget=widget, direction="down")
    with pytest.raises(Http404):
        services.widget_delete(actor=supervisor, widget=widget)
    with pytest.raises(Http404):
        services.layout_save(actor=supervisor, dashboard=dashboard, items=[])
    assert dashboard.widgets.count() == 8


@pytest.mark.django_db
def test_move_saves_and_keeps_the_grid_free_of_overlaps(agent, dashboard):
    widgets = list(dashboard.widgets.order_by("y", "x"))
    first = widgets[0]
    services.widget_move(actor=agent, widget=first, direction="down")
    saved = list(dashboard.widgets.all())
    assert first_overlap([Box(w.pk, w.x, w.y, w.w, w.h) for w in saved]) is None
    first.refresh_from_db()
    assert first.y > 0


def _items(dashboard, **changes):
    items = []
    for widget in dashboard.widgets.all():
        item = {"id": str(widget.public_id), "x": widget.x, "y": widget.y, "w": widget.w}
        item["h"] = widget.h
        items.append(item)
    items[0].update(changes)
    return items


@pytest.mark.django_db
def test_layout_save_writes_every_position(agent, dashboard):
    items = [
        {"id": str(w.public_id), "x": 0, "y": index * 5, "w": 12, "h": 5}
        for index, w in enumerate(dashboard.widgets.all())
    ]
    services.layout_save(actor=agent, dashboard=dashboard, items=items)
    assert sorted(dashboard.widgets.values_list("y", flat=True)) == [0, 5, 10, 15, 20, 25, 30, 35]
    assert set(dashboard.widgets.values_list("w", flat=True)) == {12}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"x": -1},
        {"x": 11, "w": 6},  # past the right edge
        {"w": 0},
        {"w": 13},
        {"h": 0},
        {"h": 10**9},
        {"y": 10**12},
        {"x": "3"},
        {"x": 2.5},
        {"x": True},
        {"x": None},
        {"id": "00000000-0000-0000-0000-000000000000"},
        {"id": "<script>alert(1)</script>"},
        {"x": 0, "y": 0, "w": 12, "h": 12},  # lands on the others
    ],
)
def test_layout_save_refuses_hostile_values_and_changes_nothing(agent, dashboard, changes):
    before = sorted(dashboard.widgets.values_list("pk", "x", "y", "w", "h"))
    with pytest.raises(ValidationError):
        services.layout_save(actor=agent, dashboard=dashboard, items=_items(dashboard, **changes))
    assert sorted(dashboard.widgets.values_list("pk", "x", "y", "w", "h")) == before


@pytest.mark.django_db
@pytest.mark.parametrize("items", [None, {}, "x", [], ["x"], [{}] * 41])
def test_layout_save_refuses_malformed_lists(agent, dashboard, items):
    with pytest.raises(ValidationError):
        services.layout_save(actor=agent, dashboard=dashboard, items=items)


@pytest.mark.django_db
def test_layout_save_refuses_another_users_widget(agent, supervisor, workspace, dashboard):
    theirs = services.dashboard_get_or_create(actor=supervisor, workspace=workspace)
    intruder = theirs.widgets.first()
    items = _items(dashboard)
    items.append({"id": str(intruder.public_id), "x": 0, "y": 100, "w": 3, "h": 3})
    with pytest.raises(ValidationError):
        services.layout_save(actor=agent, dashboard=dashboard, items=items)
    intruder.refresh_from_db()
    assert intruder.y != 100
