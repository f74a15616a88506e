"""Campaign figures: the funnel of the campaigns sent, or campaign activities by outcome."""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from relais.crm.dashboards.selectors.data import PERCENT, Series, WidgetData, display
from relais.crm.dashboards.selectors.scope import Scope
from relais.crm.models import Activity, ActivityKind, ActivityOutcome, CampaignRecipient

# The campaign funnel, from the recipients' reaction flags (``crm.CampaignRecipient``).
CAMPAIGN_FUNNEL = (
    ("delivered", _lazy("Distribués")),
    ("bounced", _lazy("Non distribués")),
    ("opened", _lazy("Ouverts / lus")),
    ("clicked", _lazy("Liens cliqués")),
    ("replied", _lazy("Réponses")),
    ("booked", _lazy("Rendez-vous pris")),
    ("unsubscribed", _lazy("Désinscriptions")),
)


def campaign_recipient_model():
    """The campaign recipients' model. Where this gives ``None``, the widget counts the campaign
    activities of the history instead (``_campaign_activities``)."""
    return CampaignRecipient


def campaign_results(scope: Scope) -> WidgetData:
    """The funnel of the campaigns sent in the period: recipients reached, then how many
    were delivered, opened, clicked, replied, booked or unsubscribed."""
    model = campaign_recipient_model()
    if model is None:
        return _campaign_activities(scope)
    recipients = scope.customers(
        model.objects.filter(
            workspace=scope.workspace, excluded_reason="", campaign__sent_at__isnull=False
        )
    )
    recipients = scope.moments(recipients, "campaign__sent_at")
    counts = recipients.aggregate(
        sent=Count("pk"),
        **{name: Count("pk", filter=Q(**{name: True})) for name, _label in CAMPAIGN_FUNNEL},
    )
    labels = [_("Destinataires"), *[str(label) for _name, label in CAMPAIGN_FUNNEL]]
    values = [counts["sent"], *[counts[name] for name, _label in CAMPAIGN_FUNNEL]]
    rate = (
        (Decimal(counts["replied"]) * 100 / counts["sent"]).quantize(Decimal("0.1"))
        if counts["sent"]
        else Decimal(0)
    )
    return WidgetData(
        label_header=_("Étape"),
        labels=labels,
        series=[Series(_("Destinataires"), values)],
        headline=counts["sent"],
        headline_caption=_("destinataires, dont %(rate)s de réponses")
        % {"rate": display(rate, PERCENT)},
    )


def _campaign_activities(scope: Scope) -> WidgetData:
    """Without the campaigns module: campaign activities of the history, by outcome."""
    activities = scope.customers(
        Activity.objects.in_workspace(scope.workspace).filter(kind=ActivityKind.CAMPAIGN)
    )
    activities = scope.moments(activities, "occurred_at")
    counts = dict(activities.values_list("outcome").annotate(n=Count("pk")).order_by())
    labels, values = [], []
    for key, label in [*ActivityOutcome.choices, ("", _("Sans résultat renseigné"))]:
        if counts.get(key):
            labels.append(str(label))
            values.append(counts[key])
    return WidgetData(
        label_header=_("Résultat"),
        labels=labels,
        series=[Series(_("Envois"), values)],
        headline=sum(values),
        headline_caption=_("envois de campagne"),
    )
