"""Campaign actions: create, edit, send (in the background), move the simulated clock,
handle replies, set the reaction probabilities.

The actions live in topic modules (``audience``, ``editing``, ``sending``, ``clock``); this
package re-exports them so ``from relais.crm.campaigns.services import X`` keeps working.
"""

from relais.crm.campaigns.services.audience import (
    Audience,
    campaign_audience,
    campaign_preview,
    campaign_targets,
)
from relais.crm.campaigns.services.clock import (
    CLOCK_JOB_KIND,
    CLOCK_SYNC_LIMIT,
    FLAG_OF,
    MAX_ADVANCE_DAYS,
    REPLY_OUTCOME,
    campaign_clock_advance,
    campaign_clock_advance_start,
    campaign_clock_catch_up,
    campaign_clock_move,
    campaign_due_count,
    campaign_events_apply,
    message_handle,
    message_mark_read,
)
from relais.crm.campaigns.services.editing import (
    CAMPAIGN_FIELDS,
    campaign_create,
    campaign_delete,
    campaign_update,
    reaction_settings_reset,
    reaction_settings_save,
)
from relais.crm.campaigns.services.sending import (
    ACTIVITY_KIND,
    BATCH_SIZE,
    SEND_JOB_KIND,
    SMS_MAX_SEGMENTS,
    _process_batch,  # used by tests/crm/test_campaigns_send.py
    campaign_process,
    campaign_send,
    campaign_send_resume,
)

__all__ = [
    "ACTIVITY_KIND",
    "BATCH_SIZE",
    "CAMPAIGN_FIELDS",
    "CLOCK_JOB_KIND",
    "CLOCK_SYNC_LIMIT",
    "FLAG_OF",
    "MAX_ADVANCE_DAYS",
    "REPLY_OUTCOME",
    "SEND_JOB_KIND",
    "SMS_MAX_SEGMENTS",
    "Audience",
    "_process_batch",
    "campaign_audience",
    "campaign_clock_advance",
    "campaign_clock_advance_start",
    "campaign_clock_catch_up",
    "campaign_clock_move",
    "campaign_create",
    "campaign_delete",
    "campaign_due_count",
    "campaign_events_apply",
    "campaign_preview",
    "campaign_process",
    "campaign_send",
    "campaign_send_resume",
    "campaign_targets",
    "campaign_update",
    "message_handle",
    "message_mark_read",
    "reaction_settings_reset",
    "reaction_settings_save",
]
