"""Follow-up figures: the follow-ups overdue or due this week, and the oldest of them listed."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import formats
from django.utils.translation import gettext as _

from relais.crm.dashboards.selectors.data import Series, WidgetData, display
from relais.crm.dashboards.selectors.scope import Scope, _names
from relais.crm.models import Activity

FOLLOW_UP_ROWS = 50


def follow_ups(scope: Scope) -> WidgetData:
    end_of_week = scope.today + timedelta(days=6 - scope.today.weekday())
    activities = scope.customers(Activity.objects.in_workspace(scope.workspace))
    later = Activity.objects.filter(
        customer_id=OuterRef("customer_id"), occurred_at__gt=OuterRef("occurred_at")
    )
    due = activities.filter(next_follow_up_on__lte=end_of_week).filter(~Exists(later))
    counts = due.aggregate(
        overdue=Count("pk", filter=Q(next_follow_up_on__lt=scope.today)),
        week=Count("pk", filter=Q(next_follow_up_on__gte=scope.today)),
    )
    listed = list(
        due.order_by("next_follow_up_on", "id").values(
            "next_follow_up_on", "customer_id", "subject", "owner__first_name", "owner__last_name"
        )[:FOLLOW_UP_ROWS]
    )
    names = _names(row["customer_id"] for row in listed)
    rows = [
        [
            formats.date_format(row["next_follow_up_on"], "SHORT_DATE_FORMAT"),
            names[row["customer_id"]],
            row["subject"],
            " ".join(p for p in (row["owner__first_name"], row["owner__last_name"]) if p),
            _("En retard") if row["next_follow_up_on"] < scope.today else _("Cette semaine"),
        ]
        for row in listed
    ]
    total = counts["overdue"] + counts["week"]
    notes = []
    if total > len(rows):
        notes.append(
            _("Les %(shown)s relances les plus anciennes sur %(total)s sont listées.")
            % {"shown": len(rows), "total": display(total)}
        )
    data = WidgetData(
        label_header=_("Échéance"),
        labels=[_("En retard"), _("Cette semaine")],
        series=[Series(_("Relances"), [counts["overdue"], counts["week"]])],
        headline=total,
        headline_caption=_("relances, dont %(overdue)s en retard")
        % {"overdue": display(counts["overdue"])},
        columns=[_("Relance prévue le"), _("Client"), _("Objet"), _("Responsable"), _("État")],
        rows=rows,
        numeric_columns=[],
        notes=notes,
    )
    return data
