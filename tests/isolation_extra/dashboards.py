"""Dashboard widgets for the isolation tests and the accessibility sweep.

Dashboards belong to users, not workspaces: the "foreign" widget is the other workspace's
agent's own widget, which nobody else may see or change.
"""

from relais.crm.dashboards.services import dashboard_get_or_create


def _first_widget(workspace, user) -> dict:
    dashboard = dashboard_get_or_create(actor=user, workspace=workspace)
    widget = dashboard.widgets.order_by("y", "x", "id").first()
    return {"widget_id": widget.public_id}


def foreign_records(workspace, agent) -> dict:
    return _first_widget(workspace, agent)


def own_records(workspace, user) -> dict:
    return _first_widget(workspace, user)
