"""Interaction log v2: the CRM's rows of the log get their event codes, case keys and outcome
codes.

``interactions.0002`` gave every existing row ``core.interaction.recorded``; the CRM knows what
its rows are from their source (invoice, activity, appointment, lead) and from the campaign
tables (a campaign's message, a reply, the follow-up of a reply). Outcomes held the French
labels of ``ActivityOutcome`` and ``InvoiceKind`` (the only language of the project): they
become the codes. Everything here is frozen as it was on the day of the migration.
"""

from django.db import migrations

RECORDED = "core.interaction.recorded"
INVOICE_ISSUED = "crm.invoice.issued"
ACTIVITY_LOGGED = "crm.activity.logged"
CAMPAIGN_MESSAGE_SENT = "crm.campaign.message.sent"
CAMPAIGN_REPLY_RECEIVED = "crm.campaign.reply.received"
APPOINTMENT_SCHEDULED = "crm.appointment.scheduled"
LEAD_RECEIVED = "crm.lead.received"

BY_SOURCE = {
    "invoice": INVOICE_ISSUED,
    "activity": ACTIVITY_LOGGED,
    "appointment": APPOINTMENT_SCHEDULED,
    "lead": LEAD_RECEIVED,
}
ACTIVITY_OUTCOMES = {
    "done": "Effectué",
    "reached": "Client joint",
    "no_answer": "Pas de réponse",
    "message_left": "Message laissé",
    "interested": "Intéressé",
    "not_interested": "Pas intéressé",
    "appointment_set": "Rendez-vous pris",
    "planned": "À faire",
}
INVOICE_KINDS = {
    "vn": "Achat véhicule neuf (VN)",
    "vo": "Achat véhicule d'occasion (VO)",
    "apv": "Après-vente (APV)",
    "parts": "Magasin (pièces de rechange)",
}


def forward(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Interaction = apps.get_model("interactions", "Interaction")
    Campaign = apps.get_model("crm", "Campaign")
    CampaignRecipient = apps.get_model("crm", "CampaignRecipient")
    CampaignMessage = apps.get_model("crm", "CampaignMessage")
    types = dict(
        ContentType.objects.filter(app_label="crm", model__in=BY_SOURCE).values_list("model", "pk")
    )
    for model, code in BY_SOURCE.items():
        if model in types:
            Interaction.objects.filter(source_type_id=types[model], event_code=RECORDED).update(
                event_code=code
            )
    crm_rows = Interaction.objects.filter(event_code__startswith="crm.")
    for outcomes, code in ((ACTIVITY_OUTCOMES, ACTIVITY_LOGGED), (INVOICE_KINDS, INVOICE_ISSUED)):
        for value, label in outcomes.items():
            crm_rows.filter(event_code=code, outcome=label).update(outcome=value)
    if "activity" not in types:
        return
    activities = Interaction.objects.filter(source_type_id=types["activity"])
    for campaign_id, public_id in Campaign.objects.values_list("pk", "public_id").iterator():
        case_key = f"crm.campaign:{public_id}"
        groups = (
            (
                CampaignRecipient.objects.filter(campaign_id=campaign_id).values("activity_id"),
                CAMPAIGN_MESSAGE_SENT,
            ),
            (
                CampaignMessage.objects.filter(campaign_id=campaign_id).values("activity_id"),
                CAMPAIGN_REPLY_RECEIVED,
            ),
            (
                CampaignMessage.objects.filter(campaign_id=campaign_id).values("task_id"),
                ACTIVITY_LOGGED,
            ),
        )
        for source_ids, code in groups:
            activities.filter(source_id__in=source_ids).update(event_code=code, case_key=case_key)


def backward(apps, schema_editor):
    """Labels back into ``outcome``; ``interactions.0002`` reversed drops the codes."""
    Interaction = apps.get_model("interactions", "Interaction")
    crm_rows = Interaction.objects.filter(event_code__startswith="crm.")
    for outcomes in (ACTIVITY_OUTCOMES, INVOICE_KINDS):
        for value, label in outcomes.items():
            crm_rows.filter(outcome=value).update(outcome=label)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0004_sales_tools"),
        ("interactions", "0002_event_codes_cases_visitors"),
    ]

    operations = [migrations.RunPython(forward, backward, elidable=True)]
